// The funnel table of `journeyctl funnel` and `journeyctl backtest`: one printer for both, fed the
// JSON of GET /v1/journeys/{id}/funnel (journey::write_funnel_json, schemas/openapi.yaml Funnel), so
// the backtest prints exactly what the API would answer for the same events.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>

namespace journeyd::journey {
struct FunnelReport;
}

namespace journeyd::cli {

// A funnel report as JSON (only `step` if it is not empty), as the API answers it.
nlohmann::json funnel_json(const journey::FunnelReport& r, const std::string& step = {});

// Prints one report: a heading (journey, range, totals), then per step: reached, conversion from the
// previous step, dropped (reached here but not the next step), drop-offs fired, p50/p90 time from the
// previous step; `*` marks the bottleneck (lowest conversion, longest median time).
void print_funnel_table(std::ostream& out, const nlohmann::json& report);

// A duration for people: 850ms, 12.3s, 4m05s, 2h10m, 3d04h.
std::string human_duration(int64_t ms);

}  // namespace journeyd::cli
