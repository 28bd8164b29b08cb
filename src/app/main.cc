// journeyd: parse the command line, load config and journeys, optionally start
// the embedded Kafka, run the pipeline until SIGTERM.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "app/embedded_kafka.h"
#include "app/pipeline.h"
#include "app/signals.h"
#include "common/log.h"
#include "journey/loader.h"

using namespace journeyd;

int main(int argc, char** argv) {
  CLI::App cli{"journeyd — real-time customer-journey tracker"};
  config::LoadOptions load;
  bool embedded = false, reference = false;
  std::string bootstrap_file;
  cli.add_option("-c,--config", load.file, "YAML config file")->check(CLI::ExistingFile);
  cli.add_option("--set", load.sets, "Override a setting: key=value (repeatable)");
  cli.add_flag("--embedded-kafka", embedded,
               "Start an in-process Kafka (librdkafka mock cluster) and use it");
  cli.add_option("--bootstrap-file", bootstrap_file,
                 "With --embedded-kafka: write its bootstrap servers here");
  cli.add_flag("--config-reference", reference, "Print the configuration reference (Markdown) and exit");
  CLI11_PARSE(cli, argc, argv);

  if (reference) {
    std::cout << config::markdown_reference();
    return 0;
  }
  config::Config cfg;
  try {
    cfg = config::load(load);
  } catch (const config::ConfigError& e) {
    std::cerr << "journeyd: " << e.what() << "\n";
    return 2;
  }
  log::init(cfg.log_level);

  auto defs = journey::load_path(cfg.streams_dir);
  if (!defs.ok()) {
    for (const auto& e : defs.errors) std::cerr << e << "\n";
    std::cerr << "journeyd: refusing to start: invalid journey definitions in " << cfg.streams_dir << "\n";
    return 2;
  }
  spdlog::info("loaded {} definition(s) from {}", defs.definitions.size(), cfg.streams_dir);

  const auto& stop = app::install_stop_signals();
  auto& reload = app::install_reload_signal();
  std::unique_ptr<kafka::MockCluster> cluster;
  if (embedded) {
    auto c = app::start_embedded_kafka(cfg, {static_cast<int>(cfg.embedded_brokers),
                                             static_cast<int>(cfg.embedded_partitions), bootstrap_file});
    if (!c) {
      spdlog::error("embedded kafka: {}", c.error().message);
      return 1;
    }
    cluster = std::move(c.value());
    cfg.kafka_brokers = cluster->bootstrap_servers();
  }
  if (cfg.kafka_brokers.empty()) {
    std::cerr
        << "journeyd: kafka.brokers is not set (use --set kafka.brokers=host:9092 or --embedded-kafka)\n";
    return 2;
  }

  auto pipeline = app::Pipeline::create(cfg, std::move(defs.definitions), SystemClock::instance());
  if (!pipeline) {
    spdlog::error("start-up failed: {}", pipeline.error().message);
    return 1;
  }
  // `journeyctl reload` finds the process here (SIGHUP).
  const auto pid_file = cfg.state_dir + "/journeyd.pid";
  if (auto w = app::write_file_atomically(pid_file, std::to_string(getpid()) + "\n"); !w)
    spdlog::warn("cannot write {}: {}", pid_file, w.error().message);
  spdlog::info("consuming {} from {} as group {}; state in {}", cfg.topic_touchpoints, cfg.kafka_brokers,
               cfg.kafka_group_id, cfg.state_dir);
  auto r = pipeline.value()->run(stop, &reload);
  std::remove(pid_file.c_str());
  if (!r) {
    spdlog::error("stopped on error: {}", r.error().message);
    return 1;
  }
  return 0;
}
