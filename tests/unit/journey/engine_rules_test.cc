// The rules of each definition kind (src/journey/engine_rules.cc): windowFunnel
// levels, drop-off timers, lazy inactivity. Semantics: docs/journeys.md.
#include <gtest/gtest.h>

#include "journey/rfm.h"
#include "unit/journey/engine_fixture.h"

namespace journeyd::journey {
namespace {

using testing::anonymous;
using testing::EngineHarness;
using testing::identify;
using testing::kDay;
using testing::kGrace;
using testing::kHour;
using testing::kMin;
using testing::kSec;
using testing::kT0;
using testing::track;

TEST(Funnel, OrderedFunnelAdvancesLevels) {
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
  const auto st = h.state("u1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->version, 3u);
  EXPECT_EQ(st->journey.status, Status::converted);
  EXPECT_EQ(st->journey.ended_at, kT0 + 3 * kMin);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(st->journey.levels[k].start, kT0) << k;
    EXPECT_EQ(st->journey.levels[k].at, kT0 + static_cast<int64_t>(k) * kMin) << k;
  }
  EXPECT_EQ(h.engine().stats().events, 4u);
  EXPECT_EQ(h.engine().stats().steps_reached, 4u);
}

TEST(Funnel, StepsOutOfOrderDoNotAdvance) {
  EngineHarness h;
  h.send("u1", "Product Added", kT0);
  h.send("u1", "Checkout Started", kT0 + kMin);
  EXPECT_EQ(h.level("u1"), 0u);
  h.send("u1", "Product Viewed", kT0 + 2 * kMin);
  h.send("u1", "Checkout Started", kT0 + 3 * kMin);  // skips "added"
  EXPECT_EQ(h.level("u1"), 1u);
  EXPECT_EQ(h.engine().stats().events, 4u);
}

TEST(Funnel, UnrelatedEventsChangeNothingButLastSeen) {
  EngineHarness h;
  h.send("u1", "Something Else", kT0);
  EXPECT_EQ(h.level("u1"), 0u);
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.engine().stats().steps_reached, 0u);
  const auto rec = h.record("u1");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->last_seen, kT0);
}

TEST(Funnel, EventOutsideTheWindowDoesNotAdvance) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + 24 * kHour + 1);
  EXPECT_EQ(h.level("u1"), 1u);
  // The window is inclusive: exactly 24h after step 1 still counts.
  h.send("u2", "Product Viewed", kT0);
  h.send("u2", "Product Added", kT0 + 24 * kHour);
  EXPECT_EQ(h.level("u2"), 2u);
}

TEST(Funnel, WindowIsMeasuredFromStepOneNotFromThePreviousStep) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + 20 * kHour);
  h.send("u1", "Checkout Started", kT0 + 25 * kHour);  // 5h after "added", 25h after "viewed"
  EXPECT_EQ(h.level("u1"), 2u);
}

