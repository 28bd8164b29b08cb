// journeyctl: developer and operator commands.
//   kafka-dev   run a standalone mock Kafka cluster until SIGTERM
//   validate    check journey definitions (file:line:col: message)
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include "app/embedded_kafka.h"
#include "app/signals.h"
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
  size_t journeys = 0, errors = 0;
  for (const auto& p : paths) {
    auto r = journey::load_path(p);
    for (const auto& e : r.errors) std::cout << e << "\n";
    journeys += r.journeys.size();
    errors += r.errors.size();
  }
  if (errors) {
    std::cout << errors << " problem(s)\n";
    return 1;
  }
  std::cout << "ok: " << journeys << " journey(s)\n";
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
  std::vector<std::string> topics = {"touchpoints", "touchpoints.dlq", "journey.actions", "journey.alerts"};
  std::string bootstrap_file;
  dev->add_option("--brokers", brokers, "Number of brokers")->check(CLI::Range(1, 16));
  dev->add_option("--partitions", partitions, "Partitions per topic")->check(CLI::Range(1, 1024));
  dev->add_option("--topic", topics, "Topics to create (repeatable)")->capture_default_str();
  dev->add_option("--bootstrap-file", bootstrap_file, "Write the bootstrap servers to this file");

  auto* val = cli.add_subcommand("validate", "Validate journey definitions; exits non-zero on any problem");
  std::vector<std::string> paths;
  val->add_option("paths", paths, "Files or folders")->required();

  CLI11_PARSE(cli, argc, argv);
  if (*dev) return kafka_dev(brokers, partitions, topics, bootstrap_file);
  if (*val) return validate(paths);
  return 0;
}
