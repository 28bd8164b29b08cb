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
#include "kafka/properties.h"

namespace journeyd::kafka {

struct ProducerOptions {
  Properties properties;
  // opaque: the caller's id for the record; error: empty on success.
  std::function<void(uint64_t opaque, std::string_view error)> on_delivery;
};

enum class ProduceStatus { queued, queue_full };

class Producer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Producer>> create(ProducerOptions opts);
  ~Producer();

  // Queues one record. queue_full means: call poll() and retry later.
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
