#include "state/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace journeyd::state {
namespace {

TEST(Keys, BigEndianEncodingsSortNumerically) {
  const std::vector<uint64_t> values = {0, 1, 255, 256, 65'535, 65'536, 0x7fffffff, 0x80000000, 0xffffffff};
  std::vector<std::string> k32, k64;
  for (uint64_t v : values) {
    std::string a, b;
    put_be32(a, static_cast<uint32_t>(v));
    put_be64(b, v << 20);
    EXPECT_EQ(a.size(), 4u);
    EXPECT_EQ(b.size(), 8u);
    EXPECT_EQ(get_be32(a, 0), static_cast<uint32_t>(v));
    EXPECT_EQ(get_be64(b, 0), v << 20);
    k32.push_back(a);
    k64.push_back(b);
  }
  EXPECT_TRUE(std::is_sorted(k32.begin(), k32.end()));
  EXPECT_TRUE(std::is_sorted(k64.begin(), k64.end()));
  std::string x;
  put_be32(x, 0x01020304);
  EXPECT_EQ(x, std::string("\x01\x02\x03\x04", 4));
}

TEST(Keys, SignedTimesSortCorrectly) {
  const std::vector<int64_t> times = {INT64_MIN, -86'400'000,       -1001,    -1, 0, 1,
                                      999,       1'795'341'600'000, INT64_MAX};
  std::vector<std::string> keys;
  for (int64_t t : times) {
    EXPECT_EQ(u64_to_time(time_to_u64(t)), t);
    std::string k;
    put_be64(k, time_to_u64(t));
    keys.push_back(k);
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
}

TEST(Keys, TimerKeyRoundTrip) {
  const TimerKey in{Partition{7}, 1'795'341'600'000, "u42", "checkout", 3, 1'795'340'000'000};
  const auto k = encode_timer_key(in);
  EXPECT_EQ(k.substr(0, 4), partition_prefix(Partition{7}));
  const auto out = decode_timer_key(k);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->partition, in.partition);
  EXPECT_EQ(out->due, in.due);
  EXPECT_EQ(out->customer, in.customer);
  EXPECT_EQ(out->journey, in.journey);
  EXPECT_EQ(out->rule, in.rule);
  EXPECT_EQ(out->chain, in.chain);
}

TEST(Keys, TimerKeyRoundTripEdgeValues) {
  const TimerKey in{Partition{0}, -5, "", std::string("j\0\xff", 3), 0xffff, kNoTime};
  const auto out = decode_timer_key(encode_timer_key(in));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->due, -5);
  EXPECT_EQ(out->customer, "");
  EXPECT_EQ(out->journey, in.journey);
  EXPECT_EQ(out->rule, 0xffff);
  EXPECT_EQ(out->chain, kNoTime);
}

