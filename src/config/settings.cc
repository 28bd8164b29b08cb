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
      {{"engine.dedup_horizon", K::duration, "24h", 0, 30 * 86'400'000LL,
        "Events whose messageId was seen on the same partition within this event-time horizon are dropped as "
        "duplicates. 0 turns deduplication off. Storage: the ids of up to two horizons."},
       &Config::engine_dedup_horizon_ms},
      {{"log.level", K::string, "info", 0, 0, "One of trace, debug, info, warn, error."}, &Config::log_level},
  };
  return table;
}

}  // namespace journeyd::config
