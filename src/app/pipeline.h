// The processing loop (design §2): poll a batch from Kafka → decode → engine →
// one RocksDB WriteBatch with state, timers, outbox records and offsets →
// relay the outbox to Kafka. On start it resumes from the offsets in RocksDB
// and resends whatever the outbox still holds.
//
// Lifecycle: create() opens state and connects to Kafka; run() loops until the
// stop flag is set, then finishes the batch, flushes the outbox and leaves the
// group. Threading: run() owns one thread; stats() may be read from another;
// post() may be called from any thread (the HTTP API's way in).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/histogram.h"
#include "common/types.h"
#include "config/config.h"
#include "journey/definition.h"

namespace journeyd::metrics {
class Registry;
}
namespace journeyd::journey {
class Engine;
}
namespace journeyd::state {
class Store;
}
namespace journeyd::webhook {
class WebhookRelay;
}
namespace journeyd::kafka {
class ClientHealth;
}

namespace journeyd::app {

class OutboxRelay;

struct PipelineStats {
  std::atomic<uint64_t> consumed{0};
  std::atomic<uint64_t> rejected{0};  // DLQ records (any category)
  std::atomic<uint64_t> actions{0};
  std::atomic<uint64_t> alerts{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> delivered{0};       // outbox records acknowledged by Kafka
  std::atomic<uint64_t> outbox_pending{0};  // queued, retrying or in flight
  std::atomic<uint64_t> outbox_parked{0};   // refused by Kafka; kept in the outbox until restart
  std::atomic<uint64_t> outbox_bytes{0};    // OutboxRelay::bytes(): what backpressure bounds
  std::atomic<bool> input_paused{false};    // backpressure: partitions paused, timers held
  std::atomic<uint64_t> input_pauses{0};    // times backpressure paused the input
  std::atomic<int> partitions{0};           // assigned
  std::atomic<bool> running{false};         // run() is consuming
  // Kafka connectivity of the consumer and the outbox's producer (set by create(), never null after).
  std::shared_ptr<const kafka::ClientHealth> consumer_health, producer_health;
  std::atomic<int64_t> outbox_stalled_ms{0};  // OutboxRelay::stalled_ms(), each batch
  int64_t outbox_stall_limit_ms = 0;          // kafka.outbox_stall: /readyz fails beyond it
};

// What a posted function may use: the processing thread's own objects.
struct Services {
  journey::Engine& engine;
  state::Store& store;
  OutboxRelay& relay;
  Clock& clock;
  webhook::WebhookRelay* webhooks = nullptr;  // null: no webhooks configured
  // The latest partition clock (event time, advancing with the wall clock once caught up): "now" for
  // funnels and the dashboard. kNoTime before the first event.
  int64_t event_now = kNoTime;
};

struct ReloadOutcome {
  bool ok = false;
  size_t definitions = 0;
  std::vector<std::string> problems;  // file:line:col: message, or why the change was refused
};

class Pipeline {
 public:
  // `registry`: where the pipeline's and the engine's metrics go (nullptr: nowhere).
  [[nodiscard]] static Result<std::unique_ptr<Pipeline>> create(const config::Config& cfg,
                                                                std::vector<journey::Definition> defs,
                                                                Clock& clock,
                                                                metrics::Registry* registry = nullptr);
  ~Pipeline();

  // Runs until `stop` is set. When `reload` is set (SIGHUP), the definitions in
  // streams.dir are loaded again between two batches and applied if valid.
  [[nodiscard]] Result<void> run(const std::atomic<bool>& stop, std::atomic<bool>* reload = nullptr);
  // Applies new definitions between batches (run() thread only, or before run()).
  [[nodiscard]] Result<void> reload(std::vector<journey::Definition> defs);
  // Loads streams.dir again and applies it if valid (run() thread only, e.g. from post()).
  ReloadOutcome reload_from_disk();
  // Runs `fn` on the processing thread between two batches. False once run() has finished: `fn`
  // will never run.
  bool post(std::function<void(Services&)> fn);
  // The store, for thread-safe reads (metrics).
  const state::Store& store() const;
  const PipelineStats& stats() const;
  // Kafka-message-timestamp → batch-committed latency in µs (run() thread only,
  // read after run() returns).
  const Histogram& commit_latency_us() const;

 private:
  struct Impl;
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::app
