#include "http/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace journeyd::http {

int64_t RateLimiter::take(std::string_view key, int64_t n) {
  if (rate_ <= 0) return 0;
  const int64_t now = clock_.now_ms();
  const double capacity = static_cast<double>(rate_);
  std::lock_guard lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(std::string(key));
  Bucket& b = it->second;
  if (fresh) b = {capacity, now};
  b.tokens = std::min(
      capacity, b.tokens + static_cast<double>(std::max<int64_t>(0, now - b.at_ms)) * capacity / 1000.0);
  b.at_ms = std::max(b.at_ms, now);
  if (b.tokens <= 0) return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(-b.tokens / capacity)));
  b.tokens -= static_cast<double>(n);
  return 0;
}

}  // namespace journeyd::http
