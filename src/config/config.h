// journeyd's configuration: a plain struct whose every field is declared once
// in settings.cc (name, type, default, bounds, description). Loading order:
// defaults < config file (YAML) < JOURNEYD_* environment < --set key=value.
// Throws ConfigError at start-up only.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace journeyd::config {

struct Config {
  // Kafka
  std::string kafka_brokers;
  std::string kafka_group_id;
  std::string kafka_client_id;
  std::string topic_touchpoints;
  std::string topic_dlq;
  std::string topic_actions;
  std::string topic_alerts;
  std::string topic_suppressed;
  std::string topic_webhooks_dlq;
  // Readiness fails once outbox records have waited this long with no delivery meanwhile.
  int64_t kafka_outbox_stall_ms = 0;
  // Webhooks (src/webhook): the endpoints file; empty: none.
  std::string webhooks_file;
  // librdkafka properties passed through unchanged ("kafka.common.*",
  // "kafka.consumer.*", "kafka.producer.*"); e.g. security.protocol, sasl.*.
  std::map<std::string, std::string> kafka_common;
  std::map<std::string, std::string> kafka_consumer;
  std::map<std::string, std::string> kafka_producer;
  // Embedded (mock) Kafka
  int64_t embedded_brokers = 0;
  int64_t embedded_partitions = 0;
  // State
  std::string state_dir;
  int64_t state_cache_customers = 0;
  int64_t state_block_cache_mb = 0;
  int64_t state_write_buffer_mb = 0;
  // Engine
  std::string streams_dir;
  int64_t engine_grace_ms = 0;
  int64_t engine_batch_max_events = 0;
  int64_t engine_batch_max_wait_ms = 0;
  int64_t engine_max_event_bytes = 0;
  int64_t engine_max_future_ms = 0;
  int64_t engine_timers_per_batch = 0;
  int64_t engine_dedup_horizon_ms = 0;
  int64_t engine_max_outbox_mb = 0;
  // HTTP (collector, query/admin API, ops endpoints)
  std::string http_bind;
  int64_t http_port = 0;
  int64_t http_threads = 0;
  int64_t http_max_connections = 0;
  int64_t http_max_header_bytes = 0;
  int64_t http_read_timeout_ms = 0;
  int64_t http_idle_timeout_ms = 0;
  int64_t http_drain_timeout_ms = 0;
  std::string http_tls_cert;
  std::string http_tls_key;
  std::string http_tokens;
  std::string ingest_write_keys;
  std::string privacy_hash_fields;  // event/privacy.h
  std::string privacy_redact_fields;
  std::string privacy_hash_key;  // secret
  int64_t ingest_rate_limit = 0;
  int64_t ingest_max_event_bytes = 0;
  int64_t ingest_max_batch_bytes = 0;
  int64_t ingest_timeout_ms = 0;
  int64_t history_retention_ms = 0;
  int64_t funnel_retention_ms = 0;
  int64_t funnel_window_ms = 0;
  // Logging
  std::string log_level;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Kind { string, integer, duration };

// One declared setting. `doc` is the text docs/config.md shows.
struct SettingInfo {
  const char* name;
  Kind kind;
  const char* default_value;
  int64_t min;  // integer/duration bounds (inclusive); ignored for strings
  int64_t max;
  const char* doc;
};

const std::vector<SettingInfo>& settings();

struct LoadOptions {
  std::string file;               // empty: no config file
  std::vector<std::string> sets;  // "key=value" overrides
  bool read_environment = true;   // JOURNEYD_<KEY with . → _ upper-cased>
};

// Defaults only.
Config defaults();
// Defaults, file, environment, overrides; validates every value.
Config load(const LoadOptions& opts);
// Applies one "key=value" (used by load and by tests).
void apply(Config& cfg, const std::string& key, const std::string& value);

// Markdown reference generated from the declarations (docs/config.md).
std::string markdown_reference();

}  // namespace journeyd::config
