// WebhookRelay: POSTs actions and alerts to the configured endpoints (docs/webhooks.md).
//
// Durability follows the outbox: a delivery record is put into the same Batch as the outbox record
// it comes from (stage()), so a crash never loses or invents one; after the batch commits it is
// scheduled (commit()). Outcomes come back like OutboxRelay's acks and are written by the next
// batch (settle()): delivered → the record is deleted; a retriable failure (no answer, timeout,
// 5xx, 408, 429) → rewritten with attempts+1, next_at and last_error; a permanent failure (3xx,
// other 4xx) or a spent retry budget (max_attempts, max_age) → deleted, and a dead-letter record
// is appended to the outbox (Sink::webhook_dlq) in that same batch. At start-up load() schedules
// every stored delivery at its next_at. Delivery is at least once: an attempt whose outcome was
// not yet written when the process stopped is made again.
//
// Only deliveries' metadata is kept in memory; a body is read from the store when its attempt
// starts. Wall-clock time (the injected Clock) drives retries, never event time.
//
// Threading: processing thread only (pump() drives the HTTP client on it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "state/outbox.h"
#include "state/store.h"
#include "webhook/client.h"
#include "webhook/config.h"
#include "webhook/delivery.h"
#include "webhook/metrics.h"

namespace journeyd::webhook {

struct RelayOptions {
  // Seeds the jitter RNG. 0: from std::random_device.
  // Default: 0
  uint64_t seed = 0;
  ClientOptions client;
};

class WebhookRelay {
 public:
  // `store` must outlive the relay (bodies are read from it); `metrics` may be null.
  [[nodiscard]] static Result<std::unique_ptr<WebhookRelay>> create(WebhookConfig cfg,
                                                                    const state::Store& store, Clock& clock,
                                                                    WebhookMetrics* metrics,
                                                                    RelayOptions opts = {});
  ~WebhookRelay();

  // Start-up: schedules every stored delivery of a configured endpoint (others stay stored, with a
  // warning, until their endpoint is configured again). Returns the highest outbox seq any stored
  // delivery names: the outbox must number new records after it (keys stay unique).
  [[nodiscard]] Result<std::optional<uint64_t>> load();
  // Puts a delivery record into `batch` for each action/alert in `appended` that an endpoint takes.
  void stage(state::Batch& batch, const std::vector<state::OutboxRecord>& appended);
  // The batch holding the staged records committed: schedule them.
  void commit();
  // Writes the outcomes gathered since the last call into `batch` (dead letters via `outbox`).
  void settle(state::Batch& batch, state::Outbox& outbox);
  // Collects finished attempts and starts due ones (per-endpoint in-flight limit). Never blocks.
  [[nodiscard]] Result<void> pump();
  // An erasure deleted these delivery keys (erase_deliveries): forget them, cancel attempts in
  // flight, and never write their outcomes.
  void drop(const std::vector<std::string>& keys);

  // Blocks until an attempt in flight can make progress or `timeout_ms` passed (tests).
  void wait(int timeout_ms) { client_->wait(timeout_ms); }

  size_t pending() const { return entries_.size(); }
  size_t in_flight() const;
  size_t unsettled() const { return changes_.size(); }

 private:
  struct EndpointState {
    Endpoint cfg;
    std::set<std::pair<int64_t, std::string>> due;  // (next_at, key) of waiting deliveries
    int in_flight = 0;
    size_t pending = 0;
  };
  struct Entry {
    Delivery d;  // body only while in flight
    size_t endpoint = 0;
    uint64_t token = 0;  // of the attempt in flight; 0: waiting
  };
  struct Change {
    enum class Kind { put, del, dead_letter } kind;
    Delivery d;
    std::string url;  // dead_letter
    int64_t at = 0;   // dead_letter: the last attempt
  };

  WebhookRelay(WebhookConfig cfg, const state::Store& store, Clock& clock, WebhookMetrics* metrics,
               RelayOptions opts, std::unique_ptr<Client> client);
  void schedule(Delivery d, size_t endpoint);
  [[nodiscard]] Result<void> start(EndpointState& ep, size_t index, const std::string& key);
  void on_answer(HttpAnswer a);
  void give_up(Entry& e, EndpointState& ep, int64_t now, const char* why);
  void count(const EndpointState& ep, const char* outcome);

  const state::Store& store_;
  Clock& clock_;
  WebhookMetrics* metrics_;
  std::unique_ptr<Client> client_;
  std::vector<EndpointState> endpoints_;
  std::unordered_map<std::string, size_t> by_name_;
  std::map<std::string, Entry> entries_;              // by delivery key
  std::unordered_map<uint64_t, std::string> tokens_;  // attempt in flight → delivery key
  std::vector<std::pair<Delivery, size_t>> staged_;
  std::vector<Change> changes_;
  std::mt19937_64 rng_;
  uint64_t next_token_ = 0;
};

}  // namespace journeyd::webhook
