// Checks a full exposition with the reference linter, `promtool check metrics`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "metrics/process.h"
#include "metrics/registry.h"
#include "unit/temp_dir.h"

namespace journeyd::metrics {
namespace {

TEST(Promtool, CheckMetricsAcceptsEveryType) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  }
  Registry r;
  register_process_metrics(r);
  auto& c = r.counter("journeyd_events_total", "Events consumed, by topic.\nSecond line \\ with backslash.",
                      {"topic", "result"});
  c.with({"orders", "ok"}).inc(41);
  c.with({"we\"ird\\topic\nname", "dlq"}).inc(0.25);
  r.counter("journeyd_restarts_total", "Restarts.").get();
  auto& g = r.gauge("journeyd_consumer_lag_messages", "Consumer lag.", {"partition"});
  g.with({"0"}).set(12);
  g.with({"1"}).set(-0.5);
  r.gauge("journeyd_weird_values", "Special floats.", {"kind"}).with({"inf"}).set(INFINITY);
  r.gauge("journeyd_weird_values", "Special floats.", {"kind"}).with({"nan"}).set(NAN);
  r.gauge("journeyd_weird_values", "Special floats.", {"kind"}).with({"big"}).set(1e300);
  auto& h =
      r.histogram("journeyd_step_duration_seconds", "Step latency.", {"step"}, latency_buckets_seconds());
  for (double v : {0.0001, 0.003, 0.2, 7.0, 42.0}) h.with({"send \"email\""}).observe(v);
  r.histogram("journeyd_batch_size_events", "Batch size.", {}, exponential_buckets(1, 2, 10))
      .get()
      .observe(100);

  testing::TempDir dir;
  const std::string in = dir.file("metrics.txt"), out = dir.file("promtool.out");
  std::ofstream(in) << r.serialize();
  const std::string cmd = "promtool check metrics < '" + in + "' > '" + out + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::stringstream lint;
  lint << std::ifstream(out).rdbuf();
  ASSERT_TRUE(WIFEXITED(status)) << cmd;
  EXPECT_EQ(WEXITSTATUS(status), 0) << lint.str();
  EXPECT_EQ(lint.str(), "");
}

}  // namespace
}  // namespace journeyd::metrics
