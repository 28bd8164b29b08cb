#include "journey/rfm.h"

#include <gtest/gtest.h>

namespace journeyd::journey {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kT0 = 1'795'341'600'000;

// The defaults of docs/journeys.md.
RfmSpec spec() {
  RfmSpec s;
  s.recency_ms = {14 * kDay, 30 * kDay, 90 * kDay, 180 * kDay};
  s.frequency = {2, 3, 5, 10};
  s.monetary = {50, 100, 250, 1000};
  return s;
}

int r_at(int64_t age) {
  return rfm_score(spec(), kT0, 1, 0, kT0 + age).r;
}

TEST(Rfm, RecencyScoresAtThresholds) {
  // < 14d scores 5, < 30d 4, < 90d 3, < 180d 2, else 1.
  EXPECT_EQ(r_at(0), 5);
  EXPECT_EQ(r_at(14 * kDay - 1), 5);
  EXPECT_EQ(r_at(14 * kDay), 4);
  EXPECT_EQ(r_at(30 * kDay - 1), 4);
  EXPECT_EQ(r_at(30 * kDay), 3);
  EXPECT_EQ(r_at(90 * kDay - 1), 3);
  EXPECT_EQ(r_at(90 * kDay), 2);
  EXPECT_EQ(r_at(180 * kDay - 1), 2);
  EXPECT_EQ(r_at(180 * kDay), 1);
  EXPECT_EQ(r_at(1000 * kDay), 1);
}

TEST(Rfm, FrequencyAndMonetaryScoresAtThresholds) {
  // purchases: < 2 scores 1, ≥ 2 2, ≥ 3 3, ≥ 5 4, ≥ 10 5; revenue the same way.
  const std::vector<std::pair<uint32_t, int>> f = {{0, 1}, {1, 1}, {2, 2},  {3, 3},   {4, 3},
                                                   {5, 4}, {9, 4}, {10, 5}, {1000, 5}};
  for (auto [purchases, want] : f) EXPECT_EQ(rfm_score(spec(), kT0, purchases, 0, kT0).f, want) << purchases;
  const std::vector<std::pair<double, int>> m = {{0, 1},     {49.99, 1}, {50, 2},  {99.5, 2}, {100, 3},
                                                 {249.9, 3}, {250, 4},   {999, 4}, {1000, 5}, {1e9, 5}};
  for (auto [revenue, want] : m) EXPECT_EQ(rfm_score(spec(), kT0, 1, revenue, kT0).m, want) << revenue;
}

TEST(Rfm, SegmentTable) {
  // docs/journeys.md: rows R = 5..1, columns F = 1..5.
  using S = RfmSegment;
  const S table[5][5] = {
      {S::new_customers, S::potential_loyalists, S::potential_loyalists, S::champions, S::champions},
      {S::promising, S::potential_loyalists, S::potential_loyalists, S::loyal_customers, S::loyal_customers},
      {S::about_to_sleep, S::about_to_sleep, S::need_attention, S::loyal_customers, S::loyal_customers},
      {S::hibernating, S::hibernating, S::at_risk, S::at_risk, S::cant_lose},
      {S::hibernating, S::hibernating, S::at_risk, S::at_risk, S::cant_lose},
  };
  const int64_t age_for_r[6] = {0, 200 * kDay, 100 * kDay, 40 * kDay, 20 * kDay, 0};  // index = R
  const uint32_t purchases_for_f[6] = {0, 1, 2, 3, 5, 10};                            // index = F
  for (int r = 5; r >= 1; --r) {
    for (int f = 1; f <= 5; ++f) {
      const auto s = rfm_score(spec(), kT0, purchases_for_f[f], 75, kT0 + age_for_r[r]);
      EXPECT_EQ(s.r, r);
      EXPECT_EQ(s.f, f);
      EXPECT_EQ(s.m, 2);
      EXPECT_EQ(s.segment, table[5 - r][f - 1]) << "R" << r << " F" << f << ": " << to_string(s.segment);
    }
  }
}

TEST(Rfm, SegmentLabels) {
  EXPECT_STREQ(to_string(RfmSegment::cant_lose), "Can't Lose");
  EXPECT_STREQ(to_string(RfmSegment::at_risk), "At Risk");
  for (int i = 0; i < kRfmSegments; ++i) {
    const auto s = static_cast<RfmSegment>(i);
    EXPECT_EQ(rfm_segment_from(to_string(s)), s) << to_string(s);
  }
  EXPECT_FALSE(rfm_segment_from("at risk"));
  EXPECT_FALSE(rfm_segment_from(""));
}

TEST(Rfm, NextBoundaryIsTheNextRecencyThreshold) {
  const auto s = spec();
  EXPECT_EQ(rfm_next_boundary(s, kT0, kT0), kT0 + 14 * kDay);
  EXPECT_EQ(rfm_next_boundary(s, kT0, kT0 + 14 * kDay - 1), kT0 + 14 * kDay);
  EXPECT_EQ(rfm_next_boundary(s, kT0, kT0 + 14 * kDay), kT0 + 30 * kDay);  // strictly after now
  EXPECT_EQ(rfm_next_boundary(s, kT0, kT0 + 100 * kDay), kT0 + 180 * kDay);
  EXPECT_FALSE(rfm_next_boundary(s, kT0, kT0 + 180 * kDay));
  // At each boundary the recency score changes, and only there.
  int boundaries = 0;
  for (int64_t now = kT0;; ++boundaries) {
    const auto next = rfm_next_boundary(s, kT0, now);
    if (!next) break;
    EXPECT_EQ(rfm_score(s, kT0, 1, 0, *next - 1).r, rfm_score(s, kT0, 1, 0, now).r);
    EXPECT_EQ(rfm_score(s, kT0, 1, 0, *next).r, rfm_score(s, kT0, 1, 0, now).r - 1);
    now = *next;
  }
  EXPECT_EQ(boundaries, 4);
}

}  // namespace
}  // namespace journeyd::journey
