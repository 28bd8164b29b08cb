// The HTTP server's metrics, declared once: requests and latency by route and
// status (as a RouteObserver), collector outcomes (as an IngestObserver).
//
// Lifecycle: made from the process's Registry, which must outlive it; it must
// outlive the Router it observes. Threading: thread-safe (atomics).
#pragma once

#include <string>

#include "http/ingest.h"
#include "http/router.h"
#include "metrics/registry.h"

namespace journeyd::http {

class HttpMetrics final : public RouteObserver, public IngestObserver {
 public:
  explicit HttpMetrics(metrics::Registry& r);
  void on_response(std::string_view route, std::string_view method, int status, double seconds) override;
  void accepted(size_t events) override;
  void rejected(std::string_view code, size_t events) override;

  metrics::Family<metrics::Counter>& requests;         // journeyd_http_requests_total{route,method,status}
  metrics::Family<metrics::Histogram>& latency;        // journeyd_http_request_duration_seconds{route,status}
  metrics::Counter& ingest_accepted;                   // journeyd_ingest_events_accepted_total
  metrics::Family<metrics::Counter>& ingest_rejected;  // journeyd_ingest_events_rejected_total{code}
  metrics::Gauge& connections;                         // journeyd_http_connections (set at scrape)
  // journeyd_http_server_answers_total{status}: answers the server gave before any route ran.
  metrics::Family<metrics::Counter>& server_answers;
  void on_own_answer(int status) { server_answers.with({std::to_string(status)}).inc(); }
};

}  // namespace journeyd::http
