// The journey engine: applies events to per-customer state for every
// definition (journey funnels with windowFunnel semantics, triggers, SLAs,
// churn), keeps event-time timers in RocksDB and fires them when a
// partition's clock passes them, resolves identities, drops duplicate
// messageIds, and emits actions/alerts to the outbox under each definition's
// delivery policy. Semantics: docs/journeys.md.
//
// Lifecycle: one Engine per process, driven by the processing thread once per
// poll batch: begin(batch) → prefetch → on_event* → fire_timers* → finish().
// reload() only between batches. Every state change, timer and outbox record
// of a poll batch goes into that one state::Batch. Not thread-safe.
//
// Ownership: borrows the Store and Outbox; owns a bounded LRU cache of decoded
// customer state (write-through: the cache never holds anything the batch
// has not also been given).
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/error.h"
#include "common/types.h"
#include "event/errc.h"
#include "event/touchpoint.h"
#include "journey/definition.h"
#include "journey/funnel.h"
#include "journey/instance.h"
#include "journey/registry.h"
#include "state/outbox.h"
#include "state/store.h"

namespace journeyd::journey {

struct EngineMetrics;

struct EngineOptions {
  // Allowed event-time disorder per customer, unless a definition sets its own. Default: 500 ms.
  int64_t grace_ms = 500;
  // Customers kept decoded in memory. Default: 200k.
  size_t cache_customers = 200'000;
  // Most timers fired per partition per call. Default: 10k.
  size_t timers_per_batch = 10'000;
  // Duplicate messageIds are dropped within this event-time horizon. Default: 24h. 0: off.
  int64_t dedup_horizon_ms = 24LL * 3600 * 1000;
  // Actions and alerts are kept this long (event time) for the query API. Default: 0 (not kept).
  int64_t history_retention_ms = 0;
  // Counters by definition (journey/metrics.h); not owned. Default: none.
  struct EngineMetrics* metrics = nullptr;
  // Funnel aggregates older than this (event time) are dropped by compactions. Default: 30 days.
  int64_t funnel_retention_ms = 30LL * 86'400'000;
};

struct EngineStats {
  uint64_t events = 0;         // events applied
  uint64_t late_events = 0;    // rejected as late
  uint64_t duplicates = 0;     // dropped by messageId
  uint64_t steps_reached = 0;  // level updates
  uint64_t timers_scheduled = 0;
  uint64_t timers_fired = 0;  // did something (emitted, re-armed)
  uint64_t timers_stale = 0;  // nothing left to do
  uint64_t actions = 0;       // sent (or deferred) actions
  uint64_t alerts = 0;
  uint64_t suppressed = 0;  // holdout or cap
  uint64_t deferred = 0;    // quiet hours
  uint64_t identity_links = 0;
  uint64_t cache_hits = 0;    // customer lookups served from memory
  uint64_t cache_misses = 0;  // customers read from RocksDB (prefetch or a single read)
  uint64_t fenced = 0;        // events of an erased customer, from before the erasure, dropped
  uint64_t erasures = 0;      // DELETE /v1/customers/{id}
};

// The outcome of an erasure (GDPR): what was found and deleted.
struct Erasure {
  bool found = false;            // any state existed
  std::vector<std::string> ids;  // the customer and its linked ids, all fenced
  size_t keys_deleted = 0;       // point deletes plus range deletes
  std::vector<uint64_t> outbox;  // undelivered outbox records removed (drop them from the relay too)
};

// Instances that reached each step of a journey (first time per instance).
struct FunnelCounts {
  std::string definition;
  std::vector<std::string> steps;
  std::vector<uint64_t> reached;
};

// One judgement of an aggregate alert (aggregate_alerts.cc).
struct AggregateVerdict {
  bool breach = false;
  std::optional<double> value;     // the ratio judged (null for no_events)
  double threshold = 0;            // the absolute limit the value was compared with
  std::optional<double> baseline;  // percent rules: the ratio over the baseline range
};

struct EventRef {
  Partition partition;
  const event::Touchpoint* tp;
};

class Engine {
 public:
  // Fails when a definition changed without a version bump (see Registry).
  [[nodiscard]] static Result<std::unique_ptr<Engine>> create(std::vector<Definition> defs,
                                                              EngineOptions opts, state::Store& store,
                                                              state::Outbox& outbox);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // New definitions between batches: new versions apply to new instances,
  // running instances finish on theirs, removed definitions stop. On failure
  // the running definitions stay.
  [[nodiscard]] Result<void> reload(std::vector<Definition> defs);
  const Registry& registry() const { return registry_; }
  // The largest grace of the engine and every definition: older events are late.
  int64_t max_grace_ms() const { return max_grace_; }

