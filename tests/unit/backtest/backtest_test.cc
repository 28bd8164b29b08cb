// backtest::run's funnels: read from the funnel aggregates over the whole event-time range of the input
// (or the range of Options::funnel_from/funnel_to), for --until end and drain.
#include "backtest/backtest.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/time_format.h"
#include "journey/loader.h"

namespace journeyd::backtest {
namespace {

constexpr const char* kDefinition = R"(journey: checkout
version: 1
steps:
  - { id: viewed,    event: Product Viewed }
  - { id: added,     event: Product Added }
  - { id: checkout,  event: Checkout Started }
  - { id: purchased, event: Order Completed }
window: 24h
dropoff:
  - { after: added,    for: 30m, action: { type: cart_abandon_email } }
  - { after: checkout, for: 1h,  alert: { severity: warning } }
)";

// u1 is still at `added` when the history ends (10:20:30); u2 reaches `checkout` at 10:20.
constexpr const char* kEvents =
    R"({"type":"track","event":"Product Viewed","userId":"u1","messageId":"1","timestamp":"2026-01-05T10:00:00Z"}
{"type":"track","event":"Product Added","userId":"u1","messageId":"2","timestamp":"2026-01-05T10:01:00Z"}
{"type":"track","event":"Product Viewed","userId":"u2","messageId":"3","timestamp":"2026-01-05T10:02:30Z"}
not json
{"type":"track","event":"Product Added","userId":"u2","messageId":"4","timestamp":"2026-01-05T10:10:00Z"}
{"type":"track","event":"Checkout Started","userId":"u2","messageId":"5","timestamp":"2026-01-05T10:20:30Z"}
)";

int64_t at(const char* iso) {
  return *parse_iso8601(iso);
}

Summary run_with(Options opts) {
  auto defs = journey::load_text(kDefinition, "checkout.yaml");
  EXPECT_TRUE(defs.ok());
  std::istringstream in(kEvents);
  opts.batch_events = 2;
  auto s = run(defs.definitions, in, opts);
  EXPECT_TRUE(s) << s.error().message;
  return s ? s.value() : Summary{};
}

TEST(BacktestFunnels, CoverTheEventsUpToTheFinalClock) {
  const Summary s = run_with({});
  ASSERT_EQ(s.funnels.size(), 1u);
  const auto& f = s.funnels[0];
  EXPECT_EQ(f.journey, "checkout");
  EXPECT_EQ(f.from, at("2026-01-05T10:00:00Z"));
  EXPECT_EQ(f.to, at("2026-01-05T10:21:00Z"));  // the minute of the last event, included
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(f.events, 5u);
  EXPECT_EQ(f.entered, 2u);
  ASSERT_EQ(f.steps.size(), 4u);
  EXPECT_EQ(f.steps[1].reached, 2u);
  EXPECT_EQ(f.steps[2].reached, 1u);
  EXPECT_EQ(f.steps[1].dropoffs, 0u);  // u1's deadline (10:31) is after the end
  EXPECT_EQ(f.steps[1].dropped, std::optional<uint64_t>(1));
}

TEST(BacktestFunnels, DrainReachesTheLastDropOff) {
  Options opts;
  opts.until = Until::drain;
  const Summary s = run_with(opts);
  ASSERT_EQ(s.funnels.size(), 1u);
  const auto& f = s.funnels[0];
  EXPECT_EQ(f.to, at("2026-01-05T11:21:00Z"));  // u2's checkout drop-off at 11:20:30
  EXPECT_EQ(f.steps[1].dropoffs, 1u);
  EXPECT_EQ(f.steps[2].dropoffs, 1u);
}

TEST(BacktestFunnels, RangeOverrides) {
  Options opts;
  opts.until = Until::drain;
  opts.funnel_from = at("2026-01-05T10:05:00Z");
  opts.funnel_to = at("2026-01-05T10:59:59Z");  // rounded up
  const Summary s = run_with(opts);
  ASSERT_EQ(s.funnels.size(), 1u);
  const auto& f = s.funnels[0];
  EXPECT_EQ(f.from, at("2026-01-05T10:05:00Z"));
  EXPECT_EQ(f.to, at("2026-01-05T11:00:00Z"));
  EXPECT_EQ(f.entered, 0u);
  EXPECT_EQ(f.steps[1].reached, 1u);
  EXPECT_EQ(f.steps[2].reached, 1u);
  EXPECT_EQ(f.steps[2].conversion, std::optional<double>(1.0));
  EXPECT_EQ(f.steps[1].dropoffs, 1u);  // u1 at 10:31
  EXPECT_EQ(f.steps[2].dropoffs, 0u);  // u2 at 11:20:30, outside
}

TEST(BacktestFunnels, NoneWithoutEvents) {
  auto defs = journey::load_text(kDefinition, "checkout.yaml");
  std::istringstream in("\n");
  auto s = run(defs.definitions, in, {});
  ASSERT_TRUE(s);
  EXPECT_TRUE(s.value().funnels.empty());
}

}  // namespace
}  // namespace journeyd::backtest
