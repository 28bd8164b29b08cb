#include "journey/metrics.h"

namespace journeyd::journey {

EngineMetrics::EngineMetrics(metrics::Registry& r)
    : actions(r.counter("journeyd_actions_total", "Workflow actions emitted (sent to the outbox).",
                        {"journey", "type"})),
      alerts(r.counter("journeyd_alerts_total", "Alerts emitted.", {"journey", "severity"})),
      suppressed(r.counter("journeyd_actions_suppressed_total",
                           "Actions held back by a holdout or a frequency cap.", {"journey", "reason"})),
      deferred(r.counter("journeyd_actions_deferred_total", "Actions deferred to the end of quiet hours.",
                         {"journey"})) {}

}  // namespace journeyd::journey
