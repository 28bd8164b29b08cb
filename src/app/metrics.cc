#include "app/metrics.h"

namespace journeyd::app {

PipelineMetrics::PipelineMetrics(metrics::Registry& r)
    : consumed(
          r.counter("journeyd_events_consumed_total", "Messages read from the touchpoints topic.").get()),
      decoded(r.counter("journeyd_events_decoded_total", "Messages decoded into touchpoint events.").get()),
      rejected(r.counter("journeyd_events_rejected_total", "Messages sent to the DLQ, by category.",
                         {"category"})),
      applied(r.counter("journeyd_events_applied_total", "Events applied to customer state.").get()),
      duplicates(
          r.counter("journeyd_events_duplicate_total", "Events dropped as repeated messageIds.").get()),
      fenced(r.counter("journeyd_events_fenced_total",
                       "Events of erased customers (from before the erasure) dropped.")
                 .get()),
      batches(r.counter("journeyd_batches_total", "Poll batches processed (one RocksDB write each).").get()),
      commit_latency(r.histogram("journeyd_event_commit_latency_seconds",
                                 "From the Kafka message timestamp to the commit of its batch.", {},
                                 metrics::latency_buckets_seconds())
                         .get()),
      lag(r.gauge("journeyd_consumer_lag_messages", "High watermark minus the consumer's position.",
                  {"partition"})),
      watermark_delay(r.gauge("journeyd_watermark_delay_seconds",
                              "Wall clock minus the partition's event-time clock.", {"partition"})),
      partitions(r.gauge("journeyd_partitions_assigned", "Partitions of the touchpoints topic owned.").get()),
      outbox_depth(r.gauge("journeyd_outbox_depth", "Outbox records queued or in flight to Kafka.").get()),
      outbox_parked(
          r.gauge("journeyd_outbox_parked", "Outbox records Kafka refused; retried at the next start.")
              .get()),
      delivered(r.counter("journeyd_outbox_delivered_total", "Outbox records acknowledged by Kafka.").get()),
      timers_fired(r.counter("journeyd_timers_fired_total", "Timers that fired and did something.").get()),
      timers_stale(
          r.counter("journeyd_timers_stale_total", "Timers that fired with nothing left to do.").get()),
      timers_pending(r.gauge("journeyd_timers_pending", "Timers in the store (RocksDB's estimate).").get()),
      cache_hits(
          r.counter("journeyd_customer_cache_hits_total", "Customer lookups served from memory.").get()),
      cache_misses(
          r.counter("journeyd_customer_cache_misses_total", "Customer lookups that read RocksDB.").get()),
      identity_links(r.counter("journeyd_identity_links_total", "anonymousId to userId links made.").get()),
      erasures(r.counter("journeyd_erasures_total", "Customers erased (DELETE /v1/customers/{id}).").get()),
      reloads(r.counter("journeyd_reloads_total", "Definition reloads, by result.", {"result"})),
      definitions(r.gauge("journeyd_definitions", "Definitions running.").get()) {}

StateMetrics::StateMetrics(metrics::Registry& r)
    : size(r.gauge("journeyd_state_size_bytes", "RocksDB size: sst files, memtables, pending compaction.",
                   {"part"})),
      block_cache(r.gauge("journeyd_state_block_cache_bytes", "RocksDB block cache in use.").get()),
      block_cache_hits(r.counter("journeyd_state_block_cache_hits_total", "RocksDB block cache hits.").get()),
      block_cache_misses(
          r.counter("journeyd_state_block_cache_misses_total", "RocksDB block cache misses.").get()) {}

}  // namespace journeyd::app
