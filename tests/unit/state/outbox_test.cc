#include "state/outbox.h"

#include <gtest/gtest.h>

#include "unit/state/store_fixture.h"

namespace journeyd::state {
namespace {

class OutboxTest : public testing::StoreFixture {
 protected:
  Outbox open_outbox() {
    auto o = Outbox::open(*store_);
    EXPECT_TRUE(o) << o.error().message;
    return std::move(o.value());
  }
  std::vector<OutboxRecord> load_all(const Outbox& o) {
    auto r = o.load_all();
    EXPECT_TRUE(r) << r.error().message;
    return r ? r.value() : std::vector<OutboxRecord>{};
  }
};

TEST_F(OutboxTest, AppendTakePendingAndLoadAll) {
  auto ob = open_outbox();
  Batch b(*store_);
  EXPECT_EQ(ob.append(b, Sink::actions, "u1", R"({"a":1})"), 0u);
  EXPECT_EQ(ob.append(b, Sink::alerts, "checkout", R"({"b":2})"), 1u);
  EXPECT_EQ(ob.append(b, Sink::dlq, std::string("k\0\xff", 3), std::string("v\0", 2)), 2u);
  EXPECT_TRUE(load_all(ob).empty());  // not committed yet

  const auto pending = ob.take_pending();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].seq, 0u);
  EXPECT_EQ(pending[1].sink, Sink::alerts);
  EXPECT_EQ(pending[2].key, std::string("k\0\xff", 3));
  EXPECT_TRUE(ob.take_pending().empty());

  write(b);
  const auto all = load_all(ob);
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(all[i].seq, pending[i].seq);
    EXPECT_EQ(all[i].sink, pending[i].sink);
    EXPECT_EQ(all[i].key, pending[i].key);
    EXPECT_EQ(all[i].value, pending[i].value);
  }
  EXPECT_EQ(all[2].value, std::string("v\0", 2));
}

TEST_F(OutboxTest, EmptyKeyAndValue) {
  auto ob = open_outbox();
  Batch b(*store_);
  ob.append(b, Sink::dlq, "", "");
  write(b);
  const auto all = load_all(ob);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].key, "");
  EXPECT_EQ(all[0].value, "");
}

TEST_F(OutboxTest, AckDeletesOnlyThatRecord) {
  auto ob = open_outbox();
  Batch b(*store_);
  for (int i = 0; i < 4; ++i) ob.append(b, Sink::actions, "k" + std::to_string(i), "v");
  write(b);
  ob.ack(b, 1);
  ob.ack(b, 3);
  write(b);
  const auto all = load_all(ob);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].seq, 0u);
  EXPECT_EQ(all[0].key, "k0");
  EXPECT_EQ(all[1].seq, 2u);
  EXPECT_EQ(all[1].key, "k2");
}

TEST_F(OutboxTest, SequenceContinuesAfterReopen) {
  {
    auto ob = open_outbox();
    Batch b(*store_);
    for (int i = 0; i < 3; ++i) ob.append(b, Sink::actions, "k", "v");
    write(b);
  }
  reopen();
  {
    auto ob = open_outbox();
    EXPECT_EQ(load_all(ob).size(), 3u);  // resent after a restart
    Batch b(*store_);
    EXPECT_EQ(ob.append(b, Sink::actions, "k", "v"), 3u);
    write(b);
  }
}

TEST_F(OutboxTest, SequenceContinuesAfterTheHighestStoredRecord) {
  {
    auto ob = open_outbox();
    Batch b(*store_);
    for (int i = 0; i < 5; ++i) ob.append(b, Sink::actions, "k", "v");
    write(b);
    for (uint64_t s = 0; s < 4; ++s) ob.ack(b, s);  // only seq 4 is left
    write(b);
  }
  reopen();
  auto ob = open_outbox();
  Batch b(*store_);
  EXPECT_EQ(ob.append(b, Sink::actions, "k", "new"), 5u);
  write(b);
  const auto all = load_all(ob);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].seq, 4u);
  EXPECT_EQ(all[1].seq, 5u);
  EXPECT_EQ(all[1].value, "new");
}

TEST_F(OutboxTest, SequenceIsUniqueAmongStoredRecordsAfterEverythingWasAcked) {
  {
    auto ob = open_outbox();
    Batch b(*store_);
    for (int i = 0; i < 3; ++i) ob.append(b, Sink::actions, "k", "v");
    write(b);
    for (uint64_t s = 0; s < 3; ++s) ob.ack(b, s);
    write(b);
    EXPECT_TRUE(load_all(ob).empty());
  }
  reopen();
  // Only uniqueness among the records still stored is promised: an empty outbox may start over.
  auto ob = open_outbox();
  Batch b(*store_);
  const uint64_t a = ob.append(b, Sink::actions, "k", "a");
  const uint64_t c = ob.append(b, Sink::alerts, "k", "c");
  write(b);
  EXPECT_EQ(c, a + 1);
  const auto all = load_all(ob);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].value, "a");
  EXPECT_EQ(all[1].value, "c");
}

TEST_F(OutboxTest, UncommittedAppendsDoNotAdvanceTheStoredSequence) {
  {
    auto ob = open_outbox();
    Batch b(*store_);
    ob.append(b, Sink::actions, "k", "v");
    write(b);
    ob.append(b, Sink::actions, "k", "lost");  // batch never written (crash)
  }
  reopen();
  auto ob = open_outbox();
  const auto all = load_all(ob);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].value, "v");
  Batch b(*store_);
  EXPECT_EQ(ob.append(b, Sink::actions, "k", "v"), 1u);
}

}  // namespace
}  // namespace journeyd::state
