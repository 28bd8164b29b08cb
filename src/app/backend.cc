#include "app/backend.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/outbox_relay.h"
#include "common/hash.h"
#include "common/json_writer.h"
#include "journey/engine.h"
#include "kafka/health.h"
#include "state/store.h"
#include "webhook/delivery.h"
#include "webhook/relay.h"

namespace journeyd::app {
namespace {

http::Response json(std::string body, int status = 200) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http::Response internal(const Error& e) {
  spdlog::error("api: {}", e.message);
  return http::json_error(500, "internal", e.message);
}

}  // namespace

AppBackend::AppBackend(Pipeline& pipeline, metrics::Registry& registry)
    : pipeline_(pipeline), registry_(registry), state_metrics_(registry) {
  registry_.on_collect([this] {
    const auto f = pipeline_.store().figures();
    state_metrics_.size.with({"sst"}).set(static_cast<double>(f.sst_bytes));
    state_metrics_.size.with({"memtable"}).set(static_cast<double>(f.memtable_bytes));
    state_metrics_.size.with({"pending_compaction"}).set(static_cast<double>(f.pending_compaction_bytes));
    state_metrics_.block_cache.set(static_cast<double>(f.block_cache_usage_bytes));
    state_metrics_.timers_pending.set(static_cast<double>(f.timers_estimate));
    state_metrics_.block_cache_hits.update(f.block_cache_hits);
    state_metrics_.block_cache_misses.update(f.block_cache_misses);
    refresh_funnel_gauges();  // the values of the previous scrape's refresh are served now
  });
}

void AppBackend::on_pipeline(const http::Respond& respond, std::function<http::Response(Services&)> fn) {
  auto posted = pipeline_.post([respond, fn = std::move(fn)](Services& s) { respond(fn(s)); });
  if (!posted) respond(http::json_error(503, "shutting_down", "journeyd is stopping"));
}

void AppBackend::customer(std::string id, http::Respond respond) {
  on_pipeline(respond, [id = std::move(id)](Services& s) {
    auto r = s.engine.customer_json(id);
    if (!r) return internal(r.error());
    if (!r.value())
      return http::json_error(404, "not_found",
                              "no customer with this id in the partitions this instance owns");
    return json(std::move(*r.value()));
  });
}

void AppBackend::customer_actions(std::string id, size_t limit, http::Respond respond) {
  on_pipeline(respond, [id = std::move(id), limit](Services& s) {
    auto r = s.engine.actions_json(id, limit);
    if (!r) return internal(r.error());
    if (!r.value())
      return http::json_error(404, "not_found",
                              "no customer with this id in the partitions this instance owns");
    return json(std::move(*r.value()));
  });
}

void AppBackend::alerts(std::string definition, size_t limit, http::Respond respond) {
  on_pipeline(respond, [definition = std::move(definition), limit](Services& s) {
    auto r = s.engine.alerts_json(definition, limit);
    if (!r) return internal(r.error());
    return json(std::move(r.value()));
  });
}

void AppBackend::definitions(http::Respond respond) {
  on_pipeline(respond, [](Services& s) { return json(s.engine.definitions_json()); });
}

void AppBackend::definition(std::string id, http::Respond respond) {
  on_pipeline(respond, [id = std::move(id)](Services& s) {
    auto r = s.engine.definition_json(id);
    if (!r) return http::json_error(404, "not_found", fmt::format("no definition '{}' is running", id));
    return json(std::move(*r));
  });
}

void AppBackend::reload(std::string actor, http::Respond respond) {
  on_pipeline(respond, [this, actor = std::move(actor)](Services&) {
    spdlog::info("admin: reload requested by {}", actor);
    const auto out = pipeline_.reload_from_disk();
    std::string body;
    JsonWriter w(body);
    if (out.ok) {
      w.begin_object()
          .key("reloaded")
          .boolean(true)
          .field("definitions", static_cast<int64_t>(out.definitions));
      w.end_object();
      return json(std::move(body));
    }
    w.begin_object().key("error").begin_object().field("status", 422).field("code", "invalid_definitions");
    w.field("message", "the definitions were not applied; the running ones stay")
        .key("problems")
        .begin_array();
    for (const auto& p : out.problems) w.string(p);
    w.end_array().end_object().end_object();
    return json(std::move(body), 422);
  });
}

void AppBackend::erase_customer(std::string id, std::string actor, http::Respond respond) {
  on_pipeline(respond, [id = std::move(id), actor = std::move(actor)](Services& s) {
    state::Batch batch(s.store);
    s.engine.begin(batch);
    auto e = s.engine.erase(id, s.clock.now_ms(), actor);
    s.engine.finish();
    if (!e) return internal(e.error());
    // Webhook deliveries of the removed outbox records or naming the customer go in the same batch.
    auto hooks = webhook::erase_deliveries(s.store, batch, e.value().outbox, e.value().ids);
    if (!hooks) return internal(hooks.error());
    if (auto w = s.store.write(batch); !w) return internal(w.error());
    s.relay.drop(e.value().outbox);
    if (s.webhooks) s.webhooks->drop(hooks.value());
    const auto subject = to_hex(stable_hash(id));
    spdlog::info("admin: customer {} (hash) erased by {}: found {}, {} id(s), {} key(s), {} outbox record(s)",
                 subject, actor, e.value().found, e.value().ids.size(), e.value().keys_deleted,
                 e.value().outbox.size());
    std::string body;
    JsonWriter w(body);
    w.begin_object().key("erased").boolean(true).key("found").boolean(e.value().found);
    w.field("subject", subject).field("ids", static_cast<int64_t>(e.value().ids.size()));
    w.field("keys_deleted", static_cast<int64_t>(e.value().keys_deleted));
    w.field("outbox_records", static_cast<int64_t>(e.value().outbox.size())).end_object();
    return json(std::move(body));
  });
}

namespace {

// Kafka as the consumer and the outbox's producer see it: "ok", a partial outage (still ready: the
// brokers that answer are served), or the outage that makes this instance not ready.
struct Check {
  bool ok = true;
  std::string text = "ok";
};

Check kafka_check(const PipelineStats& st) {
  const auto c = st.consumer_health ? st.consumer_health->snapshot() : kafka::HealthSnapshot{};
  const auto p = st.producer_health ? st.producer_health->snapshot() : kafka::HealthSnapshot{};
  if (!c.reachable && !p.reachable) return {false, "all brokers down"};
  if (!c.reachable) return {false, "consumer: all brokers down"};
  if (!p.reachable) return {false, "producer: all brokers down"};
  if (!c.coordinator) return {false, "group coordinator unavailable"};
  if (c.brokers_down + p.brokers_down > 0)
    return {true, fmt::format("degraded: {} broker connection(s) down", c.brokers_down + p.brokers_down)};
  return {};
}

Check outbox_check(const PipelineStats& st) {
  const int64_t stalled = st.outbox_stalled_ms.load();
  if (st.outbox_stall_limit_ms <= 0 || stalled < st.outbox_stall_limit_ms) return {};
  return {false, fmt::format("stalled: {} record(s) waiting for Kafka, nothing delivered for {} s",
                             st.outbox_pending.load(), stalled / 1000)};
}

}  // namespace

http::Readiness AppBackend::readiness() const {
  const auto& st = pipeline_.stats();
  const bool running = st.running.load();
  const int parts = st.partitions.load();
  const bool collector = !collector_healthy_ || collector_healthy_();
  const auto kafka = kafka_check(st);
  const auto outbox = outbox_check(st);
  http::Readiness r;
  r.ready = running && parts > 0 && collector && kafka.ok && outbox.ok;
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("state", "open").key("consuming").boolean(running);
  w.field("partitions_assigned", static_cast<int64_t>(parts)).field("collector", collector ? "ok" : "failed");
  w.field("kafka", kafka.text).field("outbox", outbox.text).end_object();
  r.details_json = std::move(body);
  return r;
}

std::string AppBackend::metrics() {
  return registry_.serialize();
}

}  // namespace journeyd::app
