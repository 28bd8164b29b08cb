// Fuzz target: arbitrary bytes as what a client sends on one HTTP connection.
// They are parsed as the server parses them (Beast's request_parser with the
// server's limits, detail::limit_parser), turned into Requests as the server
// does (detail::to_request) and dispatched through a Router with the real route
// registrations of src/app/main.cc (collector, query, admin, ops, dashboard)
// against a fake Backend and EventSink that answer at once. Pipelined requests
// are served one after another until the connection would close.
//
// Invariants, beyond "no crash, no leak, no UB":
//  - every request is answered exactly once (and the RouteObserver told once),
//    never with 500 (the fakes never fail that way), with a status in 200..599
//    (101 only for GET /v1/live, the WebSocket route), and headers without line
//    breaks;
//  - an application/json answer is JSON; an error is
//    {"error":{"status":<the status>,"code":…,"message":…}}; 401 carries
//    WWW-Authenticate, 405 Allow;
//  - nothing reaches the backend or the sink without credentials: admin calls
//    only with the admin token, queries only with a token, events only with
//    the write key; the backend gets only valid ids, limits and ranges;
//  - every event the collector publishes is one the pipeline's decoder accepts
//    (else a 200 would be followed by a dead letter), keyed by its customer,
//    and a 200 counts exactly the events published.
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/json_writer.h"
#include "event/decoder.h"
#include "fuzz/fuzz_check.h"
#include "http/admin.h"
#include "http/auth.h"
#include "http/backend.h"
#include "http/dashboard.h"
#include "http/ingest.h"
#include "http/metrics.h"
#include "http/ops.h"
#include "http/query.h"
#include "http/router.h"
#include "http/server_impl.h"
#include "metrics/registry.h"

namespace {

using namespace journeyd;
using namespace journeyd::http;
using fuzz::excerpt;
namespace bhttp = boost::beast::http;

constexpr std::string_view kReadSecret = "read-secret-1";
constexpr std::string_view kAdminSecret = "admin-secret-1";
constexpr std::string_view kWriteKey = "wk1";
constexpr int64_t kNowMs = 1'795'341'600'000;  // 2026-11-22T10:00:00Z
constexpr int kMaxRequests = 8;                // per input (one connection)

// What the request being dispatched may do, from its credentials (a superset: any header or
// query value holding a secret).
struct Allowed {
  bool read = false, admin = false, write = false;
};

Allowed allowed(const Request& r) {
  Allowed a;
  auto holds = [&](std::string_view secret) {
    for (const auto& [k, v] : r.headers)
      if (v.find(secret) != std::string::npos) return true;
    for (const auto& [k, v] : r.query)
      if (v.find(secret) != std::string::npos) return true;
    return false;
  };
  a.admin = holds(kAdminSecret);
  a.read = a.admin || holds(kReadSecret);
  for (const auto& [k, v] : r.headers)
    if (k == "authorization" && basic_user(v) == kWriteKey) a.write = true;
  a.write = a.write || r.body.find(kWriteKey) != std::string::npos;
  return a;
}

Response json_body(int status, const std::string& body) {
  Response r;
  r.status = status;
  r.body = body;
  return r;
}

std::string object_with(std::string_view key, std::string_view value) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field(key, value).end_object();
  return out;
}

// Answers at once, and checks the routes passed on only what they promised.
struct FakeBackend final : Backend {
  Allowed allow;
  int calls = 0;

  void query_call() {
    ++calls;
    FUZZ_CHECK(allow.read, "a query reached the backend without a token");
  }
  void admin_call() {
    ++calls;
    FUZZ_CHECK(allow.admin, "an admin call reached the backend without the admin token");
  }
  static void check_id(const std::string& id) {
    FUZZ_CHECK(valid_id(id), "the backend got the id '%s'", excerpt(id).c_str());
  }
  static void check_limit(size_t limit) { FUZZ_CHECK(limit >= 1 && limit <= 1000, "limit %zu", limit); }

