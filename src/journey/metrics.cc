#include "journey/metrics.h"

namespace journeyd::journey {

EngineMetrics::EngineMetrics(metrics::Registry& r)
    : actions(r.counter("journeyd_actions_total", "Workflow actions emitted (sent to the outbox).",
                        {"journey", "type"})),
      alerts(r.counter("journeyd_alerts_total", "Alerts emitted.", {"journey", "severity"})),
      suppressed(r.counter("journeyd_actions_suppressed_total",
                           "Actions held back by a holdout or a frequency cap.", {"journey", "reason"})),
      deferred(r.counter("journeyd_actions_deferred_total", "Actions deferred to the end of quiet hours.",
                         {"journey"})),
      funnel_reached(r.gauge("journeyd_funnel_reached",
                             "Instances that reached the step in the trailing funnel.window (event time).",
                             {"journey", "step"})),
      funnel_dropped(r.gauge("journeyd_funnel_dropped",
                             "Reached the step but not the next one in the trailing funnel.window.",
                             {"journey", "step"})),
      funnel_conversion(r.gauge("journeyd_funnel_conversion_ratio",
                                "Reached the step / reached the previous step, trailing funnel.window "
                                "(absent for the first step).",
                                {"journey", "step"})),
      funnel_overall(r.gauge("journeyd_funnel_overall_conversion_ratio",
                             "Reached the last step / entered, trailing funnel.window.", {"journey"})),
      funnel_duration(
          r.gauge("journeyd_funnel_step_duration_seconds",
                  "Time from the previous step (quantile 0.5, 0.9, 0.99), trailing funnel.window.",
                  {"journey", "step", "quantile"})),
      funnel_bottleneck(r.gauge("journeyd_funnel_bottleneck",
                                "1 on the step with the lowest conversion from the previous step, else 0.",
                                {"journey", "step"})),
      aggregate_firing(r.gauge("journeyd_aggregate_alerts_firing",
                               "1 while an aggregate alert (alerts: in a journey definition) fires, else 0.",
                               {"journey", "alert", "severity"})) {}

void EngineMetrics::set_funnels(const std::vector<FunnelReport>& reports) {
  for (const auto& r : reports) {
    if (r.conversion)
      funnel_overall.with({r.journey}).set(*r.conversion);
    else
      funnel_overall.remove({r.journey});
    for (size_t i = 0; i < r.steps.size(); ++i) {
      const auto& s = r.steps[i];
      funnel_reached.with({r.journey, s.id}).set(static_cast<double>(s.reached));
      if (s.dropped) funnel_dropped.with({r.journey, s.id}).set(static_cast<double>(*s.dropped));
      if (s.conversion)
        funnel_conversion.with({r.journey, s.id}).set(*s.conversion);
      else
        funnel_conversion.remove({r.journey, s.id});
      funnel_bottleneck.with({r.journey, s.id}).set(r.bottleneck_conversion == i ? 1 : 0);
      const std::pair<const char*, int64_t> qs[] = {{"0.5", s.time ? s.time->p50_ms : 0},
                                                    {"0.9", s.time ? s.time->p90_ms : 0},
                                                    {"0.99", s.time ? s.time->p99_ms : 0}};
      for (const auto& [q, ms] : qs) {
        if (s.time)
          funnel_duration.with({r.journey, s.id, q}).set(static_cast<double>(ms) / 1000.0);
        else
          funnel_duration.remove({r.journey, s.id, q});
      }
    }
  }
}

}  // namespace journeyd::journey
