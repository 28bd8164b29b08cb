#include "kafka/conf.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/redact.h"

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
    if (const auto r = rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr);
        r != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // The value only helps when it is the problem and no secret (sasl.password, ssl.key.password …);
      // an unknown name may be a misspelt secret's ("sasl.pasword"), so its value is never shown.
      const bool show = r == RD_KAFKA_CONF_INVALID && !redact::is_secret_key(k);
      return fail(Errc::invalid_argument,
                  fmt::format("kafka property {}={}: {}", k, show ? v : std::string(redact::kMask),
                              show ? std::string(errstr) : redact::scrub(errstr, {v})));
    }
  }
  return conf;
}

}  // namespace journeyd::kafka
