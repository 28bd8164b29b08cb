// journeyd: parse the command line, load config and journeys, optionally start
// the embedded Kafka, serve HTTP and run the pipeline until SIGTERM.
//
// Shutdown order: the HTTP server drains first (the collector's in-flight
// requests get their delivery reports, queries still reach the pipeline),
// then the pipeline finishes its batch, flushes the outbox and leaves the group.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "app/backend.h"
#include "app/embedded_kafka.h"
#include "app/ingest_sink.h"
#include "app/pipeline.h"
#include "app/privacy_check.h"
#include "app/signals.h"
#include "common/log.h"
#include "http/admin.h"
#include "http/auth.h"
#include "http/dashboard.h"
#include "http/ingest.h"
#include "http/live.h"
#include "http/metrics.h"
#include "http/ops.h"
#include "http/query.h"
#include "http/server.h"
#include "journey/loader.h"
#include "metrics/process.h"
#include "metrics/registry.h"
#include "webhook/config.h"

using namespace journeyd;

int main(int argc, char** argv) {
  CLI::App cli{"journeyd — real-time customer-journey tracker"};
  config::LoadOptions load;
  bool embedded = false, reference = false, metrics_ref = false;
  std::string bootstrap_file, port_file;
  cli.add_option("-c,--config", load.file, "YAML config file")->check(CLI::ExistingFile);
  cli.add_option("--set", load.sets, "Override a setting: key=value (repeatable)");
  cli.add_flag("--embedded-kafka", embedded,
               "Start an in-process Kafka (librdkafka mock cluster) and use it");
  cli.add_option("--bootstrap-file", bootstrap_file,
                 "With --embedded-kafka: write its bootstrap servers here");
  cli.add_option("--port-file", port_file, "Write the HTTP port here once listening (for http.port=0)");
  cli.add_flag("--config-reference", reference, "Print the configuration reference (Markdown) and exit");
  cli.add_flag("--metrics-reference", metrics_ref, "Print the metrics reference (Markdown) and exit");
  CLI11_PARSE(cli, argc, argv);

  if (reference) {
    std::cout << config::markdown_reference();
    return 0;
  }
  if (metrics_ref) {
    std::cout << app::metrics_reference();
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
  if (cfg.ingest_max_event_bytes > cfg.engine_max_event_bytes) {
    std::cerr << "journeyd: ingest.max_event_bytes (" << cfg.ingest_max_event_bytes
              << ") is larger than engine.max_event_bytes (" << cfg.engine_max_event_bytes
              << "): the collector would accept events the pipeline rejects\n";
    return 2;
  }
  auto tokens = http::parse_tokens(cfg.http_tokens);
  if (!tokens) {
    std::cerr << "journeyd: " << tokens.error().message << "\n";
    return 2;
  }

  auto defs = journey::load_path(cfg.streams_dir);
  if (!defs.ok()) {
    for (const auto& e : defs.errors) std::cerr << e << "\n";
    std::cerr << "journeyd: refusing to start: invalid journey definitions in " << cfg.streams_dir << "\n";
    return 2;
  }
  spdlog::info("loaded {} definition(s) from {}", defs.definitions.size(), cfg.streams_dir);
  // PII rules: refused here when bad (the pipeline builds them again); each journey condition they
  // affect is a warning (docs/security.md).
  if (auto privacy =
          event::Privacy::create({cfg.privacy_hash_fields, cfg.privacy_redact_fields, cfg.privacy_hash_key});
      !privacy) {
    std::cerr << "journeyd: " << privacy.error().message << "\n";
    return 2;
  } else if (privacy.value()) {
    spdlog::info("privacy: hashing [{}], removing [{}] before anything is stored", cfg.privacy_hash_fields,
                 cfg.privacy_redact_fields);
    for (const auto& w : app::privacy_conflicts(*privacy.value(), defs.definitions)) spdlog::warn("{}", w);
  }
  // Checked here for a clean refusal; the pipeline loads the file again when it starts.
  if (auto hooks = webhook::load_config(cfg.webhooks_file); !hooks.ok()) {
    for (const auto& e : hooks.errors) std::cerr << e << "\n";
    std::cerr << "journeyd: refusing to start: invalid webhooks file " << cfg.webhooks_file << "\n";
    return 2;
  } else if (!hooks.config.empty()) {
    spdlog::info("webhooks: {} endpoint(s) from {}", hooks.config.endpoints.size(), cfg.webhooks_file);
  }

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

  metrics::Registry registry;
  metrics::register_process_metrics(registry);
  auto pipeline = app::Pipeline::create(cfg, std::move(defs.definitions), SystemClock::instance(), &registry);
  if (!pipeline) {
    spdlog::error("start-up failed: {}", pipeline.error().message);
    return 1;
  }
  auto sink = app::KafkaEventSink::create(cfg);
  if (!sink) {
    spdlog::error("start-up failed: collector producer: {}", sink.error().message);
    return 1;
  }
  app::AppBackend backend(*pipeline.value(), registry);
  backend.set_funnel_window(cfg.funnel_window_ms);
  backend.set_collector_health([s = sink.value().get()] { return s->healthy(); });
  http::HttpMetrics http_metrics(registry);
  const http::TokenAuth auth(std::move(tokens.value()));
  http::Router router;
  router.set_observer(&http_metrics);
  http::register_ingest_routes(
      router,
      {http::parse_list(cfg.ingest_write_keys),
       cfg.ingest_rate_limit,
       {static_cast<size_t>(cfg.ingest_max_event_bytes), static_cast<size_t>(cfg.ingest_max_batch_bytes)}},
      *sink.value(), SystemClock::instance(), &http_metrics);
  http::register_query_routes(router, backend, auth);
  http::register_admin_routes(router, backend, auth);
  http::register_ops_routes(router, backend);
  http::register_dashboard_routes(router, auth);
  http::LiveFeed live_feed;  // declared before the server, so it outlives it
  http::ServerOptions so;
  so.address = cfg.http_bind;
  so.port = static_cast<uint16_t>(cfg.http_port);
  so.threads = static_cast<int>(cfg.http_threads);
  // Twice the collector's own limits: a too-large batch gets the collector's 413 (with its CORS
  // header and the limit it broke), and memory per request stays bounded.
  so.max_body_bytes =
      2 * static_cast<size_t>(std::max(cfg.ingest_max_batch_bytes, cfg.ingest_max_event_bytes));
  so.max_header_bytes = static_cast<size_t>(cfg.http_max_header_bytes);
  so.read_timeout_ms = cfg.http_read_timeout_ms;
  so.idle_timeout_ms = cfg.http_idle_timeout_ms;
  so.max_connections = static_cast<size_t>(cfg.http_max_connections);
  so.tls_cert_file = cfg.http_tls_cert;
  so.tls_key_file = cfg.http_tls_key;
  so.drain_timeout_ms = cfg.http_drain_timeout_ms;
  so.on_own_answer = [&http_metrics](int status) { http_metrics.on_own_answer(status); };
  auto server = http::Server::start(so, router.as_handler());
  if (!server) {
    spdlog::error("start-up failed: http: {}", server.error().message);
    return 1;
  }
  auto* srv = server.value().get();
  srv->add_live_route(std::string(http::kLivePath), live_feed);
  http::LivePublisher live_publisher(live_feed, backend);  // a snapshot a second while a dashboard is open
  registry.on_collect(
      [srv, &http_metrics] { http_metrics.connections.set(static_cast<double>(srv->connections())); });
  if (!port_file.empty()) {
    if (auto w = app::write_file_atomically(port_file, std::to_string(srv->port()) + "\n"); !w) {
      spdlog::error("cannot write {}: {}", port_file, w.error().message);
      return 1;
    }
  }
  if (cfg.http_tokens.empty())
    spdlog::warn(
        "http.tokens is empty: the query API is open to anyone who reaches {}:{}, the admin API is off",
        cfg.http_bind, srv->port());
  if (http::parse_list(cfg.ingest_write_keys).empty())
    spdlog::warn("ingest.write_keys is empty: the Segment collector refuses every request");

  // `journeyctl reload` finds the process here (SIGHUP).
  const auto pid_file = cfg.state_dir + "/journeyd.pid";
  if (auto w = app::write_file_atomically(pid_file, std::to_string(getpid()) + "\n"); !w)
    spdlog::warn("cannot write {}: {}", pid_file, w.error().message);
  spdlog::info("consuming {} from {} as group {}; state in {}", cfg.topic_touchpoints, cfg.kafka_brokers,
               cfg.kafka_group_id, cfg.state_dir);
  std::atomic<bool> pipeline_stop{false}, pipeline_done{false};
  Result<void> r = outcome::success();
  std::thread processing([&] {
    r = pipeline.value()->run(pipeline_stop, &reload);
    pipeline_done.store(true);
  });
  while (!stop.load() && !pipeline_done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  spdlog::info("stopping: draining http");
  srv->drain();
  sink.value()->stop(cfg.http_drain_timeout_ms);
  pipeline_stop.store(true);
  processing.join();
  std::remove(pid_file.c_str());
  if (!r) {
    spdlog::error("stopped on error: {}", r.error().message);
    return 1;
  }
  return 0;
}
