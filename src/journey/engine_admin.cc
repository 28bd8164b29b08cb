// Engine: the query API's views of state (customers, definitions, recent
// actions and alerts) and GDPR erasure with its fences and audit records.
// Everything here runs on the processing thread between batches.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "common/hash.h"
#include "common/time_format.h"
#include "journey/engine.h"
#include "journey/engine_detail.h"
#include "journey/rfm.h"

namespace journeyd::journey {
namespace {

constexpr std::string_view kFencePrefix = "fence/";

void time_field(JsonWriter& o, std::string_view k, int64_t t) {
  o.key(k);
  if (t == kNoTime)
    o.null();
  else
    o.string(format_iso8601(t));
}

const char* status_name(Status s) {
  switch (s) {
    case Status::none:
      return "none";
    case Status::active:
      return "active";
    case Status::converted:
      return "converted";
    case Status::exited:
      return "exited";
    case Status::stopped:
      return "stopped";
  }
  return "none";
}

// History values: svarint(event time) | record JSON.
std::string_view history_json(std::string_view v) {
  size_t pos = 0;
  int64_t t = 0;
  if (!state::get_svarint(v, pos, t)) return {};
  return v.substr(pos);
}

// `"customer":"<id>"` as the records spell it: finds a customer's alerts without parsing each.
std::string customer_field(std::string_view id) {
  std::string s = "\"customer\":";
  append_json_string(s, id);
  return s;
}

void journey_fields(JsonWriter& o, const Definition& d, const State& st) {
  const auto& j = st.journey;
  o.field("status", status_name(j.status));
  time_field(o, "ended_at", j.ended_at);
  o.key("steps").begin_array();
  const auto& steps = d.journey()->steps;
  for (size_t k = 0; k < steps.size(); ++k) {
    const Level lv = k < j.levels.size() ? j.levels[k] : Level{};
    o.begin_object().field("id", steps[k].id);
    time_field(o, "reached_at", lv.at);
    time_field(o, "chain_start", lv.start);
    o.end_object();
  }
  o.end_array();
}

void churn_fields(JsonWriter& o, const State& st) {
  const auto& c = st.churn;
  time_field(o, "inactivity_due", c.armed_due);
  o.key("rfm").begin_object();
  o.key("segment");
  if (c.segment == 0)
    o.null();
  else
    o.string(to_string(static_cast<RfmSegment>(c.segment - 1)));
  o.field("purchases", static_cast<int64_t>(c.purchases));
  o.key("revenue").number(c.revenue);
  time_field(o, "last_purchase", c.last_purchase);
  o.end_object();
}

}  // namespace

Result<void> Engine::load_fences() {
  return store_.scan(state::Cf::meta, kFencePrefix, state::prefix_end(kFencePrefix),
                     [&](std::string_view k, std::string_view v) {
                       size_t pos = 0;
                       int64_t t = 0;
                       if (k.size() == kFencePrefix.size() + 8 && state::get_svarint(v, pos, t))
                         fences_[state::get_be64(k, kFencePrefix.size())] = t;
                       return true;
                     });
}

void Engine::record_history(const Customer* c, uint64_t seq, int64_t at, std::string_view json) {
  if (c) {
    recent_actions_.emplace_front(json);
    if (recent_actions_.size() > kRecentActions) recent_actions_.pop_back();
  }
  if (opts_.history_retention_ms <= 0) return;
  std::string v;
  state::put_svarint(v, at);
  v.append(json);
  batch_->put(state::Cf::history,
              c ? state::history_action_key(c->partition, c->id, at, seq) : state::history_alert_key(at, seq),
              v);
}

void Engine::drop_cached(const std::string& key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return;
  lru_.erase(it->second.lru);
  cache_.erase(it);
}

// The customer an id names: followed through identity links, looked for in every owned partition.
Result<Engine::Customer*> Engine::find(std::string_view id, const std::vector<Partition>* within) {
  constexpr Partition kUnlinked{-1};
  auto r = resolve(kUnlinked, id);
  if (!r) return r.error();
  const auto& [home, user] = r.value();
  std::vector<Partition> where =
      home == kUnlinked ? (within ? *within : assigned_) : std::vector<Partition>{home};
  for (auto p : where) {
    const auto key = state::customer_key(p, user);
    bool present = cache_.count(key) > 0;
    if (!present) {
      auto rec = store_.get(state::Cf::customers, key);
      if (!rec) return rec.error();
      present = rec.value().has_value();
    }
    if (present) return load(p, user);
  }
  return static_cast<Customer*>(nullptr);
}

Result<std::optional<std::string>> Engine::customer_json(std::string_view id) {
  auto found = find(id);
  if (!found) return found.error();
  const Customer* c = found.value();
  if (!c) return std::optional<std::string>();
  std::string out;
  JsonWriter o(out);
  o.begin_object().field("id", c->id).field("partition", static_cast<int64_t>(c->partition.value()));
  time_field(o, "last_seen", c->record.last_seen);
  o.key("timezone");
  c->record.timezone.empty() ? o.null() : o.string(c->record.timezone);
  o.key("aliases").begin_array();
  for (const auto& a : c->record.aliases) o.string(a);
  o.end_array().key("journeys").begin_array();
  for (size_t s = 0; s < c->states.size(); ++s) {
    const State& st = c->states[s];
    const Definition* d = st.empty() ? nullptr : registry_.version(s, st.version);
    if (!d) continue;
    o.begin_object().field("definition", d->id).field("kind", to_string(d->kind));
    o.field("version", static_cast<int64_t>(d->version));
    if (d->journey()) journey_fields(o, *d, st);
    if (d->sla()) time_field(o, "open_since", st.sla.opened_at);
    if (d->churn()) churn_fields(o, st);
    // Actions counted against the definition's caps (kept only when it has caps).
    o.key("cap_history").begin_array();
    for (int64_t t : st.sent) o.string(format_iso8601(t));
    o.end_array().end_object();
  }
  o.end_array().end_object();
  return std::optional<std::string>(std::move(out));
}

Result<std::optional<std::string>> Engine::actions_json(std::string_view id, size_t limit) {
  auto found = find(id);
  if (!found) return found.error();
  const Customer* c = found.value();
  if (!c) return std::optional<std::string>();
  // Actions are recorded under the customer that had them: the aliases' ones from before a merge too.
  // Each scan reads at most `limit` records, newest first; the merged list keeps the newest `limit`.
  std::vector<std::pair<std::string, std::string>> got;  // (time | seq, record)
  auto scan = [&](Partition p, std::string_view who) -> Result<void> {
    const auto prefix = state::history_action_prefix(p, who);
    size_t n = 0;
    return store_.scan_reverse(state::Cf::history, prefix, state::prefix_end(prefix),
                               [&](std::string_view k, std::string_view v) {
                                 if (k.size() != prefix.size() + 16) return true;
                                 got.emplace_back(std::string(k.substr(prefix.size())), history_json(v));
                                 return ++n < limit;
                               });
  };
  if (auto r = scan(c->partition, c->id); !r) return r.error();
  for (const auto& a : c->record.aliases)
    for (auto p : assigned_)
      if (auto r = scan(p, a); !r) return r.error();
  std::sort(got.begin(), got.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  JsonWriter o(out);
  o.begin_object().field("customer", c->id).key("actions").begin_array();
  for (size_t i = 0; i < got.size() && i < limit; ++i) o.raw(got[i].second);
  o.end_array().end_object();
  return std::optional<std::string>(std::move(out));
}

Result<std::string> Engine::alerts_json(std::string_view definition, size_t limit) const {
  std::string want = "\"definition\":";
  append_json_string(want, definition);
  std::vector<std::string> newest;  // newest first: the scan runs backwards and stops at `limit`
  const auto prefix = state::history_alert_prefix();
  auto r = store_.scan_reverse(state::Cf::history, prefix, state::prefix_end(prefix),
                               [&](std::string_view, std::string_view v) {
                                 const auto json = history_json(v);
                                 if (definition.empty() || json.find(want) != std::string_view::npos)
                                   newest.emplace_back(json);
                                 return newest.size() < limit;
                               });
  if (!r) return r.error();
  std::string out;
  JsonWriter o(out);
  o.begin_object().key("alerts").begin_array();
  for (const auto& a : newest) o.raw(a);
  o.end_array().end_object();
  return out;
}

std::string Engine::definitions_json() const {
  std::string out;
  JsonWriter o(out);
  o.begin_object().key("definitions").begin_array();
  for (size_t s = 0; s < registry_.size(); ++s) {
    const auto& d = registry_.current(s);
    o.begin_object().field("id", d.id).field("kind", to_string(d.kind));
    o.field("version", static_cast<int64_t>(d.version)).field("description", d.description);
    o.field("file", d.file);
    if (s < funnels_.size() && !funnels_[s].steps.empty()) {
      o.key("funnel").begin_array();
      for (size_t k = 0; k < funnels_[s].steps.size(); ++k)
        o.begin_object()
            .field("step", funnels_[s].steps[k])
            .field("reached", static_cast<int64_t>(funnels_[s].reached[k]))
            .end_object();
      o.end_array();
    }
    o.end_object();
  }
  o.end_array().end_object();
  return out;
}

std::optional<std::string> Engine::definition_json(std::string_view id) const {
  const auto slot = registry_.slot(id);
  if (!slot) return std::nullopt;
  const auto& d = registry_.current(*slot);
  std::string out;
  JsonWriter o(out);
  o.begin_object().field("id", d.id).field("kind", to_string(d.kind));
  o.field("version", static_cast<int64_t>(d.version)).field("description", d.description);
  o.field("file", d.file).key("versions").begin_array();
  for (const Definition* v : registry_.versions_of(*slot)) o.number(static_cast<int64_t>(v->version));
  o.end_array();
  o.key("definition").raw(d.source.empty() ? "null" : d.source);
  if (*slot < funnels_.size() && !funnels_[*slot].steps.empty()) {
    o.key("funnel").begin_array();
    for (size_t k = 0; k < funnels_[*slot].steps.size(); ++k)
      o.begin_object()
          .field("step", funnels_[*slot].steps[k])
          .field("reached", static_cast<int64_t>(funnels_[*slot].reached[k]))
          .end_object();
    o.end_array();
  }
  o.end_object();
  return out;
}

Result<std::vector<Partition>> Engine::stored_partitions() const {
  std::vector<Partition> out = assigned_;
  auto r =
      store_.scan(state::Cf::offsets, "", std::string(8, '\xff'), [&](std::string_view k, std::string_view) {
        if (k.size() < 4) return true;
        const Partition p{static_cast<int32_t>(state::get_be32(k, k.size() - 4))};
        if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
        return true;
      });
  if (!r) return r.error();
  return out;
}

Result<Erasure> Engine::erase(std::string_view id, int64_t now_ms, std::string_view actor) {
  Erasure e;
  // Every partition with state in this store, not only the owned ones: nothing may wait in a
  // partition that comes back after a rebalance.
  auto parts = stored_partitions();
  if (!parts) return parts.error();
  auto found = find(id, &parts.value());
  if (!found) return found.error();
  e.ids.emplace_back(id);
  auto mine = [&](std::string_view x) { return std::find(e.ids.begin(), e.ids.end(), x) != e.ids.end(); };
  if (const Customer* c = found.value()) {
    e.found = true;
    if (c->id != id) e.ids.push_back(c->id);
    if (std::find(parts.value().begin(), parts.value().end(), c->partition) == parts.value().end())
      parts.value().push_back(c->partition);
    for (const auto& a : c->record.aliases)
      if (!mine(a)) e.ids.push_back(a);
  }
  // Every id linked to the customer (the record lists at most kMaxAliases): one pass over the links.
  {
    std::vector<std::string> linked;
    auto r = store_.scan(state::Cf::identity, "", std::string(16, '\xff'),
                         [&](std::string_view k, std::string_view v) {
                           if (v.size() > 4 && mine(v.substr(4)) && !mine(k)) linked.emplace_back(k);
                           return true;
                         });
    if (!r) return r.error();
    for (auto& x : linked) e.ids.push_back(std::move(x));
  }
  std::unordered_set<uint64_t> hashes;
  for (const auto& x : e.ids) hashes.insert(stable_hash(x));

  // Deletes the keys in [begin, end) of `cf`, counting the ones that exist (the audit says how many).
  auto erase_range = [&](state::Cf cf, const std::string& begin, const std::string& end) -> Result<void> {
    auto r = store_.scan(cf, begin, end, [&](std::string_view, std::string_view) {
      ++e.keys_deleted;
      return true;
    });
    if (r) batch_->del_range(cf, begin, end);
    return r;
  };
  auto erase_key = [&](state::Cf cf, const std::string& key) -> Result<void> {
    return erase_range(cf, key, key + '\0');  // exactly `key`
  };

  // Per partition: the record, instances and history (key ranges), then timers and dedup entries
  // (one scan each: their keys lead with time or messageId, not the customer).
  for (auto p : parts.value()) {
    for (const auto& x : e.ids) {
      const auto key = state::customer_key(p, x);
      drop_cached(key);
      const auto hist = state::history_action_prefix(p, x);
      for (auto r : {erase_key(state::Cf::customers, key),
                     erase_range(state::Cf::instances, key, state::prefix_end(key)),
                     erase_range(state::Cf::history, hist, state::prefix_end(hist))})
        if (!r) return r.error();
    }
    auto timers = store_.scan(state::Cf::timers, state::partition_prefix(p), state::partition_end(p),
                              [&](std::string_view k, std::string_view) {
                                if (auto t = state::decode_timer_key(k); t && mine(t->customer)) {
                                  batch_->del(state::Cf::timers, k);
                                  ++e.keys_deleted;
                                }
                                return true;
                              });
    if (!timers) return timers.error();
    auto dedup = store_.scan(
        state::Cf::dedup, state::partition_prefix(p), state::partition_end(p),
        [&](std::string_view k, std::string_view v) {
          size_t pos = 0;
          int64_t t = 0;
          if (state::get_svarint(v, pos, t) && v.size() == pos + 8 && hashes.count(state::get_be64(v, pos))) {
            batch_->del(state::Cf::dedup, k);
            ++e.keys_deleted;
          }
          return true;
        });
    if (!dedup) return dedup.error();
  }
  for (const auto& x : e.ids) {
    if (auto r = erase_key(state::Cf::identity, x); !r) return r.error();
    links_.erase(x);
  }
  // Undelivered records naming the customer, and its alerts in the history.
  auto pending = outbox_.load_all();
  if (!pending) return pending.error();
  std::vector<std::string> needles;
  for (const auto& x : e.ids) needles.push_back(customer_field(x));
  auto names = [&](std::string_view json) {
    return std::any_of(needles.begin(), needles.end(),
                       [&](const std::string& n) { return json.find(n) != std::string_view::npos; });
  };
  for (const auto& r : pending.value())
    if (mine(r.key) || names(r.value)) e.outbox.push_back(r.seq);
  // The dashboard's recent actions (memory only) forget the customer too.
  std::erase_if(recent_actions_, [&](const std::string& json) { return names(json); });
  const auto prefix = state::history_alert_prefix();
  auto alerts = store_.scan(state::Cf::history, prefix, state::prefix_end(prefix),
                            [&](std::string_view k, std::string_view v) {
                              if (names(history_json(v))) {
                                batch_->del(state::Cf::history, k);
                                ++e.keys_deleted;
                              }
                              return true;
                            });
  if (!alerts) return alerts.error();
  std::sort(e.outbox.begin(), e.outbox.end());
  e.outbox.erase(std::unique(e.outbox.begin(), e.outbox.end()), e.outbox.end());
  for (uint64_t seq : e.outbox) outbox_.ack(*batch_, seq);
  e.keys_deleted += e.outbox.size();

  // Fences (by hash: the id itself is not kept) and the audit record.
  for (uint64_t h : hashes) {
    std::string v;
    state::put_svarint(v, now_ms);
    batch_->put(state::Cf::meta, state::fence_key(h), v);
    fences_[h] = std::max(fences_[h], now_ms);
  }
  std::string audit;
  JsonWriter o(audit);
  o.begin_object()
      .field("at", format_iso8601(now_ms))
      .field("action", "erase_customer")
      .field("actor", actor)
      .field("subject", to_hex(stable_hash(id)));
  o.key("found").boolean(e.found);
  o.field("ids", static_cast<int64_t>(e.ids.size()))
      .field("keys_deleted", static_cast<int64_t>(e.keys_deleted))
      .field("outbox_records", static_cast<int64_t>(e.outbox.size()))
      .end_object();
  batch_->put(state::Cf::meta, state::audit_key(now_ms, stats_.erasures), audit);
  ++stats_.erasures;
  return e;
}

Result<std::optional<FunnelReport>> Engine::funnel(std::string_view id, int64_t from, int64_t to) const {
  const auto slot = registry_.slot(id);
  if (!slot || !registry_.current(*slot).journey()) return std::optional<FunnelReport>();
  auto r = read_funnel(store_, registry_.current(*slot), from, to);
  if (!r) return r.error();
  return std::optional<FunnelReport>(std::move(r.value()));
}

Result<std::vector<FunnelReport>> Engine::funnel_reports(int64_t from, int64_t to) const {
  std::vector<FunnelReport> out;
  for (size_t s = 0; s < registry_.size(); ++s) {
    const Definition& d = registry_.current(s);
    if (!d.journey()) continue;
    auto r = read_funnel(store_, d, from, to);
    if (!r) return r.error();
    out.push_back(std::move(r.value()));
  }
  return out;
}

std::string Engine::recent_actions_json(size_t limit) const {
  std::string out = "[";
  for (size_t i = 0; i < recent_actions_.size() && i < limit; ++i) {
    if (i) out += ',';
    out += recent_actions_[i];
  }
  return out + "]";
}

}  // namespace journeyd::journey
