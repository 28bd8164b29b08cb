// The RocksDB-backed state store. The only module that includes RocksDB
// headers; everything else sees column families, byte keys and Result<>.
//
// Lifecycle: open() once at start-up; the Store must outlive every Batch.
// Threading: writes come from the processing thread; reads are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace journeyd::state {

// One role each (design §6). Per-customer keys start with the partition.
// dedup: recent messageIds per partition (expired by a compaction filter); identity: anonymousId → user
// links (a global table); history: recent actions and alerts for the query API (expired like dedup);
// funnel: per journey × minute × step counters (state/counters.h), merged by addition, expired by the
// minute in the key; webhooks: webhook deliveries not yet done (src/webhook).
enum class Cf : uint8_t {
  customers,
  instances,
  timers,
  offsets,
  outbox,
  meta,
  dedup,
  identity,
  history,
  funnel,
  webhooks
};
inline constexpr size_t kCfCount = 11;
const char* to_string(Cf cf);

struct StoreOptions {
  std::string dir;
  // Shared by all column families. Default: 256 MiB.
  size_t block_cache_bytes = 256u << 20;
  // Total memtable budget across column families. Default: 128 MiB.
  size_t write_buffer_bytes = 128u << 20;
};

class Store;

// A set of writes applied atomically by Store::write. Not thread-safe.
// Bound to the Store it was made for, which must outlive it.
class Batch {
 public:
  explicit Batch(const Store& store);
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  void put(Cf cf, std::string_view key, std::string_view value);
  void del(Cf cf, std::string_view key);
  // Adds a merge operand. Only `funnel` has a merge operator: the operand is encoded Counters, added.
  void merge(Cf cf, std::string_view key, std::string_view operand);
  // Deletes every key in [begin, end).
  void del_range(Cf cf, std::string_view begin, std::string_view end);
  size_t count() const;
  size_t bytes() const;
  void clear();

 private:
  friend class Store;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Store>> open(const StoreOptions& opts);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  [[nodiscard]] Result<std::optional<std::string>> get(Cf cf, std::string_view key) const;
  // values[i] is empty when keys[i] is absent.
  [[nodiscard]] Result<std::vector<std::optional<std::string>>> multi_get(
      Cf cf, const std::vector<std::string>& keys) const;
  [[nodiscard]] Result<void> write(Batch& batch);
  // Visits keys in [begin, end) in order until fn returns false.
  using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;
  [[nodiscard]] Result<void> scan(Cf cf, std::string_view begin, std::string_view end,
                                  const ScanFn& fn) const;
  // The same, from the last key down to the first.
  [[nodiscard]] Result<void> scan_reverse(Cf cf, std::string_view begin, std::string_view end,
                                          const ScanFn& fn) const;
  // Last key in [begin, end), if any.
  [[nodiscard]] Result<std::optional<std::string>> last_key(Cf cf, std::string_view begin,
                                                            std::string_view end) const;
  // Flushes memtables and the WAL (tests, shutdown).
  [[nodiscard]] Result<void> flush();
  // Records of an expiring column family (dedup, history: value starts with an svarint event time;
  // funnel: the minute in the key) older than this are dropped by compactions. Only ever moves
  // forward. Thread-safe. Other families: no-op.
  void expire_before(Cf cf, int64_t event_time);
  // Compacts a column family completely (tests, operations).
  [[nodiscard]] Result<void> compact(Cf cf);
  uint64_t approximate_bytes() const;
  // Figures for /metrics. Thread-safe.
  struct Figures {
    uint64_t sst_bytes = 0;
    uint64_t memtable_bytes = 0;
    uint64_t block_cache_usage_bytes = 0;
    uint64_t block_cache_hits = 0;
    uint64_t block_cache_misses = 0;
    uint64_t pending_compaction_bytes = 0;
    uint64_t timers_estimate = 0;  // keys in `timers` (RocksDB's estimate)
  };
  Figures figures() const;
  std::string stats() const;

 private:
  friend class Batch;
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::state
