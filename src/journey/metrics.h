// The engine's metrics, declared once: call sites use these references.
// Labelled by definition id and action type or alert severity, which are
// bounded by the definitions loaded.
//
// Lifecycle: made by the app from its Registry, which must outlive it.
// Threading: updates are thread-safe (metrics are atomics).
#pragma once

#include "metrics/registry.h"

namespace journeyd::journey {

struct EngineMetrics {
  explicit EngineMetrics(metrics::Registry& r);
  metrics::Family<metrics::Counter>& actions;     // journeyd_actions_total{journey,type}
  metrics::Family<metrics::Counter>& alerts;      // journeyd_alerts_total{journey,severity}
  metrics::Family<metrics::Counter>& suppressed;  // journeyd_actions_suppressed_total{journey,reason}
  metrics::Family<metrics::Counter>& deferred;    // journeyd_actions_deferred_total{journey}
};

}  // namespace journeyd::journey
