// The HTTP API's view of the running process (http::Backend): queries and
// admin operations run on the processing thread between two batches (posted
// to the Pipeline), so they see exactly what the engine sees; ops figures are
// read from atomics and thread-safe RocksDB properties.
//
// Lifecycle: the Pipeline and the Registry must outlive it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "app/metrics.h"
#include "app/pipeline.h"
#include "http/backend.h"
#include "metrics/registry.h"

namespace journeyd::app {

// funnels.cc: "now" for funnels (the event clock, else the wall clock) and every journey's funnel over
// the trailing window, as a JSON array (processing thread).
int64_t funnel_now(const Services& s);
[[nodiscard]] Result<std::string> funnels_json(Services& s, int64_t window_ms);

class AppBackend final : public http::Backend {
 public:
  AppBackend(Pipeline& pipeline, metrics::Registry& registry);

  void customer(std::string id, http::Respond respond) override;
  void customer_actions(std::string id, size_t limit, http::Respond respond) override;
  void alerts(std::string definition, size_t limit, http::Respond respond) override;
  void definitions(http::Respond respond) override;
  void definition(std::string id, http::Respond respond) override;
  void reload(std::string actor, http::Respond respond) override;
  void erase_customer(std::string id, std::string actor, http::Respond respond) override;
  http::Readiness readiness() const override;
  // Also required for readiness (e.g. the collector's producer); default: none.
  void set_collector_health(std::function<bool()> healthy) { collector_healthy_ = std::move(healthy); }
  std::string metrics() override;
  // The dashboard's snapshot (live.cc).
  void live(http::Respond respond) override;
  // funnels.cc: GET /v1/journeys/{id}/funnel; funnel.window (the dashboard, gauges, default range).
  void funnel(http::FunnelQuery q, http::Respond respond) override;
  void set_funnel_window(int64_t ms) { funnel_window_ms_ = ms; }

 private:
  // Runs fn on the processing thread; answers 503 when the pipeline has stopped.
  void on_pipeline(const http::Respond& respond, std::function<http::Response(Services&)> fn);

  Pipeline& pipeline_;
  metrics::Registry& registry_;
  StateMetrics state_metrics_;
  std::function<bool()> collector_healthy_;
  int64_t funnel_window_ms_ = 3'600'000;
  std::atomic<bool> refreshing_{false};  // a gauge refresh is posted and has not run yet
  // Posts a refresh of the journeyd_funnel_* gauges (at scrape time; the scrape never waits for it).
  void refresh_funnel_gauges();
  // live(): events consumed at the previous snapshot, for events_per_second.
  std::mutex live_mu_;
  uint64_t live_consumed_ = 0;  // guarded by live_mu_
  int64_t live_at_ms_ = 0;      // guarded by live_mu_ (steady clock; 0: no snapshot yet)
};

}  // namespace journeyd::app