  void customer(std::string id, Respond respond) override {
    query_call();
    check_id(id);
    respond(id == "missing" ? json_error(404, "not_found", "no customer")
                            : json_body(200, object_with("id", id)));
  }
  void customer_actions(std::string id, size_t limit, Respond respond) override {
    query_call();
    check_id(id);
    check_limit(limit);
    respond(json_body(200, R"({"actions":[]})"));
  }
  void alerts(std::string definition, size_t limit, Respond respond) override {
    query_call();
    check_limit(limit);
    respond(json_body(200, object_with("journey", definition)));
  }
  void definitions(Respond respond) override {
    query_call();
    respond(json_body(200, R"({"definitions":[]})"));
  }
  void definition(std::string id, Respond respond) override {
    query_call();
    respond(id == "checkout" ? json_body(200, object_with("id", id))
                             : json_error(404, "not_found", "no such id"));
  }
  void funnel(FunnelQuery q, Respond respond) override {
    query_call();
    if (q.from && q.to)
      FUZZ_CHECK(*q.from < *q.to, "funnel range %lld..%lld", (long long)*q.from, (long long)*q.to);
    if (q.span_ms) FUZZ_CHECK(*q.span_ms > 0, "funnel span %lld", (long long)*q.span_ms);
    if (q.step == "bad") return respond(json_error(400, "invalid_parameter", "no such step"));
    respond(json_body(200, object_with("journey", q.journey)));
  }
  void reload(std::string actor, Respond respond) override {
    admin_call();
    FUZZ_CHECK(actor == "ops", "reload by '%s'", actor.c_str());
    respond(json_body(200, R"({"reloaded":true})"));
  }
  void erase_customer(std::string id, std::string actor, Respond respond) override {
    admin_call();
    check_id(id);
    FUZZ_CHECK(actor == "ops", "erasure by '%s'", actor.c_str());
    respond(json_body(200, R"({"erased":true})"));
  }
  Readiness readiness() const override { return {true, R"({"state":"open"})"}; }
  std::string metrics() override { return "# TYPE up gauge\nup 1\n"; }
  void live(Respond respond) override {
    ++calls;
    respond(json_body(200, R"({"type":"snapshot"})"));
  }
};

// Acknowledges at once; a publish of exactly three events fails as if Kafka timed out.
struct FakeSink final : EventSink {
  Allowed allow;
  std::vector<OutEvent> got;
  int publishes = 0;

