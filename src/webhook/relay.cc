#include "webhook/relay.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/redact.h"
#include "webhook/backoff.h"
#include "webhook/signature.h"

namespace journeyd::webhook {
namespace {

enum class Verdict { delivered, retry, permanent };

Verdict classify(const HttpAnswer& a) {
  if (a.status >= 200 && a.status < 300) return Verdict::delivered;
  if (a.status == 0 || a.status == 408 || a.status == 429 || a.status >= 500) return Verdict::retry;
  return Verdict::permanent;  // 1xx as a final answer, 3xx (redirects are not followed), other 4xx
}

// "HTTP 503: <the start of the body>" or the transport error; printable ASCII only, bounded.
std::string describe(const HttpAnswer& a) {
  std::string out = a.status ? fmt::format("HTTP {}", a.status) : a.error;
  if (a.status && !a.body_start.empty()) {
    out += ": ";
    for (char c : a.body_start.substr(0, 200)) out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<WebhookRelay>> WebhookRelay::create(WebhookConfig cfg, const state::Store& store,
                                                           Clock& clock, WebhookMetrics* metrics,
                                                           RelayOptions opts) {
  auto client = Client::create(opts.client);
  if (!client) return client.error();
  return std::unique_ptr<WebhookRelay>(
      new WebhookRelay(std::move(cfg), store, clock, metrics, opts, std::move(client.value())));
}

WebhookRelay::WebhookRelay(WebhookConfig cfg, const state::Store& store, Clock& clock,
                           WebhookMetrics* metrics, RelayOptions opts, std::unique_ptr<Client> client)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      client_(std::move(client)),
      rng_(opts.seed ? opts.seed : std::random_device{}()) {
  for (auto& e : cfg.endpoints) {
    by_name_[e.name] = endpoints_.size();
    endpoints_.push_back({std::move(e)});
    if (metrics_) metrics_->pending.with({endpoints_.back().cfg.name}).set(0);
  }
}

WebhookRelay::~WebhookRelay() = default;

size_t WebhookRelay::in_flight() const {
  return tokens_.size();
}

void WebhookRelay::count(const EndpointState& ep, const char* outcome) {
  if (metrics_) metrics_->deliveries.with({ep.cfg.name, outcome}).inc();
}

Result<std::optional<uint64_t>> WebhookRelay::load() {
  std::optional<uint64_t> max_seq;
  size_t orphans = 0;
  auto stored = load_deliveries(store_);
  if (!stored) return stored.error();
  for (auto& d : stored.value()) {
    max_seq = std::max(max_seq.value_or(0), d.seq);
    auto it = by_name_.find(d.endpoint);
    if (it == by_name_.end()) {
      ++orphans;
      continue;
    }
    d.body = std::string();  // read again when its attempt starts
    schedule(std::move(d), it->second);
  }
  if (!entries_.empty()) spdlog::info("webhooks: resuming {} pending deliveries", entries_.size());
  if (orphans)
    spdlog::warn(
        "webhooks: {} stored deliveries name endpoints that are no longer configured; they are kept "
        "and resume when their endpoint is configured again",
        orphans);
  return max_seq;
}

void WebhookRelay::stage(state::Batch& batch, const std::vector<state::OutboxRecord>& appended) {
  const int64_t now = clock_.now_ms();
  for (const auto& r : appended) {
    if (r.sink != state::Sink::actions && r.sink != state::Sink::alerts) continue;
    const Event event = r.sink == state::Sink::alerts ? Event::alert : Event::action;
    std::optional<RecordFields> f;
    for (size_t i = 0; i < endpoints_.size(); ++i) {
      const auto& ep = endpoints_[i].cfg;
      if (!f) {
        f = read_record_fields(r.value);
        if (!f) {
          spdlog::error("webhooks: outbox record {} has no journey field; not sent to any webhook", r.seq);
          break;
        }
      }
      if (event == Event::alert ? !ep.wants_alert(f->journey) : !ep.wants_action(f->journey, f->type))
        continue;
      Delivery d;
      d.seq = r.seq;
      d.endpoint = ep.name;
      d.event = event;
      d.id = delivery_id(ep.name, *f, r.value);
      d.body = r.value;
      d.first_at = d.next_at = now;
      put_delivery(batch, d);
      d.body = std::string();
      staged_.emplace_back(std::move(d), i);
    }
  }
}

void WebhookRelay::commit() {
  for (auto& [d, i] : staged_) schedule(std::move(d), i);
  staged_.clear();
}

void WebhookRelay::schedule(Delivery d, size_t index) {
  auto& ep = endpoints_[index];
  std::string key = delivery_key(d.seq, d.endpoint);
  ep.due.emplace(d.next_at, key);
  auto [it, fresh] = entries_.try_emplace(std::move(key), Entry{std::move(d), index, 0});
  if (fresh) ++ep.pending;
}

void WebhookRelay::settle(state::Batch& batch, state::Outbox& outbox) {
  for (auto& c : changes_) {
    switch (c.kind) {
      case Change::Kind::put:
        put_delivery(batch, c.d);
        break;
      case Change::Kind::del:
        delete_delivery(batch, c.d.seq, c.d.endpoint);
        break;
      case Change::Kind::dead_letter:
        delete_delivery(batch, c.d.seq, c.d.endpoint);
        outbox.append(batch, state::Sink::webhook_dlq, c.d.endpoint, dead_letter_record(c.d, {c.url, c.at}));
        break;
    }
  }
  changes_.clear();
}

Result<void> WebhookRelay::pump() {
  for (auto& a : client_->pump()) on_answer(std::move(a));
  const int64_t now = clock_.now_ms();
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    auto& ep = endpoints_[i];
    while (ep.in_flight < ep.cfg.max_in_flight && !ep.due.empty() && ep.due.begin()->first <= now) {
      std::string key = ep.due.begin()->second;
      ep.due.erase(ep.due.begin());
      if (auto r = start(ep, i, key); !r) return r.error();
    }
    if (metrics_) metrics_->pending.with({ep.cfg.name}).set(static_cast<double>(ep.pending));
  }
  return outcome::success();
}

Result<void> WebhookRelay::start(EndpointState& ep, size_t index, const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.token != 0 || it->second.endpoint != index)
    return outcome::success();
  auto& e = it->second;
  auto body = store_.get(state::Cf::webhooks, key);
  if (!body) return body.error();
  if (!body.value()) {  // deleted meanwhile (cannot happen outside an erasure, which drops it first)
    --ep.pending;
    entries_.erase(it);
    return outcome::success();
  }
  auto stored = decode_delivery(key, *body.value());
  if (!stored) return stored.error();
  e.d.body = std::move(stored.value().body);
  e.token = ++next_token_;
  tokens_[e.token] = key;
  ++ep.in_flight;
  HttpRequest req;
  req.token = e.token;
  req.url = ep.cfg.url;
  req.body = e.d.body;
  req.timeout_ms = ep.cfg.timeout_ms;
  req.headers = attempt_headers(
      {e.d.id, static_cast<int>(e.d.attempts) + 1, to_string(e.d.event), clock_.now_ms() / 1000},
      ep.cfg.secret, e.d.body);
  client_->start(std::move(req));
  return outcome::success();
}

void WebhookRelay::on_answer(HttpAnswer a) {
  auto t = tokens_.find(a.token);
  if (t == tokens_.end()) return;
  const std::string key = std::move(t->second);
  tokens_.erase(t);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  auto& e = it->second;
  auto& ep = endpoints_[e.endpoint];
  --ep.in_flight;
  e.token = 0;
  ++e.d.attempts;
  if (metrics_) metrics_->attempt_seconds.with({ep.cfg.name}).observe(a.seconds);
  const int64_t now = clock_.now_ms();
  const Verdict v = classify(a);
  if (v == Verdict::delivered) {
    count(ep, "delivered");
    changes_.push_back({Change::Kind::del, std::move(e.d), {}, 0});
    --ep.pending;
    entries_.erase(it);
    return;
  }
  e.d.last_status = a.status;
  // Stored, logged and dead-lettered: never with the endpoint's URL credentials or secret in it.
  e.d.last_error = redact::scrub(redact::scrub_url(describe(a), ep.cfg.url), {ep.cfg.secret});
  const auto& retry = ep.cfg.retry;
  if (v == Verdict::permanent) return give_up(e, ep, now, "permanent failure");
  if (e.d.attempts >= static_cast<uint32_t>(retry.max_attempts))
    return give_up(e, ep, now, "max_attempts reached");
  if (now >= e.d.first_at + retry.max_age_ms) return give_up(e, ep, now, "max_age reached");
  std::optional<int64_t> retry_after;
  if (a.retry_after && (a.status == 429 || a.status == 503))
    retry_after = parse_retry_after(*a.retry_after, now);
  e.d.next_at =
      next_attempt_at(retry, static_cast<int>(e.d.attempts), rng_(), now, e.d.first_at, retry_after);
  count(ep, "failed");
  spdlog::debug("webhooks: {} attempt {} of delivery {} failed ({}); next in {} ms", ep.cfg.name,
                e.d.attempts, e.d.id, e.d.last_error, e.d.next_at - now);
  changes_.push_back({Change::Kind::put, e.d, {}, 0});
  e.d.body = std::string();
  ep.due.emplace(e.d.next_at, key);
}

void WebhookRelay::give_up(Entry& e, EndpointState& ep, int64_t now, const char* why) {
  count(ep, "dead_lettered");
  spdlog::warn("webhooks: {} delivery {} dead-lettered after {} attempt(s), {}: {}", ep.cfg.name, e.d.id,
               e.d.attempts, why, e.d.last_error);
  changes_.push_back({Change::Kind::dead_letter, std::move(e.d), ep.cfg.url, now});
  --ep.pending;
  entries_.erase(delivery_key(changes_.back().d.seq, changes_.back().d.endpoint));
}

void WebhookRelay::drop(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  for (const auto& key : keys) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    auto& ep = endpoints_[it->second.endpoint];
    if (it->second.token) {
      client_->cancel(it->second.token);
      tokens_.erase(it->second.token);
      --ep.in_flight;
    } else {
      ep.due.erase({it->second.d.next_at, key});
    }
    --ep.pending;
    entries_.erase(it);
  }
  std::erase_if(changes_, [&](const Change& c) {
    return std::find(keys.begin(), keys.end(), delivery_key(c.d.seq, c.d.endpoint)) != keys.end();
  });
}

}  // namespace journeyd::webhook
