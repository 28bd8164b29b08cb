#include "journey/instance.h"

#include <gtest/gtest.h>

namespace journeyd::journey {
namespace {

constexpr int64_t kT0 = 1'795'341'600'000;

Instance full_instance() {
  Instance in;
  in.version = 3;
  in.levels = {{kT0, kT0}, {kT0, kT0 + 60'000}, {kT0, kT0 + 3'600'000}, {kT0, kT0 + 86'400'000}};
  in.fired = {kT0, kNoTime};
  return in;
}

TEST(Instance, RoundTripFourSteps) {
  const Instance in = full_instance();
  const auto bytes = encode_instance(in);
  EXPECT_LE(bytes.size(), 64u);
  const auto out = decode_instance(bytes, 4, 2);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, in);
}

TEST(Instance, RoundTripPartialAndMixedChains) {
  Instance in;
  in.version = 1;
  in.levels = {{kT0 + 7'200'000, kT0 + 7'200'000}, {kT0, kT0 + 60'000}, {}, {}};
  in.fired = {kNoTime, kT0 - 5};
  const auto out = decode_instance(encode_instance(in), 4, 2);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, in);
}

TEST(Instance, RoundTripEmpty) {
  Instance in;
  in.version = 2;
  in.levels.assign(4, Level{});
  in.fired.assign(2, kNoTime);
  EXPECT_TRUE(in.empty());
  const auto bytes = encode_instance(in);
  EXPECT_LE(bytes.size(), 6u);
  const auto out = decode_instance(bytes, 4, 2);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, in);
}

TEST(Instance, RoundTripNegativeAndEpochTimes) {
  Instance in;
  in.version = 1;
  in.levels = {{-1000, -1000}, {-1000, 0}, {}};
  in.fired = {-999};
  const auto out = decode_instance(encode_instance(in), 3, 1);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, in);
}

TEST(Instance, DecodeAdaptsToAddedOrRemovedRules) {
  const auto bytes = encode_instance(full_instance());
  auto more = decode_instance(bytes, 4, 3);
  ASSERT_TRUE(more);
  EXPECT_EQ(more->fired, (std::vector<int64_t>{kT0, kNoTime, kNoTime}));
  auto fewer = decode_instance(bytes, 4, 1);
  ASSERT_TRUE(fewer);
  EXPECT_EQ(fewer->fired, std::vector<int64_t>{kT0});
}

TEST(Instance, DecodeRejectsGarbage) {
  const auto bytes = encode_instance(full_instance());
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(decode_instance(bytes.substr(0, n), 4, 2)) << "truncated to " << n;
  EXPECT_FALSE(decode_instance(bytes + "x", 4, 2));
  EXPECT_FALSE(decode_instance(bytes, 3, 2));  // more set levels than the journey has steps
}

TEST(Customer, RoundTrip) {
  for (int64_t t : {kNoTime, int64_t{0}, int64_t{-1}, kT0}) {
    const CustomerRecord c{t};
    const auto out = decode_customer(encode_customer(c));
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, c);
  }
  EXPECT_FALSE(decode_customer(""));
  EXPECT_FALSE(decode_customer(encode_customer({kT0}) + "x"));
  std::string v2 = encode_customer({kT0});
  v2[0] = 2;  // unknown format version
  EXPECT_FALSE(decode_customer(v2));
}

}  // namespace
}  // namespace journeyd::journey
