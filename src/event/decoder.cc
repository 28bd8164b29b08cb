#include "event/decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace journeyd::event {
namespace {

using namespace simdjson;

constexpr size_t kMaxIdBytes = 256;

Rejection schema(std::string reason) {
  return {DlqCategory::schema_violation, std::move(reason)};
}

constexpr int kMaxDepth = 64;

// DEPTH_ERROR comes from our own nesting limit, not from the JSON: valid JSON
// nested deeper than an event should be is a schema violation.
Rejection parse_error(error_code err) {
  if (err == DEPTH_ERROR)
    return {DlqCategory::schema_violation, fmt::format("nested deeper than {} levels", kMaxDepth)};
  return {DlqCategory::parse_error, error_message(err)};
}

// A scalar document is one token: after it only whitespace may follow. (simdjson
// 3.0 does not check this for every scalar type.)
bool is_json_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// simdjson's raw_json_token() includes the whitespace after the token.
std::string_view trim_trailing_ws(std::string_view t) {
  while (!t.empty() && is_json_ws(t.back())) t.remove_suffix(1);
  return t;
}

bool scalar_document_is_complete(std::string_view json) {
  const auto ws = is_json_ws;
  size_t i = 0;
  while (i < json.size() && ws(json[i])) ++i;
  if (i < json.size() && json[i] == '"') {  // a string: find its closing quote
    for (++i; i < json.size() && json[i] != '"'; ++i)
      if (json[i] == '\\') ++i;
    ++i;
  } else {
    while (i < json.size() && !ws(json[i])) ++i;
  }
  while (i < json.size() && ws(json[i])) ++i;
  return i >= json.size();
}

template <class V>
error_code validate_number(V& v) {
  if (v.get_number().error() == SUCCESS) return SUCCESS;
  return is_json_number(trim_trailing_ws(v.raw_json_token())) ? SUCCESS : NUMBER_ERROR;
}

template <class V>
error_code validate_null(V& v) {
  bool is_null = false;
  if (auto err = v.is_null().get(is_null)) return err;
  return is_null ? SUCCESS : N_ATOM_ERROR;
}

// Visits a value completely so that malformed JSON anywhere in the event is a
// parse_error (on-demand parsing otherwise validates only what it reads).
error_code validate(ondemand::value v, int depth = 0) {
  if (depth > kMaxDepth) return DEPTH_ERROR;
  ondemand::json_type t;
  if (auto err = v.type().get(t)) return err;
  switch (t) {
    case ondemand::json_type::object: {
      ondemand::object o;
      if (auto err = v.get_object().get(o)) return err;
      for (auto f : o) {
        std::string_view k;
        if (auto err = f.unescaped_key().get(k)) return err;
        ondemand::value fv;
        if (auto err = f.value().get(fv)) return err;
        if (auto err = validate(fv, depth + 1)) return err;
      }
      return SUCCESS;
    }
    case ondemand::json_type::array: {
      ondemand::array a;
      if (auto err = v.get_array().get(a)) return err;
      for (auto e : a) {
        ondemand::value ev;
        if (auto err = e.get(ev)) return err;
        if (auto err = validate(ev, depth + 1)) return err;
      }
      return SUCCESS;
    }
    case ondemand::json_type::number:
      return validate_number(v);
    case ondemand::json_type::string:
      return v.get_string().error();
    case ondemand::json_type::boolean:
      return v.get_bool().error();
    case ondemand::json_type::null:
      return validate_null(v);
  }
  return INCORRECT_TYPE;
}

// Limits on what collect() records into Touchpoint::fields. Whatever is not
// recorded is still validated.
constexpr size_t kMaxFields = 64;   // per event
constexpr int kMaxFieldLevels = 4;  // path segments below properties/context/traits
constexpr size_t kMaxFieldStringBytes = 1024;
constexpr size_t kMaxFieldPathBytes = 512;  // no `where` condition names a longer path

// The dotted path of the value being visited, in a buffer reused for every
// event: appending a key is a memcpy, going back up is setting the length.
class FieldPath {
 public:
  explicit FieldPath(std::string& buffer) : buf_(buffer) {
    if (buf_.size() < kMaxFieldPathBytes) buf_.resize(kMaxFieldPathBytes);
  }
  std::string_view view() const { return {buf_.data(), len_}; }
  size_t size() const { return len_; }
  // Appends `sep` (unless 0) and `s`; false (and unchanged) when the path would be too long.
  bool push(char sep, std::string_view s) {
    const size_t n = len_ + (sep != 0) + s.size();
    if (n > kMaxFieldPathBytes) return false;
    if (sep != 0) buf_[len_++] = sep;
    std::memcpy(buf_.data() + len_, s.data(), s.size());
    len_ = n;
    return true;
  }
  void truncate(size_t len) { len_ = len; }

