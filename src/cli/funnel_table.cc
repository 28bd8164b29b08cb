#include "cli/funnel_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "common/json_writer.h"
#include "journey/funnel.h"

namespace journeyd::cli {
namespace {

using nlohmann::json;

std::string text(const json& o, const char* key) {
  return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : "";
}

uint64_t count(const json& o, const char* key) {
  return o.contains(key) && o[key].is_number() ? o[key].get<uint64_t>() : 0;
}

std::string percent(const json& v) {
  return v.is_number() ? fmt::format("{:.1f}%", 100.0 * v.get<double>()) : "";
}

std::string quantile(const json& time, const char* key) {
  return time.is_object() && time.contains(key) ? human_duration(time[key].get<int64_t>()) : "";
}

}  // namespace

json funnel_json(const journey::FunnelReport& r, const std::string& step) {
  std::string body;
  JsonWriter w(body);
  journey::write_funnel_json(w, r, step);
  return json::parse(body);
}

std::string human_duration(int64_t ms) {
  if (ms < 0) return "-" + human_duration(-ms);
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60'000) return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
  const int64_t s = ms / 1000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86'400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86'400, s % 86'400 / 3600);
}

void print_funnel_table(std::ostream& out, const json& r) {
  const json none;
  const json& bottleneck = r.contains("bottleneck") ? r["bottleneck"] : none;
  const std::string slow_conversion = bottleneck.is_object() ? text(bottleneck, "conversion") : "";
  const std::string slow_time = bottleneck.is_object() ? text(bottleneck, "time") : "";
  out << fmt::format("\n{} v{}  [{}, {})  window {}\n", text(r, "journey"), count(r, "version"),
                     text(r, "from"), text(r, "to"), text(r, "window"));
  const json& overall = r.contains("conversion") ? r["conversion"] : none;
  out << fmt::format("  {} events, {} entered, {} converted{}\n", count(r, "events"), count(r, "entered"),
                     count(r, "converted"), overall.is_number() ? " (" + percent(overall) + ")" : "");
  const json& steps = r.contains("steps") && r["steps"].is_array() ? r["steps"] : json::array();
  size_t width = 4;
  for (const auto& s : steps) width = std::max(width, text(s, "id").size());
  const auto row = [&](const std::string& step, const std::string& reached, const std::string& conv,
                       bool conv_star, const std::string& dropped, const std::string& dropoffs,
                       const std::string& p50, bool time_star, const std::string& p90) {
    std::string line =
        fmt::format("  {:<{}} {:>9} {:>10}{:1} {:>8} {:>9} {:>9}{:1} {:>9}", step, width, reached, conv,
                    conv_star ? "*" : "", dropped, dropoffs, p50, time_star ? "*" : "", p90);
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  };
  row("step", "reached", "conversion", false, "dropped", "drop-offs", "p50 time", false, "p90 time");
  for (const auto& s : steps) {
    const std::string id = text(s, "id");
    const json& time = s.contains("time_from_previous") ? s["time_from_previous"] : none;
    const json& dropped = s.contains("dropped") ? s["dropped"] : none;
    row(id, std::to_string(count(s, "reached")), percent(s.contains("conversion") ? s["conversion"] : none),
        !slow_conversion.empty() && id == slow_conversion,
        dropped.is_number() ? std::to_string(dropped.get<uint64_t>()) : "",
        std::to_string(count(s, "dropoffs")), quantile(time, "p50_ms"), !slow_time.empty() && id == slow_time,
        quantile(time, "p90_ms"));
  }
  if (!slow_conversion.empty() || !slow_time.empty()) {
    std::string says;
    if (!slow_conversion.empty()) says = "lowest conversion at " + slow_conversion;
    if (!slow_time.empty())
      says += (says.empty() ? "" : ", ") + std::string("longest median time at ") + slow_time;
    out << "  * bottleneck: " << says << "\n";
  }
}

}  // namespace journeyd::cli
