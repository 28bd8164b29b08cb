// The journey engine: advances customers through journeys (windowFunnel
// semantics, design §5), schedules drop-off timers and fires them when the
// partition watermark passes them, emitting actions/alerts to the outbox.
//
// Lifecycle: one Engine per process, driven by the processing thread once per
// poll batch: begin(batch) → prefetch → on_event* → fire_timers* → finish().
// Every state change, timer and outbox record of a poll batch goes into that
// one state::Batch. Not thread-safe.
//
// Ownership: borrows the Store and Outbox; owns a bounded LRU cache of decoded
// customer state (write-through: the cache never holds anything the batch
// has not also been given).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/types.h"
#include "event/errc.h"
#include "event/touchpoint.h"
#include "journey/definition.h"
#include "journey/instance.h"
#include "state/outbox.h"
#include "state/store.h"

namespace journeyd::journey {

struct EngineOptions {
  // Allowed event-time disorder per customer. Default: 500 ms.
  int64_t grace_ms = 500;
  // Customers kept decoded in memory. Default: 200k.
  size_t cache_customers = 200'000;
  // Most timers fired per partition per call. Default: 10k.
  size_t timers_per_batch = 10'000;
};

struct EngineStats {
  uint64_t events = 0;         // events applied
  uint64_t late_events = 0;    // rejected as late
  uint64_t steps_reached = 0;  // level updates
  uint64_t timers_scheduled = 0;
  uint64_t timers_fired = 0;  // produced an action/alert
  uint64_t timers_stale = 0;  // chain moved on or converted: nothing to do
  uint64_t actions = 0;
  uint64_t alerts = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
};

struct EventRef {
  Partition partition;
  const event::Touchpoint* tp;
};

class Engine {
 public:
  Engine(std::vector<JourneyDef> defs, EngineOptions opts, state::Store& store, state::Outbox& outbox);
  ~Engine();

  const std::vector<JourneyDef>& journeys() const { return defs_; }

  void begin(state::Batch& batch);
  // Loads the state of every uncached customer in `events` with one MultiGet per column family.
  [[nodiscard]] Result<void> prefetch(std::span<const EventRef> events);
  // Applies one event. A late event is returned as a Rejection and changes nothing.
  [[nodiscard]] Result<std::optional<event::Rejection>> on_event(Partition p, const event::Touchpoint& tp);
  // Fires drop-off timers of partition p due at or before `watermark`. Returns how many were taken.
  [[nodiscard]] Result<size_t> fire_timers(Partition p, int64_t watermark);
  // Writes dirty customer state into the batch and trims the cache.
  void finish();
  // Partitions revoked: forget their cached customers (one pass over the cache).
  void forget_partitions(std::span<const Partition> ps);
  void forget_partition(Partition p) { forget_partitions(std::span(&p, 1)); }

  const EngineStats& stats() const { return stats_; }

 private:
  struct Customer {
    CustomerRecord record;
    std::vector<Instance> instances;  // index = journey index
    std::vector<bool> instance_dirty;
    bool record_dirty = false;  // the customer record changed (last_seen moved)
    bool dirty = false;         // listed in dirty_ (record or some instance changed)
    uint64_t last_batch = 0;
    std::list<std::string>::iterator lru;
  };

  Customer* cached(const std::string& key);
  Result<Customer*> load(Partition p, std::string_view customer, const std::string& key);
  Customer& insert(const std::string& key, std::optional<std::string_view> rec,
                   std::span<const std::optional<std::string>> instances);
  void advance(Partition p, std::string_view customer, Customer& c, size_t j, const event::Touchpoint& tp);
  void schedule(Partition p, std::string_view customer, size_t j, size_t step, const Level& lvl);
  void emit_dropoff(std::string_view customer, size_t j, size_t rule, const Level& lvl, int64_t due);

  std::vector<JourneyDef> defs_;
  std::unordered_map<std::string, size_t> journey_index_;
  // event name → (journey, step) pairs, steps descending within a journey.
  std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> by_event_;
  EngineOptions opts_;
  state::Store& store_;
  state::Outbox& outbox_;
  state::Batch* batch_ = nullptr;
  uint64_t batch_no_ = 0;

  std::unordered_map<std::string, Customer> cache_;  // key: customer_key(p, id)
  std::list<std::string> lru_;                       // front = most recent
  std::vector<Customer*> dirty_;
  // Per partition: no timer in the store is due before this (absent: unknown,
  // scan from the partition's start). Lets fire_timers skip idle partitions
  // and start past the tombstones of timers it already fired.
  std::unordered_map<int32_t, int64_t> timer_floor_;
  std::unordered_map<int32_t, int64_t> scheduled_min_;  // earliest due scheduled in this batch
  EngineStats stats_;
};

}  // namespace journeyd::journey
