// The collector's way to Kafka: an idempotent producer on `touchpoints`
// whose delivery reports complete HTTP requests (a 200 means every event of
// the request was acknowledged). A thread of its own serves the reports.
//
// Availability is a circuit breaker: after a delivery fails for a broker
// reason, requests get 503 at once — except one probe request a second,
// whose success closes the breaker again.
//
// Threading: publish() and available() from any thread, never blocking (a
// full producer queue is a 503); callbacks run on the sink's thread. Lifecycle: stop() (or the destructor)
// flushes for up to `drain_ms`, then fails whatever is still pending.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/error.h"
#include "config/config.h"
#include "http/ingest.h"
#include "kafka/producer.h"

namespace journeyd::app {

class KafkaEventSink final : public http::EventSink {
 public:
  [[nodiscard]] static Result<std::unique_ptr<KafkaEventSink>> create(const config::Config& cfg);
  ~KafkaEventSink() override;

  void publish(std::vector<http::OutEvent> events, std::function<void(http::PublishResult)> done) override;
  bool available() const override;
  // False after a fatal producer error: the collector cannot recover without a restart (/readyz).
  bool healthy() const { return !fatal_.load(); }
  void stop(int64_t drain_ms);

 private:
  struct Pending {
    size_t remaining = 0;
    bool ok = true;
    int status = 503;
    std::string error;
    std::function<void(http::PublishResult)> done;
  };
  KafkaEventSink() = default;
  void on_delivery(const kafka::DeliveryReport& r);
  // Counts `n` events of request `id` as done; completes the request when none is left.
  void settle(uint64_t id, size_t n, int status, std::string_view error);  // status 200: delivered

  std::string topic_;
  std::unique_ptr<kafka::Producer> producer_;
  std::thread poller_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::unordered_map<uint64_t, Pending> pending_;
  uint64_t next_id_ = 1;
  std::atomic<int64_t> broken_since_ms_{0};  // 0: closed breaker
  std::atomic<bool> fatal_{false};
  mutable std::atomic<int64_t> last_probe_ms_{0};
};

}  // namespace journeyd::app
