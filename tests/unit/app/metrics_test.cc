#include "app/metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace journeyd::app {
namespace {

TEST(MetricsReference, ListsEveryModulesMetrics) {
  const auto md = metrics_reference();
  for (const char* name : {"journeyd_events_rejected_total", "journeyd_actions_total",
                           "journeyd_consumer_lag_messages", "journeyd_http_request_duration_seconds",
                           "journeyd_state_size_bytes", "process_resident_memory_bytes"})
    EXPECT_NE(md.find(std::string("`") + name + "`"), std::string::npos) << name;
}

TEST(MetricsReference, DocsAreUpToDate) {
  const std::string path = JOURNEYD_SOURCE_DIR "/docs/metrics.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing: run `journeyd --metrics-reference > docs/metrics.md`";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), metrics_reference())
      << "docs/metrics.md is stale: run `journeyd --metrics-reference > docs/metrics.md`";
}

TEST(Mirror, AddsOnlyTheDifference) {
  metrics::Registry r;
  auto& c = r.counter("x_total", "x").get();
  Mirror m(c);
  m.update(5);
  m.update(7);
  m.update(7);
  EXPECT_EQ(c.value(), 7);
}

}  // namespace
}  // namespace journeyd::app
