#include "http/segment.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <random>
#include <unordered_map>
#include <variant>

#include "common/hash.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace journeyd::http {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr size_t kMaxIdBytes = 256;  // as the event decoder (src/event/decoder.cc)
constexpr int kMaxDepth = 64;        // as the event decoder: levels below a top-level field's value
constexpr std::array<std::string_view, 6> kTypes = {"track", "identify", "page", "screen", "group", "alias"};
// Fields the collector sets itself; everything else is forwarded as sent.
constexpr std::array<std::string_view, 7> kOwnFields = {
    "type", "timestamp", "originalTimestamp", "receivedAt", "messageId", "writeKey", "sentAt"};

IngestError bad(std::string code, std::string message) {
  return IngestError{400, std::move(code), std::move(message)};
}

// The value of `name` in `o`. A repeated key's last value wins, as in the event decoder (and
// JSON.parse, Go's encoding/json): the collector judges the event the pipeline will read.
simdjson::error_code member(const object& o, std::string_view name, element& out) {
  auto err = simdjson::NO_SUCH_FIELD;
  for (auto f : o)
    if (f.key == name) out = f.value, err = simdjson::SUCCESS;
  return err;
}

// True when `e`, at `depth` (a top-level field's value is 0), holds a value deeper than the decoder
// accepts: it would only reach the DLQ.
bool too_deep(const element& e, int depth) {
  if (depth > kMaxDepth) return true;
  object o;
  simdjson::dom::array a;
  if (e.get_object().get(o) == simdjson::SUCCESS) {
    for (auto f : o)
      if (too_deep(f.value, depth + 1)) return true;
  } else if (e.get_array().get(a) == simdjson::SUCCESS) {
    for (element c : a)
      if (too_deep(c, depth + 1)) return true;
  }
  return false;
}

std::string new_message_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng(), b = rng();
  return "jd-" + to_hex(a) + to_hex(b);
}

