// The engine's plumbing (src/journey/engine.cc): state in RocksDB and the
// cache, late events, partitions, the timer scan, versions and hot reload,
// identity merges, duplicate messageIds.
#include "journey/engine.h"

#include <gtest/gtest.h>

#include "unit/journey/engine_fixture.h"

namespace journeyd::journey {
namespace {

using testing::anonymous;
using testing::EngineHarness;
using testing::identify;
using testing::kCheckoutYaml;
using testing::kDay;
using testing::kGrace;
using testing::kHour;
using testing::kMin;
using testing::kT0;
using testing::track;
using testing::with_message_id;

EngineOptions options(size_t cache_customers, size_t timers_per_batch) {
  EngineOptions o;
  o.cache_customers = cache_customers;
  o.timers_per_batch = timers_per_batch;
  return o;
}

// Keys a customer has in a column family keyed by customer (customers, instances).
size_t keys_of(EngineHarness& h, state::Cf cf, const std::string& customer, Partition p = Partition{0}) {
  const std::string prefix = state::customer_key(p, customer);
  size_t n = 0;
  auto r =
      h.store().scan(cf, prefix, prefix + std::string(4, '\xff'), [&](std::string_view k, std::string_view) {
        n += k.starts_with(prefix);
        return true;
      });
  EXPECT_TRUE(r);
  return n;
}

TEST(Engine, StateIsReadBackFromTheStoreAfterARestart) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.restart_engine();
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.level("u1"), 2u);
  h.restart_engine();
  EXPECT_EQ(h.fire(kT0 + 31 * kMin + kGrace), 1u);
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Engine, TinyCacheStillWorks) {
  EngineHarness h(kCheckoutYaml, options(1, 10'000));
  for (int i = 0; i < 5; ++i) h.send("u" + std::to_string(i), "Product Viewed", kT0);
  for (int i = 0; i < 5; ++i) h.send("u" + std::to_string(i), "Product Added", kT0 + kMin);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.level("u" + std::to_string(i)), 2u) << i;
  // The timers load their customers one by one: at most one of them is still cached.
  EXPECT_EQ(h.fire(kT0 + kHour), 5u);
  EXPECT_GE(h.engine().stats().cache_misses, 4u);
  EXPECT_EQ(h.actions().size(), 5u);
}

TEST(Engine, LateEventGoesToTheDlqAndChangesNothing) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Other", kT0 + 10'000);
  auto r = h.send("u1", "Product Added", kT0 + 10'000 - kGrace - 1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->category, event::DlqCategory::late_event);
  EXPECT_NE(r->reason.find("grace"), std::string::npos) << r->reason;
  ASSERT_EQ(h.dlq().size(), 1u);
  EXPECT_EQ(h.dlq()[0]["category"], "late_event");
  EXPECT_EQ(h.level("u1"), 1u);
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.engine().stats().late_events, 1u);
  // Within the grace: applied.
  EXPECT_EQ(h.send("u1", "Product Added", kT0 + 10'000 - kGrace), std::nullopt);
  EXPECT_EQ(h.level("u1"), 2u);
  // Other customers are not affected by u1's clock.
  EXPECT_EQ(h.send("u2", "Product Viewed", kT0 - kHour), std::nullopt);
  EXPECT_EQ(h.dlq().size(), 1u);
}

TEST(Engine, LateForOneDefinitionOnlyIsIgnoredByThatDefinition) {
  // The largest grace (10m, of "relaxed") decides the DLQ; "checkout" (500 ms) ignores the event.
  EngineHarness h(std::string(kCheckoutYaml) +
                  "---\njourney: relaxed\ngrace: 10m\nsteps: [{id: a, event: Product Viewed}, {id: b, event: "
                  "Product Added}]\nwindow: 1h\n");
  EXPECT_EQ(h.engine().max_grace_ms(), 10 * kMin);
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Other", kT0 + 5 * kMin);
  EXPECT_EQ(h.send("u1", "Product Added", kT0 + kMin), std::nullopt);
  EXPECT_TRUE(h.dlq().empty());
  EXPECT_EQ(h.level("u1", "checkout"), 1u);
  EXPECT_EQ(h.level("u1", "relaxed"), 2u);
}

TEST(Engine, PartitionsAreIndependent) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0, Partition{0});
  h.send("u1", "Product Added", kT0 + kMin, Partition{1});  // same id, other partition: no chain there
  EXPECT_EQ(h.pending_timers(), 0u);
  h.send("u1", "Product Viewed", kT0 + 2 * kMin, Partition{1});
  h.send("u1", "Product Added", kT0 + 3 * kMin, Partition{1});
  EXPECT_EQ(h.fire(kT0 + 10 * kHour, Partition{0}), 0u);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.fire(kT0 + 10 * kHour, Partition{1}), 1u);
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Engine, TimersPerBatchLimitsOneCall) {
  EngineHarness h(kCheckoutYaml, options(1000, 2));
  for (int i = 0; i < 5; ++i) {
    h.send("u" + std::to_string(i), "Product Viewed", kT0);
    h.send("u" + std::to_string(i), "Product Added", kT0 + kMin);
  }
  EXPECT_EQ(h.fire(kT0 + kHour), 2u);
  EXPECT_EQ(h.fire(kT0 + kHour), 2u);
  EXPECT_EQ(h.fire(kT0 + kHour), 1u);
  EXPECT_EQ(h.fire(kT0 + kHour), 0u);
  EXPECT_EQ(h.actions().size(), 5u);
}

