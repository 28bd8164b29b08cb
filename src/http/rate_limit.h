// Per-key token buckets for the collector: `rate` events per second, a burst
// of one second's worth. A request may take more tokens than are left (a large
// batch is never starved); the debt makes the following requests wait.
//
// Thread-safe (one mutex; the map holds one bucket per write key).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace journeyd::http {

class RateLimiter {
 public:
  // rate 0: unlimited.
  RateLimiter(int64_t rate_per_s, const Clock& clock) : rate_(rate_per_s), clock_(clock) {}
  // 0 when `n` events may pass now (they are counted), else the seconds to wait (Retry-After).
  int64_t take(std::string_view key, int64_t n);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;
  };
  const int64_t rate_;
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace journeyd::http
