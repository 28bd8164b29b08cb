// A decoded Segment-spec event. Strings are owned (copied out of the parser's
// buffer) so a Touchpoint outlives the Kafka message it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace journeyd::event {

enum class EventType : uint8_t { track, identify, page, screen, group, alias };

const char* to_string(EventType t);

// A scalar field of the event addressable by `where` conditions: the scalar
// leaves of `properties`, `context` and `traits` (nested objects joined with
// dots, e.g. "context.page.path"). Arrays are not addressable.
struct FieldValue {
  enum class Type : uint8_t { null, boolean, number, string };
  Type type = Type::null;
  bool boolean = false;
  double number = 0;
  std::string_view string;  // points into the owning Fields
};

// Flat, append-only list of fields with one text arena (few allocations per event).
class Fields {
 public:
  void add_null(std::string_view path);
  void add_bool(std::string_view path, bool v);
  void add_number(std::string_view path, double v);
  void add_string(std::string_view path, std::string_view v);
  // The last value added under `path`, if any.
  std::optional<FieldValue> get(std::string_view path) const;
  size_t size() const { return entries_.size(); }
  // Calls f(path, value) for every field in the order they were added (event/privacy.cc rebuilds
  // the fields with some values hashed or removed).
  template <class F>
  void for_each(F&& f) const {
    const std::string_view text = text_;
    for (const auto& e : entries_) {
      FieldValue v{e.type, e.boolean, e.number, {}};
      if (e.type == FieldValue::Type::string) v.string = text.substr(e.str_off, e.str_len);
      f(text.substr(e.path_off, e.path_len), v);
    }
  }
  // Room for `entries` fields and `text_bytes` of paths and strings without
  // reallocating (the decoder sizes it from the event once).
  void reserve(size_t entries, size_t text_bytes) {
    entries_.reserve(entries);
    text_.reserve(text_bytes);
  }
  void clear() {
    text_.clear();
    entries_.clear();
  }

 private:
  struct Entry {
    uint32_t path_off, path_len;
    FieldValue::Type type;
    bool boolean;
    double number;
    uint32_t str_off, str_len;
  };
  uint32_t append(std::string_view s);
  std::string text_;
  std::vector<Entry> entries_;
};

struct Touchpoint {
  EventType type = EventType::track;
  // For track: the event name. For page/screen: "Page Viewed: <name>" /
  // "Screen Viewed: <name>" (or "Page Viewed" without a name), so journey steps
  // can match them like any event. Empty for identify/group/alias.
  std::string event;
  std::string user_id;
  std::string anonymous_id;
  std::string message_id;
  std::string previous_id;  // alias: the id being linked to userId
  EventTime timestamp{0};
  Fields fields;  // properties.*, context.*, traits.*

  // The customer this event belongs to: userId if present, else anonymousId.
  std::string_view customer() const { return user_id.empty() ? anonymous_id : user_id; }
};

}  // namespace journeyd::event
