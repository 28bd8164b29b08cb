// Connection health of one librdkafka client (the consumer or a producer), for
// /readyz and /metrics: is any broker reachable, does the consumer group have
// its coordinator, and how many errors librdkafka reported. librdkafka retries
// everything itself and never says "recovered", so reachability comes from its
// statistics (statistics.interval.ms, 1 s unless the properties say otherwise:
// each broker's connection state, the group's coordinator state); the error
// callback marks "all brokers down" at once, between two statistics reports.
//
// Lifecycle: made by the client's owner and handed to ConsumerOptions /
// ProducerOptions; it must outlive the client (share it).
// Threading: the hooks run on the client's polling thread; snapshot() from any.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kafka/properties.h"

namespace journeyd::kafka {

struct HealthSnapshot {
  bool reachable = true;    // some broker is connected (false from "all brokers down" until one is up)
  bool coordinator = true;  // consumers: the group coordinator is connected (producers: always true)
  int brokers_up = 0;       // connected brokers at the last statistics report
  int brokers_down = 0;     // brokers the client tried and cannot reach (never-needed ones are not counted)
  uint64_t errors = 0;      // errors so far: client errors, failed fetches, deliveries and commits
  std::string last_error;   // the latest of them ("" if none)
};

class ClientHealth {
 public:
  // Hooks, fed by consumer.cc / producer.cc.
  void on_error(int rd_kafka_resp_err, std::string_view reason);  // librdkafka's error_cb
  void on_stats(std::string_view json);                           // librdkafka's stats_cb
  void on_failure(std::string_view what);  // a fetch error, a failed delivery or commit

  HealthSnapshot snapshot() const;

  // What on_stats reads from librdkafka's statistics JSON (public for tests).
  struct Stats {
    int up = 0, down = 0;
    std::optional<bool> coordinator;  // absent: no consumer group
  };
  static Stats parse_stats(std::string_view json);

 private:
  mutable std::mutex mu_;
  HealthSnapshot s_;  // guarded by mu_
};

// `p` plus what health tracking needs (statistics.interval.ms), unless `p` sets it.
Properties with_health_properties(const Properties& p);

}  // namespace journeyd::kafka
