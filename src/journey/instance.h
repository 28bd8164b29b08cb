// Per-customer journey state and its compact binary encoding (varints, deltas).
//
// windowFunnel progress is O(steps): levels[k] holds the chain (identified by
// the time of its step-1 event) that most recently reached step k, and when.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace journeyd::journey {

struct Level {
  int64_t start = kNoTime;  // step-1 time of the chain that reached this level
  int64_t at = kNoTime;     // when it reached this level
  bool set() const { return start != kNoTime; }
  friend bool operator==(const Level&, const Level&) = default;
};

struct Instance {
  uint32_t version = 0;
  std::vector<Level> levels;   // one per step; set levels form a prefix
  std::vector<int64_t> fired;  // per drop-off rule: the chain it last fired for (kNoTime: none)
  bool empty() const { return levels.empty() || !levels[0].set(); }
  friend bool operator==(const Instance&, const Instance&) = default;
};

std::string encode_instance(const Instance& in);
std::optional<Instance> decode_instance(std::string_view bytes, size_t steps, size_t rules);

// The customer record (customers column family).
struct CustomerRecord {
  int64_t last_seen = kNoTime;
  friend bool operator==(const CustomerRecord&, const CustomerRecord&) = default;
};
std::string encode_customer(const CustomerRecord& c);
std::optional<CustomerRecord> decode_customer(std::string_view bytes);

}  // namespace journeyd::journey