 private:
  std::string& buf_;  // kMaxFieldPathBytes long; only [0, len_) is the path
  size_t len_ = 0;
};

// Where collect() records.
struct FieldSink {
  Fields& fields;
  FieldPath path;
};

// A number simdjson does not represent (a 30-digit id) is still valid JSON: it
// is recorded as the nearest double; one beyond double's range (1e400) is not recorded.
error_code collect_number(ondemand::value v, FieldSink& sink) {
  ondemand::number n;
  if (v.get_number().get(n) == SUCCESS) {
    sink.fields.add_number(sink.path.view(), n.as_double());
    return SUCCESS;
  }
  const std::string_view raw = trim_trailing_ws(v.raw_json_token());
  if (!is_json_number(raw)) return NUMBER_ERROR;
  double d = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), d);
  if (ec == std::errc() && end == raw.data() + raw.size() && std::isfinite(d))
    sink.fields.add_number(sink.path.view(), d);
  return SUCCESS;
}

// validate() that also records the scalar leaves below one of the top-level
// objects properties/context/traits into sink.fields under their dotted path.
// `v` is the value at sink.path; `depth` counts JSON nesting as validate() does,
// `level` the path segments below the top-level object (0: the object itself).
// Arrays, and anything beyond the limits above, are validated but not recorded.
error_code collect(ondemand::value v, int depth, int level, FieldSink& sink) {
  if (depth > kMaxDepth) return DEPTH_ERROR;
  if (sink.fields.size() >= kMaxFields) return validate(v, depth);
  ondemand::json_type t;
  if (auto err = v.type().get(t)) return err;
  if (t == ondemand::json_type::object) {
    if (level == kMaxFieldLevels) return validate(v, depth);  // its members would be too deep
    ondemand::object o;
    if (auto err = v.get_object().get(o)) return err;
    for (auto f : o) {
      std::string_view k;
      if (auto err = f.unescaped_key().get(k)) return err;
      ondemand::value fv;
      if (auto err = f.value().get(fv)) return err;
      const size_t len = sink.path.size();
      const error_code err =
          sink.path.push('.', k) ? collect(fv, depth + 1, level + 1, sink) : validate(fv, depth + 1);
      sink.path.truncate(len);
      if (err) return err;
    }
    return SUCCESS;
  }
  if (level == 0 || t == ondemand::json_type::array) return validate(v, depth);
  switch (t) {
    case ondemand::json_type::number:
      return collect_number(v, sink);
    case ondemand::json_type::string: {
      std::string_view s;
      if (auto err = v.get_string().get(s)) return err;
      if (s.size() <= kMaxFieldStringBytes) sink.fields.add_string(sink.path.view(), s);
      return SUCCESS;
    }
    case ondemand::json_type::boolean: {
      bool b = false;
      if (auto err = v.get_bool().get(b)) return err;
      sink.fields.add_bool(sink.path.view(), b);
      return SUCCESS;
    }
    case ondemand::json_type::null:
      if (auto err = validate_null(v)) return err;
      sink.fields.add_null(sink.path.view());
      return SUCCESS;
    default:
      return INCORRECT_TYPE;
  }
}

// Reads an optional string field into out (null: empty). A repeated key's last value wins, a
// null one too (as JSON.parse and the collector read it).
std::optional<Rejection> read_string(ondemand::value v, std::string_view name, std::string& out) {
  ondemand::json_type t;
  if (auto err = v.type().get(t)) return parse_error(err);
  if (t == ondemand::json_type::null) {
    if (auto err = validate_null(v)) return parse_error(err);
    out.clear();
    return std::nullopt;
  }
  if (t != ondemand::json_type::string) {
    if (auto err = validate(v)) return parse_error(err);
    return schema(fmt::format("{} must be a string", name));
  }
  std::string_view sv;
  if (auto err = v.get_string().get(sv)) return parse_error(err);
  out.assign(sv);
  return std::nullopt;
}