TEST(Funnel, LaterStepOneStartsANewChain) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Product Viewed", kT0 + 2 * kHour);
  auto st = h.state("u1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->journey.levels[0].start, kT0 + 2 * kHour);  // the new candidate chain
  EXPECT_EQ(st->journey.levels[1].start, kT0);              // level 2 still held by the old chain
  // 25h after the first chain started: only the new chain can advance.
  h.send("u1", "Product Added", kT0 + 25 * kHour);
  h.send("u1", "Checkout Started", kT0 + 25 * kHour + kMin);
  st = h.state("u1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->journey.levels[1].start, kT0 + 2 * kHour);
  EXPECT_EQ(st->journey.levels[2].start, kT0 + 2 * kHour);
  EXPECT_EQ(st->journey.levels[2].at, kT0 + 25 * kHour + kMin);
  EXPECT_EQ(h.level("u1"), 3u);
}

TEST(Funnel, OldChainKeepsItsLevelUntilTheNewOneOvertakesIt) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Product Viewed", kT0 + 10 * kMin);    // new chain at level 1
  h.send("u1", "Checkout Started", kT0 + 20 * kMin);  // advances the old chain (level 2 → 3)
  const auto st = h.state("u1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->journey.levels[2].start, kT0);
  EXPECT_EQ(st->journey.levels[2].at, kT0 + 20 * kMin);
}

TEST(Funnel, ManyEventsInOneBatch) {
  EngineHarness h;
  h.batch({track("u1", "Product Viewed", kT0), track("u2", "Product Viewed", kT0),
           track("u1", "Product Added", kT0 + kMin), track("u1", "Checkout Started", kT0 + 2 * kMin)});
  EXPECT_EQ(h.level("u1"), 3u);
  EXPECT_EQ(h.level("u2"), 1u);
}

// docs/journeys.md "Worked examples": window 1h, steps viewed → added → checkout.
struct Example {
  const char* mode;
  std::vector<std::pair<int64_t, const char*>> events;  // offset from 10:00, event
  size_t level;
  Status status;
};

class WorkedExample : public ::testing::TestWithParam<Example> {};

TEST_P(WorkedExample, GivesTheDocumentedResult) {
  const auto& ex = GetParam();
  EngineHarness h(std::string("journey: f\nsteps: [{id: viewed, event: viewed}, {id: added, event: added}, "
                              "{id: checkout, event: checkout}]\nwindow: 1h\norder: ") +
                  ex.mode + "\n");
  for (const auto& [offset, name] : ex.events) h.send("u1", name, kT0 + offset);
  EXPECT_EQ(h.level("u1", "f"), ex.level);
  ASSERT_TRUE(h.state("u1", "f"));
  EXPECT_EQ(h.state("u1", "f")->journey.status, ex.status);
}

INSTANTIATE_TEST_SUITE_P(
    Funnel, WorkedExample,
    ::testing::Values(
        Example{"ordered",
                {{0, "viewed"},
                 {5 * kMin, "added"},
                 {20 * kMin, "viewed"},
                 {30 * kMin, "added"},
                 {70 * kMin, "checkout"}},
                3,
                Status::converted},
        Example{"ordered", {{0, "viewed"}, {kHour, "added"}}, 2, Status::active},
        Example{"ordered", {{0, "viewed"}, {kHour + 1, "added"}}, 1, Status::active},
        Example{"strict_increase", {{0, "viewed"}, {0, "added"}}, 1, Status::active},
        Example{"strict_deduplication",
                {{0, "viewed"}, {5 * kMin, "added"}, {6 * kMin, "added"}, {7 * kMin, "checkout"}},
                2,
                Status::stopped},
        Example{
            "strict_order", {{0, "viewed"}, {1 * kMin, "Search"}, {5 * kMin, "added"}}, 1, Status::stopped},
        Example{"strict_order", {{0, "viewed"}, {5 * kMin, "checkout"}}, 1, Status::stopped}));

TEST(Funnel, AnEventMatchingTwoStepsIsAppliedToEachLastFirst) {
  // docs/journeys.md (ClickHouse): the second A extends chain 10:00 to step 2 and also starts chain 10:01.
  EngineHarness h(
      "journey: f\nsteps: [{id: a1, event: A}, {id: a2, event: A}, {id: b, event: B}]\nwindow: 1h\n");
  h.send("u1", "A", kT0);
  h.send("u1", "A", kT0 + kMin);
  ASSERT_TRUE(h.state("u1", "f"));
  EXPECT_EQ(h.state("u1", "f")->journey.levels[0].start, kT0 + kMin);
  EXPECT_EQ(h.state("u1", "f")->journey.levels[1].start, kT0);
  h.send("u1", "B", kT0 + kHour + 30 * kSec);  // outside chain 10:00's window, inside 10:01's
  EXPECT_EQ(h.level("u1", "f"), 2u);           // 10:01 holds only step 1: B cannot extend it
  h.send("u1", "A", kT0 + kHour + 40 * kSec);  // step 2 for chain 10:01, and a new chain
  h.send("u1", "B", kT0 + kHour + 50 * kSec);
  EXPECT_EQ(h.state("u1", "f")->journey.status, Status::converted);
}

TEST(Funnel, ExitEndsTheInstanceAndReentryFollowsThePolicy) {
  const std::string base =
      "journey: f\nsteps: [{id: v, event: V}, {id: p, event: P}]\nwindow: 1d\nexit: [{event: Stop}]\n";
  EngineHarness always(base);
  EngineHarness cooldown(base + "reentry: {policy: after_exit, cooldown: 1d}\n");
  EngineHarness never(base + "reentry: {policy: never}\n");
  for (auto* h : {&always, &cooldown, &never}) {
    h->send("u1", "V", kT0);
    h->send("u1", "Stop", kT0 + kHour);
    EXPECT_EQ(h->state("u1", "f")->journey.status, Status::exited);
    EXPECT_EQ(h->state("u1", "f")->journey.ended_at, kT0 + kHour);
    h->send("u1", "V", kT0 + 2 * kHour);
  }
  EXPECT_EQ(always.state("u1", "f")->journey.status, Status::active);
  EXPECT_EQ(always.state("u1", "f")->journey.levels[0].start, kT0 + 2 * kHour);
  EXPECT_EQ(cooldown.state("u1", "f")->journey.status, Status::exited);
  EXPECT_EQ(never.state("u1", "f")->journey.status, Status::exited);
  cooldown.send("u1", "V", kT0 + kHour + kDay);  // exactly the cooldown after the end
  EXPECT_EQ(cooldown.state("u1", "f")->journey.status, Status::active);
  never.send("u1", "V", kT0 + 30 * kDay);
  EXPECT_EQ(never.state("u1", "f")->journey.status, Status::exited);
}

// Timers fire when the partition's clock reaches due + the definition's grace (500 ms by default).
TEST(Dropoff, FiresOnceWhenTheClockPassesDuePlusGrace) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.pending_timers(), 1u);
  const int64_t due = kT0 + 31 * kMin;
  EXPECT_EQ(h.fire(due + kGrace - 1), 0u);
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.fire(due + kGrace), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["type"], "cart_abandon_email");
  EXPECT_EQ(h.actions()[0]["at"], "2026-11-22T10:31:00.000Z");  // the deadline, not the clock
  EXPECT_EQ(h.pending_timers(), 0u);
  EXPECT_EQ(h.fire(due + 10 * kHour), 0u);
  EXPECT_EQ(h.actions().size(), 1u);
  EXPECT_TRUE(h.alerts().empty());
  EXPECT_EQ(h.engine().stats().timers_fired, 1u);
  EXPECT_EQ(h.outbox_keys(), std::vector<std::string>{"u1"});
}