  // The partitions this process owns (identity merges look for anonymous state in them).
  void assign(std::span<const Partition> ps);
  // Partitions revoked: forget their cached customers (one pass over the cache).
  void forget_partitions(std::span<const Partition> ps);
  void forget_partition(Partition p) { forget_partitions(std::span(&p, 1)); }

  void begin(state::Batch& batch);
  // Loads identity links, duplicate markers and the state of every uncached
  // customer in `events` with one MultiGet per column family.
  [[nodiscard]] Result<void> prefetch(std::span<const EventRef> events);
  // Applies one event. A late event is returned as a Rejection and changes nothing.
  [[nodiscard]] Result<std::optional<event::Rejection>> on_event(Partition p, const event::Touchpoint& tp);
  // Fires timers of partition p whose definition's deadline (due + grace) is at or before
  // `clock` (the partition's event-time clock). Returns how many timers were taken.
  // At most min(timers_per_batch, max) timers fire.
  [[nodiscard]] Result<size_t> fire_timers(Partition p, int64_t clock, size_t max = SIZE_MAX);
  // Judges the aggregate alerts (`alerts:` of journeys) once per minute of `now` (the process's event
  // clock), inside begin()/finish(): firing and resolved records go to the outbox.
  [[nodiscard]] Result<void> evaluate_alerts(int64_t now);
  // Input events of this batch (applied and sent to the DLQ), counted at `clock` for the DLQ rate.
  void note_input(int64_t clock, uint64_t applied, uint64_t rejected);
  // Writes dirty customer state and the funnel increments into the batch and trims the cache.
  void finish();

  const EngineStats& stats() const { return stats_; }
  EngineMetrics* metrics() const { return opts_.metrics; }
  std::vector<FunnelCounts> funnels() const;

  // Query API (engine_admin.cc; JSON as in schemas/openapi.yaml). Processing thread, between batches.
  // The customer an id names (followed through identity links), or nullopt if not in any owned partition.
  [[nodiscard]] Result<std::optional<std::string>> customer_json(std::string_view id);
  // The customer's recent actions (newest first), or nullopt for an unknown customer.
  [[nodiscard]] Result<std::optional<std::string>> actions_json(std::string_view id, size_t limit);
  // Recent alerts (newest first), of one definition if `definition` is not empty.
  [[nodiscard]] Result<std::string> alerts_json(std::string_view definition, size_t limit) const;
  std::string definitions_json() const;
  // The funnel aggregates of journey `id` over [from, to) (journey/funnel.h), or nullopt if `id` is not
  // a journey.
  [[nodiscard]] Result<std::optional<FunnelReport>> funnel(std::string_view id, int64_t from,
                                                           int64_t to) const;
  std::optional<std::string> definition_json(std::string_view id) const;
  // The latest actions this process emitted (newest first, at most 50 kept), as a JSON array.
  std::string recent_actions_json(size_t limit) const;
  // The funnels of every running journey over [from, to).
  [[nodiscard]] Result<std::vector<FunnelReport>> funnel_reports(int64_t from, int64_t to) const;

  // GDPR erasure of the customer an id names, inside begin()/finish(): its state, instances, timers,
  // history, undelivered outbox records, dedup entries and identity links, in every owned partition.
  // Writes an erasure fence per id (events stamped at or before `now_ms` are dropped from then on)
  // and an audit record naming `actor` and a hash of the id, never the id.
  [[nodiscard]] Result<Erasure> erase(std::string_view id, int64_t now_ms, std::string_view actor);

 private:
  struct Customer {
    Partition partition{0};
    std::string id;
    CustomerRecord record;
    std::vector<State> states;  // index = registry slot
    std::vector<bool> state_dirty;
    bool record_dirty = false;
    bool dirty = false;   // listed in dirty_
    bool erased = false;  // merged into another customer: delete its keys at finish()
    std::list<std::string>::iterator lru;
  };
  struct Link {
    std::string user;
    Partition partition{0};  // where the user's state lives
  };
  struct Timer;
  struct Decision;

  Engine(EngineOptions opts, state::Store& store, state::Outbox& outbox);
  void rebuild_index();

  // engine.cc: cache, loading, identity, dedup
  Customer* cached(const std::string& key);
  Customer& insert(const std::string& key, Partition p, std::string_view id,
                   std::optional<std::string_view> rec, std::span<const std::optional<std::string>> states);
  [[nodiscard]] Result<Customer*> load(Partition p, std::string_view id);
  void touch(Customer& c);
  void mark(Customer& c, size_t slot);
  [[nodiscard]] Result<const Link*> link_of(std::string_view anonymous);
  [[nodiscard]] Result<bool> duplicate(Partition p, const event::Touchpoint& tp);
  [[nodiscard]] Result<void> link(Partition home, std::string_view user, std::string_view anonymous);
  [[nodiscard]] Result<std::pair<Partition, std::string>> resolve(Partition p, std::string_view id);
  void merge_into(Customer& user, Customer& anon);
  void expire_dedup(int64_t clock);
  bool fenced(const event::Touchpoint& tp) const;

