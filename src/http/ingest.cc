#include "http/ingest.h"

#include <fmt/format.h>

#include <memory>

#include "common/json_writer.h"
#include "http/auth.h"
#include "http/rate_limit.h"

namespace journeyd::http {
namespace {

// Path → the endpoint it is. Besides Segment's documented paths: /v1/import (batch; the Java and
// Ruby libraries) and analytics.js's one-letter paths (/v1/t, /v1/i, …; its batching path /v1/b is
// not served).
constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kEndpoints = {{
    {"track", "track"},
    {"identify", "identify"},
    {"page", "page"},
    {"screen", "screen"},
    {"group", "group"},
    {"alias", "alias"},
    {"batch", "batch"},
    {"import", "batch"},
    {"t", "track"},
    {"i", "identify"},
    {"p", "page"},
    {"s", "screen"},
    {"g", "group"},
    {"a", "alias"},
}};

struct Collector : std::enable_shared_from_this<Collector> {
  Collector(IngestOptions o, EventSink& s, const Clock& c, IngestObserver* obs)
      : opts(std::move(o)),
        keys(opts.write_keys),
        limiter(opts.rate_limit, c),
        sink(s),
        clock(c),
        observer(obs) {}
  IngestOptions opts;
  WriteKeys keys;
  RateLimiter limiter;
  EventSink& sink;
  const Clock& clock;
  IngestObserver* observer;

  void refuse(const Respond& respond, Response r, std::string_view code, size_t events) const {
    if (observer) observer->rejected(code, events);
    respond(std::move(r));
  }

  void handle(std::string_view endpoint, Request&& req, const Respond& respond) {
    const int64_t now = clock.now_ms();
    auto parsed = parse_segment(endpoint, req.body, now, opts.limits);
    // Too large is answered before credentials: the body (where a writeKey may be) was not read.
    if (!parsed.body_read)
      return refuse(respond, json_error(413, parsed.error->code, parsed.error->message), parsed.error->code,
                    1);
    // Then credentials: an unauthenticated caller learns nothing about its payload.
    const auto key = keys.match(req, parsed.write_key);
    if (!key) {
      auto r = json_error(401, "unauthorized",
                          keys.empty() ? "the collector has no write keys configured (ingest.write_keys)"
                                       : "a valid write key is required (HTTP Basic user, or writeKey)");
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"journeyd\"");
      return refuse(respond, std::move(r), "unauthorized", 1);
    }
    if (parsed.error) {
      const auto& e = *parsed.error;
      return refuse(respond, json_error(e.status, e.code, e.message), e.code,
                    std::max<size_t>(1, parsed.rejected.size()));
    }
    for (const auto& rej : parsed.rejected)
      if (observer) observer->rejected(rej.error.code, 1);
    if (!sink.available()) {
      auto r = json_error(503, "kafka_unavailable", "Kafka is unreachable; retry later");
      r.headers.emplace_back("Retry-After", "5");
      return refuse(respond, std::move(r), "kafka_unavailable", parsed.events.size());
    }
    if (const int64_t wait = limiter.take(*key, static_cast<int64_t>(parsed.events.size())); wait > 0) {
      auto r = json_error(429, "rate_limited",
                          fmt::format("more than {} events per second for this write key", opts.rate_limit));
      r.headers.emplace_back("Retry-After", std::to_string(wait));
      return refuse(respond, std::move(r), "rate_limited", parsed.events.size());
    }
    const size_t n = parsed.events.size();
    std::string rejected;
    if (!parsed.rejected.empty()) {
      JsonWriter w(rejected);
      w.begin_array();
      for (const auto& rej : parsed.rejected)
        w.begin_object()
            .field("index", static_cast<int64_t>(rej.index))
            .field("status", rej.error.status)
            .field("code", rej.error.code)
            .field("message", rej.error.message)
            .end_object();
      w.end_array();
    }
    // The callback may run after the router is gone (shutdown): it keeps the collector alive.
    sink.publish(std::move(parsed.events), [self = shared_from_this(), n, respond,
                                            rejected = std::move(rejected)](PublishResult r) {
      auto* observer = self->observer;
      if (!r.ok) {
        if (r.status == 413)
          return self->refuse(respond,
                              json_error(413, "payload_too_large", "Kafka does not take: " + r.error),
                              "payload_too_large", n);
        if (r.status == 500)
          return self->refuse(respond,
                              json_error(500, "kafka_rejected", "Kafka refused the events: " + r.error),
                              "kafka_rejected", n);
        auto resp = json_error(503, "kafka_unavailable", "Kafka did not acknowledge the events: " + r.error);
        resp.headers.emplace_back("Retry-After", "5");
        return self->refuse(respond, std::move(resp), "kafka_unavailable", n);
      }
      if (observer) observer->accepted(n);
      Response ok;
      JsonWriter w(ok.body);
      w.begin_object().key("success").boolean(true).field("accepted", static_cast<int64_t>(n));
      if (!rejected.empty()) w.key("rejected").raw(rejected);
      w.end_object();
      respond(std::move(ok));
    });
  }
};

}  // namespace

void register_ingest_routes(Router& router, IngestOptions opts, EventSink& sink, const Clock& clock,
                            IngestObserver* observer) {
  auto c = std::make_shared<Collector>(std::move(opts), sink, clock, observer);
  for (const auto& e : kEndpoints) {
    const std::string_view endpoint = e.second;  // not a structured binding: clang 14 cannot capture one
    const std::string path = fmt::format("/v1/{}", e.first);
    // Browsers (analytics.js) call the collector cross-origin.
    router.add("POST", path, path, [c, endpoint](Request&& req, Respond respond) {
      c->handle(endpoint, std::move(req), [respond = std::move(respond)](Response r) {
        r.headers.emplace_back("Access-Control-Allow-Origin", "*");
        respond(std::move(r));
      });
    });
    router.add("OPTIONS", path, path, [](Request&&, Respond respond) {
      Response r;
      r.status = 204;
      r.headers = {{"Access-Control-Allow-Origin", "*"},
                   {"Access-Control-Allow-Methods", "POST, OPTIONS"},
                   {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                   {"Access-Control-Max-Age", "86400"}};
      respond(std::move(r));
    });
  }
}

}  // namespace journeyd::http