TEST(Keys, TimerKeysSortByPartitionThenDueTime) {
  std::vector<std::string> keys;
  for (int32_t p : {0, 1})
    for (int64_t due : {int64_t{-10'000}, int64_t{-1}, int64_t{0}, int64_t{5}, int64_t{1'795'341'600'000}})
      keys.push_back(encode_timer_key({Partition{p}, due, "zzz", "z", 9, 0}));
  // Customer "a" sorts before "zzz" only within the same due time.
  keys.insert(keys.begin() + 1, encode_timer_key({Partition{0}, -1, "a", "a", 0, 0}));
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST(Keys, TimerDueEndIncludesTimersDueExactlyThen) {
  const auto at = encode_timer_key({Partition{2}, 1000, "u", "j", 0, 0});
  const auto later = encode_timer_key({Partition{2}, 1001, "u", "j", 0, 0});
  const auto earlier = encode_timer_key({Partition{2}, -1000, "u", "j", 0, 0});
  const auto end = timer_due_end(Partition{2}, 1000);
  EXPECT_LT(at, end);
  EXPECT_LT(earlier, end);
  EXPECT_GE(later, end);
  EXPECT_GE(at, partition_prefix(Partition{2}));
  EXPECT_LT(end, partition_end(Partition{2}));
}

TEST(Keys, DecodeTimerKeyRejectsGarbage) {
  const auto k = encode_timer_key({Partition{1}, 10, "u42", "checkout", 1, 2});
  for (size_t n = 0; n < k.size(); ++n) EXPECT_FALSE(decode_timer_key(k.substr(0, n))) << n;
  EXPECT_FALSE(decode_timer_key(k + "x"));
}

TEST(Keys, PartitionRangesContainTheirKeys) {
  for (int32_t p : {0, 1, 255, 256, 1 << 20}) {
    const auto lo = partition_prefix(Partition{p});
    const auto hi = partition_end(Partition{p});
    EXPECT_LT(lo, hi);
    for (const auto& k : {customer_key(Partition{p}, ""), customer_key(Partition{p}, "u42"),
                          customer_key(Partition{p}, std::string(300, '\xff')),
                          instance_key(Partition{p}, "u42", "checkout")}) {
      EXPECT_GE(k, lo);
      EXPECT_LT(k, hi);
    }
    EXPECT_GE(customer_key(Partition{p + 1}, ""), hi);
  }
}

TEST(Keys, LengthPrefixesPreventCollisions) {
  EXPECT_NE(instance_key(Partition{1}, "ab", "c"), instance_key(Partition{1}, "a", "bc"));
  EXPECT_NE(customer_key(Partition{1}, "u1"), customer_key(Partition{2}, "u1"));
  // A customer's instance keys share its customer key as a prefix.
  EXPECT_TRUE(instance_key(Partition{1}, "u1", "j").starts_with(customer_key(Partition{1}, "u1")));
  EXPECT_FALSE(instance_key(Partition{1}, "u10", "j").starts_with(customer_key(Partition{1}, "u1")));
}

TEST(Keys, OffsetKeysAreDistinct) {
  EXPECT_NE(offset_key("touchpoints", Partition{0}), offset_key("touchpoints", Partition{1}));
  EXPECT_NE(offset_key("a", Partition{0}), offset_key("b", Partition{0}));
}

TEST(Varint, RoundTrips) {
  const std::vector<uint64_t> values = {
      0, 1, 127, 128, 255, 16'383, 16'384, 1ULL << 32, (1ULL << 63) - 1, 1ULL << 63, UINT64_MAX};
  std::string buf;
  for (uint64_t v : values) put_varint(buf, v);
  size_t pos = 0;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(get_varint(buf, pos, got));
    EXPECT_EQ(got, v);
  }
  EXPECT_EQ(pos, buf.size());
}

TEST(Varint, Sizes) {
  auto size = [](uint64_t v) {
    std::string b;
    put_varint(b, v);
    return b.size();
  };
  EXPECT_EQ(size(0), 1u);
  EXPECT_EQ(size(127), 1u);
  EXPECT_EQ(size(128), 2u);
  EXPECT_EQ(size(UINT64_MAX), 10u);
  auto ssize = [](int64_t v) {
    std::string b;
    put_svarint(b, v);
    return b.size();
  };
  EXPECT_EQ(ssize(-1), 1u);  // zig-zag keeps small negatives small
  EXPECT_EQ(ssize(63), 1u);
  EXPECT_EQ(ssize(-64), 1u);
  EXPECT_EQ(ssize(64), 2u);
}

TEST(Varint, SignedRoundTrips) {
  const std::vector<int64_t> values = {
      0, 1, -1, 63, -64, 64, -65, 1'795'341'600'000, -1'795'341'600'000, INT64_MAX, INT64_MIN, INT64_MIN + 1};
  std::string buf;
  for (int64_t v : values) put_svarint(buf, v);
  size_t pos = 0;
  for (int64_t v : values) {
    int64_t got = 0;
    ASSERT_TRUE(get_svarint(buf, pos, got));
    EXPECT_EQ(got, v);
  }
  EXPECT_EQ(pos, buf.size());
}

TEST(Varint, TruncatedInputFails) {
  std::string buf;
  put_varint(buf, 1ULL << 40);
  for (size_t n = 0; n < buf.size(); ++n) {
    size_t pos = 0;
    uint64_t v;
    EXPECT_FALSE(get_varint(std::string_view(buf).substr(0, n), pos, v)) << n;
  }
  // Eleven continuation bytes never terminate.
  size_t pos = 0;
  uint64_t v;
  EXPECT_FALSE(get_varint(std::string(11, '\x80'), pos, v));
}

}  // namespace
}  // namespace journeyd::state
