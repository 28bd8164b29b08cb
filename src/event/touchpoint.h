// A decoded Segment-spec event. Strings are owned (copied out of the parser's
// buffer) so a Touchpoint outlives the Kafka message it came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"

namespace journeyd::event {

enum class EventType : uint8_t { track, identify, page, screen, group, alias };

const char* to_string(EventType t);

struct Touchpoint {
  EventType type = EventType::track;
  // For track: the event name. For page/screen: "Page Viewed: <name>" /
  // "Screen Viewed: <name>" (or "Page Viewed" without a name), so journey steps
  // can match them like any event. Empty for identify/group/alias.
  std::string event;
  std::string user_id;
  std::string anonymous_id;
  std::string message_id;
  EventTime timestamp{0};

  // The customer this event belongs to: userId if present, else anonymousId.
  std::string_view customer() const { return user_id.empty() ? anonymous_id : user_id; }
};

}  // namespace journeyd::event
