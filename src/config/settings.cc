// The single declaration of every setting. Add a key here and nowhere else:
// loading, validation, env names and docs/config.md all derive from this table.
#include "config/settings_table.h"

namespace journeyd::config {

const std::vector<Setting>& setting_table() {
  using K = Kind;
  static const std::vector<Setting> table = {
      {{"kafka.brokers", K::string, "", 0, 0,
        "Bootstrap servers (host:port,...). Empty with --embedded-kafka: the embedded cluster's."},
       &Config::kafka_brokers},
      {{"kafka.group_id", K::string, "journeyd", 0, 0, "Consumer group shared by all journeyd instances."},
       &Config::kafka_group_id},
      {{"kafka.client_id", K::string, "journeyd", 0, 0, "client.id reported to the brokers."},
       &Config::kafka_client_id},
      {{"kafka.topic.touchpoints", K::string, "touchpoints", 0, 0, "Input topic of touchpoint events."},
       &Config::topic_touchpoints},
      {{"kafka.topic.dlq", K::string, "touchpoints.dlq", 0, 0, "Dead-letter topic for rejected events."},
       &Config::topic_dlq},
      {{"kafka.topic.actions", K::string, "journey.actions", 0, 0, "Topic of workflow actions."},
       &Config::topic_actions},
      {{"kafka.topic.alerts", K::string, "journey.alerts", 0, 0, "Topic of alerts."}, &Config::topic_alerts},
      {{"kafka.topic.suppressed", K::string, "journey.actions.suppressed", 0, 0,
        "Topic of actions suppressed by a holdout or a cap (for holdout analysis)."},
       &Config::topic_suppressed},
      {{"kafka.topic.webhooks_dlq", K::string, "journey.webhooks.dlq", 0, 0,
        "Topic of webhook deliveries given up on (retry budget spent or a permanent failure)."},
       &Config::topic_webhooks_dlq},
      {{"kafka.outbox_stall", K::duration, "60s", 1000, 86'400'000,
        "/readyz fails (check `outbox`) once actions, alerts or DLQ records have waited this long for Kafka "
        "with none delivered meanwhile. Nothing is dropped; they are delivered when Kafka takes them again."},
       &Config::kafka_outbox_stall_ms},
      {{"webhooks.file", K::string, "", 0, 0,
        "YAML file of webhook endpoints that actions and alerts are POSTed to (docs/webhooks.md). Empty: no "
        "webhooks."},
       &Config::webhooks_file},
      {{"embedded_kafka.brokers", K::integer, "3", 1, 16, "Brokers of the embedded mock cluster."},
       &Config::embedded_brokers},
      {{"embedded_kafka.partitions", K::integer, "6", 1, 1024,
        "Partitions of each topic the embedded cluster creates."},
       &Config::embedded_partitions},
      {{"state.dir", K::string, "./data", 0, 0,
        "RocksDB directory (journey state, timers, outbox, offsets)."},
       &Config::state_dir},
      {{"state.cache_customers", K::integer, "200000", 0, 100'000'000,
        "Customers whose decoded state is cached in memory in front of RocksDB (LRU)."},
       &Config::state_cache_customers},
      {{"state.block_cache_mb", K::integer, "256", 8, 1'048'576,
        "RocksDB block cache shared by all column families, MiB."},
       &Config::state_block_cache_mb},
      {{"state.write_buffer_mb", K::integer, "128", 8, 1'048'576,
        "Total RocksDB memtable budget (write-buffer manager), MiB."},
       &Config::state_write_buffer_mb},
      {{"streams.dir", K::string, "streams", 0, 0, "Folder of journey definitions (*.yaml)."},
       &Config::streams_dir},
      {{"engine.grace", K::duration, "500ms", 0, 7 * 86'400'000LL,
        "Allowed event-time disorder. Watermark = max event time - grace; an event older than its "
        "customer's last event by more than this goes to the DLQ as late_event."},
       &Config::engine_grace_ms},
      {{"engine.batch_max_events", K::integer, "5000", 1, 1'000'000,
        "Most messages in one poll batch (one RocksDB WriteBatch)."},
       &Config::engine_batch_max_events},
      {{"engine.batch_max_wait", K::duration, "20ms", 0, 10'000,
        "Longest wait for a poll batch to fill before it is processed."},
       &Config::engine_batch_max_wait_ms},
      {{"engine.max_event_bytes", K::integer, "32768", 256, 16'777'216,
        "Largest accepted event; larger ones go to the DLQ as size_violation."},
       &Config::engine_max_event_bytes},
      {{"engine.max_future", K::duration, "1h", 60'000, 365 * 86'400'000LL,
        "Events stamped further ahead of the wall clock than this go to the DLQ (schema_violation): a "
        "far-future "
        "timestamp would otherwise move the partition's watermark and fire every pending timer."},
       &Config::engine_max_future_ms},
      {{"engine.timers_per_batch", K::integer, "10000", 1, 10'000'000,
        "Most due timers fired per partition per batch (the rest fire in the next batches)."},
       &Config::engine_timers_per_batch},
      {{"engine.max_outbox_mb", K::integer, "64", 1, 65'536,
        "Backpressure: when the records waiting for Kafka (queued, retrying, in flight) reach this many MiB, "
        "journeyd pauses its input partitions and holds timers until they are below half. A slow or "
        "unavailable action topic then slows journeyd down instead of growing its memory."},
       &Config::engine_max_outbox_mb},
      {{"engine.dedup_horizon", K::duration, "24h", 0, 30 * 86'400'000LL,
        "Events whose messageId was seen on the same partition within this event-time horizon are dropped as "
        "duplicates. 0 turns deduplication off. Storage: the ids of up to two horizons."},
       &Config::engine_dedup_horizon_ms},
      {{"http.bind", K::string, "0.0.0.0", 0, 0, "Address the HTTP server listens on."}, &Config::http_bind},
      {{"http.port", K::integer, "8080", 0, 65535,
        "Port of the HTTP server (collector, query and admin API, /metrics). 0: an ephemeral port, written "
        "to --port-file."},
       &Config::http_port},
      {{"http.threads", K::integer, "2", 1, 64, "Threads serving HTTP."}, &Config::http_threads},
      {{"http.max_connections", K::integer, "1024", 1, 1'000'000,
        "Open connections allowed; further ones get 503 and are closed."},
       &Config::http_max_connections},
      {{"http.max_header_bytes", K::integer, "16384", 1024, 1'048'576,
        "Largest request line plus headers; larger requests get 431."},
       &Config::http_max_header_bytes},
      {{"http.read_timeout", K::duration, "10s", 100, 3'600'000,
        "A request must arrive completely within this (slow clients get 408)."},
       &Config::http_read_timeout_ms},
      {{"http.idle_timeout", K::duration, "60s", 100, 3'600'000,
        "Idle keep-alive connections are closed after this."},
       &Config::http_idle_timeout_ms},
      {{"http.drain_timeout", K::duration, "10s", 0, 600'000,
        "On SIGTERM, in-flight requests get this long to finish before the server closes."},
       &Config::http_drain_timeout_ms},
      {{"http.tls.cert", K::string, "", 0, 0,
        "PEM certificate chain. With http.tls.key set, the server speaks only HTTPS."},
       &Config::http_tls_cert},
      {{"http.tls.key", K::string, "", 0, 0, "PEM private key for http.tls.cert."}, &Config::http_tls_key},
      {{"http.tokens", K::string, "", 0, 0,
        "Bearer tokens of the query and admin API: comma-separated name:scope:secret, scope read or admin "
        "(admin includes read). Empty: the query API is open and the admin API is off. Prefer the "
        "JOURNEYD_HTTP_TOKENS environment variable to a file."},
       &Config::http_tokens},
      {{"ingest.write_keys", K::string, "", 0, 0,
        "Write keys the Segment-compatible collector accepts (comma-separated). Empty: the collector refuses "
        "every request (401)."},
       &Config::ingest_write_keys},
      {{"privacy.hash_fields", K::string, "", 0, 0,
        "Event fields replaced by a keyed hash (HMAC-SHA256 with privacy.hash_key, 32 hex digits) before "
        "anything is stored or emitted: comma-separated paths below properties., context. or traits. "
        "(e.g. traits.email), and/or userId,anonymousId (together). A `where` on such a field compares "
        "with the hash. See docs/security.md."},
       &Config::privacy_hash_fields},
      {{"privacy.redact_fields", K::string, "", 0, 0,
        "Event fields removed before anything is stored or emitted (comma-separated paths below "
        "properties., context. or traits., e.g. context.ip). Also applied to DLQ payloads."},
       &Config::privacy_redact_fields},
      {{"privacy.hash_key", K::string, "", 0, 0,
        "Secret key (16+ bytes) of privacy.hash_fields. Set it with JOURNEYD_PRIVACY_HASH_KEY, not in a "
        "file; changing it changes every hash (customers split from their state)."},
       &Config::privacy_hash_key},
      {{"ingest.rate_limit", K::integer, "10000", 0, 100'000'000,
        "Events per second per write key (token bucket, burst of one second). Past it: 429 with "
        "Retry-After. 0: unlimited."},
       &Config::ingest_rate_limit},
      {{"ingest.max_event_bytes", K::integer, "32768", 256, 16'777'216,
        "Largest event the collector takes (Segment: 32 KB); larger ones get 413."},
       &Config::ingest_max_event_bytes},
      {{"ingest.max_batch_bytes", K::integer, "512000", 1024, 67'108'864,
        "Largest request body of /v1/batch (Segment: 500 KB); larger ones get 413."},
       &Config::ingest_max_batch_bytes},
      {{"ingest.timeout", K::duration, "10s", 100, 300'000,
        "How long the collector waits for Kafka to acknowledge events before it answers 503."},
       &Config::ingest_timeout_ms},
      {{"state.history_retention", K::duration, "7d", 0, 3650 * 86'400'000LL,
        "Actions and alerts are kept this long for GET /v1/actions and /v1/alerts (event time: the "
        "partition's "
        "clock). 0: not kept."},
       &Config::history_retention_ms},
      {{"funnel.retention", K::duration, "30d", 3'600'000, 3650 * 86'400'000LL,
        "Funnel aggregates (per journey, step and minute of event time) are kept this long; "
        "GET /v1/journeys/{id}/funnel answers for ranges inside it."},
       &Config::funnel_retention_ms},
      {{"funnel.window", K::duration, "1h", 60'000, 30 * 86'400'000LL,
        "The trailing range (event time) of the dashboard's funnels, the journeyd_funnel_* gauges and the "
        "funnel API when no 'from' is given."},
       &Config::funnel_window_ms},
      {{"log.level", K::string, "info", 0, 0, "One of trace, debug, info, warn, error."}, &Config::log_level},
  };
  return table;
}

}  // namespace journeyd::config