// An id field: a non-empty string, or a number (some SDKs send numeric ids) as its text.
std::optional<std::string> id_field(const object& o, std::string_view name, std::optional<IngestError>& err,
                                    size_t max_bytes = kMaxIdBytes) {
  element v;
  if (member(o, name, v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  std::string out;
  if (v.is_string())
    out = v.get_string().value_unsafe();
  else if (v.is_int64() || v.is_uint64())
    out = simdjson::minify(v);
  else
    err = bad("invalid_field", fmt::format("'{}' must be a string", name));
  if (out.size() > max_bytes) {
    // The pipeline's decoder refuses these: say so here instead of accepting what it will reject.
    err = bad("invalid_field", fmt::format("'{}' may have at most {} bytes", name, max_bytes));
    return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<std::string_view> string_field(const object& o, std::string_view name) {
  element v;
  if (member(o, name, v) != simdjson::SUCCESS || !v.is_string()) return std::nullopt;
  return v.get_string().value_unsafe();
}

// A time field: absent is fine, present must be ISO-8601.
std::optional<int64_t> time_field(const object& o, std::string_view name, std::optional<IngestError>& err) {
  element v;
  if (member(o, name, v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  std::optional<int64_t> t;
  if (v.is_string()) t = parse_iso8601(v.get_string().value_unsafe());
  if (!t) err = bad("invalid_timestamp", fmt::format("'{}' must be an ISO-8601 date-time", name));
  return t;
}

struct BatchDefaults {
  std::optional<int64_t> sent_at;
  std::string context;  // minified JSON, or empty
  std::string integrations;
};

// One event: validated and rewritten. `type` is the endpoint's, or empty to read it from the event.
std::variant<OutEvent, IngestError> normalize(const element& e, std::string_view type, int64_t received_at,
                                              const BatchDefaults& defaults, const SegmentLimits& limits) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS)
    return bad("invalid_event", "an event must be a JSON object");
  std::string t(type);
  if (t.empty()) {
    auto s = string_field(o, "type");
    if (!s) return bad("invalid_event", "'type' is required (track, identify, page, screen, group, alias)");
    t = *s;
  }
  if (!is_segment_type(t)) return bad("invalid_event", fmt::format("unknown type '{}'", t));

  std::optional<IngestError> err;
  const auto user = id_field(o, "userId", err);
  const auto anon = id_field(o, "anonymousId", err);
  if (err) return *err;
  if (!user && !anon) return bad("missing_identity", "either 'userId' or 'anonymousId' is required");
  if (t == "track") {
    auto ev = string_field(o, "event");
    if (!ev || ev->empty()) return bad("invalid_event", "'event' is required for track");
  }
  if (t == "alias" && (!user || !id_field(o, "previousId", err)))
    return err ? *err : bad("invalid_event", "alias needs 'userId' and 'previousId'");
  if (t == "group" && !id_field(o, "groupId", err, SIZE_MAX))
    return err ? *err : bad("invalid_event", "'groupId' is required for group");
  const auto ts = time_field(o, "timestamp", err);
  auto sent_at = time_field(o, "sentAt", err);
  if (err) return *err;
  if (!sent_at) sent_at = defaults.sent_at;
  // A numeric messageId is kept as its text; a long one is fine (the engine deduplicates by its hash).
  auto message_id = id_field(o, "messageId", err, SIZE_MAX);
  if (err) return *err;

  // Clock-skew correction (Segment): the device's clock is off by sentAt - receivedAt.
  int64_t timestamp = received_at;
  if (ts) timestamp = sent_at ? received_at - (*sent_at - *ts) : *ts;
  // A correction by an absurd sentAt can leave the years ISO-8601 writes (0000-9999): the decoder
  // could not read it back.
  if (!parse_iso8601(format_iso8601(timestamp)))
    return bad("invalid_timestamp",
               "'timestamp' corrected by 'sentAt' is not a date-time of years 0000-9999");

  std::string out;
  out.reserve(256);
  JsonWriter w(out);
  w.begin_object();
  bool has_context = false, has_integrations = false;
  // A repeated key is forwarded once, with its last value: the decoder reads every occurrence, and an
  // earlier one of the wrong type would send the event to the DLQ. (Found by tests/fuzz/http_fuzz.cc.)
  std::unordered_map<std::string_view, size_t> last;
  size_t index = 0;
  for (auto field : o) last[field.key] = index++;
  index = 0;
  for (auto field : o) {
    if (last[field.key] != index++) continue;
    if (std::find(kOwnFields.begin(), kOwnFields.end(), field.key) != kOwnFields.end()) continue;
    if (too_deep(field.value, 0))
      return bad("invalid_event", fmt::format("'{}' is nested deeper than {} levels", field.key, kMaxDepth));
    has_context |= field.key == "context";
    has_integrations |= field.key == "integrations";
    // An integer id is taken as its text (the decoder reads anonymousId and previousId as strings).
    const bool id = field.key == "userId" || field.key == "anonymousId" || field.key == "previousId";
    // The decoder reads these as strings (or null) whatever the type: anything else would be dead-lettered.
    if ((field.key == "event" || field.key == "name" || field.key == "previousId") &&
        !field.value.is_string() && !field.value.is_null() &&
        !(id && (field.value.is_int64() || field.value.is_uint64())))
      return bad("invalid_field", fmt::format("'{}' must be a string", field.key));
    if (id && (field.value.is_int64() || field.value.is_uint64()))
      w.field(field.key, simdjson::minify(field.value));
    else
      w.key(field.key).raw(simdjson::minify(field.value));
  }
  if (!has_context && !defaults.context.empty()) w.key("context").raw(defaults.context);
  if (!has_integrations && !defaults.integrations.empty()) w.key("integrations").raw(defaults.integrations);
  w.field("type", t).field("timestamp", format_iso8601(timestamp));
  if (ts) w.field("originalTimestamp", format_iso8601(*ts));
  if (sent_at) w.field("sentAt", format_iso8601(*sent_at));
  w.field("receivedAt", format_iso8601(received_at));
  w.field("messageId", message_id ? *message_id : new_message_id());
  w.end_object();
  if (out.size() > limits.max_event_bytes)
    return IngestError{413, "payload_too_large",
                       fmt::format("an event may have at most {} bytes ({} with the collector's fields)",
                                   limits.max_event_bytes, out.size())};
  return OutEvent{user ? *user : *anon, std::move(out)};
}

std::string minified_or_empty(const object& o, std::string_view name) {
  element v;
  if (member(o, name, v) != simdjson::SUCCESS || !v.is_object()) return {};
  return simdjson::minify(v);
}

}  // namespace

bool is_segment_type(std::string_view type) {
  return std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
}

SegmentRequest parse_segment(std::string_view endpoint, std::string_view body, int64_t received_at_ms,
                             const SegmentLimits& limits) {
  SegmentRequest r;
  const bool batch = endpoint == "batch";
  const size_t limit = batch ? limits.max_batch_bytes : limits.max_event_bytes;
  if (body.size() > limit) {  // nothing is parsed: no writeKey either
    r.body_read = false;
    r.error = IngestError{413, "payload_too_large",
                          fmt::format("{} may have at most {} bytes; this one has {}",
                                      batch ? "a batch" : "an event", limit, body.size())};
    return r;
  }
  thread_local simdjson::dom::parser parser;
  element doc;
  if (auto e = parser.parse(body.data(), body.size()).get(doc); e != simdjson::SUCCESS) {
    r.error = bad("invalid_json", fmt::format("the body is not valid JSON: {}", simdjson::error_message(e)));
    return r;
  }
  object top;
  if (doc.get_object().get(top) != simdjson::SUCCESS) {
    r.error = bad("invalid_json", "the body must be a JSON object");
    return r;
  }
  if (auto k = string_field(top, "writeKey")) r.write_key = *k;

  auto take = [&](std::variant<OutEvent, IngestError> v, size_t index) {
    if (auto* ev = std::get_if<OutEvent>(&v))
      r.events.push_back(std::move(*ev));
    else
      r.rejected.push_back({index, std::get<IngestError>(std::move(v))});
  };
  if (!batch) {
    take(normalize(doc, endpoint, received_at_ms, {}, limits), 0);
    if (!r.rejected.empty()) r.error = std::move(r.rejected.front().error), r.rejected.clear();
    return r;
  }
  simdjson::dom::array items;
  element batch_value;
  if (member(top, "batch", batch_value) != simdjson::SUCCESS ||
      batch_value.get_array().get(items) != simdjson::SUCCESS) {
    r.error = bad("invalid_batch", "'batch' must be an array of events");
    return r;
  }
  BatchDefaults defaults;
  std::optional<IngestError> err;
  defaults.sent_at = time_field(top, "sentAt", err);
  if (err) {
    r.error = std::move(err);
    return r;
  }
  defaults.context = minified_or_empty(top, "context");
  defaults.integrations = minified_or_empty(top, "integrations");
  size_t i = 0;
  for (element item : items) take(normalize(item, "", received_at_ms, defaults, limits), i++);
  if (r.events.empty() && !r.rejected.empty()) {
    // Nothing usable: refuse the request with the first problem (every one is listed too).
    r.error = r.rejected.front().error;
    r.error->message = fmt::format("batch[{}]: {}", r.rejected.front().index, r.error->message);
  } else if (i == 0) {
    r.error = bad("invalid_batch", "'batch' is empty");
  }
  return r;
}

}  // namespace journeyd::http
