// The processing loop's metrics, declared once (design §7 /metrics): events by
// outcome, consumer lag and watermark delay per partition, outbox depth,
// timers, RocksDB size and cache hit counts, reloads and erasures.
//
// Lifecycle: made from the process's Registry, which must outlive it.
// Threading: the pipeline thread updates; the scrape thread reads atomics.
#pragma once

#include <cstdint>

#include "metrics/registry.h"

namespace journeyd::app {

// A counter that follows a running total kept elsewhere (adds the difference).
class Mirror {
 public:
  explicit Mirror(metrics::Counter& c) : c_(c) {}
  void update(uint64_t total) {
    if (total > last_) c_.inc(static_cast<double>(total - last_));
    last_ = total;
  }

 private:
  metrics::Counter& c_;
  uint64_t last_ = 0;
};

struct PipelineMetrics {
  explicit PipelineMetrics(metrics::Registry& r);
  metrics::Counter& consumed;                        // journeyd_events_consumed_total
  metrics::Counter& decoded;                         // journeyd_events_decoded_total
  metrics::Family<metrics::Counter>& rejected;       // journeyd_events_rejected_total{category}
  Mirror applied, duplicates, fenced;                // journeyd_events_{applied,duplicate,fenced}_total
  metrics::Counter& batches;                         // journeyd_batches_total
  metrics::Histogram& commit_latency;                // journeyd_event_commit_latency_seconds
  metrics::Family<metrics::Gauge>& lag;              // journeyd_consumer_lag_messages{partition}
  metrics::Family<metrics::Gauge>& watermark_delay;  // journeyd_watermark_delay_seconds{partition}
  metrics::Gauge& partitions;                        // journeyd_partitions_assigned
  metrics::Gauge& outbox_depth;                      // journeyd_outbox_depth
  metrics::Gauge& outbox_parked;                     // journeyd_outbox_parked
  Mirror delivered;                                  // journeyd_outbox_delivered_total
  Mirror timers_fired, timers_stale;                 // journeyd_timers_{fired,stale}_total
  Mirror cache_hits, cache_misses;                   // journeyd_customer_cache_{hits,misses}_total
  Mirror identity_links, erasures;                   // journeyd_identity_links_total, journeyd_erasures_total
  metrics::Family<metrics::Counter>& reloads;        // journeyd_reloads_total{result}
  metrics::Gauge& definitions;                       // journeyd_definitions
  metrics::Gauge& outbox_stalled;                    // journeyd_outbox_stalled_seconds
  metrics::Gauge& outbox_bytes;                      // journeyd_outbox_bytes
  metrics::Gauge& input_paused;                      // journeyd_input_paused
  Mirror input_pauses;                               // journeyd_input_pauses_total
  metrics::Gauge& memory_budget;                     // journeyd_memory_budget_bytes
  metrics::Family<metrics::Gauge>& kafka_up;         // journeyd_kafka_up{client}
  metrics::Family<metrics::Gauge>& kafka_brokers_up;  // journeyd_kafka_brokers_up{client}
  metrics::Family<metrics::Counter>& kafka_errors;    // journeyd_kafka_errors_total{client}
  Mirror kafka_errors_consumer, kafka_errors_producer;
};

// RocksDB figures, refreshed at scrape time (Store::figures() is thread-safe).
struct StateMetrics {
  explicit StateMetrics(metrics::Registry& r);
  metrics::Family<metrics::Gauge>& size;        // journeyd_state_size_bytes{part}
  metrics::Gauge& timers_pending;               // journeyd_timers_pending
  metrics::Gauge& block_cache;                  // journeyd_state_block_cache_bytes
  Mirror block_cache_hits, block_cache_misses;  // journeyd_state_block_cache_{hits,misses}_total
};

// Every metric journeyd declares, as Markdown (docs/metrics.md; `journeyd --metrics-reference`).
std::string metrics_reference();

}  // namespace journeyd::app
