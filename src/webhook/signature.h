// Request signing (docs/webhooks.md, like Stripe's): every POST carries
//   X-Journeyd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// so a receiver can check the body came from journeyd and is recent (replay window). Also the
// other headers of a delivery attempt.
//
// Thread-safe (pure functions; OpenSSL's HMAC one-shot).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeyd::webhook {

inline constexpr std::string_view kSignatureHeader = "X-Journeyd-Signature";
inline constexpr std::string_view kDeliveryHeader = "X-Journeyd-Delivery";
inline constexpr std::string_view kAttemptHeader = "X-Journeyd-Attempt";
inline constexpr std::string_view kEventHeader = "X-Journeyd-Event";

// "t=<t>,v1=<hmac>".
std::string signature(std::string_view secret, int64_t unix_seconds, std::string_view body);

// What a receiver does: parse t and every v1 of `header`, recompute, compare in constant time,
// and refuse a t further than `tolerance_seconds` from `now_seconds`.
bool verify_signature(std::string_view header, std::string_view secret, std::string_view body,
                      int64_t now_seconds, int64_t tolerance_seconds = 300);

struct AttemptInfo {
  std::string_view delivery_id;
  int attempt = 1;           // 1-based
  std::string_view event;    // "action" | "alert"
  int64_t unix_seconds = 0;  // signing time
};

// Every header of an attempt, as "Name: value" lines (what libcurl takes).
std::vector<std::string> attempt_headers(const AttemptInfo& a, std::string_view secret,
                                         std::string_view body);

// "journeyd/<version>".
std::string_view user_agent();

}  // namespace journeyd::webhook
