#include "metrics/process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "metrics/registry.h"

namespace journeyd::metrics {
namespace {

// The value of the unlabelled sample `name` in an exposition, or -1.
double sample(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + name.size() + 2, nullptr);
}

TEST(ProcessMetrics, PresentAndPlausible) {
  Registry r;
  register_process_metrics(r);
  register_process_metrics(r);  // harmless
  const std::string text = r.serialize();
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_open_fds", "process_max_fds", "process_start_time_seconds"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
    EXPECT_GE(sample(text, name), 0) << name;
  }
  EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(sample(text, "process_virtual_memory_bytes"), sample(text, "process_resident_memory_bytes"));
  EXPECT_GE(sample(text, "process_open_fds"), 3);  // stdin, stdout, stderr
  EXPECT_GE(sample(text, "process_max_fds"), sample(text, "process_open_fds"));
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double start = sample(text, "process_start_time_seconds");
  EXPECT_GT(start, 1.5e9);
  EXPECT_LE(start, now + 1);
}

TEST(ProcessMetrics, CpuCounterNeverDecreases) {
  Registry r;
  register_process_metrics(r);
  const double before = sample(r.serialize(), "process_cpu_seconds_total");
  volatile double x = 0;
  for (int i = 0; i < 5'000'000; ++i) x = x + i;
  EXPECT_GE(sample(r.serialize(), "process_cpu_seconds_total"), before);
}

}  // namespace
}  // namespace journeyd::metrics
