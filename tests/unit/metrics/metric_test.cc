#include "metrics/metric.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

namespace journeyd::metrics {
namespace {

TEST(Counter, StartsAtZeroAndOnlyGoesUp) {
  Counter c;
  EXPECT_EQ(c.value(), 0);
  c.inc();
  c.inc(2.5);
  c.inc(-7);
  c.inc(NAN);
  EXPECT_EQ(c.value(), 3.5);
}

TEST(Counter, ConcurrentIncrementsSumExactly) {
  Counter c;
  constexpr int kThreads = 4, kPerThread = 50'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) c.inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), kThreads * kPerThread);
}

TEST(Gauge, SetIncDec) {
  Gauge g;
  g.set(10);
  g.inc();
  g.inc(4);
  g.dec(2.5);
  g.dec();
  EXPECT_EQ(g.value(), 11.5);
  g.set(-3);
  EXPECT_EQ(g.value(), -3);
}

TEST(Gauge, ConcurrentIncDecBalance) {
  Gauge g;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20'000; ++i) t % 2 == 0 ? g.inc() : g.dec();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(g.value(), 0);
}

TEST(Histogram, BucketsAreCumulativeAndBoundsInclusive) {
  Histogram h({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 3.0, 100.0}) h.observe(v);
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_EQ(s.sum, 108);
}

TEST(Histogram, NanGoesToInfBucket) {
  Histogram h({1});
  h.observe(NAN);
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{0, 1}));
  EXPECT_TRUE(std::isnan(s.sum));
}

TEST(Histogram, NoBoundsHasOnlyInf) {
  Histogram h({});
  h.observe(-1);
  EXPECT_EQ(h.snapshot().cumulative, (std::vector<uint64_t>{1}));
}

TEST(Histogram, ConcurrentObserveCountsExactly) {
  Histogram h(latency_buckets_seconds());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) h.observe(0.25);
    });
  }
  for (auto& t : threads) t.join();
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 80'000u);
  EXPECT_EQ(s.sum, 20'000.0);
  EXPECT_EQ(s.cumulative[7], 0u);       // le=0.1
  EXPECT_EQ(s.cumulative[8], 80'000u);  // le=0.25
}

TEST(Buckets, Helpers) {
  const auto l = latency_buckets_seconds();
  EXPECT_EQ(l.front(), 0.0005);
  EXPECT_EQ(l.back(), 10);
  EXPECT_TRUE(std::is_sorted(l.begin(), l.end()));
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_EQ(linear_buckets(0, 5, 3), (std::vector<double>{0, 5, 10}));
  EXPECT_THROW(exponential_buckets(0, 2, 3), std::invalid_argument);
  EXPECT_THROW(exponential_buckets(1, 1, 3), std::invalid_argument);
  EXPECT_THROW(linear_buckets(0, 1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace journeyd::metrics
