// Retry delays: exponential backoff with jitter, and the receiver's Retry-After.
//
// Pure functions: the caller injects randomness (a uniform 64-bit value from its RNG) and the
// clock, so tests are deterministic.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "webhook/config.h"

namespace journeyd::webhook {

// The exponential delay before retry number `failures` (1 = after the first failed attempt):
// min(max_backoff, initial_backoff * 2^(failures-1)), before jitter.
int64_t exponential_ms(const RetryPolicy& p, int failures);

// The jittered delay: full → uniform in [0, d], equal → [d/2, d], none → d, where `random` is a
// uniform 64-bit value.
int64_t backoff_ms(const RetryPolicy& p, int failures, uint64_t random);

// A Retry-After header value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00
// GMT"), as milliseconds from `now_ms` (0 if the date is past). nullopt if unparseable.
std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_ms);

// When the next attempt is due after a failure at `now_ms`. The receiver's Retry-After (429/503
// only: pass nullopt otherwise) wins over a shorter backoff. Never later than the delivery's
// deadline (created_ms + max_age), so the last attempt happens within max_age.
int64_t next_attempt_at(const RetryPolicy& p, int failures, uint64_t random, int64_t now_ms,
                        int64_t created_ms, std::optional<int64_t> retry_after_ms);

}  // namespace journeyd::webhook
