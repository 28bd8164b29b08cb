#include "journey/rfm.h"

#include <array>
#include <string_view>

namespace journeyd::journey {
namespace {

constexpr std::array<const char*, kRfmSegments> kLabels = {
    "Champions",  "Loyal Customers", "Potential Loyalists", "New Customers",
    "Promising",  "Need Attention",  "About To Sleep",      "At Risk",
    "Can't Lose", "Hibernating"};

// Rows R = 5..1, columns F = 1..5 (docs/journeys.md).
using S = RfmSegment;
constexpr S kMap[5][5] = {
    {S::new_customers, S::potential_loyalists, S::potential_loyalists, S::champions, S::champions},
    {S::promising, S::potential_loyalists, S::potential_loyalists, S::loyal_customers, S::loyal_customers},
    {S::about_to_sleep, S::about_to_sleep, S::need_attention, S::loyal_customers, S::loyal_customers},
    {S::hibernating, S::hibernating, S::at_risk, S::at_risk, S::cant_lose},
    {S::hibernating, S::hibernating, S::at_risk, S::at_risk, S::cant_lose},
};

// 1 + the number of thresholds at or below v.
int ascending_score(const std::vector<double>& thresholds, double v) {
  int s = 1;
  for (double t : thresholds)
    if (v >= t) ++s;
  return std::min(s, 5);
}

}  // namespace

const char* to_string(RfmSegment s) {
  return kLabels[static_cast<size_t>(s)];
}

std::optional<RfmSegment> rfm_segment_from(std::string_view label) {
  for (size_t i = 0; i < kLabels.size(); ++i)
    if (label == kLabels[i]) return static_cast<RfmSegment>(i);
  return std::nullopt;
}

RfmScore rfm_score(const RfmSpec& spec, int64_t last_purchase, uint32_t purchases, double revenue,
                   int64_t now) {
  RfmScore s;
  const int64_t age = now - last_purchase;
  s.r = 1;
  for (size_t i = 0; i < spec.recency_ms.size(); ++i) {
    if (age < spec.recency_ms[i]) {
      s.r = 5 - static_cast<int>(i);
      break;
    }
  }
  s.f = ascending_score(spec.frequency, static_cast<double>(purchases));
  s.m = ascending_score(spec.monetary, revenue);
  s.segment = kMap[5 - s.r][s.f - 1];
  return s;
}

std::optional<int64_t> rfm_next_boundary(const RfmSpec& spec, int64_t last_purchase, int64_t now) {
  for (int64_t r : spec.recency_ms)
    if (last_purchase + r > now) return last_purchase + r;
  return std::nullopt;
}

}  // namespace journeyd::journey
