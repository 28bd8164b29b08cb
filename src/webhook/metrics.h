// The webhook sink's metrics, declared once: call sites use these references. Labelled by
// endpoint name, which the webhooks file bounds.
//
// Lifecycle: made from the process's Registry, which must outlive it.
// Threading: updates are thread-safe (metrics are atomics).
#pragma once

#include "metrics/registry.h"

namespace journeyd::webhook {

struct WebhookMetrics {
  explicit WebhookMetrics(metrics::Registry& r);
  // outcome: delivered | failed (an attempt that will be retried) | dead_lettered
  metrics::Family<metrics::Counter>& deliveries;  // journeyd_webhook_deliveries_total{endpoint,outcome}
  metrics::Family<metrics::Gauge>& pending;       // journeyd_webhook_pending{endpoint}
  metrics::Family<metrics::Histogram>&
      attempt_seconds;  // journeyd_webhook_attempt_duration_seconds{endpoint}
};

}  // namespace journeyd::webhook
