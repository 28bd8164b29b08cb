#include "http/ops.h"

namespace journeyd::http {

void register_ops_routes(Router& router, Backend& backend) {
  router.add("GET", "/healthz", "/healthz", [](Request&&, Respond respond) {
    Response r;
    r.body = R"({"status":"ok"})";
    respond(std::move(r));
  });
  router.add("GET", "/readyz", "/readyz", [&backend](Request&&, Respond respond) {
    const auto ready = backend.readiness();
    Response r;
    r.status = ready.ready ? 200 : 503;
    r.body = R"({"ready":)" + std::string(ready.ready ? "true" : "false") + R"(,"checks":)" +
             (ready.details_json.empty() ? "{}" : ready.details_json) + "}";
    respond(std::move(r));
  });
  router.add("GET", "/metrics", "/metrics", [&backend](Request&&, Respond respond) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = backend.metrics();
    respond(std::move(r));
  });
}

}  // namespace journeyd::http
