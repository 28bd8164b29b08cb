#include "event/decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <string>

#include "common/time_format.h"

namespace journeyd::event {
namespace {

using namespace simdjson;

constexpr size_t kMaxIdBytes = 256;

Rejection schema(std::string reason) {
  return {DlqCategory::schema_violation, std::move(reason)};
}

// Reads an optional string field into out. Returns an error reason or empty.
std::string read_string(ondemand::value v, std::string_view name, std::string& out) {
  std::string_view sv;
  if (v.type() == ondemand::json_type::null) return {};
  if (auto err = v.get_string().get(sv); err) return fmt::format("{} must be a string", name);
  out.assign(sv);
  return {};
}

std::optional<EventType> parse_type(std::string_view t) {
  if (t == "track") return EventType::track;
  if (t == "identify") return EventType::identify;
  if (t == "page") return EventType::page;
  if (t == "screen") return EventType::screen;
  if (t == "group") return EventType::group;
  if (t == "alias") return EventType::alias;
  return std::nullopt;
}

}  // namespace

const char* to_string(EventType t) {
  switch (t) {
    case EventType::track:
      return "track";
    case EventType::identify:
      return "identify";
    case EventType::page:
      return "page";
    case EventType::screen:
      return "screen";
    case EventType::group:
      return "group";
    case EventType::alias:
      return "alias";
  }
  return "unknown";
}

const char* to_string(DlqCategory c) {
  switch (c) {
    case DlqCategory::parse_error:
      return "parse_error";
    case DlqCategory::schema_violation:
      return "schema_violation";
    case DlqCategory::size_violation:
      return "size_violation";
    case DlqCategory::missing_identity:
      return "missing_identity";
    case DlqCategory::late_event:
      return "late_event";
  }
  return "unknown";
}

struct Decoder::Impl {
  DecoderOptions opts;
  ondemand::parser parser;
  std::string buffer;  // input copy with SIMDJSON_PADDING spare bytes
};

Decoder::Decoder(DecoderOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
}
Decoder::~Decoder() = default;

Decoded Decoder::decode(std::string_view json, int64_t fallback_time_ms) {
  if (json.size() > impl_->opts.max_event_bytes)
    return Rejection{DlqCategory::size_violation,
                     fmt::format("event is {} bytes, limit is {}", json.size(), impl_->opts.max_event_bytes)};
  auto& buf = impl_->buffer;
  buf.assign(json);
  buf.resize(json.size() + SIMDJSON_PADDING);
  padded_string_view input(buf.data(), json.size(), buf.size());

  ondemand::document doc;
  if (auto err = impl_->parser.iterate(input).get(doc); err)
    return Rejection{DlqCategory::parse_error, error_message(err)};
  ondemand::object obj;
  if (auto err = doc.get_object().get(obj); err)
    return Rejection{DlqCategory::parse_error, "event must be a JSON object"};

  Touchpoint tp;
  std::string type_str, name, timestamp, received_at;
  bool have_type = false;
  // One pass over the fields in document order; unknown fields are skipped
  // (Segment allows arbitrary extra fields). Validation of the whole document
  // happens as we go; errors surface as simdjson error codes.
  for (auto field : obj) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key); err)
      return Rejection{DlqCategory::parse_error, error_message(err)};
    ondemand::value v;
    if (auto err = field.value().get(v); err) return Rejection{DlqCategory::parse_error, error_message(err)};
    std::string reason;
    if (key == "type") {
      have_type = true;
      reason = read_string(v, "type", type_str);
    } else if (key == "event") {
      reason = read_string(v, "event", tp.event);
    } else if (key == "name") {
      reason = read_string(v, "name", name);
    } else if (key == "userId") {
      // Segment SDKs sometimes send numeric ids; accept them as their text.
      if (v.type() == ondemand::json_type::number) {
        std::string_view raw = v.raw_json_token();
        tp.user_id.assign(raw);
      } else {
        reason = read_string(v, "userId", tp.user_id);
      }
    } else if (key == "anonymousId") {
      reason = read_string(v, "anonymousId", tp.anonymous_id);
    } else if (key == "messageId") {
      reason = read_string(v, "messageId", tp.message_id);
    } else if (key == "timestamp") {
      reason = read_string(v, "timestamp", timestamp);
    } else if (key == "receivedAt") {
      reason = read_string(v, "receivedAt", received_at);
    }  // other fields are skipped (Segment allows any extra fields)
    if (!reason.empty()) return schema(std::move(reason));
  }

  if (!have_type) return schema("type is required");
  auto type = parse_type(type_str);
  if (!type) return schema(fmt::format("unknown type '{}'", type_str.substr(0, 64)));
  tp.type = *type;

  if (tp.user_id.empty() && tp.anonymous_id.empty())
    return Rejection{DlqCategory::missing_identity, "userId or anonymousId is required"};
  if (tp.user_id.size() > kMaxIdBytes || tp.anonymous_id.size() > kMaxIdBytes)
    return schema(fmt::format("userId/anonymousId longer than {} bytes", kMaxIdBytes));

  switch (tp.type) {
    case EventType::track:
      if (tp.event.empty()) return schema("event is required for type track");
      break;
    case EventType::page:
      tp.event = name.empty() ? "Page Viewed" : "Page Viewed: " + name;
      break;
    case EventType::screen:
      tp.event = name.empty() ? "Screen Viewed" : "Screen Viewed: " + name;
      break;
    default:
      tp.event.clear();
      break;
  }

  const std::string& ts = !timestamp.empty() ? timestamp : received_at;
  if (ts.empty()) {
    tp.timestamp = EventTime{fallback_time_ms};
  } else {
    auto ms = parse_iso8601(ts);
    if (!ms) return schema(fmt::format("timestamp '{}' is not ISO-8601", ts.substr(0, 64)));
    tp.timestamp = EventTime{*ms};
  }
  return tp;
}

}  // namespace journeyd::event