TEST(Engine, TimerFloorDoesNotHideATimerScheduledBelowIt) {
  // After a scan up to 12:00 the partition's floor is past 12:00; a customer whose events are older
  // (another customer's clock drove the partition) schedules a timer due before it.
  EngineHarness h;
  EXPECT_EQ(h.fire(kT0 + 2 * kHour), 0u);
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.fire(kT0 + 2 * kHour), 1u);
  EXPECT_EQ(h.actions().size(), 1u);
  // Scheduled and due in the same batch: found by the next call.
  h.run({track("u2", "Product Viewed", kT0), track("u2", "Product Added", kT0 + kMin)}, Partition{0},
        kT0 + 3 * kHour);
  EXPECT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.fire(kT0 + 3 * kHour), 1u);
  EXPECT_EQ(h.actions().size(), 2u);
}

TEST(Engine, RevokedPartitionIsReadBackFromTheStore) {
  // Partition 3 moves to another process and back: what that process wrote must be read, not the
  // stale cache.
  EngineHarness h;
  auto other = h.make_engine();
  h.send("u1", "Product Viewed", kT0, Partition{3});
  h.engine().forget_partition(Partition{3});
  h.run({track("u1", "Product Added", kT0 + kMin)}, Partition{3}, kNoTime, other.get());
  h.send("u1", "Checkout Started", kT0 + 2 * kMin, Partition{3});
  EXPECT_EQ(h.level("u1", "checkout", Partition{3}), 3u);
}

TEST(Engine, RevokedPartitionForgetsItsTimerFloor) {
  EngineHarness h;
  auto other = h.make_engine();
  EXPECT_EQ(h.fire(kT0 + 5 * kHour, Partition{3}), 0u);  // nothing due before 15:00 (the floor)
  h.engine().forget_partition(Partition{3});
  // The other process schedules a drop-off due at 10:31 and hands the partition back.
  h.run({track("u1", "Product Viewed", kT0), track("u1", "Product Added", kT0 + kMin)}, Partition{3}, kNoTime,
        other.get());
  other->forget_partition(Partition{3});
  EXPECT_EQ(h.fire(kT0 + 5 * kHour, Partition{3}), 1u);
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Engine, TimerOfARemovedDefinitionIsDropped) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.restart_engine("journey: other\nsteps: [{id: a, event: A}, {id: b, event: B}]\nwindow: 1h\n");
  EXPECT_EQ(h.fire(kT0 + kHour), 1u);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.engine().stats().timers_stale, 1u);
}

