#include "http/rate_limit.h"

#include <gtest/gtest.h>

namespace journeyd::http {
namespace {

TEST(RateLimiter, BurstOfOneSecondThenRetryAfter) {
  ManualClock clock(1'000'000);
  RateLimiter lim(10, clock);
  EXPECT_EQ(lim.take("k", 10), 0);     // the burst
  EXPECT_GT(lim.take("k", 1), 0);      // empty bucket: wait
  EXPECT_EQ(lim.take("other", 5), 0);  // buckets are per key
  clock.advance(500);
  EXPECT_EQ(lim.take("k", 5), 0);  // refilled by 5
  EXPECT_GT(lim.take("k", 1), 0);
}

TEST(RateLimiter, ABigBatchPassesIntoDebtAndTheNextRequestsWait) {
  ManualClock clock(0);
  RateLimiter lim(10, clock);
  EXPECT_EQ(lim.take("k", 35), 0);  // never starved for being larger than the bucket
  EXPECT_EQ(lim.take("k", 1), 3);   // 25 tokens of debt at 10/s: ~3 s
  clock.advance(3000);
  EXPECT_EQ(lim.take("k", 1), 0);
}

TEST(RateLimiter, ZeroIsUnlimited) {
  ManualClock clock(0);
  RateLimiter lim(0, clock);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(lim.take("k", 1000), 0);
}

}  // namespace
}  // namespace journeyd::http
