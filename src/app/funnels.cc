// AppBackend's funnel calls: GET /v1/journeys/{id}/funnel, the dashboard's funnels and the
// journeyd_funnel_* gauges. Every read happens on the processing thread (the definitions live there);
// "now" is the process's event clock (Services::event_now), so a replay of history shows the funnel
// of the time being replayed.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/backend.h"
#include "common/json_writer.h"
#include "journey/engine.h"
#include "journey/metrics.h"

namespace journeyd::app {

int64_t funnel_now(const Services& s) {
  return s.event_now != kNoTime ? s.event_now : s.clock.now_ms();
}

void AppBackend::funnel(http::FunnelQuery q, http::Respond respond) {
  on_pipeline(respond, [q = std::move(q), window = funnel_window_ms_](Services& s) {
    const int64_t to = q.to.value_or(funnel_now(s));
    const int64_t from = q.from.value_or(to - q.span_ms.value_or(window));
    if (from >= to) return http::json_error(400, "invalid_parameter", "'from' must be before 'to'");
    auto r = s.engine.funnel(q.journey, from, to);
    if (!r) {
      spdlog::error("api: funnel: {}", r.error().message);
      return http::json_error(500, "internal", r.error().message);
    }
    if (!r.value())
      return http::json_error(404, "not_found", fmt::format("no journey '{}' is running", q.journey));
    const auto& report = *r.value();
    if (!q.step.empty()) {
      bool known = false;
      for (const auto& st : report.steps) known |= st.id == q.step;
      if (!known)
        return http::json_error(400, "invalid_parameter",
                                fmt::format("journey '{}' has no step '{}'", q.journey, q.step));
    }
    http::Response out;
    JsonWriter w(out.body);
    journey::write_funnel_json(w, report, q.step);
    return out;
  });
}

Result<std::string> funnels_json(Services& s, int64_t window_ms) {
  const int64_t to = funnel_now(s);
  auto reports = s.engine.funnel_reports(to - window_ms, to);
  if (!reports) return reports.error();
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  for (const auto& r : reports.value()) journey::write_funnel_json(w, r);
  w.end_array();
  return body;
}

void AppBackend::refresh_funnel_gauges() {
  if (refreshing_.exchange(true)) return;
  const bool posted = pipeline_.post([this](Services& s) {
    struct Done {  // cleared however the call ends (run_posted catches exceptions)
      std::atomic<bool>& flag;
      ~Done() { flag = false; }
    } done{refreshing_};
    const int64_t to = funnel_now(s);
    auto reports = s.engine.funnel_reports(to - funnel_window_ms_, to);
    if (reports && s.engine.metrics())
      s.engine.metrics()->set_funnels(reports.value());
    else if (!reports)
      spdlog::warn("metrics: funnels: {}", reports.error().message);
  });
  if (!posted) refreshing_ = false;
}

}  // namespace journeyd::app
