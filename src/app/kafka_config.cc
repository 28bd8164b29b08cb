#include "app/kafka_config.h"

namespace journeyd::app {

kafka::Properties consumer_properties(const config::Config& cfg) {
  kafka::Properties p = {{"bootstrap.servers", cfg.kafka_brokers},
                         {"group.id", cfg.kafka_group_id},
                         {"client.id", cfg.kafka_client_id},
                         {"fetch.wait.max.ms", "50"},
                         {"session.timeout.ms", "10000"},
                         // Prefetched input, bounded (librdkafka's default is 64 MiB): part of the
                         // memory budget (app/memory_budget.h).
                         {"queued.max.messages.kbytes", "16384"}};
  p = kafka::merge(p, cfg.kafka_common);
  return kafka::merge(p, cfg.kafka_consumer);
}

kafka::Properties producer_properties(const config::Config& cfg) {
  // librdkafka would queue up to 1 GiB; the relay's records are bounded by engine.max_outbox_mb
  // anyway, and the collector answers 503 when this queue is full.
  kafka::Properties p = {{"bootstrap.servers", cfg.kafka_brokers},
                         {"client.id", cfg.kafka_client_id},
                         {"queue.buffering.max.kbytes", "65536"}};
  p = kafka::merge(p, cfg.kafka_common);
  return kafka::merge(p, cfg.kafka_producer);
}

}  // namespace journeyd::app