  void publish(std::vector<OutEvent> events, std::function<void(PublishResult)> done) override {
    FUZZ_CHECK(allow.write, "events reached the sink without the write key");
    FUZZ_CHECK(!events.empty(), "an empty publish");
    static event::Decoder decoder;
    for (const auto& e : events) {
      const auto d = decoder.decode(e.json, kNowMs);
      const auto* r = std::get_if<event::Rejection>(&d);
      FUZZ_CHECK(!r, "the collector published an event the decoder rejects (%s: %s): %s",
                 r ? event::to_string(r->category) : "", r ? r->reason.c_str() : "",
                 excerpt(e.json, 600).c_str());
      const auto& tp = std::get<event::Touchpoint>(d);
      FUZZ_CHECK(tp.customer() == e.key, "published with key '%s' for customer '%s'", excerpt(e.key).c_str(),
                 excerpt(tp.customer()).c_str());
    }
    got.insert(got.end(), std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
    ++publishes;
    if (events.size() == 3) return done({false, 503, "Local: Message timed out"});
    done({});
  }
  bool available() const override { return true; }
};

// Forwards to the process's metrics and counts answers.
struct CountingObserver final : RouteObserver {
  RouteObserver* next = nullptr;
  int answers = 0;
  void on_response(std::string_view route, std::string_view method, int status, double seconds) override {
    ++answers;
    next->on_response(route, method, status, seconds);
  }
};

struct Process {
  Process() { spdlog::set_level(spdlog::level::off); }  // refused admin calls are logged: not per input
  const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;  // print every answer
  metrics::Registry registry;
  HttpMetrics http_metrics{registry};
  TokenAuth auth{parse_tokens(std::string("viewer:read:") + std::string(kReadSecret) +
                              ",ops:admin:" + std::string(kAdminSecret))
                     .value()};
};

void check_response(const Request& req, const Response& r) {
  const std::string what = req.method + " " + excerpt(req.target, 100);
  FUZZ_CHECK(r.status != 500, "%s answered 500: %s", what.c_str(), excerpt(r.body).c_str());
  // (The server turns a 101 without a valid WebSocket handshake into 426; the route need not check.)
  if (r.status == 101)
    FUZZ_CHECK(req.method == "GET" && req.path == kLivePath, "%s answered 101", what.c_str());
  else
    FUZZ_CHECK(r.status >= 200 && r.status <= 599, "%s answered status %d", what.c_str(), r.status);
  for (const auto& [name, value] : r.headers) {
    FUZZ_CHECK(!name.empty() && name.find_first_of("\r\n:") == std::string::npos &&
                   value.find_first_of("\r\n") == std::string::npos,
               "%s: header %s: %s", what.c_str(), excerpt(name).c_str(), excerpt(value).c_str());
  }
  auto has_header = [&](std::string_view name) {
    for (const auto& h : r.headers)
      if (h.first == name) return true;
    return false;
  };
  if (r.status == 401)
    FUZZ_CHECK(has_header("WWW-Authenticate"), "%s: 401 without a challenge", what.c_str());
  if (r.status == 405) FUZZ_CHECK(has_header("Allow"), "%s: 405 without Allow", what.c_str());
  if (r.content_type != "application/json" || r.status == 204 || r.status == 101) return;
  auto j = fuzz::parse_json(r.body);
  FUZZ_CHECK(j.has_value(), "%s answered %d with a body that is not JSON: %s", what.c_str(), r.status,
             excerpt(r.body).c_str());
  if (r.status >= 400) {
    FUZZ_CHECK(j->is_object() && j->contains("error") && (*j)["error"].is_object(), "%s: error body %s",
               what.c_str(), excerpt(r.body).c_str());
    auto& e = (*j)["error"];
    FUZZ_CHECK(e["status"] == r.status && e["code"].is_string() && !e["code"].get<std::string>().empty() &&
                   e["message"].is_string(),
               "%s: error body %s for status %d", what.c_str(), excerpt(r.body).c_str(), r.status);
  }
}

// One request, as Session::handle and the Router see it. False: the connection closes after it.
bool serve(Process& p, bhttp::request<bhttp::string_body>&& parsed) {
  const bool keep_alive = parsed.keep_alive();
  Request req;
  if (!detail::to_request(parsed, "127.0.0.1:40000", req)) return keep_alive;  // the server's own 400
  const Request seen = req;

  ManualClock clock(kNowMs);
  FakeBackend backend;
  FakeSink sink;
  backend.allow = sink.allow = allowed(req);
  CountingObserver observer;
  observer.next = &p.http_metrics;
  Router router;
  router.set_observer(&observer);
  register_ingest_routes(router, {{std::string(kWriteKey)}, /*rate_limit=*/50, {}}, sink, clock,
                         &p.http_metrics);
  register_query_routes(router, backend, p.auth);
  register_admin_routes(router, backend, p.auth);
  register_ops_routes(router, backend);
  register_dashboard_routes(router, p.auth);

  std::vector<Response> answers;
  const Handler handler = router.as_handler();
  try {
    handler(std::move(req), [&answers](Response r) { answers.push_back(std::move(r)); });
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "the handler of %s threw: %s", excerpt(seen.target).c_str(), e.what());
  }
  FUZZ_CHECK(answers.size() == 1, "%s %s got %zu answers", seen.method.c_str(), excerpt(seen.target).c_str(),
             answers.size());
  FUZZ_CHECK(observer.answers == 1, "the observer saw %d answers", observer.answers);
  const Response& r = answers.front();
  if (p.verbose)
    std::fprintf(stderr, "%s %s -> %d %s\n", seen.method.c_str(), excerpt(seen.target, 80).c_str(), r.status,
                 excerpt(r.body, 300).c_str());
  check_response(seen, r);

  if (!sink.got.empty() && r.status == 200) {
    auto j = fuzz::parse_json(r.body);
    FUZZ_CHECK(j && j->is_object() && (*j)["success"] == true && (*j)["accepted"] == sink.got.size(),
               "a 200 for %zu published events says %s", sink.got.size(), excerpt(r.body).c_str());
  }
  return keep_alive && r.status != 101;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Process process;
  static const ServerOptions options;  // the server's default limits
  std::string_view rest(reinterpret_cast<const char*>(data), size);

  for (int n = 0; n < kMaxRequests && !rest.empty(); ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    detail::limit_parser(parser, options);
    boost::beast::error_code ec;
    // The server reads header then body from what arrived; here everything has arrived.
    while (!parser.is_done()) {
      const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(used);
      if (ec == bhttp::error::need_more && !rest.empty() && used > 0) {
        ec = {};
        continue;
      }
      if (ec || used == 0) break;  // malformed (400/413/431 from the server), or the client stopped sending
    }
    if (!parser.is_done()) return 0;
    if (!serve(process, parser.release())) return 0;
  }
  return 0;
}
