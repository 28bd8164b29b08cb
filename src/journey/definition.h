// A parsed journey definition (streams/*.yaml). Immutable once loaded; shared
// read-only by the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace journeyd::journey {

struct Step {
  std::string id;
  std::string event;  // event name that reaches this step
};

// What a drop-off emits: an action (for marketing automation) and/or an alert (for ops).
struct ActionSpec {
  std::string type;
  std::string payload_json = "{}";  // the YAML payload, converted to JSON
};
struct AlertSpec {
  std::string severity = "warning";
};

struct DropoffRule {
  size_t after_step = 0;  // index into steps; never the last step
  int64_t for_ms = 0;     // fires when step after_step+1 is not reached by t(after_step) + for_ms
  std::optional<ActionSpec> action;
  std::optional<AlertSpec> alert;
};

enum class OrderMode { ordered };

struct JourneyDef {
  std::string id;
  uint32_t version = 1;
  std::string description;
  std::vector<Step> steps;
  int64_t window_ms = 0;  // conversion window from the step-1 event
  OrderMode order = OrderMode::ordered;
  std::vector<DropoffRule> dropoffs;
  std::string file;  // where it came from (for messages)
};

}  // namespace journeyd::journey
