// The webhook endpoints file (`webhooks.file`, docs/webhooks.md): which
// actions and alerts are POSTed where, with which secret, timeout and retry
// policy. Parsed and validated at start-up; every problem is reported as
// "file:line: what is wrong" and refuses start-up. Unknown keys are errors.
//
// Thread-safe (pure functions); the result is a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeyd::webhook {

// How a retry delay is spread (AWS architecture blog, "Exponential Backoff And Jitter").
enum class Jitter : uint8_t {
  full,   // uniform in [0, d]
  equal,  // uniform in [d/2, d]: every delay is at least half the exponential one
  none,   // exactly d
};

struct RetryPolicy {
  // Attempts in all (the first one included) before a delivery is dead-lettered.
  // Default: 10
  int max_attempts = 10;
  // d = min(max_backoff, initial_backoff * 2^(failures-1)), then jittered.
  // Default: 1s
  int64_t initial_backoff_ms = 1000;
  // Default: 10m
  int64_t max_backoff_ms = 600'000;
  // A delivery older than this (since it was created) is dead-lettered after its next failure;
  // its last attempt is made no later than this.
  // Default: 24h
  int64_t max_age_ms = 86'400'000;
  // Default: full
  Jitter jitter = Jitter::full;
};

struct Endpoint {
  // [a-z0-9_-]{1,64}, unique: a metric label and part of the delivery keys.
  std::string name;
  // http:// or https:// (TLS peers are verified).
  std::string url;
  // The HMAC-SHA256 key (from `secret_env`, or the discouraged literal `secret`).
  std::string secret;
  // Definition ids whose records are sent. Empty: every journey.
  std::vector<std::string> journeys;
  // Action types sent. nullopt (key absent): every type; empty list: no actions.
  std::optional<std::vector<std::string>> actions;
  // Also the alerts of those journeys.
  // Default: false
  bool alerts = false;
  // Per attempt: connect plus the whole response.
  // Default: 5s
  int64_t timeout_ms = 5000;
  RetryPolicy retry;
  // Attempts in flight at once to this endpoint.
  // Default: 8
  int max_in_flight = 8;

  bool wants_action(std::string_view journey, std::string_view type) const;
  bool wants_alert(std::string_view journey) const;
};

struct WebhookConfig {
  std::vector<Endpoint> endpoints;
  bool empty() const { return endpoints.empty(); }
};

struct LoadResult {
  WebhookConfig config;
  std::vector<std::string> errors;  // "file:line: what is wrong"
  bool ok() const { return errors.empty(); }
};

// Looks up an environment variable (injectable for tests).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

// `file` names the text in messages.
LoadResult parse_config(std::string_view text, const std::string& file, const EnvLookup& env = process_env);
// Reads `path`; an empty path is no webhooks (an empty config, no errors).
LoadResult load_config(const std::string& path, const EnvLookup& env = process_env);

}  // namespace journeyd::webhook
