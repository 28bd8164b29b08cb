// journeyctl: developer and operator commands.
//   kafka-dev   run a standalone mock Kafka cluster until SIGTERM
//   validate    check definitions: journeys, triggers, SLAs, churn (file:line:col: message)
//   backtest    run the engine over a history file (backtest_cmd.cc)
//   reload      make a running journeyd load streams/ again (reload_cmd.cc)
//   funnel      a journey's funnel from a running journeyd (funnel_cmd.cc)
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include "app/embedded_kafka.h"
#include "app/signals.h"
#include "cli/commands.h"
#include "common/log.h"
#include "journey/loader.h"
#include "kafka/mock_cluster.h"

using namespace journeyd;

namespace {

int kafka_dev(int brokers, int partitions, const std::vector<std::string>& topics, const std::string& file) {
  kafka::MockClusterOptions opts;
  opts.brokers = brokers;
  for (const auto& t : topics) opts.topics.push_back({t, partitions});
  const auto& stop = app::install_stop_signals();
  auto cluster = kafka::MockCluster::start(opts);
  if (!cluster) {
    std::cerr << "journeyctl kafka-dev: " << cluster.error().message << "\n";
    return 1;
  }
  const auto& bs = cluster.value()->bootstrap_servers();
  std::cout << bs << std::endl;
  if (!file.empty()) {
    if (auto r = app::write_file_atomically(file, bs + "\n"); !r) {
      std::cerr << "journeyctl kafka-dev: " << r.error().message << "\n";
      return 1;
    }
  }
  spdlog::info("mock kafka: {} broker(s), {} topic(s) x {} partition(s); SIGTERM to stop", brokers,
               topics.size(), partitions);
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}

int validate(const std::vector<std::string>& paths) {
  size_t definitions = 0, errors = 0;
  for (const auto& p : paths) {
    auto r = journey::load_path(p);
    for (const auto& e : r.errors) std::cout << e << "\n";
    definitions += r.definitions.size();
    errors += r.errors.size();
  }
  if (errors) {
    std::cout << errors << " problem(s)\n";
    return 1;
  }
  std::cout << "ok: " << definitions << " definition(s)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"journeyctl — journeyd's companion tool"};
  cli.require_subcommand(1);
  log::init("info");

  auto* dev =
      cli.add_subcommand("kafka-dev", "Run a standalone Kafka (librdkafka mock cluster) until SIGTERM");
  int brokers = 3, partitions = 6;
  std::vector<std::string> topics = {"touchpoints", "touchpoints.dlq", "journey.actions", "journey.alerts",
                                     "journey.actions.suppressed"};
  std::string bootstrap_file;
  dev->add_option("--brokers", brokers, "Number of brokers")->check(CLI::Range(1, 16));
  dev->add_option("--partitions", partitions, "Partitions per topic")->check(CLI::Range(1, 1024));
  dev->add_option("--topic", topics, "Topics to create (repeatable)")->capture_default_str();
  dev->add_option("--bootstrap-file", bootstrap_file, "Write the bootstrap servers to this file");

  auto* val =
      cli.add_subcommand("validate", "Validate definitions (streams/*.yaml); exits non-zero on any problem");
  std::vector<std::string> paths;
  val->add_option("paths", paths, "Files or folders")->required();

  auto* bt =
      cli.add_subcommand("backtest",
                         "Run the engine over a history file (JSONL) without Kafka; print the records it "
                         "would emit (stdout) and a funnel table per journey (stderr)");
  cli::BacktestArgs bta;
  bt->add_option("--streams", bta.streams, "Definitions: a file or a folder")->required();
  bt->add_option("--events", bta.events, "History: one Segment event per line")->required();
  bt->add_option("--until", bta.until,
                 "Clock at the end: end (last event), drain (every timer) or an ISO time")
      ->capture_default_str();
  bt->add_option("--grace", bta.grace, "engine.grace")->capture_default_str();
  bt->add_option("--dedup-horizon", bta.dedup_horizon, "engine.dedup_horizon")->capture_default_str();
  bt->add_option("--out", bta.out, "Write the records to this file instead of stdout");
  bt->add_flag("-q,--quiet", bta.quiet, "Do not print the records, only the summary and funnels");
  bt->add_option("--funnel-json", bta.funnel_json,
                 "Write the funnel reports to this file (a JSON array, as GET /v1/journeys/{id}/funnel)");
  bt->add_option("--funnel-from", bta.funnel_from,
                 "Funnels from this ISO-8601 time (default: the minute of the earliest event)");
  bt->add_option("--funnel-to", bta.funnel_to, "Funnels up to this ISO-8601 time (default: past the end)");

  auto* rl = cli.add_subcommand("reload", "Validate streams/ and make the running journeyd load it (SIGHUP)");
  cli::ReloadArgs rla;
  rl->add_option("--state-dir", rla.state_dir, "journeyd's state.dir (holds journeyd.pid)")
      ->capture_default_str();
  rl->add_option("--streams", rla.streams, "Validate this folder first; do nothing if it is invalid");

  auto* fn = cli.add_subcommand("funnel",
                                "A journey's funnel from a running journeyd (GET /v1/journeys/{id}/funnel)");
  cli::FunnelArgs fna;
  fn->add_option("--url", fna.url, "journeyd's HTTP address")->capture_default_str();
  fn->add_option("--journey", fna.journey, "The journey's id")->required();
  fn->add_option("--from", fna.from,
                 "An ISO-8601 time, or a duration before --to (6h); default: funnel.window");
  fn->add_option("--to", fna.to, "An ISO-8601 time; default: journeyd's event clock");
  fn->add_option("--step", fna.step, "Only this step's row (the totals stay the journey's)");
  fn->add_option("--token", fna.token, "Bearer token with the read scope (default: $JOURNEYD_TOKEN)");
  fn->add_flag("--json", fna.json, "Print the answer as JSON instead of a table");
  fn->add_option("--timeout", fna.timeout_s, "Seconds to wait for the answer")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();

  CLI11_PARSE(cli, argc, argv);
  if (*bt) return cli::backtest(bta);
  if (*rl) return cli::reload(rla);
  if (*fn) return cli::funnel(fna);
  if (*dev) return kafka_dev(brokers, partitions, topics, bootstrap_file);
  if (*val) return validate(paths);
  return 0;
}
