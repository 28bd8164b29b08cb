#include "common/histogram.h"

#include <gtest/gtest.h>

namespace journeyd {
namespace {

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.percentile(0.5), 0);
  EXPECT_EQ(h.percentile(1.0), 0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.max(), 100);
  EXPECT_EQ(h.percentile(0.0), 1);
  EXPECT_EQ(h.percentile(0.5), 50);
  EXPECT_EQ(h.percentile(1.0), 100);
}

TEST(Histogram, PercentileIsAnUpperBoundWithinThreePercent) {
  Histogram h;
  for (int64_t v = 1; v <= 100'000; ++v) h.record(v);
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    const auto truth = static_cast<int64_t>(q * 99'999) + 1;
    const int64_t p = h.percentile(q);
    EXPECT_GE(p, truth) << "q=" << q;
    EXPECT_LE(static_cast<double>(p), static_cast<double>(truth) * 1.03) << "q=" << q;
  }
  EXPECT_EQ(h.percentile(1.0), 100'000);
}

TEST(Histogram, NeverExceedsMax) {
  Histogram h;
  h.record(1'000'001);
  EXPECT_EQ(h.percentile(0.5), 1'000'001);
  EXPECT_EQ(h.percentile(1.0), 1'000'001);
}

TEST(Histogram, LargeValues) {
  Histogram h;
  const int64_t big = 3'000'000'000'000;
  h.record(big);
  h.record(big * 2);
  EXPECT_EQ(h.max(), big * 2);
  const int64_t p = h.percentile(0.0);
  EXPECT_GE(p, big);
  EXPECT_LE(static_cast<double>(p), static_cast<double>(big) * 1.03);
}

TEST(Histogram, NegativeValuesCountAsZero) {
  Histogram h;
  h.record(-5);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.percentile(1.0), 0);
}

TEST(Histogram, SkewedDistribution) {
  Histogram h;
  for (int i = 0; i < 990; ++i) h.record(10);
  for (int i = 0; i < 10; ++i) h.record(5000);
  EXPECT_EQ(h.percentile(0.5), 10);
  EXPECT_EQ(h.percentile(0.98), 10);
  EXPECT_GE(h.percentile(0.995), 5000);
  EXPECT_EQ(h.percentile(1.0), 5000);
}

TEST(Histogram, Merge) {
  Histogram a, b;
  for (int v = 1; v <= 50; ++v) a.record(v);
  for (int v = 51; v <= 100; ++v) b.record(v);
  a.merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.max(), 100);
  EXPECT_EQ(a.percentile(0.5), 50);
  // 90 lies in the bucket [90, 91] (values 64..127 share buckets of width 2).
  EXPECT_GE(a.percentile(0.9), 90);
  EXPECT_LE(a.percentile(0.9), 91);
}

}  // namespace
}  // namespace journeyd
