// The HTTP API's view of the running process (http::Backend): queries and
// admin operations run on the processing thread between two batches (posted
// to the Pipeline), so they see exactly what the engine sees; ops figures are
// read from atomics and thread-safe RocksDB properties.
//
// Lifecycle: the Pipeline and the Registry must outlive it.
#pragma once

#include <memory>

#include "app/metrics.h"
#include "app/pipeline.h"
#include "http/backend.h"
#include "metrics/registry.h"

namespace journeyd::app {

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

 private:
  // Runs fn on the processing thread; answers 503 when the pipeline has stopped.
  void on_pipeline(const http::Respond& respond, std::function<http::Response(Services&)> fn);

  Pipeline& pipeline_;
  metrics::Registry& registry_;
  StateMetrics state_metrics_;
  std::function<bool()> collector_healthy_;
};

}  // namespace journeyd::app
