// Aggregate alerts (src/journey/aggregate_alerts.cc): each rule fires once per breach and resolves
// when back to normal, across restarts; thresholds, baselines, minimum volume, silence, DLQ rate.
#include <gtest/gtest.h>

#include "unit/journey/engine_fixture.h"

namespace journeyd::journey {
namespace {

using testing::EngineHarness;
using testing::kMin;
using testing::kT0;
using testing::track;

constexpr const char* kYaml = R"(journey: shop
version: 1
steps:
  - { id: viewed, event: Product Viewed }
  - { id: added,  event: Product Added }
window: 1h
alerts:
  - { id: low-add, conversion_below: { step: added, threshold: 0.5 }, over: 10m, min_volume: 4, severity: critical }
  - { id: add-vs-baseline, conversion_below: { step: added, percent: 50, baseline: 1h }, over: 10m, min_volume: 4 }
  - { id: silent, no_events: { for: 5m } }
  - { id: bad-input, dlq_rate_above: { threshold: 0.2 }, over: 10m, min_volume: 5 }
)";

// n customers view at `at`, `added` of them add a minute later.
void traffic(EngineHarness& h, const std::string& tag, int n, int added, int64_t at) {
  std::vector<event::Touchpoint> evs;
  for (int i = 0; i < n; ++i) evs.push_back(track(tag + std::to_string(i), "Product Viewed", at));
  for (int i = 0; i < added; ++i) evs.push_back(track(tag + std::to_string(i), "Product Added", at + kMin));
  h.batch(evs);
}

std::vector<std::string> statuses(const EngineHarness& h, const std::string& rule) {
  std::vector<std::string> out;
  for (const auto& a : h.alerts())
    if (a.value("rule", "") == rule) out.push_back(a["status"]);
  return out;
}

TEST(AggregateAlerts, FireOncePerBreachAndResolveWhenBackToNormal) {
  EngineHarness h(kYaml);
  traffic(h, "base", 10, 8, kT0 + 2 * kMin);  // the baseline hour: 80 %
  traffic(h, "bad", 10, 2, kT0 + 62 * kMin);  // 20 %
  h.evaluate(kT0 + 70 * kMin + 30'000);       // judges [60 min, 70 min)
  EXPECT_EQ(statuses(h, "low-add"), (std::vector<std::string>{"firing"}));
  EXPECT_EQ(statuses(h, "add-vs-baseline"), (std::vector<std::string>{"firing"}));
  const auto& first = h.alerts().front();
  EXPECT_EQ(first["trigger"], "aggregate");
  EXPECT_EQ(first["step"], "added");
  EXPECT_EQ(first["from"], "2026-11-22T11:00:00.000Z");
  EXPECT_EQ(first["to"], "2026-11-22T11:10:00.000Z");
  EXPECT_NEAR(first["value"].get<double>(), 0.2, 1e-9);
  const auto& base = h.alerts()[1];
  EXPECT_NEAR(base["baseline"].get<double>(), 0.8, 1e-9);
  EXPECT_NEAR(base["threshold"].get<double>(), 0.4, 1e-9);

  h.evaluate(kT0 + 70 * kMin + 50'000);  // the same minute: not judged again
  h.restart_engine(kYaml);               // the firing state survives a restart
  h.evaluate(kT0 + 71 * kMin);
  EXPECT_EQ(statuses(h, "low-add").size(), 1u);

  traffic(h, "good", 10, 9, kT0 + 72 * kMin);
  h.evaluate(kT0 + 84 * kMin);  // [74, 84): the views were at 72, so no volume: not judged
  EXPECT_EQ(statuses(h, "low-add").size(), 1u);
  h.evaluate(kT0 + 82 * kMin);  // an older clock never judges again
  traffic(h, "good2", 10, 9, kT0 + 85 * kMin);
  h.evaluate(kT0 + 95 * kMin);  // [85, 95): 90 %
  EXPECT_EQ(statuses(h, "low-add"), (std::vector<std::string>{"firing", "resolved"}));
  EXPECT_EQ(statuses(h, "add-vs-baseline"), (std::vector<std::string>{"firing", "resolved"}));
  // The resolved record names when the breach started and has its own id.
  const auto& resolved = h.alerts().back();
  EXPECT_EQ(resolved["started_at"], "2026-11-22T11:10:00.000Z");
  EXPECT_NE(resolved["alert_id"], h.alerts().front()["alert_id"]);
}

TEST(AggregateAlerts, SilenceFiresOnlyAfterTheJourneyHadEvents) {
  EngineHarness h(kYaml);
  h.evaluate(kT0 + 30 * kMin);  // never any event: nothing to say
  EXPECT_TRUE(statuses(h, "silent").empty());
  traffic(h, "a", 1, 0, kT0 + 31 * kMin);
  h.evaluate(kT0 + 33 * kMin);
  EXPECT_TRUE(statuses(h, "silent").empty());
  h.evaluate(kT0 + 37 * kMin);  // [32, 37) is empty
  EXPECT_EQ(statuses(h, "silent"), (std::vector<std::string>{"firing"}));
  traffic(h, "b", 1, 0, kT0 + 38 * kMin);
  h.evaluate(kT0 + 40 * kMin);
  EXPECT_EQ(statuses(h, "silent"), (std::vector<std::string>{"firing", "resolved"}));
}

TEST(AggregateAlerts, DlqRateNeedsVolume) {
  EngineHarness h(kYaml);
  h.evaluate(kT0 + 1 * kMin, 2, 2);  // 50 % of 4: too few to judge
  h.evaluate(kT0 + 2 * kMin);
  EXPECT_TRUE(statuses(h, "bad-input").empty());
  h.evaluate(kT0 + 3 * kMin, 8, 4);
  h.evaluate(kT0 + 4 * kMin);  // [-6, 4): 6 of 16 rejected
  ASSERT_EQ(statuses(h, "bad-input"), (std::vector<std::string>{"firing"}));
  EXPECT_NEAR(h.alerts().back()["value"].get<double>(), 6.0 / 16, 1e-9);
}

}  // namespace
}  // namespace journeyd::journey