TEST(Dropoff, DefinitionGraceDelaysItsTimers) {
  EngineHarness h(std::string(testing::kCheckoutYaml) + "grace: 10m\n");
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.fire(kT0 + 41 * kMin - 1), 0u);
  EXPECT_EQ(h.fire(kT0 + 41 * kMin), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["due_at"], "2026-11-22T10:31:00.000Z");
}

TEST(Dropoff, NoTimersWithoutAClock) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  EXPECT_EQ(h.fire(kNoTime), 0u);
  EXPECT_EQ(h.pending_timers(), 1u);
}

TEST(Dropoff, RepeatingAStepRearmsTheDropoffFromTheLatestTime) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Product Added", kT0 + 10 * kMin);
  EXPECT_EQ(h.fire(kT0 + 31 * kMin + kGrace), 1u);  // the first timer is stale
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.fire(kT0 + 40 * kMin + kGrace), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["step_at"], "2026-11-22T10:10:00.000Z");
  EXPECT_EQ(h.engine().stats().timers_stale, 1u);
}

TEST(Dropoff, FiresAtMostOncePerChain) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.fire(kT0 + 31 * kMin + kGrace);
  ASSERT_EQ(h.actions().size(), 1u);
  h.send("u1", "Product Added", kT0 + 40 * kMin);  // same chain, again
  h.fire(kT0 + 3 * kHour);
  EXPECT_EQ(h.actions().size(), 1u);
  // A new chain may drop off again.
  h.send("u1", "Product Viewed", kT0 + 4 * kHour);
  h.send("u1", "Product Added", kT0 + 4 * kHour + kMin);
  h.fire(kT0 + 5 * kHour);
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_EQ(h.actions()[1]["chain_started_at"], "2026-11-22T14:00:00.000Z");
}

TEST(Dropoff, NoDropoffWhenTheNextStepWasReached) {
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

TEST(Dropoff, NextStepReachedAfterTheDueTimeStillCountsAsDropoff) {
  // Drop-off fires "when the chain has not reached k+1 by t_k + for". A poll batch applies its
  // events before it fires timers, so the late "checkout" can be applied first.
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.run({track("u1", "Checkout Started", kT0 + 40 * kMin)}, Partition{0}, kT0 + 40 * kMin);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["type"], "cart_abandon_email");
}

