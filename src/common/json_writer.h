// Minimal streaming JSON writer for the records journeyd emits (actions, DLQ
// records). Appends to a caller-owned string; no allocation per value beyond
// the string's growth. Keys and string values are escaped per RFC 8259.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace journeyd {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view v);
  JsonWriter& number(int64_t v);
  JsonWriter& number(double v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // Inserts already-serialised JSON verbatim (caller guarantees validity).
  JsonWriter& raw(std::string_view json);

  // Shorthands for a key followed by a value.
  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, const char* v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, int64_t v) { return key(k).number(v); }
  JsonWriter& field(std::string_view k, int v) { return key(k).number(static_cast<int64_t>(v)); }

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

// True when t is exactly a number by the RFC 8259 grammar (no sign '+', no
// leading zeros, no bare '.'), whatever its magnitude.
bool is_json_number(std::string_view t);

// Appends s as a JSON string literal (with quotes). Bytes that are not valid
// UTF-8 are replaced with U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

}  // namespace journeyd
