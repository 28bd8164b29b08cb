#include "http/query.h"

#include <charconv>

#include "common/time_format.h"

namespace journeyd::http {
namespace {

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

std::optional<size_t> limit_of(const Request& r) {
  auto v = r.query_param("limit");
  if (!v) return kDefaultLimit;
  size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n == 0 || n > kMaxLimit) return std::nullopt;
  return n;
}

Response bad_limit() {
  return json_error(400, "invalid_parameter", "'limit' must be an integer from 1 to 1000");
}

Response bad_id() {
  return json_error(400, "invalid_parameter", "a customer id must have 1 to 512 bytes");
}

// Runs `fn` when the request carries the read scope, else answers 401/403.
template <class Fn>
Handler reader(const TokenAuth& auth, Fn fn) {
  return [&auth, fn](Request&& req, Respond respond) {
    if (auto a = auth.check(req, Scope::read); a.status != 200) return respond(auth_error(a));
    fn(std::move(req), std::move(respond));
  };
}

// from: an ISO-8601 time or a duration before `to` (e.g. 6h); to: an ISO-8601 time.
std::optional<Response> parse_range(const Request& req, FunnelQuery& q) {
  constexpr int64_t kMaxSpan = 3650LL * 86'400'000;
  if (auto to = req.query_param("to")) {
    q.to = parse_iso8601(*to);
    if (!q.to) return json_error(400, "invalid_parameter", "'to' must be an ISO-8601 time");
  }
  if (auto from = req.query_param("from")) {
    if (auto d = parse_duration(*from); d && *d > 0 && *d <= kMaxSpan) {
      q.span_ms = d;
    } else if (auto t = parse_iso8601(*from)) {
      q.from = t;
    } else {
      return json_error(400, "invalid_parameter",
                        "'from' must be an ISO-8601 time or a duration before 'to' (e.g. 6h)");
    }
  }
  if (q.from && q.to && *q.from >= *q.to)
    return json_error(400, "invalid_parameter", "'from' must be before 'to'");
  if (q.from && q.to && *q.to - *q.from > kMaxSpan)
    return json_error(400, "invalid_parameter", "the range may span at most 3650 days");
  return std::nullopt;
}

}  // namespace

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdBytes;
}

void register_query_routes(Router& router, Backend& backend, const TokenAuth& auth) {
  router.add("GET", "/v1/customers/{id}", "/v1/customers/{id}",
             reader(auth, [&backend](Request&& req, Respond respond) {
               auto id = req.params["id"];
               if (!valid_id(id)) return respond(bad_id());
               backend.customer(std::move(id), std::move(respond));
             }));
  router.add("GET", "/v1/actions", "/v1/actions", reader(auth, [&backend](Request&& req, Respond respond) {
               auto customer = req.query_param("customer");
               if (!customer) return respond(json_error(400, "invalid_parameter", "'customer' is required"));
               if (!valid_id(*customer)) return respond(bad_id());
               auto limit = limit_of(req);
               if (!limit) return respond(bad_limit());
               backend.customer_actions(std::string(*customer), *limit, std::move(respond));
             }));
  router.add("GET", "/v1/alerts", "/v1/alerts", reader(auth, [&backend](Request&& req, Respond respond) {
               auto limit = limit_of(req);
               if (!limit) return respond(bad_limit());
               backend.alerts(std::string(req.query_param("journey").value_or("")), *limit,
                              std::move(respond));
             }));
  router.add("GET", "/v1/journeys", "/v1/journeys", reader(auth, [&backend](Request&&, Respond respond) {
               backend.definitions(std::move(respond));
             }));
  router.add("GET", "/v1/journeys/{id}/funnel", "/v1/journeys/{id}/funnel",
             reader(auth, [&backend](Request&& req, Respond respond) {
               FunnelQuery q;
               q.journey = req.params["id"];
               if (auto bad = parse_range(req, q)) return respond(std::move(*bad));
               q.step = std::string(req.query_param("step").value_or(""));
               backend.funnel(std::move(q), std::move(respond));
             }));
  router.add("GET", "/v1/journeys/{id}", "/v1/journeys/{id}",
             reader(auth, [&backend](Request&& req, Respond respond) {
               backend.definition(req.params["id"], std::move(respond));
             }));
}

}  // namespace journeyd::http
