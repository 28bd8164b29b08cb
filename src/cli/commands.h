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
};
int backtest(const BacktestArgs& args);

struct ReloadArgs {
  std::string state_dir = "./data";
  std::string streams;  // validated first when given
};
int reload(const ReloadArgs& args);

}  // namespace journeyd::cli
