#include "webhook/backoff.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>

namespace journeyd::webhook {

int64_t exponential_ms(const RetryPolicy& p, int failures) {
  const int shift = std::clamp(failures - 1, 0, 62);
  // Doubling stops as soon as it passes the cap (no overflow).
  int64_t d = std::max<int64_t>(p.initial_backoff_ms, 0);
  for (int i = 0; i < shift && d < p.max_backoff_ms; ++i) d *= 2;
  return std::min(d, p.max_backoff_ms);
}

int64_t backoff_ms(const RetryPolicy& p, int failures, uint64_t random) {
  const int64_t d = exponential_ms(p, failures);
  switch (p.jitter) {
    case Jitter::full:
      return static_cast<int64_t>(random % (static_cast<uint64_t>(d) + 1));
    case Jitter::equal: {
      const int64_t half = d / 2;
      return half + static_cast<int64_t>(random % (static_cast<uint64_t>(d - half) + 1));
    }
    case Jitter::none:
      break;
  }
  return d;
}

std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_ms) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    int64_t s = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), s);
    if (ec != std::errc{} || p != value.data() + value.size() || s > 365LL * 86'400) return std::nullopt;
    return s * 1000;
  }
  // IMF-fixdate (RFC 9110 §5.6.7), the only form senders may generate.
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const int64_t at_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return std::max<int64_t>(0, at_ms - now_ms);
}

int64_t next_attempt_at(const RetryPolicy& p, int failures, uint64_t random, int64_t now_ms,
                        int64_t created_ms, std::optional<int64_t> retry_after_ms) {
  int64_t delay = backoff_ms(p, failures, random);
  if (retry_after_ms) delay = std::max(delay, *retry_after_ms);
  return std::min(now_ms + delay, std::max(now_ms, created_ms + p.max_age_ms));
}

}  // namespace journeyd::webhook
