// The funnel table of journeyctl backtest and journeyctl funnel.
#include "cli/funnel_table.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace journeyd::cli {
namespace {

using nlohmann::json;

const json kReport = json::parse(R"({"journey":"checkout","version":6,"from":"2026-11-23T09:13:00.000Z",
  "to":"2026-11-23T11:14:00.000Z","window":"1d","events":16,"entered":6,"converted":2,"conversion":0.3333333333333333,
  "bottleneck":{"conversion":"checkout","time":"added"},"steps":[
  {"id":"viewed","reached":6,"conversion":null,"dropped":1,"dropoffs":0,"time_from_previous":null},
  {"id":"added","reached":5,"conversion":0.8333333333333334,"dropped":2,"dropoffs":2,
   "time_from_previous":{"count":5,"p50_ms":181545,"p90_ms":239544,"p99_ms":239544}},
  {"id":"checkout","reached":3,"conversion":0.6,"dropped":1,"dropoffs":0,
   "time_from_previous":{"count":3,"p50_ms":181545,"p90_ms":479062,"p99_ms":479062}},
  {"id":"purchased","reached":2,"conversion":0.6666666666666666,"dropped":null,"dropoffs":0,
   "time_from_previous":{"count":2,"p50_ms":119779,"p90_ms":297843,"p99_ms":297843}}]})");

TEST(FunnelTable, PrintsEveryStepAndMarksTheBottlenecks) {
  std::ostringstream out;
  print_funnel_table(out, kReport);
  EXPECT_EQ(out.str(), R"(
checkout v6  [2026-11-23T09:13:00.000Z, 2026-11-23T11:14:00.000Z)  window 1d
  16 events, 6 entered, 2 converted (33.3%)
  step        reached conversion   dropped drop-offs  p50 time   p90 time
  viewed            6                    1         0
  added             5      83.3%         2         2     3m01s*     3m59s
  checkout          3      60.0%*        1         0     3m01s      7m59s
  purchased         2      66.7%                   0     1m59s      4m57s
  * bottleneck: lowest conversion at checkout, longest median time at added
)");
}

TEST(FunnelTable, OneStepAndNoBottleneck) {
  json r = kReport;
  r["steps"] = json::array({kReport["steps"][0]});
  r["bottleneck"] = {{"conversion", nullptr}, {"time", nullptr}};
  r["conversion"] = nullptr;
  std::ostringstream out;
  print_funnel_table(out, r);
  EXPECT_NE(out.str().find("\n  viewed         6                    1         0\n"), std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("bottleneck"), std::string::npos);
  EXPECT_EQ(out.str().find("%"), std::string::npos);
}

TEST(FunnelTable, HumanDurations) {
  EXPECT_EQ(human_duration(0), "0ms");
  EXPECT_EQ(human_duration(850), "850ms");
  EXPECT_EQ(human_duration(12'345), "12.3s");
  EXPECT_EQ(human_duration(245'000), "4m05s");
  EXPECT_EQ(human_duration(7'800'000), "2h10m");
  EXPECT_EQ(human_duration(273'600'000), "3d04h");
}

}  // namespace
}  // namespace journeyd::cli
