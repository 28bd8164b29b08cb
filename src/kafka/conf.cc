#include "kafka/conf.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace journeyd::kafka {
namespace {

void log_cb(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 3)
    spdlog::error("rdkafka {}: {}", fac, buf);
  else if (level <= 4)
    spdlog::warn("rdkafka {}: {}", fac, buf);
  else
    spdlog::debug("rdkafka {}: {}", fac, buf);
}

}  // namespace

Properties merge(const Properties& a, const Properties& b) {
  Properties out = a;
  for (const auto& [k, v] : b) out[k] = v;
  return out;
}

Result<rd_kafka_conf_t*> make_conf(const Properties& props) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, log_cb);
  char errstr[512];
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return fail(Errc::invalid_argument, fmt::format("kafka property {}={}: {}", k, v, errstr));
    }
  }
  return conf;
}

}  // namespace journeyd::kafka
