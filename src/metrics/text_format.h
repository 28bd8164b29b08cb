// Prometheus text exposition format 0.0.4 primitives: number formatting,
// escaping, name rules. Stateless free functions; thread-safe.
// https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <string>
#include <string_view>

namespace journeyd::metrics::text {

// The shortest digits that round-trip, in fixed notation for 1e-4 <= |v| < 1e16
// (so integers print exactly: "3", "1000000") and as 1e-05, 1e+20 outside;
// +Inf, -Inf, NaN.
void append_number(std::string& out, double v);
std::string format_number(double v);

// # HELP text: escapes backslash and line feed.
void append_help(std::string& out, std::string_view help);
// Label value inside double quotes: escapes backslash, double quote and line feed.
void append_label_value(std::string& out, std::string_view value);

// [a-zA-Z_:][a-zA-Z0-9_:]*, not starting with "__" (reserved).
bool is_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool is_label_name(std::string_view name);

}  // namespace journeyd::metrics::text
