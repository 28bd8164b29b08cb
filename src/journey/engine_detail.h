// Internals shared by engine*.cc and emit.cc (not part of the engine's API).
#pragma once

#include <functional>
#include <string>

#include "common/json_writer.h"
#include "journey/engine.h"
#include "state/keys.h"

namespace journeyd::journey {

// Timer rule codes (u16 in the timer key): drop-off rules by index, then one per kind.
inline constexpr uint16_t kRuleSla = 0x7001;
inline constexpr uint16_t kRuleInactivity = 0x7002;
inline constexpr uint16_t kRuleRfm = 0x7003;
inline constexpr uint16_t kRuleTrigger = 0x7004;  // only ever deferred
inline constexpr uint16_t kDeferred = 0x8000;     // | the rule code of the deferred action

// A timer taken from the store. Value layout: svarint(due) | svarint(aux) | payload.
struct Engine::Timer {
  state::TimerKey key;  // key.due is the firing time (due + the definition's grace)
  int64_t due = 0;      // the deadline itself
  int64_t aux = 0;      // per rule: the level time of a drop-off, …
  std::string payload;  // deferred actions: the record
};

// What fired, for records and ids.
struct Engine::Decision {
  const char* trigger = "";  // dropoff | event | sla_breach | inactivity | rfm_segment
  std::string rule;          // the rule's identity (part of the id)
  std::string occurrence;    // which occurrence of the rule (part of the id)
  int64_t at = 0;            // the event time the rule fired for
  uint16_t rule_code = 0;
  std::function<void(JsonWriter&)> fields;  // trigger-specific fields
};

// The "type" of an action record this engine wrote (`{"action_id":"…","type":"…",…}`).
inline std::string_view action_type_of(std::string_view record) {
  constexpr std::string_view kKey = "\"type\":\"";
  const auto at = record.find(kKey);
  if (at == std::string_view::npos) return "unknown";
  const auto from = at + kKey.size();
  const auto to = record.find('"', from);
  return to == std::string_view::npos ? "unknown" : record.substr(from, to - from);
}

}  // namespace journeyd::journey