// Version 1: three steps, a 30m drop-off after "added". Version 2: a checkout step, a 1h drop-off.
constexpr const char* kV1 = R"(journey: checkout
version: 1
steps: [{id: viewed, event: Product Viewed}, {id: added, event: Product Added}, {id: paid, event: Order Completed}]
window: 24h
dropoff: [{after: added, for: 30m, action: {type: cart_v1}}]
)";
constexpr const char* kV2 = R"(journey: checkout
version: 2
steps: [{id: viewed, event: Product Viewed}, {id: added, event: Product Added},
        {id: checkout, event: Checkout Started}, {id: paid, event: Order Completed}]
window: 24h
dropoff: [{after: added, for: 1h, action: {type: cart_v2}}]
)";

TEST(Versions, NewVersionForNewInstancesRunningOnesFinishOnTheirs) {
  EngineHarness h(kV1);
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);  // v1 drop-off due 10:31
  h.send("u3", "Product Viewed", kT0);
  ASSERT_TRUE(h.reload(kV2));
  const size_t slot = h.engine().registry().slot("checkout").value();
  EXPECT_EQ(h.engine().registry().current(slot).version, 2u);
  EXPECT_EQ(h.engine().registry().versions_of(slot).size(), 2u);

  h.send("u2", "Product Viewed", kT0 + 2 * kMin);
  h.send("u2", "Product Added", kT0 + 3 * kMin);  // v2 drop-off due 11:03
  ASSERT_TRUE(h.state("u2"));
  EXPECT_EQ(h.state("u2")->version, 2u);
  EXPECT_EQ(h.state("u2")->journey.levels.size(), 4u);
  // u3 follows v1's steps: "Order Completed" right after "added" is v1's goal (v2 would want a checkout).
  h.send("u3", "Product Added", kT0 + 4 * kMin);
  h.send("u3", "Order Completed", kT0 + 5 * kMin);
  ASSERT_TRUE(h.state("u3"));
  EXPECT_EQ(h.state("u3")->version, 1u);
  EXPECT_EQ(h.state("u3")->journey.status, Status::converted);
  // Its next instance starts on v2.
  h.send("u3", "Product Viewed", kT0 + 6 * kMin);
  EXPECT_EQ(h.state("u3")->version, 2u);
  EXPECT_EQ(h.state("u3")->journey.status, Status::active);

  h.fire(kT0 + 31 * kMin + kGrace);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["customer"], "u1");
  EXPECT_EQ(h.actions()[0]["type"], "cart_v1");
  EXPECT_EQ(h.actions()[0]["version"], 1);
  EXPECT_EQ(h.actions()[0]["next_step"], "paid");
  h.fire(kT0 + 63 * kMin + kGrace);
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_EQ(h.actions()[1]["customer"], "u2");
  EXPECT_EQ(h.actions()[1]["type"], "cart_v2");
  EXPECT_EQ(h.actions()[1]["version"], 2);
  EXPECT_EQ(h.actions()[1]["next_step"], "checkout");
}

TEST(Versions, OldVersionSurvivesARestart) {
  EngineHarness h(kV1);
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.restart_engine(kV2);  // the new process only has v2 in streams/: v1 comes from the meta column family
  EXPECT_EQ(h.fire(kT0 + 31 * kMin + kGrace), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["type"], "cart_v1");
  EXPECT_EQ(h.actions()[0]["version"], 1);
}

