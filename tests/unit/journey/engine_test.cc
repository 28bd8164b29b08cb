#include "journey/engine.h"

#include <gtest/gtest.h>

#include <regex>

#include "common/hash.h"
#include "unit/journey/engine_fixture.h"

namespace journeyd::journey {
namespace {

using testing::EngineHarness;
using testing::kHour;
using testing::kMin;
using testing::kT0;

TEST(Engine, OrderedFunnelAdvancesLevels) {
  EngineHarness h;
  EXPECT_EQ(h.level("u1"), 0u);
  h.send("u1", "Product Viewed", kT0);
  EXPECT_EQ(h.level("u1"), 1u);
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.level("u1"), 2u);
  h.send("u1", "Checkout Started", kT0 + 2 * kMin);
  EXPECT_EQ(h.level("u1"), 3u);
  h.send("u1", "Order Completed", kT0 + 3 * kMin);
  EXPECT_EQ(h.level("u1"), 4u);
  const auto in = h.instance("u1");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->version, 3u);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(in->levels[k].start, kT0) << k;
    EXPECT_EQ(in->levels[k].at, kT0 + static_cast<int64_t>(k) * kMin) << k;
  }
  EXPECT_EQ(h.engine().stats().events, 4u);
  EXPECT_EQ(h.engine().stats().steps_reached, 4u);
}

TEST(Engine, StepsOutOfOrderDoNotAdvance) {
  EngineHarness h;
  h.send("u1", "Product Added", kT0);
  h.send("u1", "Checkout Started", kT0 + kMin);
  EXPECT_EQ(h.level("u1"), 0u);
  h.send("u1", "Product Viewed", kT0 + 2 * kMin);
  h.send("u1", "Checkout Started", kT0 + 3 * kMin);  // skips "added"
  EXPECT_EQ(h.level("u1"), 1u);
  EXPECT_EQ(h.engine().stats().events, 4u);
}

TEST(Engine, UnrelatedEventsChangeNothingButLastSeen) {
  EngineHarness h;
  h.send("u1", "Something Else", kT0);
  EXPECT_EQ(h.level("u1"), 0u);
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.engine().stats().steps_reached, 0u);
}

TEST(Engine, EventOutsideTheWindowDoesNotAdvance) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + 24 * kHour + 1);
  EXPECT_EQ(h.level("u1"), 1u);
  // The window is inclusive: exactly 24h after step 1 still counts.
  h.send("u2", "Product Viewed", kT0);
  h.send("u2", "Product Added", kT0 + 24 * kHour);
  EXPECT_EQ(h.level("u2"), 2u);
}

TEST(Engine, WindowIsMeasuredFromStepOneNotFromThePreviousStep) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + 20 * kHour);
  h.send("u1", "Checkout Started", kT0 + 25 * kHour);  // 5h after "added", 25h after "viewed"
  EXPECT_EQ(h.level("u1"), 2u);
}

TEST(Engine, LaterStepOneStartsANewChain) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Product Viewed", kT0 + 2 * kHour);
  auto in = h.instance("u1");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->levels[0].start, kT0 + 2 * kHour);  // the new candidate chain
  EXPECT_EQ(in->levels[1].start, kT0);              // level 2 still held by the old chain
  // 25h after the first chain started: only the new chain can advance.
  h.send("u1", "Product Added", kT0 + 25 * kHour);
  h.send("u1", "Checkout Started", kT0 + 25 * kHour + kMin);
  in = h.instance("u1");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->levels[1].start, kT0 + 2 * kHour);
  EXPECT_EQ(in->levels[2].start, kT0 + 2 * kHour);
  EXPECT_EQ(in->levels[2].at, kT0 + 25 * kHour + kMin);
  EXPECT_EQ(h.level("u1"), 3u);
}

TEST(Engine, OldChainKeepsItsLevelUntilTheNewOneOvertakesIt) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Product Viewed", kT0 + 10 * kMin);    // new chain at level 1
  h.send("u1", "Checkout Started", kT0 + 20 * kMin);  // advances the old chain (level 2 → 3)
  const auto in = h.instance("u1");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->levels[2].start, kT0);
  EXPECT_EQ(in->levels[2].at, kT0 + 20 * kMin);
}

