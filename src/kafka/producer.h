// Idempotent producer. Delivery reports are served on the thread that calls
// poll()/flush(), so the caller can act on them (e.g. delete outbox records)
// without locking.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "kafka/health.h"
#include "kafka/properties.h"

namespace journeyd::kafka {

// How a failure should be handled; librdkafka's error codes stay inside kafka/.
enum class Failure {
  none,
  retriable,  // try again later (broker down, unknown topic while it is being created, timeout)
  permanent,  // this record can never be delivered as it is (too large, invalid)
  fatal,      // the producer instance is unusable (e.g. idempotence sequence broken): restart
};

struct DeliveryReport {
  uint64_t opaque = 0;  // the caller's id for the record
  Failure failure = Failure::none;
  std::string_view error;  // empty on success
};

struct ProducerOptions {
  Properties properties;
  std::function<void(const DeliveryReport&)> on_delivery;
  // Fed with the producer's broker states, errors and failed deliveries (null: not tracked).
  std::shared_ptr<ClientHealth> health;
};

enum class ProduceStatus {
  queued,
  queue_full,   // call poll() and retry
  too_large,    // permanent: the record exceeds message.max.bytes
  retry_later,  // transient local refusal (e.g. unknown topic or partition)
};

class Producer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Producer>> create(ProducerOptions opts);
  ~Producer();

  // Queues one record. An error result means the producer is unusable (fatal).
  [[nodiscard]] Result<ProduceStatus> produce(const std::string& topic, std::string_view key,
                                              std::string_view value, uint64_t opaque);
  // Serves delivery reports.
  void poll(int timeout_ms);
  // Waits until everything queued is delivered or failed; false on timeout.
  bool flush(int timeout_ms);
  // Records queued or in flight.
  int in_flight() const;

 public:
  struct Impl;  // public only for librdkafka's C callbacks

 private:
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::kafka
