// Per-customer state and its compact binary encodings (varints, deltas).
//
// One State per customer × definition (column family `instances`); which parts
// are used depends on the definition's kind. A journey's windowFunnel progress
// is O(steps): levels[k] holds the chain (identified by the time of its step-1
// event) that most recently reached step k, and when.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "journey/definition.h"

namespace journeyd::journey {

struct Level {
  int64_t start = kNoTime;  // step-1 time of the chain that reached this level
  int64_t at = kNoTime;     // when it reached this level
  bool set() const { return start != kNoTime; }
  friend bool operator==(const Level&, const Level&) = default;
};

enum class Status : uint8_t { none = 0, active = 1, converted = 2, exited = 3, stopped = 4 };

struct JourneyState {
  Status status = Status::none;
  int64_t ended_at = kNoTime;
  std::vector<Level> levels;   // one per step; set levels form a prefix
  std::vector<int64_t> fired;  // per drop-off rule: the chain it last fired for (kNoTime: none)
  friend bool operator==(const JourneyState&, const JourneyState&) = default;
};

struct SlaState {
  int64_t opened_at = kNoTime;  // start of the open clock
  friend bool operator==(const SlaState&, const SlaState&) = default;
};

struct ChurnState {
  int64_t armed_due = kNoTime;  // pending inactivity timer
  int64_t last_purchase = kNoTime;
  uint32_t purchases = 0;
  double revenue = 0;
  uint8_t segment = 0;          // 0: none, else RfmSegment + 1
  int64_t rfm_armed = kNoTime;  // pending recency timer
  friend bool operator==(const ChurnState&, const ChurnState&) = default;
};

struct State {
  uint32_t version = 0;  // of the definition the state follows; 0: never touched
  JourneyState journey;
  SlaState sla;
  ChurnState churn;
  std::vector<int64_t> sent;  // event times of the last actions sent (caps), oldest first
  bool empty() const { return version == 0; }
  friend bool operator==(const State&, const State&) = default;
};

// A fresh state for `def` (levels and fired sized to it).
State fresh_state(const Definition& def);
std::string encode_state(const State& s, Kind kind);
// `def` must be the definition of the version the state names (see state_version).
std::optional<State> decode_state(std::string_view bytes, const Definition& def);
std::optional<uint32_t> state_version(std::string_view bytes);

// The customer record (customers column family).
struct CustomerRecord {
  int64_t last_seen = kNoTime;
  std::string timezone;  // the last context.timezone the customer sent
  // Ids linked to this customer (identify, alias), first ones first; at most kMaxAliases are kept
  // (the query API lists them, an erasure removes their links).
  std::vector<std::string> aliases;
  static constexpr size_t kMaxAliases = 32;
  friend bool operator==(const CustomerRecord&, const CustomerRecord&) = default;
};
std::string encode_customer(const CustomerRecord& c);
std::optional<CustomerRecord> decode_customer(std::string_view bytes);

}  // namespace journeyd::journey
