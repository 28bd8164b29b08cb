// Why an event was rejected. Each category is a DLQ record's `category` and a
// label of the rejected-events metric.
#pragma once

#include <string>

namespace journeyd::event {

enum class DlqCategory : uint8_t {
  parse_error,       // not JSON
  schema_violation,  // JSON, but not a valid Segment event
  size_violation,    // larger than engine.max_event_bytes
  missing_identity,  // neither userId nor anonymousId
  late_event,        // older than the customer's last event by more than the grace
};

const char* to_string(DlqCategory c);

struct Rejection {
  DlqCategory category;
  std::string reason;
};

}  // namespace journeyd::event
