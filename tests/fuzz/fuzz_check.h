// Invariant checks for the fuzz targets. A broken invariant prints what broke
// and aborts: libFuzzer reports it as a crash and saves the input as
// crash-<sha1>; replay_main.cc (g++ builds) exits with the abort.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_writer.h"  // is_json_number

#define FUZZ_CHECK(cond, ...)                                                             \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n  ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                  \
      std::fprintf(stderr, "\n");                                                         \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace journeyd::fuzz {

// True when `text` is JSON by RFC 8259 (valid UTF-8, numbers of any magnitude, no byte order mark:
// journeyd refuses one, nlohmann skips it). nlohmann refuses numbers beyond a double (1e400), which
// JSON allows: every number token is replaced by 0 first.
inline bool is_json(std::string_view text) {
  if (text.find('\0') != std::string_view::npos || text.substr(0, 3) == "\xEF\xBB\xBF") return false;
  auto number_char = [](char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
  };
  std::string t;
  t.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {  // a string: copied as is, up to its closing quote
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, text.size());
      t.append(text.substr(i, j - i));
      i = j;
    } else if ((c >= '0' && c <= '9') || c == '-') {
      size_t j = i;
      while (j < text.size() && number_char(text[j])) ++j;
      const std::string_view token = text.substr(i, j - i);
      t.append(is_json_number(token) ? std::string_view("0") : token);
      i = j;
    } else {
      t.push_back(c);
      ++i;
    }
  }
  return nlohmann::json::accept(t);
}

// `text` as strict JSON (RFC 8259, valid UTF-8), or nullopt. (nlohmann takes a NUL byte for the
// end of the input; JSON has no place for a raw NUL.)
inline std::optional<nlohmann::json> parse_json(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// The first `n` bytes of s, printable, for messages.
inline std::string excerpt(std::string_view s, size_t n = 200) {
  std::string out;
  for (char c : s.substr(0, n)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  if (s.size() > n) out += "…";
  return out;
}

}  // namespace journeyd::fuzz