TEST(Engine, StateIsReadBackFromTheStoreAfterARestart) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.restart_engine();
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.level("u1"), 2u);
  h.restart_engine();
  EXPECT_EQ(h.fire(kT0 + 31 * kMin), 1u);
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Engine, TinyCacheStillWorks) {
  EngineHarness h(testing::kCheckoutYaml, EngineOptions{500, 1, 10'000});
  for (int i = 0; i < 5; ++i) h.send("u" + std::to_string(i), "Product Viewed", kT0);
  for (int i = 0; i < 5; ++i) h.send("u" + std::to_string(i), "Product Added", kT0 + kMin);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.level("u" + std::to_string(i)), 2u) << i;
}

TEST(Engine, ManyEventsInOneBatch) {
  EngineHarness h;
  h.batch({EngineHarness::track("u1", "Product Viewed", kT0),
           EngineHarness::track("u2", "Product Viewed", kT0),
           EngineHarness::track("u1", "Product Added", kT0 + kMin),
           EngineHarness::track("u1", "Checkout Started", kT0 + 2 * kMin)});
  EXPECT_EQ(h.level("u1"), 3u);
  EXPECT_EQ(h.level("u2"), 1u);
}

TEST(Engine, DropoffFiresOnceWhenTheWatermarkPassesItsDueTime) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.pending_timers(), 1u);
  const int64_t due = kT0 + 31 * kMin;
  EXPECT_EQ(h.fire(due - 1), 0u);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.fire(due), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_NE(h.actions()[0].find(R"("type":"cart_abandon_email")"), std::string::npos);
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.fire(due + 10 * kHour), 0u);
  EXPECT_EQ(h.actions().size(), 1u);
  EXPECT_TRUE(h.alerts().empty());
  EXPECT_EQ(h.engine().stats().timers_fired, 1u);
  EXPECT_EQ(h.outbox_keys(), std::vector<std::string>{"u1"});
}

TEST(Engine, NoTimersWithoutAWatermark) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.fire(kNoTime), 0u);
  EXPECT_EQ(h.pending_timers(), 1u);
}

TEST(Engine, RepeatingAStepRearmsTheDropoffFromTheLatestTime) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Product Added", kT0 + 10 * kMin);
  EXPECT_EQ(h.fire(kT0 + 31 * kMin), 1u);  // the first timer is stale
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.fire(kT0 + 40 * kMin), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_NE(h.actions()[0].find(R"("step_at":"2026-11-22T10:10:00.000Z")"), std::string::npos)
      << h.actions()[0];
  EXPECT_EQ(h.engine().stats().timers_stale, 1u);
}

TEST(Engine, DropoffFiresAtMostOncePerChain) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + 31 * kMin);
  ASSERT_EQ(h.actions().size(), 1u);
  h.send("u1", "Product Added", kT0 + 40 * kMin);  // same chain, again
  h.fire(kT0 + 3 * kHour);
  EXPECT_EQ(h.actions().size(), 1u);
  // A new chain may drop off again.
  h.send("u1", "Product Viewed", kT0 + 4 * kHour);
  h.send("u1", "Product Added", kT0 + 4 * kHour + kMin);
  h.fire(kT0 + 5 * kHour);
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_NE(h.actions()[1].find(R"("chain_started_at":"2026-11-22T14:00:00.000Z")"), std::string::npos);
}

TEST(Engine, NoDropoffWhenTheNextStepWasReached) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Checkout Started", kT0 + 10 * kMin);
  h.send("u1", "Order Completed", kT0 + 20 * kMin);
  h.fire(kT0 + 10 * kHour);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_TRUE(h.alerts().empty());
  EXPECT_EQ(h.engine().stats().timers_fired, 0u);
  EXPECT_EQ(h.pending_timers(), 0u);
}

TEST(Engine, NextStepReachedAfterTheDueTimeStillCountsAsDropoff) {
  // Design §5: drop-off fires "when the customer has not reached k+1 by t_k + for". A poll batch
  // applies its events before it fires timers, so the late "checkout" can be applied first.
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.run({EngineHarness::track("u1", "Checkout Started", kT0 + 40 * kMin)}, Partition{0}, kT0 + 40 * kMin);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_NE(h.actions()[0].find(R"("type":"cart_abandon_email")"), std::string::npos);
}

TEST(Engine, DropoffAfterCheckoutEmitsActionAndAlert) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Checkout Started", kT0 + 2 * kMin);
  h.fire(kT0 + 62 * kMin - 1);  // takes the (stale) cart-abandon timer only
  EXPECT_TRUE(h.actions().empty());
  EXPECT_TRUE(h.alerts().empty());
  EXPECT_EQ(h.fire(kT0 + 62 * kMin), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  ASSERT_EQ(h.alerts().size(), 1u);
  EXPECT_NE(h.actions()[0].find(R"("type":"checkout_reminder")"), std::string::npos);
  const std::regex alert_re(
      R"(\{"alert_id":"[0-9a-f]{16}","kind":"dropoff","severity":"warning","journey":"checkout","version":3,)"
      R"("customer":"u1","trigger":"dropoff","step":"checkout","next_step":"purchased",)"
      R"("chain_started_at":"2026-11-22T10:00:00.000Z","step_at":"2026-11-22T10:02:00.000Z",)"
      R"("due_at":"2026-11-22T11:02:00.000Z"\})");
  EXPECT_TRUE(std::regex_match(h.alerts()[0], alert_re)) << h.alerts()[0];
  EXPECT_EQ(h.outbox_keys(), (std::vector<std::string>{"u1", "checkout"}));  // alerts keyed by journey
  EXPECT_EQ(h.engine().stats().alerts, 1u);
}

