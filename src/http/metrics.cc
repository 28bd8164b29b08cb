#include "http/metrics.h"

#include <string>

namespace journeyd::http {

HttpMetrics::HttpMetrics(metrics::Registry& r)
    : requests(r.counter("journeyd_http_requests_total", "HTTP requests answered, by route and status.",
                         {"route", "method", "status"})),
      latency(r.histogram("journeyd_http_request_duration_seconds",
                          "Time from a request's dispatch to its response, by route and status.",
                          {"route", "status"}, metrics::latency_buckets_seconds())),
      ingest_accepted(r.counter("journeyd_ingest_events_accepted_total",
                                "Events the collector accepted (Kafka acknowledged them).")
                          .get()),
      ingest_rejected(r.counter("journeyd_ingest_events_rejected_total",
                                "Events the collector refused, by error code.", {"code"})),
      connections(r.gauge("journeyd_http_connections", "Open HTTP connections.").get()),
      server_answers(
          r.counter("journeyd_http_server_answers_total",
                    "Answers the server gave before any route ran: malformed requests (400), slow "
                    "clients (408), bodies (413) or headers (431) too large, the connection cap (503).",
                    {"status"})) {}

namespace {
// The method label: a client may send any token as a method, which must not mint new series.
std::string_view method_label(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
    if (m == known) return known;
  return "other";
}
}  // namespace

void HttpMetrics::on_response(std::string_view route, std::string_view method, int status, double seconds) {
  const auto s = std::to_string(status);
  requests.with({route, method_label(method), s}).inc();
  latency.with({route, s}).observe(seconds);
}

void HttpMetrics::accepted(size_t events) {
  ingest_accepted.inc(static_cast<double>(events));
}

void HttpMetrics::rejected(std::string_view code, size_t events) {
  ingest_rejected.with({code}).inc(static_cast<double>(events));
}

}  // namespace journeyd::http