TEST(Dropoff, ChainSupersededOnlyAfterTheDeadlineStillFires) {
  // A newer chain takes step "added" after the old chain's deadline, in the batch that then fires
  // the old chain's timer: by event time the old chain dropped off, so it fires — for the old chain.
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);  // deadline 10:31
  h.run({track("u1", "Product Viewed", kT0 + 40 * kMin), track("u1", "Product Added", kT0 + 41 * kMin)},
        Partition{0}, kT0 + 41 * kMin);
  ASSERT_EQ(h.actions().size(), 1u);
  const auto& a = h.actions()[0];
  EXPECT_EQ(a["due_at"], "2026-11-22T10:31:00.000Z");
  EXPECT_EQ(a["chain_started_at"], "2026-11-22T10:00:00.000Z") << a.dump();
  EXPECT_EQ(a["step_at"], "2026-11-22T10:01:00.000Z") << a.dump();
  // The newer chain has its own deadline (10:41 + 30m).
  h.fire(kT0 + 71 * kMin + kGrace);
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_EQ(h.actions()[1]["chain_started_at"], "2026-11-22T10:40:00.000Z");
  EXPECT_NE(h.actions()[0]["action_id"], h.actions()[1]["action_id"]);
}

TEST(Dropoff, ChainSupersededBeforeTheDeadlineDoesNotFireEvenIfSupersededAgainLater) {
  // Chain 10:00 is superseded at 10:11 (before its 10:31 deadline): it must never fire. Chain 10:10 is
  // superseded at 10:51, after its own 10:41 deadline: it fires. All of it arrives in one batch (a
  // catch-up or a backtest), before the timers run.
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.run({track("u1", "Product Viewed", kT0 + 10 * kMin), track("u1", "Product Added", kT0 + 11 * kMin),
         track("u1", "Product Viewed", kT0 + 50 * kMin), track("u1", "Product Added", kT0 + 51 * kMin)},
        Partition{0}, kT0 + 51 * kMin);
  h.fire(kT0 + 51 * kMin);  // the timers scheduled by that batch
  std::vector<std::string> chains;
  for (const auto& a : h.actions()) chains.push_back(a["chain_started_at"]);
  EXPECT_EQ(chains, std::vector<std::string>{"2026-11-22T10:10:00.000Z"});
}

TEST(Dropoff, FiresOnceWhenANewInstanceStartsAfterItsDeadline) {
  // Chain 10:00 passes "added" at 10:01, reaches checkout only at 10:35 (after the 10:31 deadline)
  // and converts at 10:36: its drop-off is due. A new instance starts at 10:50 and reaches "added" at
  // 10:51, all before the timers run. The drop-off of chain 10:00 must be emitted once.
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.run({track("u1", "Checkout Started", kT0 + 35 * kMin), track("u1", "Order Completed", kT0 + 36 * kMin),
         track("u1", "Product Viewed", kT0 + 50 * kMin), track("u1", "Product Added", kT0 + 51 * kMin)},
        Partition{0}, kT0 + 51 * kMin);
  h.fire(kT0 + 51 * kMin);
  std::vector<std::string> chains;
  for (const auto& a : h.actions()) chains.push_back(a["chain_started_at"]);
  EXPECT_EQ(chains, std::vector<std::string>{"2026-11-22T10:00:00.000Z"});
}

TEST(Dropoff, ExitBeforeTheDeadlineSuppressesItAlsoAfterReentry) {
  // Chain 10:00 exits at 10:05, before its 10:31 deadline: no drop-off. A new instance reaches "added"
  // at 10:41, after that deadline, before the old timer runs.
  EngineHarness h(std::string(testing::kCheckoutYaml) + "exit: [{event: Unsubscribed}]\n");
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Unsubscribed", kT0 + 5 * kMin);
  h.run({track("u1", "Product Viewed", kT0 + 40 * kMin), track("u1", "Product Added", kT0 + 41 * kMin)},
        Partition{0}, kT0 + 41 * kMin);
  EXPECT_TRUE(h.actions().empty()) << h.actions()[0].dump();
}

