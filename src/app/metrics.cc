#include "app/metrics.h"

#include "http/metrics.h"
#include "journey/metrics.h"
#include "metrics/process.h"
#include "webhook/metrics.h"

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
      cache_hits(
          r.counter("journeyd_customer_cache_hits_total", "Customer lookups served from memory.").get()),
      cache_misses(
          r.counter("journeyd_customer_cache_misses_total",
                    "Customers whose state was read from RocksDB (batched prefetch or single reads).")
              .get()),
      identity_links(r.counter("journeyd_identity_links_total", "anonymousId to userId links made.").get()),
      erasures(r.counter("journeyd_erasures_total", "Customers erased (DELETE /v1/customers/{id}).").get()),
      reloads(r.counter("journeyd_reloads_total", "Definition reloads, by result.", {"result"})),
      definitions(r.gauge("journeyd_definitions", "Definitions running.").get()),
      outbox_stalled(r.gauge("journeyd_outbox_stalled_seconds",
                             "How long outbox records have waited with nothing delivered (0: none waits).")
                         .get()),
      outbox_bytes(r.gauge("journeyd_outbox_bytes",
                           "Memory of the outbox records waiting for Kafka; engine.max_outbox_mb bounds it.")
                       .get()),
      input_paused(r.gauge("journeyd_input_paused",
                           "1 while backpressure holds the input: the outbox is over engine.max_outbox_mb.")
                       .get()),
      input_pauses(r.counter("journeyd_input_pauses_total",
                             "Times backpressure paused the input because the outbox was full.")
                       .get()),
      memory_budget(r.gauge("journeyd_memory_budget_bytes",
                            "The memory the configuration allows (docs/operations.md, Memory); compare "
                            "process_resident_memory_bytes.")
                        .get()),
      kafka_up(r.gauge("journeyd_kafka_up",
                       "1 while the client reaches a broker (the consumer: and its group coordinator).",
                       {"client"})),
      kafka_brokers_up(
          r.gauge("journeyd_kafka_brokers_up", "Brokers the client is connected to.", {"client"})),
      kafka_errors(r.counter("journeyd_kafka_errors_total",
                             "Kafka client errors: connections, failed fetches, deliveries and commits.",
                             {"client"})),
      kafka_errors_consumer(kafka_errors.with({"consumer"})),
      kafka_errors_producer(kafka_errors.with({"producer"})) {}

StateMetrics::StateMetrics(metrics::Registry& r)
    : size(r.gauge("journeyd_state_size_bytes", "RocksDB size: sst files, memtables, pending compaction.",
                   {"part"})),
      timers_pending(r.gauge("journeyd_timers_pending", "Timers in the store (RocksDB's estimate).").get()),
      block_cache(r.gauge("journeyd_state_block_cache_bytes", "RocksDB block cache in use.").get()),
      block_cache_hits(r.counter("journeyd_state_block_cache_hits_total", "RocksDB block cache hits.").get()),
      block_cache_misses(
          r.counter("journeyd_state_block_cache_misses_total", "RocksDB block cache misses.").get()) {}

std::string metrics_reference() {
  metrics::Registry r;
  metrics::register_process_metrics(r);
  PipelineMetrics pipeline(r);
  StateMetrics state(r);
  journey::EngineMetrics engine(r);
  http::HttpMetrics http(r);
  webhook::WebhookMetrics webhooks(r);
  return "# Metrics\n\nGenerated by `journeyd --metrics-reference > docs/metrics.md` from the declarations "
         "(`metrics.h` of each module); served at `GET /metrics` in the Prometheus text format.\n\n" +
         r.markdown_reference();
}

}  // namespace journeyd::app
