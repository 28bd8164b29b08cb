#include "webhook/backoff.h"

#include <gtest/gtest.h>

#include <random>

namespace journeyd::webhook {
namespace {

RetryPolicy policy(Jitter j) {
  RetryPolicy p;
  p.initial_backoff_ms = 1000;
  p.max_backoff_ms = 600'000;
  p.jitter = j;
  return p;
}

TEST(Backoff, ExponentialDoublesUpToTheCap) {
  const auto p = policy(Jitter::none);
  EXPECT_EQ(exponential_ms(p, 1), 1000);
  EXPECT_EQ(exponential_ms(p, 2), 2000);
  EXPECT_EQ(exponential_ms(p, 5), 16'000);
  EXPECT_EQ(exponential_ms(p, 10), 512'000);
  EXPECT_EQ(exponential_ms(p, 11), 600'000);
  EXPECT_EQ(exponential_ms(p, 1000), 600'000) << "no overflow";
  EXPECT_EQ(backoff_ms(p, 3, 12345), 4000) << "no jitter";
}

TEST(Backoff, FullJitterStaysWithinZeroAndTheDelay) {
  const auto p = policy(Jitter::full);
  std::mt19937_64 rng(42);
  for (int failures = 1; failures <= 12; ++failures) {
    const int64_t d = exponential_ms(p, failures);
    int64_t lo = d, hi = 0;
    for (int i = 0; i < 2000; ++i) {
      const int64_t b = backoff_ms(p, failures, rng());
      ASSERT_GE(b, 0);
      ASSERT_LE(b, d);
      lo = std::min(lo, b);
      hi = std::max(hi, b);
    }
    EXPECT_LT(lo, d / 10) << "spread over the whole range";
    EXPECT_GT(hi, d - d / 10);
  }
}

TEST(Backoff, EqualJitterKeepsAtLeastHalf) {
  const auto p = policy(Jitter::equal);
  std::mt19937_64 rng(7);
  for (int failures = 1; failures <= 12; ++failures) {
    const int64_t d = exponential_ms(p, failures);
    for (int i = 0; i < 2000; ++i) {
      const int64_t b = backoff_ms(p, failures, rng());
      ASSERT_GE(b, d / 2);
      ASSERT_LE(b, d);
    }
  }
  EXPECT_EQ(backoff_ms(p, 1, 0), 500);
  EXPECT_EQ(backoff_ms(p, 1, 500), 1000);
}

TEST(Backoff, SeededRngIsReproducible) {
  const auto p = policy(Jitter::full);
  std::mt19937_64 a(1), b(1);
  for (int i = 1; i < 20; ++i) EXPECT_EQ(backoff_ms(p, i, a()), backoff_ms(p, i, b()));
}

TEST(Backoff, RetryAfterSecondsAndHttpDate) {
  EXPECT_EQ(parse_retry_after("120", 0), 120'000);
  EXPECT_EQ(parse_retry_after(" 0 ", 0), 0);
  // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 s.
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1'445'412'470'000), 10'000);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1'445'412'490'000), 0) << "in the past";
  EXPECT_FALSE(parse_retry_after("soon", 0));
  EXPECT_FALSE(parse_retry_after("-5", 0));
  EXPECT_FALSE(parse_retry_after("12abc", 0));
  EXPECT_FALSE(parse_retry_after("", 0));
}

TEST(Backoff, NextAttemptHonoursRetryAfterAndTheDeadline) {
  auto p = policy(Jitter::none);
  p.max_age_ms = 60'000;
  // Backoff 1 s, the receiver asks for 30 s: 30 s.
  EXPECT_EQ(next_attempt_at(p, 1, 0, 1000, 0, 30'000), 31'000);
  // The receiver asks for less than the backoff: the backoff.
  EXPECT_EQ(next_attempt_at(p, 3, 0, 1000, 0, 10), 5000);
  // Never after created + max_age: the last attempt happens in time.
  EXPECT_EQ(next_attempt_at(p, 1, 0, 50'000, 0, 30'000), 60'000);
  EXPECT_EQ(next_attempt_at(p, 1, 0, 70'000, 0, std::nullopt), 70'000) << "already past: now";
}

}  // namespace
}  // namespace journeyd::webhook
