#include "state/counters.h"

#include <gtest/gtest.h>

#include "state/keys.h"
#include "state/store.h"
#include "unit/state/store_fixture.h"

namespace journeyd::state {
namespace {

TEST(Counters, RoundTripKeepsEveryIndexAndCount) {
  Counters c;
  c.add(0, 3);
  c.add(7, 1);
  c.add(1000, 1ULL << 40);
  c.add(7, 2);
  c.add(5, 0);  // zero adds nothing
  auto d = Counters::decode(c.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->items(), c.items());
  EXPECT_EQ(d->get(7), 3u);
  EXPECT_EQ(d->get(5), 0u);
  EXPECT_EQ(d->items().size(), 3u);
}

TEST(Counters, RejectsWhatIsNotAnEncoding) {
  EXPECT_FALSE(Counters::decode("\x80"));                              // truncated varint
  EXPECT_FALSE(Counters::decode("\x01"));                              // index without a count
  EXPECT_FALSE(Counters::decode(std::string("\x01\x01\x00\x01", 4)));  // the same index twice
  Counters c;
  c.add(1, 1);
  EXPECT_FALSE(c.add_encoded("\x80"));
  EXPECT_EQ(c.get(1), 1u);  // unchanged
  EXPECT_TRUE(Counters::decode("")->empty());
}

using FunnelStoreTest = testing::StoreFixture;

Counters counters(std::initializer_list<std::pair<uint32_t, uint64_t>> items) {
  Counters c;
  for (auto [i, n] : items) c.add(i, n);
  return c;
}

TEST_F(FunnelStoreTest, MergeOperandsAddUpAcrossBatchesAndRestarts) {
  const auto key = funnel_key("checkout", 60'000, "added");
  Batch b(*store_);
  b.merge(Cf::funnel, key, counters({{0, 1}, {3, 2}}).encode());
  b.merge(Cf::funnel, key, counters({{0, 4}}).encode());
  write(b);
  b.merge(Cf::funnel, key, counters({{1, 5}}).encode());
  write(b);
  ASSERT_TRUE(store_->flush());
  reopen();
  Batch b2(*store_);
  b2.merge(Cf::funnel, key, counters({{0, 10}}).encode());
  write(b2);
  auto v = get(Cf::funnel, key);
  ASSERT_TRUE(v);
  auto c = Counters::decode(*v);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->items(), counters({{0, 15}, {1, 5}, {3, 2}}).items());
}

TEST_F(FunnelStoreTest, CompactionDropsMinutesBeforeTheRetentionCutoff) {
  Batch b(*store_);
  for (int64_t m = 0; m < 5; ++m)
    b.merge(Cf::funnel, funnel_key("j", m * 60'000, "s"), counters({{0, 1}}).encode());
  b.put(Cf::funnel, funnel_key("k", 0, ""), counters({{0, 1}}).encode());
  write(b);
  store_->expire_before(Cf::funnel, 3 * 60'000);
  ASSERT_TRUE(store_->compact(Cf::funnel));
  std::vector<int64_t> minutes;
  ASSERT_TRUE(store_->scan(Cf::funnel, "", std::string(8, '\xff'), [&](std::string_view k, std::string_view) {
    auto fk = decode_funnel_key(k);
    EXPECT_TRUE(fk);
    if (fk) minutes.push_back(fk->minute_ms);
    return true;
  }));
  EXPECT_EQ(minutes, (std::vector<int64_t>{3 * 60'000, 4 * 60'000}));
}

TEST(FunnelKey, OrdersByJourneyThenMinuteThenStep) {
  EXPECT_LT(funnel_key("a", 5, "z"), funnel_key("a", 6, ""));
  EXPECT_LT(funnel_key("a", -5, "z"), funnel_key("a", 0, ""));
  EXPECT_LT(funnel_key("a", 6, "x"), funnel_key("a", 6, "y"));
  EXPECT_LT(funnel_key("a", INT64_MAX / 2, ""), funnel_key("ab", 0, ""));  // no prefix collision
  auto k = decode_funnel_key(funnel_key("checkout", 120'000, "paid"));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->journey, "checkout");
  EXPECT_EQ(k->minute_ms, 120'000);
  EXPECT_EQ(k->step, "paid");
  EXPECT_FALSE(decode_funnel_key(std::string("\x00\x05", 2)));  // a 5-byte journey that is not there
}

}  // namespace
}  // namespace journeyd::state
