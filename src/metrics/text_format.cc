#include "metrics/text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace journeyd::metrics::text {

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (v == 0) {  // also -0
    out += '0';
    return;
  }
  // Like Go's %g with shortest digits, but fixed notation up to 1e16 so that
  // integers print exactly: 1000000, 0.0005, 2.5; 1e-05 and 1e+20 otherwise.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const char* e = std::find(buf, r.ptr, 'e');
  int exp = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), r.ptr, exp);
  if (exp >= -4 && exp < 16) r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  out.append(buf, r.ptr);
}

std::string format_number(double v) {
  std::string s;
  append_number(s, v);
  return s;
}

void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

namespace {

bool is_alpha_(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_name(std::string_view s, bool colons) {
  if (s.empty() || s.starts_with("__")) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = is_alpha_(c) || (colons && c == ':') || (i > 0 && is_digit(c));
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool is_metric_name(std::string_view name) {
  return is_name(name, true);
}
bool is_label_name(std::string_view name) {
  return is_name(name, false);
}

}  // namespace journeyd::metrics::text