TEST(Versions, ChangeWithoutVersionBumpIsRefusedAndTheRunningDefinitionsStay) {
  EngineHarness h(kV1);
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  std::string changed = kV1;
  changed.replace(changed.find("30m"), 3, "45m");
  const auto r = h.reload(changed);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("bump its version"), std::string::npos) << r.error().message;
  EXPECT_THROW(h.restart_engine(changed), std::runtime_error);  // refused at start-up too
  h.restart_engine(kV1);
  EXPECT_EQ(h.fire(kT0 + 31 * kMin + kGrace), 1u);
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Versions, RemovedDefinitionStopsAndItsTimersAreDropped) {
  constexpr const char* kTrigger = "trigger: ping\nevent: Ping\naction: {type: pong}\n";
  EngineHarness h(std::string(kCheckoutYaml) + "---\n" + kTrigger);
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  ASSERT_TRUE(h.reload(kTrigger));
  EXPECT_FALSE(h.engine().registry().slot("checkout"));
  const size_t instances = h.count(state::Cf::instances);
  h.send("u2", "Product Viewed", kT0 + 2 * kMin);  // no new instance
  h.send("u1", "Checkout Started", kT0 + 3 * kMin);
  EXPECT_EQ(h.count(state::Cf::instances), instances);
  EXPECT_EQ(h.fire(kT0 + 10 * kHour), 1u);  // the pending drop-off is taken and dropped
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.engine().stats().timers_stale, 1u);
  h.send("u1", "Ping", kT0 + 11 * kHour);  // the remaining definition still runs
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["type"], "pong");
}

TEST(Identity, AnonymousStateOnAnotherPartitionMergesIntoTheUser) {
  EngineHarness h;
  const Partition p0{0}, p1{1};
  const std::vector<Partition> owned{p0, p1};
  h.engine().assign(owned);
  h.batch({anonymous("a1", "Product Viewed", kT0), anonymous("a1", "Product Added", kT0 + kMin)}, p1);
  EXPECT_EQ(h.level("a1", "checkout", p1), 2u);
  h.send(identify("u1", "a1", kT0 + 2 * kMin), p0);
  EXPECT_EQ(h.engine().stats().identity_links, 1u);
  EXPECT_EQ(h.level("u1", "checkout", p0), 2u);
  EXPECT_FALSE(h.record("a1", p1));  // merged away
  EXPECT_EQ(h.level("a1", "checkout", p1), 0u);
  ASSERT_TRUE(h.record("u1", p0));
  EXPECT_EQ(h.record("u1", p0)->last_seen, kT0 + 2 * kMin);

  // The drop-off is re-armed for the user; the anonymous id's timer finds nothing.
  EXPECT_EQ(h.fire(kT0 + 31 * kMin + kGrace, p1), 1u);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.fire(kT0 + 31 * kMin + kGrace, p0), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["customer"], "u1");
  EXPECT_EQ(h.actions()[0]["chain_started_at"], "2026-11-22T10:00:00.000Z");

  // Later anonymous-only events reach the user, also after a restart (links come from the store).
  h.send(anonymous("a1", "Checkout Started", kT0 + 40 * kMin), p1);
  EXPECT_EQ(h.level("u1", "checkout", p0), 3u);
  h.restart_engine();
  h.engine().assign(owned);
  h.send(anonymous("a1", "Order Completed", kT0 + 50 * kMin), p1);
  EXPECT_EQ(h.level("u1", "checkout", p0), 4u);
  EXPECT_FALSE(h.record("a1", p1));
  EXPECT_EQ(h.record("u1", p0)->last_seen, kT0 + 50 * kMin);
}

TEST(Identity, TheFirstLinkWins) {
  EngineHarness h;
  h.send(anonymous("a1", "Product Viewed", kT0));
  h.send(identify("u1", "a1", kT0 + kMin));
  h.send(identify("u2", "a1", kT0 + 2 * kMin));
  EXPECT_EQ(h.engine().stats().identity_links, 1u);
  h.send(anonymous("a1", "Product Added", kT0 + 3 * kMin));
  EXPECT_EQ(h.level("u1"), 2u);
  EXPECT_EQ(h.level("u2"), 0u);
}