  // engine_admin.cc
  [[nodiscard]] Result<void> load_fences();
  // The customer `id` names (through identity links), looked for in `where` (default: owned partitions).
  [[nodiscard]] Result<Customer*> find(std::string_view id, const std::vector<Partition>* where = nullptr);
  // Owned partitions plus every partition this store holds offsets of (state may remain there).
  [[nodiscard]] Result<std::vector<Partition>> stored_partitions() const;
  void record_history(const Customer* c, uint64_t seq, int64_t at, std::string_view json);
  void drop_cached(const std::string& key);

  // aggregate_alerts.cc
  [[nodiscard]] Result<void> load_aggregate_alerts();
  void judge(const Definition& d, const AggregateAlert& a, const AggregateVerdict& v, int64_t from,
             int64_t to);

  // engine_rules.cc: per kind
  int64_t grace_of(const Definition& d) const;
  void apply(Customer& c, size_t slot, const event::Touchpoint& tp, int64_t prev_seen);
  void apply_journey(Customer& c, size_t slot, const event::Touchpoint& tp);
  void apply_trigger(Customer& c, size_t slot, const event::Touchpoint& tp);
  void apply_sla(Customer& c, size_t slot, const event::Touchpoint& tp);
  void apply_churn(Customer& c, size_t slot, const event::Touchpoint& tp, int64_t prev_seen);
  void rearm(Customer& c, size_t slot);  // after an identity merge
  void schedule(Customer& c, const Definition& d, uint16_t rule, int64_t due, int64_t chain, int64_t aux,
                std::string_view payload = {});
  void schedule_dropoffs(Customer& c, const Definition& d, size_t step);
  void fire(Customer& c, size_t slot, const Timer& t);
  void fire_dropoff(Customer& c, size_t slot, const Definition& d, const Timer& t);
  void fire_sla(Customer& c, size_t slot, const Definition& d, const Timer& t);
  void fire_inactivity(Customer& c, size_t slot, const Definition& d, const Timer& t, int64_t last);
  void settle_dropoffs(Customer& c, size_t slot, int64_t now);
  void fire_rfm(Customer& c, size_t slot, const Definition& d, const Timer& t);
  void rfm_update(Customer& c, size_t slot, const Definition& d, int64_t now);

  // emit.cc: delivery policy and records
  void emit(Customer& c, size_t slot, const Definition& d, const Emit& e, const Decision& what);
  void send_action(Customer& c, size_t slot, const Definition& d, const ActionSpec& a, const Decision& what);

  EngineOptions opts_;
  state::Store& store_;
  state::Outbox& outbox_;
  Registry registry_;
  int64_t max_grace_ = 0;
  state::Batch* batch_ = nullptr;

  // event name → slots with a pattern for it (any version); slots that see every event.
  std::unordered_map<std::string, std::vector<size_t>> by_event_;
  std::vector<size_t> every_event_;
  std::vector<FunnelCounts> funnels_;  // by slot (empty for other kinds)
  FunnelDelta funnel_;                 // this batch's funnel increments

  std::unordered_map<std::string, Customer> cache_;  // key: customer_key(p, id)
  std::list<std::string> lru_;                       // front = most recent
  std::vector<Customer*> dirty_;
  std::vector<Partition> assigned_;

  // anonymousId → link (std::nullopt: known to be unlinked). Bounded; cleared when full.
  std::unordered_map<std::string, std::optional<Link>> links_;
  // Dedup keys: loaded by prefetch (value: last event time, or kNoTime for absent) plus this batch's.
  std::unordered_map<std::string, int64_t> dedup_;

  // Per partition: no timer in the store is due before this (absent: unknown,
  // scan from the partition's start). Lets fire_timers skip idle partitions
  // and start past the tombstones of timers it already fired.
  std::unordered_map<int32_t, int64_t> timer_floor_;
  std::unordered_map<int32_t, int64_t> scheduled_min_;  // earliest due scheduled in this batch
  // Erasure fences: stable_hash(customer id) → erasure time (events at or before it are dropped).
  std::unordered_map<uint64_t, int64_t> fences_;
  // Aggregate alerts firing: meta key → since when; the minute last judged.
  std::map<std::string, int64_t> firing_;
  int64_t alerts_minute_ = kNoTime;
  std::deque<std::string> recent_actions_;  // newest first
  static constexpr size_t kRecentActions = 50;
  EngineStats stats_;
};

}  // namespace journeyd::journey
