// The engine's metrics, declared once: call sites use these references.
// Labelled by definition id and action type or alert severity, which are
// bounded by the definitions loaded.
//
// Lifecycle: made by the app from its Registry, which must outlive it.
// Threading: updates are thread-safe (metrics are atomics).
#pragma once

#include <vector>

#include "journey/funnel.h"
#include "metrics/registry.h"

namespace journeyd::journey {

struct EngineMetrics {
  explicit EngineMetrics(metrics::Registry& r);
  // Sets the journeyd_funnel_* gauges from these reports (one per journey).
  void set_funnels(const std::vector<FunnelReport>& reports);
  metrics::Family<metrics::Counter>& actions;     // journeyd_actions_total{journey,type}
  metrics::Family<metrics::Counter>& alerts;      // journeyd_alerts_total{journey,severity}
  metrics::Family<metrics::Counter>& suppressed;  // journeyd_actions_suppressed_total{journey,reason}
  metrics::Family<metrics::Counter>& deferred;    // journeyd_actions_deferred_total{journey}
  // Funnels over the trailing funnel.window (set by Engine::update_funnel_metrics).
  metrics::Family<metrics::Gauge>& funnel_reached;     // journeyd_funnel_reached{journey,step}
  metrics::Family<metrics::Gauge>& funnel_dropped;     // journeyd_funnel_dropped{journey,step}
  metrics::Family<metrics::Gauge>& funnel_conversion;  // journeyd_funnel_conversion_ratio{journey,step}
  metrics::Family<metrics::Gauge>& funnel_overall;     // journeyd_funnel_overall_conversion_ratio{journey}
  metrics::Family<metrics::Gauge>&
      funnel_duration;  // journeyd_funnel_step_duration_seconds{journey,step,quantile}
  metrics::Family<metrics::Gauge>& funnel_bottleneck;  // journeyd_funnel_bottleneck{journey,step}
  metrics::Family<metrics::Gauge>&
      aggregate_firing;  // journeyd_aggregate_alerts_firing{journey,alert,severity}
};

}  // namespace journeyd::journey
