#include "kafka/health.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

namespace journeyd::kafka {
namespace {

// The string value of the next "key" at or after `pos` in `json` (statistics JSON: flat enough to scan),
// and where it ends; nullopt when there is none before `end`.
std::optional<std::string_view> string_after(std::string_view json, size_t& pos, std::string_view key,
                                             size_t end = std::string_view::npos) {
  const std::string needle = fmt::format("\"{}\"", key);
  size_t at = json.find(needle, pos);
  if (at == std::string_view::npos || at >= end) return std::nullopt;
  at += needle.size();
  while (at < json.size() && (json[at] == ' ' || json[at] == ':')) ++at;
  if (at >= json.size() || json[at] != '"') return std::nullopt;
  const size_t close = json.find('"', at + 1);
  if (close == std::string_view::npos) return std::nullopt;
  pos = close + 1;
  return json.substr(at + 1, close - at - 1);
}

}  // namespace

ClientHealth::Stats ClientHealth::parse_stats(std::string_view json) {
  Stats st;
  // "brokers":{ "<name>": { …, "source":"learned|configured|logical", "state":"UP", … }, … }, then "topics".
  size_t pos = json.find("\"brokers\"");
  const size_t end = pos == std::string_view::npos ? pos : json.find("\"topics\"", pos);
  while (pos != std::string_view::npos) {
    auto source = string_after(json, pos, "source", end);
    if (!source) break;
    auto state = string_after(json, pos, "state", end);
    if (!state) break;
    if (*source == "logical") continue;  // the GroupCoordinator alias of a real broker
    if (*state == "UP" || *state == "UPDATE")
      ++st.up;
    else if (*state != "INIT")  // INIT: never needed, so never tried (sparse connections)
      ++st.down;
  }
  // "cgrp": { "state": "up", … } (consumers only).
  size_t cg = json.find("\"cgrp\"");
  if (cg != std::string_view::npos) {
    if (auto state = string_after(json, cg, "state")) st.coordinator = *state == "up";
  }
  return st;
}

void ClientHealth::on_error(int err, std::string_view reason) {
  std::lock_guard lock(mu_);
  ++s_.errors;
  s_.last_error = fmt::format("{}: {}", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)), reason);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    s_.reachable = false;
    s_.brokers_up = 0;
  }
}

void ClientHealth::on_stats(std::string_view json) {
  const auto st = parse_stats(json);
  std::lock_guard lock(mu_);
  s_.brokers_up = st.up;
  s_.brokers_down = st.down;
  s_.reachable = st.up > 0 || st.down == 0;
  if (st.coordinator) s_.coordinator = *st.coordinator;
}

void ClientHealth::on_failure(std::string_view what) {
  std::lock_guard lock(mu_);
  ++s_.errors;
  s_.last_error = std::string(what);
}

HealthSnapshot ClientHealth::snapshot() const {
  std::lock_guard lock(mu_);
  return s_;
}

Properties with_health_properties(const Properties& p) {
  return merge({{"statistics.interval.ms", "1000"}}, p);
}

}  // namespace journeyd::kafka
