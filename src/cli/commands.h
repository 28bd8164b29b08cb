// journeyctl subcommands that live in their own files.
#pragma once

#include <string>
#include <vector>

namespace journeyd::cli {

struct BacktestArgs {
  std::string streams;
  std::string events;
  std::string until = "end";  // end | drain | ISO-8601 time
  std::string grace = "500ms";
  std::string dedup_horizon = "24h";
  std::string out;  // records to this file instead of stdout
  bool quiet = false;
  std::string funnel_json;             // the funnel reports as a JSON array to this file
  std::string funnel_from, funnel_to;  // ISO-8601; default: the whole event-time range of the run
};
int backtest(const BacktestArgs& args);

struct ReloadArgs {
  std::string state_dir = "./data";
  std::string streams;  // validated first when given
};
int reload(const ReloadArgs& args);

// journeyctl funnel: GET /v1/journeys/{id}/funnel of a running journeyd, printed as a table.
struct FunnelArgs {
  std::string url = "http://localhost:8080";
  std::string journey;
  std::string from, to, step;  // passed through: from = ISO-8601 or a duration before `to` (6h)
  std::string token;           // default: $JOURNEYD_TOKEN
  bool json = false;           // print the answer as it came
  int timeout_s = 30;
};
int funnel(const FunnelArgs& args);

}  // namespace journeyd::cli