// userId may be a string or a number (some SDKs send numeric ids): keep the number's text.
std::optional<Rejection> read_id(ondemand::value v, std::string_view name, std::string& out) {
  ondemand::json_type t;
  if (auto err = v.type().get(t)) return parse_error(err);
  if (t != ondemand::json_type::number) return read_string(v, name, out);
  const std::string_view raw = trim_trailing_ws(v.raw_json_token());
  if (auto err = validate_number(v)) return parse_error(err);
  out.assign(raw);
  return std::nullopt;
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
  std::string path;    // FieldPath's buffer
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
  if (auto err = impl_->parser.iterate(input).get(doc); err) return parse_error(err);
  ondemand::json_type top;
  if (auto err = doc.type().get(top); err) return parse_error(err);
  if (top != ondemand::json_type::object) {
    // simdjson 3.0.1 misreads a root true/false/null followed by whitespace ("true  ", "null ") as
    // not a boolean / not null: a scalar document is read again without its trailing whitespace.
    // (Found by tests/fuzz/decoder_fuzz.cc.)
    if (const auto trimmed = trim_trailing_ws(json);
        top != ondemand::json_type::array && trimmed.size() < json.size()) {
      input = padded_string_view(buf.data(), trimmed.size(), buf.size());
      if (auto err = impl_->parser.iterate(input).get(doc); err) return parse_error(err);
      if (auto err = doc.type().get(top); err) return parse_error(err);
    }
    // Valid JSON that is not an object is a schema violation; anything else a parse error.
    error_code err = SUCCESS;
    if (top == ondemand::json_type::array) {
      ondemand::value v;
      err = doc.get_value().get(v);
      if (!err) err = validate(v);
    } else if (top == ondemand::json_type::number) {
      err = validate_number(doc);
    } else if (top == ondemand::json_type::string) {
      err = doc.get_string().error();
    } else if (top == ondemand::json_type::boolean) {
      err = doc.get_bool().error();
    } else {
      err = validate_null(doc);
    }
    if (err) return parse_error(err);
    if (top == ondemand::json_type::array && doc.current_location().error() != OUT_OF_BOUNDS)
      return Rejection{DlqCategory::parse_error, "trailing content after the JSON document"};
    if (top != ondemand::json_type::array && !scalar_document_is_complete(json))
      return Rejection{DlqCategory::parse_error, "trailing content after the JSON document"};
    return schema("event must be a JSON object");
  }
  ondemand::object obj;
  if (auto err = doc.get_object().get(obj); err) return parse_error(err);

  Touchpoint tp;
  std::string type_str, name, timestamp, received_at;
  bool have_type = false;
  // One pass over the fields in document order. Unknown fields are allowed
  // (Segment events carry many) but still validated.
  for (auto field : obj) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key); err) return parse_error(err);
    ondemand::value v;
    if (auto err = field.value().get(v); err) return parse_error(err);
    std::optional<Rejection> rejected;
    if (key == "type") {
      have_type = true;
      rejected = read_string(v, "type", type_str);
    } else if (key == "event") {
      rejected = read_string(v, "event", tp.event);
    } else if (key == "name") {
      rejected = read_string(v, "name", name);
    } else if (key == "userId") {
      rejected = read_id(v, "userId", tp.user_id);
    } else if (key == "anonymousId") {
      rejected = read_string(v, "anonymousId", tp.anonymous_id);
    } else if (key == "previousId") {
      rejected = read_string(v, "previousId", tp.previous_id);
    } else if (key == "messageId") {
      rejected = read_string(v, "messageId", tp.message_id);
    } else if (key == "timestamp") {
      rejected = read_string(v, "timestamp", timestamp);
    } else if (key == "receivedAt") {
      rejected = read_string(v, "receivedAt", received_at);
    } else if (key == "properties" || key == "context" || key == "traits") {
      // One allocation each for the whole event, sized from it: the recorded text
      // (paths and values) is rarely longer than the event, fields take >= ~40 bytes of JSON.
      if (tp.fields.size() == 0)
        tp.fields.reserve(std::clamp<size_t>(json.size() / 40, 4, kMaxFields), json.size());
      FieldSink sink{tp.fields, FieldPath(impl_->path)};
      sink.path.push(0, key);
      if (auto err = collect(v, 0, 0, sink); err) rejected = parse_error(err);
    } else if (auto err = validate(v); err) {
      rejected = parse_error(err);
    }
    if (rejected) return *rejected;
  }
  if (doc.current_location().error() != OUT_OF_BOUNDS)
    return Rejection{DlqCategory::parse_error, "trailing content after the JSON object"};

  if (!have_type) return schema("type is required");
  auto type = parse_type(type_str);
  if (!type) return schema(fmt::format("unknown type '{}'", type_str.substr(0, 64)));
  tp.type = *type;

  if (tp.user_id.empty() && tp.anonymous_id.empty())
    return Rejection{DlqCategory::missing_identity, "userId or anonymousId is required"};
  if (tp.user_id.size() > kMaxIdBytes || tp.anonymous_id.size() > kMaxIdBytes)
    return schema(fmt::format("userId/anonymousId longer than {} bytes", kMaxIdBytes));
  if (tp.previous_id.size() > kMaxIdBytes)
    return schema(fmt::format("previousId longer than {} bytes", kMaxIdBytes));
  // An alias links previousId to userId: with a userId, previousId is the other half of the identity.
  if (tp.type == EventType::alias && !tp.user_id.empty() && tp.previous_id.empty())
    return schema("previousId is required for type alias");

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
  if (impl_->opts.privacy) impl_->opts.privacy->apply(tp);  // before anything stores or emits it
  return tp;
}

}  // namespace journeyd::event