TEST(Dropoff, AfterCheckoutEmitsActionAndAlert) {
  EngineHarness h;
  h.send("u1", "Product Viewed", kT0);
  h.send("u1", "Product Added", kT0 + kMin);
  h.send("u1", "Checkout Started", kT0 + 2 * kMin);
  h.fire(kT0 + 62 * kMin + kGrace - 1);  // takes the (stale) cart-abandon timer only
  EXPECT_TRUE(h.actions().empty());
  EXPECT_TRUE(h.alerts().empty());
  EXPECT_EQ(h.fire(kT0 + 62 * kMin + kGrace), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  ASSERT_EQ(h.alerts().size(), 1u);
  EXPECT_EQ(h.actions()[0]["type"], "checkout_reminder");
  EXPECT_EQ(h.outbox_keys(), (std::vector<std::string>{"checkout", "u1"}));  // alerts keyed by definition
  EXPECT_EQ(h.engine().stats().alerts, 1u);
  EXPECT_EQ(h.engine().stats().actions, 1u);
}

constexpr const char* kSla =
    "sla: first_reply\nstart: {event: Opened, where: {properties.priority: high}}\nstop: {event: Replied}\n"
    "within: 4h\nalert: {severity: critical}\n";

event::Touchpoint opened(int64_t ts, const char* priority = "high") {
  auto tp = track("u1", "Opened", ts);
  tp.fields.add_string("properties.priority", priority);
  return tp;
}

TEST(Sla, BreachFiresOnceForTheOldestUnansweredStart) {
  EngineHarness h(kSla);
  h.send(opened(kT0, "low"));  // does not match the start pattern
  h.send(opened(kT0 + kHour));
  h.send(opened(kT0 + 2 * kHour));  // a clock is open: ignored
  EXPECT_EQ(h.fire(kT0 + 5 * kHour + kGrace - 1), 0u);
  EXPECT_EQ(h.fire(kT0 + 5 * kHour + kGrace), 1u);
  ASSERT_EQ(h.alerts().size(), 1u);
  EXPECT_EQ(h.alerts()[0]["trigger"], "sla_breach");
  EXPECT_EQ(h.alerts()[0]["kind"], "sla");
  EXPECT_EQ(h.alerts()[0]["started_at"], "2026-11-22T11:00:00.000Z");
  EXPECT_EQ(h.alerts()[0]["due_at"], "2026-11-22T15:00:00.000Z");
  EXPECT_EQ(h.outbox_keys(), std::vector<std::string>{"first_reply"});
  h.send("u1", "Replied", kT0 + 6 * kHour);  // after the breach: nothing more
  h.fire(kT0 + 20 * kHour);
  EXPECT_EQ(h.alerts().size(), 1u);
}

TEST(Sla, StopInTimeClosesTheClock) {
  EngineHarness h(kSla);
  h.send(opened(kT0));
  h.send("u1", "Replied", kT0 + 4 * kHour);  // exactly the deadline: in time
  EXPECT_EQ(h.fire(kT0 + 5 * kHour), 1u);    // the timer is taken, finds no clock
  EXPECT_TRUE(h.alerts().empty());
  EXPECT_EQ(h.engine().stats().timers_stale, 1u);
  h.send(opened(kT0 + 6 * kHour));  // a new clock
  h.fire(kT0 + 10 * kHour + kGrace);
  ASSERT_EQ(h.alerts().size(), 1u);
  EXPECT_EQ(h.alerts()[0]["started_at"], "2026-11-22T16:00:00.000Z");
}

TEST(Sla, StopAfterTheDeadlineInTheSameBatchStillBreachesOnce) {
  EngineHarness h(kSla);
  h.send(opened(kT0));
  h.run({track("u1", "Replied", kT0 + 5 * kHour)}, Partition{0}, kT0 + 5 * kHour);
  ASSERT_EQ(h.alerts().size(), 1u);
  EXPECT_EQ(h.alerts()[0]["due_at"], "2026-11-22T14:00:00.000Z");
  h.fire(kT0 + 10 * kHour);
  EXPECT_EQ(h.alerts().size(), 1u);
}

TEST(Sla, MergeKeepsTheOldestOpenStart) {
  // Before they are linked, the anonymous id opens a clock at 10:00 and the user another at 10:30.
  EngineHarness h(kSla);
  auto anon_opened = opened(kT0);
  anon_opened.user_id.clear();
  anon_opened.anonymous_id = "a1";
  h.send(anon_opened);
  h.send(opened(kT0 + 30 * kMin));
  h.send(identify("u1", "a1", kT0 + 40 * kMin));
  ASSERT_TRUE(h.state("u1", "first_reply"));
  EXPECT_EQ(h.state("u1", "first_reply")->sla.opened_at, kT0);
  h.fire(kT0 + 10 * kHour);
  ASSERT_EQ(h.alerts().size(), 1u);
  EXPECT_EQ(h.alerts()[0]["customer"], "u1");
  EXPECT_EQ(h.alerts()[0]["started_at"], "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(h.alerts()[0]["due_at"], "2026-11-22T14:00:00.000Z");
  h.fire(kT0 + 20 * kHour);
  EXPECT_EQ(h.alerts().size(), 1u);
}

constexpr const char* kRfm =
    "churn: rfm\nrfm: {purchase: {event: Order Completed}, action: {type: retention_offer}}\n";

TEST(Rfm, EnteringASegmentOfEnterFiresAtTheRecencyBoundary) {
  EngineHarness h(kRfm);
  auto purchase = track("u1", "Order Completed", kT0);
  purchase.fields.add_number("properties.revenue", 75);
  h.send(purchase);  // R5 F1: New Customers
  EXPECT_EQ(h.state("u1", "rfm")->churn.segment, static_cast<uint8_t>(RfmSegment::new_customers) + 1);
  for (int64_t d : {14, 30}) h.fire(kT0 + d * kDay + kGrace);  // Promising, About To Sleep: not in enter
  EXPECT_TRUE(h.actions().empty());
  h.fire(kT0 + 90 * kDay + kGrace);  // R2 F1: Hibernating
  ASSERT_EQ(h.actions().size(), 1u);
  const auto& a = h.actions()[0];
  EXPECT_EQ(a["trigger"], "rfm_segment");
  EXPECT_EQ(a["segment"], "Hibernating");
  EXPECT_EQ(a["previous_segment"], "About To Sleep");
  EXPECT_EQ(a["r"], 2);
  EXPECT_EQ(a["f"], 1);
  EXPECT_EQ(a["m"], 2);
  EXPECT_EQ(a["at"], "2027-02-20T10:00:00.000Z");
  h.fire(kT0 + 400 * kDay);  // R1 F1 is Hibernating too: no new entry
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Rfm, ThresholdsCrossedBeforeAnEventAreEvaluatedBeforeIt) {
  EngineHarness h(kRfm);
  h.send("u1", "Order Completed", kT0);
  h.run({track("u1", "Browse", kT0 + 100 * kDay)}, Partition{0}, kT0 + 100 * kDay);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["segment"], "Hibernating");
  EXPECT_EQ(h.actions()[0]["at"], "2027-02-20T10:00:00.000Z");
  h.fire(kT0 + 100 * kDay);
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Inactivity, FiresOnceForAQuietPeriodAndRearmsLazily) {
  EngineHarness h("churn: winback\ninactivity: { for: 30d, action: { type: winback_email } }\n");
  h.send("u1", "Anything", kT0);
  h.send("u1", "Anything", kT0 + 10 * kDay);
  EXPECT_EQ(h.pending_timers(), 1u);                // armed once, at the first activity
  EXPECT_EQ(h.fire(kT0 + 30 * kDay + kGrace), 1u);  // active since: re-armed, not fired
  EXPECT_TRUE(h.actions().empty());
  EXPECT_EQ(h.pending_timers(), 1u);
  EXPECT_EQ(h.fire(kT0 + 40 * kDay + kGrace), 1u);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["trigger"], "inactivity");
  EXPECT_EQ(h.actions()[0]["last_seen"], "2026-12-02T10:00:00.000Z");
  EXPECT_EQ(h.pending_timers(), 0u);  // disarmed until the next activity
}