TEST(Identity, AliasLinksThePreviousId) {
  EngineHarness h;
  h.send(anonymous("a1", "Product Viewed", kT0));
  auto alias = track("u1", "", kT0 + kMin);
  alias.type = event::EventType::alias;
  alias.previous_id = "a1";
  h.send(alias);
  EXPECT_EQ(h.level("u1"), 1u);
  EXPECT_FALSE(h.record("a1"));
  h.send(anonymous("a1", "Product Added", kT0 + 2 * kMin));
  EXPECT_EQ(h.level("u1"), 2u);
}

TEST(Identity, AnAliasedUserIdReachesTheUserItIsLinkedTo) {
  // X first sends as a userId; alias(previousId X, userId Y) links X to Y. Later events with userId X
  // are Y's: nothing is kept under X any more (the churn definition would write state for any event).
  const std::string yaml =
      std::string(kCheckoutYaml) + "---\nchurn: activity\ninactivity: {for: 30d, action: {type: winback}}\n";
  EngineHarness h(yaml);
  h.send("X", "Product Viewed", kT0);
  EXPECT_EQ(h.level("X"), 1u);
  auto alias = track("Y", "", kT0 + kMin);
  alias.type = event::EventType::alias;
  alias.previous_id = "X";
  h.send(alias);
  EXPECT_EQ(h.engine().stats().identity_links, 1u);
  EXPECT_EQ(h.level("Y"), 1u);
  EXPECT_EQ(keys_of(h, state::Cf::instances, "X"), 0u);

  h.send("X", "Product Added", kT0 + 2 * kMin);
  EXPECT_EQ(h.level("Y"), 2u);
  EXPECT_EQ(keys_of(h, state::Cf::instances, "X"), 0u);
  EXPECT_EQ(keys_of(h, state::Cf::customers, "X"), 0u);
  ASSERT_TRUE(h.record("Y"));
  EXPECT_EQ(h.record("Y")->last_seen, kT0 + 2 * kMin);

  // After a restart the link comes from the store (prefetched with the batch).
  h.restart_engine(yaml);
  h.send("X", "Checkout Started", kT0 + 3 * kMin);
  EXPECT_EQ(h.level("Y"), 3u);
  EXPECT_EQ(keys_of(h, state::Cf::instances, "X"), 0u);
  EXPECT_EQ(keys_of(h, state::Cf::customers, "X"), 0u);
  EXPECT_TRUE(h.dlq().empty());
}

TEST(Dedup, DropsARepeatedMessageIdWithinTheHorizonOnly) {
  EngineHarness h;
  h.batch({with_message_id(track("u1", "Product Viewed", kT0), "m1"),
           with_message_id(track("u1", "Product Viewed", kT0), "m1")});  // the same batch
  h.send(with_message_id(track("u1", "Product Viewed", kT0 + kHour), "m1"));
  h.send(with_message_id(track("u1", "Product Viewed", kT0 + kDay), "m1"));  // exactly the horizon
  EXPECT_EQ(h.engine().stats().duplicates, 3u);
  EXPECT_EQ(h.state("u1")->journey.levels[0].start, kT0);
  h.send(with_message_id(track("u1", "Product Viewed", kT0 + kDay + 1), "m1"));  // beyond it
  EXPECT_EQ(h.engine().stats().duplicates, 3u);
  EXPECT_EQ(h.state("u1")->journey.levels[0].start, kT0 + kDay + 1);
  // Per partition, and only with a messageId.
  h.send(with_message_id(track("u1", "Product Viewed", kT0 + kDay + 2), "m1"), Partition{1});
  h.send("u1", "Other", kT0 + kDay + 3);
  h.send("u1", "Other", kT0 + kDay + 3);
  EXPECT_EQ(h.engine().stats().duplicates, 3u);
  EXPECT_EQ(h.engine().stats().events, 5u);
}

