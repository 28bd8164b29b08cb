// The memory journeyd is configured to use, part by part (docs/operations.md, "Memory"): what each
// bound in the configuration allows, plus a fixed base. Logged at start-up and exported as
// journeyd_memory_budget_bytes so RSS can be watched against it; tests/e2e/backlog_memory.sh
// checks the peak RSS against it while a backlog drains and the action topic stalls.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.h"

namespace journeyd::app {

struct MemoryBudget {
  uint64_t block_cache = 0;     // state.block_cache_mb: RocksDB data, index and filter blocks
  uint64_t write_buffers = 0;   // state.write_buffer_mb: memtables (charged to the block cache, which
                                // then evicts blocks, but may go over its capacity by this much)
  uint64_t customer_cache = 0;  // state.cache_customers × an estimate per cached customer
  uint64_t consumer_queue = 0;  // librdkafka's prefetch queue (kafka.consumer.queued.max.messages.kbytes)
  uint64_t outbox = 0;          // engine.max_outbox_mb twice (journeyd's copy and librdkafka's)
  uint64_t batch = 0;           // one poll batch: engine.batch_max_events × engine.max_event_bytes
  uint64_t base = 0;            // code, threads, HTTP, RocksDB and librdkafka internals

  uint64_t total() const {
    return block_cache + write_buffers + customer_cache + consumer_queue + outbox + batch + base;
  }
  std::string describe() const;  // "≈ N MiB: block cache A + ..."
};

// Memory of one customer in the hot cache (record, journey states, index). ~700 B measured with one
// journey (docs/operations.md, "Memory"); more journeys per customer take more.
inline constexpr uint64_t kCachedCustomerBytes = 1024;
// The rest: code, threads' stacks, HTTP, librdkafka and RocksDB internals, allocator slack. An idle
// journeyd takes ~27 MiB; the allowance covers what they add under load.
inline constexpr uint64_t kBaseBytes = 64ull << 20;

MemoryBudget memory_budget(const config::Config& cfg);

}  // namespace journeyd::app