TEST(Inactivity, EventAfterALongGapFiresInlineInTheSameBatch) {
  // The quiet period 10:00 → +30d ended before the next event; the timer (due +30d) would come up
  // only after the event moved last_seen, so the event fires it inline, once.
  EngineHarness h("churn: winback\ninactivity: { for: 30d, action: { type: winback_email } }\n");
  h.send("u1", "Anything", kT0);
  h.run({track("u1", "Back Again", kT0 + 45 * kDay)}, Partition{0}, kT0 + 45 * kDay);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["trigger"], "inactivity");
  EXPECT_EQ(h.actions()[0]["last_seen"], "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(h.actions()[0]["due_at"], "2026-12-22T10:00:00.000Z");
  // Re-armed from the new activity; nothing else fires until then.
  EXPECT_EQ(h.fire(kT0 + 75 * kDay + kGrace - 1), 0u);
  EXPECT_EQ(h.actions().size(), 1u);
  h.fire(kT0 + 75 * kDay + kGrace);
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_EQ(h.actions()[1]["last_seen"], "2027-01-06T10:00:00.000Z");
  EXPECT_NE(h.actions()[0]["action_id"], h.actions()[1]["action_id"]);
}

TEST(Inactivity, MergedAnonymousActivityCountsAsTheUsers) {
  // u1 is seen on day 0 only; a1 is active on days 10 to 40 and is linked to u1 on day 41. The merged
  // customer was never quiet for 30 days: nothing fires at the link. The next quiet period ends 30 days
  // after the last activity (the identify itself: every event is activity).
  EngineHarness h("churn: winback\ninactivity: { for: 30d, action: { type: winback_email } }\n");
  h.send("u1", "Anything", kT0);
  for (int64_t d : {10, 20, 30, 40}) h.send(anonymous("a1", "Anything", kT0 + d * kDay));
  h.send(identify("u1", "a1", kT0 + 41 * kDay));
  EXPECT_TRUE(h.actions().empty()) << h.actions()[0].dump();
  ASSERT_TRUE(h.record("u1"));
  EXPECT_EQ(h.record("u1")->last_seen, kT0 + 41 * kDay);
  h.fire(kT0 + 71 * kDay + kGrace - 1);  // the stale timers of u1 (day 30) and a1 (day 40); re-armed
  EXPECT_TRUE(h.actions().empty()) << h.actions()[0].dump();
  h.fire(kT0 + 71 * kDay + kGrace);
  ASSERT_EQ(h.actions().size(), 1u);
  EXPECT_EQ(h.actions()[0]["customer"], "u1");
  EXPECT_EQ(h.actions()[0]["trigger"], "inactivity");
  EXPECT_EQ(h.actions()[0]["last_seen"], "2027-01-02T10:00:00.000Z");
  EXPECT_EQ(h.actions()[0]["due_at"], "2027-02-01T10:00:00.000Z");
  h.fire(kT0 + 200 * kDay);
  EXPECT_EQ(h.actions().size(), 1u);
}

