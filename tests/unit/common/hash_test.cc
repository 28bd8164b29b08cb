#include "common/hash.h"

#include <gtest/gtest.h>

#include <set>

namespace journeyd {
namespace {

// Pinned values: action ids and holdout splits must not change between
// versions. If one of these fails, the hash algorithm or the part framing
// changed, and every action id already emitted would stop matching.
TEST(StableHash, PinnedValues) {
  EXPECT_EQ(stable_hash(""), 0x2d06800538d394c2ULL);  // XXH3-64 of the empty input
  EXPECT_EQ(stable_hash("journeyd"), 0x1c162f6b862552b0ULL);
  // Parts: each prefixed by its length as a little-endian u64.
  EXPECT_EQ(stable_hash({"checkout", "3", "u42"}), 0x623b4f624573696fULL);
  EXPECT_EQ(to_hex(stable_hash({"checkout", "3", "u42"})), "623b4f624573696f");
}

TEST(StableHash, PartsAreFramed) {
  EXPECT_NE(stable_hash({"ab", "c"}), stable_hash({"a", "bc"}));
  EXPECT_NE(stable_hash({"abc"}), stable_hash({"ab", "c"}));
  EXPECT_NE(stable_hash({"", "a"}), stable_hash({"a", ""}));
  EXPECT_NE(stable_hash({"abc"}), stable_hash("abc"));
  EXPECT_EQ(stable_hash({"a", "b"}), stable_hash({"a", "b"}));
}

TEST(StableHash, DistinctInputsGiveDistinctHashes) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(stable_hash({"checkout", "3", "u" + std::to_string(i)}));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(ToHex, SixteenLowercaseDigits) {
  EXPECT_EQ(to_hex(0), "0000000000000000");
  EXPECT_EQ(to_hex(0xdeadbeefULL), "00000000deadbeef");
  EXPECT_EQ(to_hex(UINT64_MAX), "ffffffffffffffff");
  EXPECT_EQ(to_hex(0x0123456789ABCDEFULL), "0123456789abcdef");
}

// Known answers computed with `printf '%s' '<message>' | openssl dgst -sha256 -hmac '<key>'`.
TEST(HmacSha256, MatchesOpenSslAndRfc4231) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");  // RFC 4231 case 2
  EXPECT_EQ(hmac_sha256_hex("", "").size(), 64u);
}

}  // namespace
}  // namespace journeyd