TEST(Engine, ActionRecord) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + kHour);
  ASSERT_EQ(h.actions().size(), 1u);
  // Trigger: dropoff:<step>:<for>:<action type>:<hash of payload and alert severity>.
  const std::string trigger =
      "dropoff:added:30m:cart_abandon_email:" + to_hex(stable_hash({R"({"template":"cart-1"})", ""}));
  const std::string id = to_hex(stable_hash({"checkout", "3", "u1", trigger, std::to_string(kT0)}));
  EXPECT_EQ(h.actions()[0],
            R"({"action_id":")" + id +
                R"(","type":"cart_abandon_email","journey":"checkout","version":3,"customer":"u1",)"
                R"("trigger":"dropoff","step":"added","next_step":"checkout",)"
                R"("chain_started_at":"2026-11-22T10:00:00.000Z","step_at":"2026-11-22T10:01:00.000Z",)"
                R"("due_at":"2026-11-22T10:31:00.000Z","payload":{"template":"cart-1"}})");
}

TEST(Engine, ActionIdIsDeterministicAcrossEngines) {
  auto run = [] {
    EngineHarness h;
    h.batch({EngineHarness::track("u1", "Product Viewed", kT0),
             EngineHarness::track("u2", "Product Viewed", kT0),
             EngineHarness::track("u1", "Product Added", kT0 + kMin),
             EngineHarness::track("u2", "Product Added", kT0 + 2 * kMin)});
    h.fire(kT0 + kHour);
    return h.actions();
  };
  const auto a = run();
  const auto b = run();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
  const std::regex id_re(R"re(^\{"action_id":"([0-9a-f]{16})".*)re");
  std::smatch m1, m2;
  ASSERT_TRUE(std::regex_match(a[0], m1, id_re)) << a[0];
  ASSERT_TRUE(std::regex_match(a[1], m2, id_re)) << a[1];
  EXPECT_NE(m1[1].str(), m2[1].str());  // different customers, different ids
}

TEST(Engine, LateEventIsRejectedAndChangesNothing) {
  EngineHarness h(testing::kCheckoutYaml, EngineOptions{500, 1000, 10'000});
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Other", kT0 + 10'000);
  auto r = h.send("u1", "Product Added", kT0 + 10'000 - 501);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->category, event::DlqCategory::late_event);
  EXPECT_NE(r->reason.find("grace"), std::string::npos) << r->reason;
  EXPECT_EQ(h.level("u1"), 1u);
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.engine().stats().late_events, 1u);
  // Within the grace: applied.
  EXPECT_EQ(h.send("u1", "Product Added", kT0 + 10'000 - 500), std::nullopt);
  EXPECT_EQ(h.level("u1"), 2u);
  // Other customers are not affected by u1's clock.
  EXPECT_EQ(h.send("u2", "Product Viewed", kT0 - kHour), std::nullopt);
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
  EngineHarness h(testing::kCheckoutYaml, EngineOptions{500, 1000, 2});
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

TEST(Engine, TimerOfARemovedJourneyIsDropped) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.restart_engine("journey: other\nsteps: [{id: a, event: A}, {id: b, event: B}]\nwindow: 1h\n");
  EXPECT_EQ(h.fire(kT0 + kHour), 1u);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.engine().stats().timers_stale, 1u);
}

}  // namespace
}  // namespace journeyd::journey

namespace journeyd::testing {
namespace {

// Two drop-off rules after the same step: whatever tells them apart (delay,
// action type, payload) must make their action ids differ.
class DistinctRules : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(DistinctRules, NeverShareAnActionId) {
  const auto [rule_a, rule_b] = GetParam();
  EngineHarness h(std::string(R"(journey: checkout
version: 1
steps:
  - { id: viewed, event: Product Viewed }
  - { id: added,  event: Product Added }
  - { id: paid,   event: Order Completed }
window: 7d
dropoff:
  - )") + rule_a + "\n  - " +
                  rule_b + "\n");
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + 48 * kHour);
  ASSERT_EQ(h.actions().size(), 2u);
  // Records start with {"action_id":"<16 hex>".
  EXPECT_EQ(h.actions()[0].substr(0, 14), R"({"action_id":")");
  EXPECT_NE(h.actions()[0].substr(0, 31), h.actions()[1].substr(0, 31));
}

INSTANTIATE_TEST_SUITE_P(
    Engine, DistinctRules,
    ::testing::Values(std::pair{"{ after: added, for: 30m, action: { type: cart_abandon_email } }",
                                "{ after: added, for: 24h, action: { type: cart_abandon_sms } }"},
                      std::pair{
                          "{ after: added, for: 30m, action: { type: email, payload: { template: a } } }",
                          "{ after: added, for: 30m, action: { type: email, payload: { template: b } } }"}));

}  // namespace
}  // namespace journeyd::testing