TEST(Dedup, RecordsOlderThanTwoHorizonsAreDroppedByCompaction) {
  EngineHarness h;
  h.send(with_message_id(track("u1", "Other", kT0), "m1"));
  h.send(with_message_id(track("u2", "Other", kT0 + kDay + kHour), "m2"));
  ASSERT_TRUE(h.store().compact(state::Cf::dedup));
  EXPECT_EQ(h.count(state::Cf::dedup), 2u);  // nothing has expired yet
  h.fire(kT0 + 2 * kDay + kHour);            // m1 is more than two horizons behind the clock, m2 is not
  ASSERT_TRUE(h.store().compact(state::Cf::dedup));
  EXPECT_EQ(h.count(state::Cf::dedup), 1u);
  h.send(with_message_id(track("u2", "Other", kT0 + kDay + kHour + 1), "m2"));
  EXPECT_EQ(h.engine().stats().duplicates, 1u);  // the record kept still deduplicates
}

// A copy within the horizon counts whether it is stamped before or after the first.
TEST(Dedup, CopyStampedEarlierThanTheFirstIsDropped) {
  EngineHarness h;
  const int64_t bucket_start = kT0 / kDay * kDay;  // midnight: the copies straddle a day boundary
  h.send(with_message_id(track("u1", "Product Viewed", bucket_start + kHour), "m1"));
  // 23h earlier: a duplicate (not a late event for u1).
  const auto r = h.send(with_message_id(track("u1", "Product Viewed", bucket_start - 22 * kHour), "m1"));
  EXPECT_FALSE(r) << r->reason;
  EXPECT_EQ(h.engine().stats().duplicates, 1u);
  EXPECT_EQ(h.engine().stats().events, 1u);
  EXPECT_TRUE(h.dlq().empty());
  EXPECT_EQ(h.state("u1")->journey.levels[0].start, bucket_start + kHour);
}

TEST(Dedup, CopyStampedLaterThanTheFirstIsDropped) {
  EngineHarness h;
  const int64_t bucket_start = kT0 / kDay * kDay;
  h.send(with_message_id(track("u1", "Other", bucket_start - kHour), "m1"));
  h.send(with_message_id(track("u1", "Other", bucket_start + kHour), "m1"));  // 2h later
  EXPECT_EQ(h.engine().stats().duplicates, 1u);
  // Also once the partition's clock has moved on by more than a horizon: records are kept for two.
  h.send(with_message_id(track("u1", "Other", bucket_start + kDay - kHour), "m2"));
  h.fire(bucket_start + 2 * kDay + 30 * kMin);
  h.send(with_message_id(track("u1", "Other", bucket_start + kDay + kHour), "m2"));
  EXPECT_EQ(h.engine().stats().duplicates, 2u);
  EXPECT_EQ(h.engine().stats().events, 2u);
}

TEST(Dedup, LongMessageIdsAreKeptAsTheirHash) {
  EngineHarness h;
  const std::string base(310, 'x');
  h.send(with_message_id(track("u1", "Other", kT0), base + "-a"));
  h.send(with_message_id(track("u1", "Other", kT0 + kMin), base + "-a"));
  EXPECT_EQ(h.engine().stats().duplicates, 1u);
  h.send(with_message_id(track("u1", "Other", kT0 + 2 * kMin), base + "-b"));  // differs after byte 310
  EXPECT_EQ(h.engine().stats().duplicates, 1u);
  // Ids differing only past 64 KiB (what a length-prefixed key could hold) are distinct too.
  const std::string huge(70'000, 'y');
  h.send(with_message_id(track("u1", "Other", kT0 + 3 * kMin), huge + "-a"));
  h.send(with_message_id(track("u1", "Other", kT0 + 4 * kMin), huge + "-b"));
  EXPECT_EQ(h.engine().stats().duplicates, 1u);
  EXPECT_EQ(h.engine().stats().events, 4u);
  // Stored by their hash: no key carries the id itself.
  size_t keys = 0;
  auto r = h.store().scan(state::Cf::dedup, "", std::string(16, '\xff'),
                          [&](std::string_view k, std::string_view) {
                            ++keys;
                            EXPECT_LT(k.size(), 64u);
                            return true;
                          });
  EXPECT_TRUE(r);
  EXPECT_EQ(keys, 4u);
}

}  // namespace
}  // namespace journeyd::journey
