#include "webhook/metrics.h"

namespace journeyd::webhook {

WebhookMetrics::WebhookMetrics(metrics::Registry& r)
    : deliveries(r.counter("journeyd_webhook_deliveries_total",
                           "Webhook delivery attempts by outcome: delivered, failed (will be retried), "
                           "dead_lettered (given up: retry budget spent or a permanent failure).",
                           {"endpoint", "outcome"})),
      pending(r.gauge("journeyd_webhook_pending", "Webhook deliveries not yet done (waiting or in flight).",
                      {"endpoint"})),
      attempt_seconds(r.histogram("journeyd_webhook_attempt_duration_seconds",
                                  "Duration of one webhook attempt (connect to the end of the answer).",
                                  {"endpoint"}, metrics::latency_buckets_seconds())) {}

}  // namespace journeyd::webhook
