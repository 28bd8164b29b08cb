#include "state/store.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "unit/state/store_fixture.h"

namespace journeyd::state {
namespace {

using StoreTest = testing::StoreFixture;

TEST_F(StoreTest, BatchIsInvisibleUntilWrittenThenAllVisible) {
  Batch b(*store_);
  b.put(Cf::customers, "k1", "v1");
  b.put(Cf::instances, "k2", "v2");
  b.put(Cf::timers, "k3", std::string("\0\xff", 2));
  EXPECT_EQ(b.count(), 3u);
  EXPECT_GT(b.bytes(), 0u);
  EXPECT_EQ(get(Cf::customers, "k1"), std::nullopt);
  write(b);
  EXPECT_EQ(b.count(), 0u);  // cleared for reuse
  EXPECT_EQ(get(Cf::customers, "k1"), "v1");
  EXPECT_EQ(get(Cf::instances, "k2"), "v2");
  EXPECT_EQ(get(Cf::timers, "k3"), std::string("\0\xff", 2));
}

TEST_F(StoreTest, ColumnFamiliesAreSeparate) {
  Batch b(*store_);
  b.put(Cf::customers, "k", "c");
  b.put(Cf::meta, "k", "m");
  write(b);
  EXPECT_EQ(get(Cf::customers, "k"), "c");
  EXPECT_EQ(get(Cf::meta, "k"), "m");
  EXPECT_EQ(get(Cf::instances, "k"), std::nullopt);
  EXPECT_EQ(get(Cf::outbox, "k"), std::nullopt);
}

TEST_F(StoreTest, PutThenDeleteInOneBatchAppliesInOrder) {
  Batch b(*store_);
  b.put(Cf::customers, "a", "1");
  b.put(Cf::customers, "b", "1");
  write(b);
  b.put(Cf::customers, "a", "2");
  b.del(Cf::customers, "a");  // last write wins
  b.del(Cf::customers, "b");
  b.put(Cf::customers, "b", "3");
  b.put(Cf::customers, "c", "x");
  b.put(Cf::customers, "c", "y");
  write(b);
  EXPECT_EQ(get(Cf::customers, "a"), std::nullopt);
  EXPECT_EQ(get(Cf::customers, "b"), "3");
  EXPECT_EQ(get(Cf::customers, "c"), "y");
}

TEST_F(StoreTest, ClearDiscardsPendingWrites) {
  Batch b(*store_);
  b.put(Cf::customers, "a", "1");
  b.clear();
  EXPECT_EQ(b.count(), 0u);
  write(b);
  EXPECT_EQ(get(Cf::customers, "a"), std::nullopt);
}

TEST_F(StoreTest, MultiGet) {
  Batch b(*store_);
  b.put(Cf::instances, "a", "1");
  b.put(Cf::instances, "c", "");  // present but empty
  write(b);
  auto r = store_->multi_get(Cf::instances, {"a", "b", "c", "a"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r.value().size(), 4u);
  EXPECT_EQ(r.value()[0], "1");
  EXPECT_EQ(r.value()[1], std::nullopt);
  EXPECT_EQ(r.value()[2], "");
  EXPECT_EQ(r.value()[3], "1");
  auto empty = store_->multi_get(Cf::instances, {});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty.value().empty());
}

TEST_F(StoreTest, ScanVisitsHalfOpenRangeInOrder) {
  Batch b(*store_);
  for (const char* k : {"e", "a", "c", "b", "d", "b\xff"}) b.put(Cf::timers, k, std::string("v") + k);
  b.put(Cf::timers, std::string("c\0", 2), "nul");
  write(b);
  std::vector<std::string> keys;
  auto r = store_->scan(Cf::timers, "b", "d", [&](std::string_view k, std::string_view v) {
    keys.emplace_back(k);
    if (k == "b") {
      EXPECT_EQ(v, "vb");
    }
    return true;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "b\xff", "c", std::string("c\0", 2)}));
}

TEST_F(StoreTest, ScanStopsWhenTheCallbackSaysSo) {
  Batch b(*store_);
  for (const char* k : {"a", "b", "c", "d"}) b.put(Cf::timers, k, "v");
  write(b);
  int visited = 0;
  auto r =
      store_->scan(Cf::timers, "a", "z", [&](std::string_view, std::string_view) { return ++visited < 2; });
  ASSERT_TRUE(r);
  EXPECT_EQ(visited, 2);
  visited = 0;
  r = store_->scan(Cf::timers, "x", "z", [&](std::string_view, std::string_view) { return ++visited > 0; });
  ASSERT_TRUE(r);
  EXPECT_EQ(visited, 0);
}

TEST_F(StoreTest, LastKey) {
  Batch b(*store_);
  for (const char* k : {"a", "b", "c", "e"}) b.put(Cf::outbox, k, "v");
  write(b);
  auto last = [&](std::string_view lo, std::string_view hi) {
    auto r = store_->last_key(Cf::outbox, lo, hi);
    EXPECT_TRUE(r);
    return r ? r.value() : std::nullopt;
  };
  EXPECT_EQ(last("a", "z"), "e");
  EXPECT_EQ(last("a", "e"), "c");  // end is exclusive
  EXPECT_EQ(last("a", "d"), "c");
  EXPECT_EQ(last("b", "c"), "b");
  EXPECT_EQ(last("c", "c\x01"), "c");
  EXPECT_EQ(last("f", "z"), std::nullopt);
  EXPECT_EQ(last("0", "a"), std::nullopt);      // begin is after every key below "a"
  EXPECT_EQ(last("c\x01", "e"), std::nullopt);  // nothing in (c, e)
}

TEST_F(StoreTest, DataSurvivesReopen) {
  Batch b(*store_);
  b.put(Cf::offsets, "k", "v");
  write(b);
  reopen();
  EXPECT_EQ(get(Cf::offsets, "k"), "v");
  auto f = store_->flush();
  ASSERT_TRUE(f);
  reopen();
  EXPECT_EQ(get(Cf::offsets, "k"), "v");
}

TEST_F(StoreTest, OpenFailsCleanlyOnABadPath) {
  // A regular file where a parent directory should be makes the open impossible.
  std::FILE* f = std::fopen((dir_.path() + "/blocker").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto bad = Store::open({dir_.path() + "/blocker/db"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::io);
  EXPECT_NE(bad.error().message.find("blocker"), std::string::npos) << bad.error().message;
}

TEST_F(StoreTest, CfNames) {
  EXPECT_STREQ(to_string(Cf::customers), "customers");
  EXPECT_STREQ(to_string(Cf::meta), "meta");
}

}  // namespace
}  // namespace journeyd::state
