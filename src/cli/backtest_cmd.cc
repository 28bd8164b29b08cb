// journeyctl backtest: the engine over a history file, no Kafka (docs/journeys.md "Backtest").
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "backtest/backtest.h"
#include "cli/commands.h"
#include "cli/funnel_table.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "journey/loader.h"

namespace journeyd::cli {
namespace {

// A progress bar on stderr for files of more than 4 MiB when stderr is a terminal.
class Progress {
 public:
  explicit Progress(uint64_t total) : total_(total), on_(total > (4u << 20) && ::isatty(2)) {}
  void update(uint64_t done) {
    if (!on_) return;
    const int pct = static_cast<int>(done * 100 / std::max<uint64_t>(total_, 1));
    if (pct == last_) return;
    last_ = pct;
    const int bar = pct / 2;
    std::fprintf(stderr, "\r[%-50s] %3d%% %s / %s", std::string(static_cast<size_t>(bar), '#').c_str(), pct,
                 mib(done).c_str(), mib(total_).c_str());
    if (pct == 100) std::fputc('\n', stderr);
  }

 private:
  static std::string mib(uint64_t b) { return fmt::format("{:.1f} MiB", static_cast<double>(b) / (1 << 20)); }
  uint64_t total_;
  bool on_;
  int last_ = -1;
};

// The funnels as a JSON array (each as GET /v1/journeys/{id}/funnel answers it).
bool write_funnels(const std::vector<journey::FunnelReport>& reports, const std::string& file) {
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  for (const auto& r : reports) journey::write_funnel_json(w, r);
  w.end_array();
  std::ofstream out(file);
  out << body << "\n";
  return static_cast<bool>(out.flush());
}

}  // namespace

int backtest(const BacktestArgs& a) {
  auto defs = journey::load_path(a.streams);
  if (!defs.ok()) {
    for (const auto& e : defs.errors) std::cerr << e << "\n";
    std::cerr << "journeyctl backtest: " << defs.errors.size() << " problem(s) in " << a.streams << "\n";
    return 2;
  }
  backtest::Options opts;
  if (a.until == "end") {
    opts.until = backtest::Until::end;
  } else if (a.until == "drain") {
    opts.until = backtest::Until::drain;
  } else if (auto t = parse_iso8601(a.until)) {
    opts.until = backtest::Until::time;
    opts.until_ms = *t;
  } else {
    std::cerr << "journeyctl backtest: --until must be end, drain or an ISO-8601 time, not '" << a.until
              << "'\n";
    return 2;
  }
  auto grace = parse_duration(a.grace);
  auto horizon = parse_duration(a.dedup_horizon);
  constexpr int64_t kMaxDuration = 3650LL * 86'400'000;
  if (!grace || !horizon || *grace > kMaxDuration || *horizon > kMaxDuration) {
    std::cerr << "journeyctl backtest: bad --grace or --dedup-horizon (e.g. 500ms, 24h)\n";
    return 2;
  }
  opts.grace_ms = *grace;
  opts.dedup_horizon_ms = *horizon;
  for (auto [arg, into] : {std::pair{&a.funnel_from, &opts.funnel_from}, {&a.funnel_to, &opts.funnel_to}}) {
    if (arg->empty()) continue;
    *into = parse_iso8601(*arg);
    if (!*into) {
      std::cerr << "journeyctl backtest: --funnel-from/--funnel-to must be ISO-8601 times, not '" << *arg
                << "'\n";
      return 2;
    }
  }
  std::ifstream in(a.events);
  if (!in) {
    std::cerr << "journeyctl backtest: cannot read " << a.events << "\n";
    return 2;
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(a.events, ec);
  Progress progress(ec ? 0 : size);
  opts.progress = [&](uint64_t done) { progress.update(done); };

  auto summary = backtest::run(defs.definitions, in, opts);
  if (!summary) {
    std::cerr << "journeyctl backtest: " << summary.error().message << "\n";
    return 1;
  }
  const auto& s = summary.value();
  std::ofstream file;
  if (!a.out.empty()) {
    file.open(a.out);
    if (!file) {
      std::cerr << "journeyctl backtest: cannot write " << a.out << "\n";
      return 2;
    }
  }
  std::ostream& records = a.out.empty() ? std::cout : file;
  size_t counts[4] = {0, 0, 0, 0};
  for (const auto& r : s.records) {
    if (!a.quiet) records << r.json << "\n";
    counts[r.sink == "action" ? 0 : r.sink == "alert" ? 1 : r.sink == "suppressed" ? 2 : 3]++;
  }
  records.flush();
  std::cerr << fmt::format(
      "{} lines: {} events applied, {} rejected (DLQ), {} duplicates; {} actions, {} alerts, {} suppressed\n",
      s.lines, s.events, s.rejected, s.duplicates, counts[0], counts[1], counts[2]);
  for (const auto& f : s.funnels) print_funnel_table(std::cerr, funnel_json(f));
  if (!a.funnel_json.empty() && !write_funnels(s.funnels, a.funnel_json)) {
    std::cerr << "journeyctl backtest: cannot write " << a.funnel_json << "\n";
    return 2;
  }
  return 0;
}

}  // namespace journeyd::cli
