#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

namespace journeyd::metrics {
namespace {

TEST(Registry, CounterAndGaugeExposition) {
  Registry r;
  auto& events = r.counter("journeyd_events_total", "Events consumed.", {"topic", "result"});
  events.with({"orders", "ok"}).inc(3);
  events.with({"clicks", "ok"}).inc();
  events.with({"a\"b\\c\nd", "dlq"}).inc(0.5);
  r.gauge("journeyd_lag", "Consumer lag.\nIn \\messages\\.").get().set(-2);
  EXPECT_EQ(r.serialize(),
            "# HELP journeyd_events_total Events consumed.\n"
            "# TYPE journeyd_events_total counter\n"
            "journeyd_events_total{topic=\"a\\\"b\\\\c\\nd\",result=\"dlq\"} 0.5\n"
            "journeyd_events_total{topic=\"clicks\",result=\"ok\"} 1\n"
            "journeyd_events_total{topic=\"orders\",result=\"ok\"} 3\n"
            "# HELP journeyd_lag Consumer lag.\\nIn \\\\messages\\\\.\n"
            "# TYPE journeyd_lag gauge\n"
            "journeyd_lag -2\n");
}

TEST(Registry, HistogramExposition) {
  Registry r;
  auto& h = r.histogram("journeyd_step_seconds", "Step latency.", {"step"}, {0.005, 0.5, 1});
  h.with({"send"}).observe(0.001);
  h.with({"send"}).observe(0.5);
  h.with({"send"}).observe(3);
  EXPECT_EQ(r.serialize(),
            "# HELP journeyd_step_seconds Step latency.\n"
            "# TYPE journeyd_step_seconds histogram\n"
            "journeyd_step_seconds_bucket{step=\"send\",le=\"0.005\"} 1\n"
            "journeyd_step_seconds_bucket{step=\"send\",le=\"0.5\"} 2\n"
            "journeyd_step_seconds_bucket{step=\"send\",le=\"1\"} 2\n"
            "journeyd_step_seconds_bucket{step=\"send\",le=\"+Inf\"} 3\n"
            "journeyd_step_seconds_sum{step=\"send\"} 3.501\n"
            "journeyd_step_seconds_count{step=\"send\"} 3\n");
}

TEST(Registry, UnlabelledFamiliesExportZeroLabelledOnesWaitForASeries) {
  Registry r;
  r.histogram("b_seconds", "B.", {}, {1, INFINITY});  // trailing +Inf dropped
  r.counter("a_total", "A.", {"x"});
  EXPECT_EQ(r.serialize(),
            "# HELP b_seconds B.\n"
            "# TYPE b_seconds histogram\n"
            "b_seconds_bucket{le=\"1\"} 0\n"
            "b_seconds_bucket{le=\"+Inf\"} 0\n"
            "b_seconds_sum 0\n"
            "b_seconds_count 0\n");
}

TEST(Registry, SameDeclarationReturnsSameFamily) {
  Registry r;
  auto& a = r.counter("x_total", "X.", {"l"});
  auto& b = r.counter("x_total", "X.", {"l"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.with({"v"}), &b.with({"v"}));
  auto& h1 = r.histogram("h", "H.", {}, {1, 2});
  EXPECT_EQ(&h1, &r.histogram("h", "H.", {}, {1, 2}));
}

TEST(Registry, ConflictingDeclarationsThrow) {
  Registry r;
  r.counter("x_total", "X.", {"l"});
  r.histogram("h", "H.", {}, {1, 2});
  EXPECT_THROW(r.gauge("x_total", "X.", {"l"}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "X.", {"m"}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "X.", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "Other help.", {"l"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "H.", {}, {1, 3}), std::invalid_argument);
  EXPECT_THROW(r.gauge("h_count", "Clash."), std::invalid_argument);
  r.gauge("y_sum", "Y.");
  EXPECT_THROW(r.histogram("y", "Clash.", {}, {1}), std::invalid_argument);
}

TEST(Registry, InvalidDeclarationsThrow) {
  Registry r;
  EXPECT_THROW(r.counter("events", "No _total."), std::invalid_argument);
  EXPECT_THROW(r.gauge("9lives", "Bad name."), std::invalid_argument);
  EXPECT_THROW(r.gauge("a-b", "Bad name."), std::invalid_argument);
  EXPECT_THROW(r.gauge("__x", "Reserved."), std::invalid_argument);
  EXPECT_THROW(r.gauge("g", "Bad label.", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(r.gauge("g", "Reserved label.", {"__name__"}), std::invalid_argument);
  EXPECT_THROW(r.gauge("g", "Duplicate label.", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "Reserved le.", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "Unsorted.", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "Repeated.", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "NaN.", {}, {NAN}), std::invalid_argument);
  EXPECT_NO_THROW(r.gauge("le", "le is a fine gauge label elsewhere.", {"le"}));
}

TEST(Family, WrongLabelCountThrows) {
  Registry r;
  auto& f = r.gauge("g", "G.", {"a", "b"});
  EXPECT_THROW(f.with({"x"}), std::invalid_argument);
  EXPECT_THROW(f.with({"x", "y", "z"}), std::invalid_argument);
  EXPECT_THROW(f.get(), std::invalid_argument);
  EXPECT_THROW(r.gauge("u", "U.").with({"x"}), std::invalid_argument);
  EXPECT_NO_THROW(r.gauge("u", "U.").with({}));
}

TEST(Family, ConcurrentWithSumsExactly) {
  Registry r;
  auto& f = r.counter("c_total", "C.", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10'000; ++i) f.with({i % 2 == 0 ? "even" : "odd"}).inc(t + 1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(f.with({"even"}).value(), 5'000 * (1 + 2 + 3 + 4));
  EXPECT_EQ(f.with({"odd"}).value(), 5'000 * (1 + 2 + 3 + 4));
}

TEST(Registry, OnCollectRunsBeforeSerializing) {
  Registry r;
  auto& g = r.gauge("queue_depth", "Depth.").get();
  int runs = 0;
  r.on_collect([&] { g.set(++runs * 10); });
  EXPECT_NE(r.serialize().find("queue_depth 10\n"), std::string::npos);
  EXPECT_NE(r.serialize().find("queue_depth 20\n"), std::string::npos);
  EXPECT_EQ(runs, 2);
}

TEST(Registry, FamiliesSortedByName) {
  Registry r;
  r.gauge("zeta", "Z.").get().set(1);
  r.gauge("alpha", "A.").get().set(2);
  r.counter("mid_total", "M.").get().inc();
  const std::string s = r.serialize();
  EXPECT_LT(s.find("alpha"), s.find("mid_total"));
  EXPECT_LT(s.find("mid_total"), s.find("zeta"));
}

}  // namespace
}  // namespace journeyd::metrics

namespace journeyd::metrics {
namespace {

TEST(Registry, RemovedSeriesLeaveTheExposition) {
  Registry r;
  auto& lag = r.gauge("journeyd_lag", "Lag.", {"partition"});
  lag.with({"0"}).set(1);
  lag.with({"1"}).set(2);
  lag.remove({"0"});
  lag.remove({"7"});  // absent: nothing happens
  EXPECT_EQ(r.serialize(),
            "# HELP journeyd_lag Lag.\n# TYPE journeyd_lag gauge\njourneyd_lag{partition=\"1\"} 2\n");
}

}  // namespace
}  // namespace journeyd::metrics
