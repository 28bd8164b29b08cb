// RFM scoring and the standard segment map (docs/journeys.md "churn").
#pragma once

#include <cstdint>
#include <optional>

#include "journey/definition.h"

namespace journeyd::journey {

enum class RfmSegment : uint8_t {
  champions,
  loyal_customers,
  potential_loyalists,
  new_customers,
  promising,
  need_attention,
  about_to_sleep,
  at_risk,
  cant_lose,
  hibernating,
};
inline constexpr int kRfmSegments = 10;

const char* to_string(RfmSegment s);
std::optional<RfmSegment> rfm_segment_from(std::string_view label);

struct RfmScore {
  int r = 1, f = 1, m = 1;
  RfmSegment segment = RfmSegment::hibernating;
};

// Scores a customer whose last purchase was at `last_purchase`, evaluated at `now`.
RfmScore rfm_score(const RfmSpec& spec, int64_t last_purchase, uint32_t purchases, double revenue,
                   int64_t now);
// The next time after `now` at which the recency score changes, if any.
std::optional<int64_t> rfm_next_boundary(const RfmSpec& spec, int64_t last_purchase, int64_t now);

}  // namespace journeyd::journey
