#include "app/kafka_config.h"

namespace journeyd::app {

kafka::Properties consumer_properties(const config::Config& cfg) {
  kafka::Properties p = {{"bootstrap.servers", cfg.kafka_brokers},
                         {"group.id", cfg.kafka_group_id},
                         {"client.id", cfg.kafka_client_id},
                         {"fetch.wait.max.ms", "50"},
                         {"session.timeout.ms", "10000"}};
  p = kafka::merge(p, cfg.kafka_common);
  return kafka::merge(p, cfg.kafka_consumer);
}

kafka::Properties producer_properties(const config::Config& cfg) {
  kafka::Properties p = {{"bootstrap.servers", cfg.kafka_brokers}, {"client.id", cfg.kafka_client_id}};
  p = kafka::merge(p, cfg.kafka_common);
  return kafka::merge(p, cfg.kafka_producer);
}

}  // namespace journeyd::app
