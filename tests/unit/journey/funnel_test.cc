// Funnel aggregates (src/journey/funnel.cc and the engine's increments): counts by step and minute,
// the sketch of times between steps, conversion, drop-off and the bottleneck, independent of batching.
#include "journey/funnel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/json_writer.h"
#include "unit/journey/engine_fixture.h"

namespace journeyd::journey {
namespace {

using testing::EngineHarness;
using testing::kGrace;
using testing::kHour;
using testing::kMin;
using testing::kT0;
using testing::track;

TEST(FunnelSketch, EveryDurationComesBackWithinOnePercent) {
  for (int64_t ms : {1LL, 2LL, 7LL, 999LL, 1'000LL, 61'234LL, 3'600'000LL, 86'400'000LL * 365}) {
    const auto v = sketch_value(sketch_bin(ms));
    EXPECT_NEAR(static_cast<double>(v), static_cast<double>(ms), 0.011 * static_cast<double>(ms) + 1) << ms;
  }
  EXPECT_EQ(sketch_value(sketch_bin(0)), 0);
  EXPECT_EQ(sketch_value(sketch_bin(-5)), 0);  // clock disorder within the grace
}

TEST(FunnelSketch, QuantilesOfAUniformSpread) {
  state::Counters c;
  for (int64_t ms = 1; ms <= 1000; ++ms) c.add(funnel_field::sketch + sketch_bin(ms * 1000), 1);
  c.add(funnel_field::reached, 77);  // other fields are not part of the sketch
  auto q = sketch_quantiles(c);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->count, 1000u);
  EXPECT_NEAR(q->p50_ms, 500'000, 0.011 * 500'000);
  EXPECT_NEAR(q->p90_ms, 900'000, 0.011 * 900'000);
  EXPECT_NEAR(q->p99_ms, 990'000, 0.011 * 990'000);
  EXPECT_FALSE(sketch_quantiles(state::Counters{}));
}

// u1 converts; u2 stalls after "added" (its drop-off fires at +32 min); u3 views twice (one
// instance, one entry); u4 adds without viewing (an event of the journey, no instance).
std::vector<event::Touchpoint> story() {
  return {track("u1", "Product Viewed", kT0),
          track("u2", "Product Viewed", kT0 + 10'000),
          track("u1", "Product Added", kT0 + kMin),
          track("u3", "Product Viewed", kT0 + kMin),
          track("u2", "Product Added", kT0 + 2 * kMin),
          track("u1", "Checkout Started", kT0 + 3 * kMin),
          track("u4", "Product Added", kT0 + 3 * kMin),
          track("u3", "Product Viewed", kT0 + 5 * kMin),
          track("u1", "Order Completed", kT0 + 10 * kMin)};
}

nlohmann::json funnel_json(EngineHarness& h, int64_t from, int64_t to, std::string_view step = {}) {
  auto r = h.engine().funnel("checkout", from, to);
  EXPECT_TRUE(r) << r.error().message;
  if (!r || !r.value()) return nullptr;
  std::string out;
  JsonWriter w(out);
  write_funnel_json(w, *r.value(), step);
  return nlohmann::json::parse(out);
}

TEST(Funnel, CountsConversionDropOffTimesAndBottleneck) {
  EngineHarness h;
  h.batch(story());
  h.fire(kT0 + 32 * kMin + kGrace);  // u2's cart-abandon drop-off
  auto f = funnel_json(h, kT0, kT0 + kHour);
  ASSERT_FALSE(f.is_null());
  EXPECT_EQ(f["from"], "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(f["to"], "2026-11-22T11:00:00.000Z");
  EXPECT_EQ(f["window"], "1d");
  EXPECT_EQ(f["events"], 9);
  EXPECT_EQ(f["entered"], 3);
  EXPECT_EQ(f["converted"], 1);
  EXPECT_NEAR(f["conversion"].get<double>(), 1.0 / 3, 1e-9);
  const auto& s = f["steps"];
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0]["id"], "viewed");
  EXPECT_EQ(s[0]["reached"], 3);
  EXPECT_TRUE(s[0]["conversion"].is_null());
  EXPECT_TRUE(s[0]["time_from_previous"].is_null());
  EXPECT_EQ(s[0]["dropped"], 1);  // u3
  EXPECT_EQ(s[1]["reached"], 2);
  EXPECT_NEAR(s[1]["conversion"].get<double>(), 2.0 / 3, 1e-9);
  EXPECT_EQ(s[1]["dropped"], 1);  // u2
  EXPECT_EQ(s[1]["dropoffs"], 1);
  EXPECT_EQ(s[1]["time_from_previous"]["count"], 2);
  EXPECT_NEAR(s[1]["time_from_previous"]["p50_ms"].get<double>(), 60'000, 700);    // u1: 1 min
  EXPECT_NEAR(s[1]["time_from_previous"]["p99_ms"].get<double>(), 110'000, 1300);  // u2: 1 min 50 s
  EXPECT_EQ(s[2]["reached"], 1);
  EXPECT_NEAR(s[2]["conversion"].get<double>(), 0.5, 1e-9);
  EXPECT_EQ(s[2]["dropped"], 0);
  EXPECT_EQ(s[3]["reached"], 1);
  EXPECT_TRUE(s[3]["dropped"].is_null());  // the goal
  EXPECT_NEAR(s[3]["time_from_previous"]["p50_ms"].get<double>(), 7 * 60'000, 5000);
  EXPECT_EQ(f["bottleneck"]["conversion"], "checkout");
  EXPECT_EQ(f["bottleneck"]["time"], "purchased");
}

TEST(Funnel, ARangeSumsOnlyItsMinutes) {
  EngineHarness h;
  h.batch(story());
  auto first = funnel_json(h, kT0, kT0 + kMin);  // the first minute: two views
  EXPECT_EQ(first["entered"], 2);
  EXPECT_EQ(first["steps"][1]["reached"], 0);
  EXPECT_EQ(first["events"], 2);
  auto later = funnel_json(h, kT0 + kMin + 1, kT0 + 4 * kMin);  // rounded out to [+1 min, +4 min)
  EXPECT_EQ(later["from"], "2026-11-22T10:01:00.000Z");
  EXPECT_EQ(later["to"], "2026-11-22T10:04:00.000Z");
  EXPECT_EQ(later["entered"], 1);                   // u3
  EXPECT_EQ(later["steps"][1]["reached"], 2);       // u1, u2
  EXPECT_EQ(later["steps"][1]["conversion"], 1.0);  // capped: more added than viewed in this range
  auto step = funnel_json(h, kT0, kT0 + kHour, "added");
  ASSERT_EQ(step["steps"].size(), 1u);
  EXPECT_EQ(step["steps"][0]["id"], "added");
  EXPECT_TRUE(funnel_json(h, kT0 - kHour, kT0)["conversion"].is_null());  // nothing entered
}

TEST(Funnel, TheSameEventsGiveTheSameFunnelWhateverTheBatchingAndRestarts) {
  EngineHarness one, many;
  one.batch(story());
  one.fire(kT0 + kHour);
  int i = 0;
  for (const auto& tp : story()) {
    many.send(tp);
    if (++i % 3 == 0) many.restart_engine();
  }
  many.fire(kT0 + 20 * kMin);
  many.fire(kT0 + kHour);
  EXPECT_EQ(funnel_json(one, kT0, kT0 + 2 * kHour), funnel_json(many, kT0, kT0 + 2 * kHour));
}

TEST(Funnel, InputCountsAndUnknownJourneys) {
  EngineHarness h;
  state::Batch b(h.store());
  h.engine().begin(b);
  h.engine().note_input(kT0 + 5 * kMin, 40, 2);
  h.engine().note_input(kT0 + 5 * kMin + 1, 10, 0);
  h.engine().note_input(kT0 + 90 * kMin, 7, 7);
  h.engine().finish();
  ASSERT_TRUE(h.store().write(b));
  auto c = read_input_counts(h.store(), kT0, kT0 + kHour);
  ASSERT_TRUE(c);
  EXPECT_EQ(c.value().applied, 50u);
  EXPECT_EQ(c.value().rejected, 2u);
  auto none = h.engine().funnel("no-such-journey", kT0, kT0 + kHour);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value());
}

}  // namespace
}  // namespace journeyd::journey