TEST(Caps, MergeDoesNotDoubleTheAnonymousHistory) {
  EngineHarness h("trigger: ping\nevent: Ping\naction: {type: pong}\ncaps: {max: 2, per: 7d}\n");
  h.send(anonymous("a1", "Ping", kT0));
  ASSERT_EQ(h.actions().size(), 1u);
  h.send(identify("u1", "a1", kT0 + kMin));  // u1 has no state of its own
  ASSERT_TRUE(h.state("u1", "ping"));
  EXPECT_EQ(h.state("u1", "ping")->sent, std::vector<int64_t>{kT0});
  h.send("u1", "Ping", kT0 + 2 * kMin);  // the second in 7 days: sent
  ASSERT_EQ(h.actions().size(), 2u);
  EXPECT_EQ(h.actions()[1]["customer"], "u1");
  EXPECT_TRUE(h.suppressed().empty()) << h.suppressed()[0].dump();
  h.send("u1", "Ping", kT0 + 3 * kMin);  // the third: capped
  EXPECT_EQ(h.actions().size(), 2u);
  ASSERT_EQ(h.suppressed().size(), 1u);
  EXPECT_EQ(h.suppressed()[0]["suppressed"], "cap");
  EXPECT_EQ(h.suppressed()[0]["at"], "2026-11-22T10:03:00.000Z");
}

}  // namespace
}  // namespace journeyd::journey
