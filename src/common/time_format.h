// ISO-8601 timestamps and human durations ("30m", "24h", "7d").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace journeyd {

// Parses "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.123Z", "…+01:00", "…-0530".
// Fractions beyond milliseconds are truncated. Returns ms since the epoch.
std::optional<int64_t> parse_iso8601(std::string_view s);

// Formats as "2026-11-22T10:00:00.000Z".
std::string format_iso8601(int64_t ms);

// Parses "<n><unit>" with unit ms, s, m, h, d, w (e.g. "500ms", "30m", "7d"),
// or a plain integer meaning milliseconds. Returns milliseconds.
std::optional<int64_t> parse_duration(std::string_view s);

// The shortest exact form: 1800000 → "30m".
std::string format_duration(int64_t ms);

}  // namespace journeyd
