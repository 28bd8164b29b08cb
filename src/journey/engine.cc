#include "journey/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "common/hash.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "state/keys.h"

namespace journeyd::journey {
namespace {

std::string timer_value(int64_t at) {
  std::string v;
  state::put_svarint(v, at);
  return v;
}

}  // namespace

Engine::Engine(std::vector<JourneyDef> defs, EngineOptions opts, state::Store& store, state::Outbox& outbox)
    : defs_(std::move(defs)), opts_(opts), store_(store), outbox_(outbox) {
  for (size_t j = 0; j < defs_.size(); ++j) {
    journey_index_[defs_[j].id] = j;
    for (size_t s = defs_[j].steps.size(); s-- > 0;) by_event_[defs_[j].steps[s].event].emplace_back(j, s);
  }
}

Engine::~Engine() = default;

void Engine::begin(state::Batch& batch) {
  batch_ = &batch;
  scheduled_min_.clear();
  ++batch_no_;
}

Engine::Customer* Engine::cached(const std::string& key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  it->second.last_batch = batch_no_;
  return &it->second;
}

Engine::Customer& Engine::insert(const std::string& key, std::optional<std::string_view> rec,
                                 std::span<const std::optional<std::string>> instances) {
  lru_.push_front(key);
  auto [it, fresh] = cache_.try_emplace(key);
  Customer& c = it->second;
  c.lru = lru_.begin();
  c.last_batch = batch_no_;
  if (rec) {
    if (auto r = decode_customer(*rec)) c.record = *r;
  }
  c.instances.resize(defs_.size());
  c.instance_dirty.assign(defs_.size(), false);
  for (size_t j = 0; j < defs_.size(); ++j) {
    const auto& def = defs_[j];
    std::optional<Instance> in;
    if (j < instances.size() && instances[j])
      in = decode_instance(*instances[j], def.steps.size(), def.dropoffs.size());
    if (!in) {
      in.emplace();
      in->version = def.version;
      in->levels.assign(def.steps.size(), Level{});
      in->fired.assign(def.dropoffs.size(), kNoTime);
    }
    c.instances[j] = std::move(*in);
  }
  return c;
}

Result<Engine::Customer*> Engine::load(Partition p, std::string_view customer, const std::string& key) {
  if (auto* c = cached(key)) {
    ++stats_.cache_hits;
    return c;
  }
  ++stats_.cache_misses;
  auto rec = store_.get(state::Cf::customers, key);
  if (!rec) return rec.error();
  if (!rec.value())
    return &insert(key, std::nullopt, {});  // new customer: no instances either (see prefetch)
  std::vector<std::string> keys;
  for (const auto& d : defs_) keys.push_back(state::instance_key(p, customer, d.id));
  auto inst = store_.multi_get(state::Cf::instances, keys);
  if (!inst) return inst.error();
  std::optional<std::string_view> r;
  if (rec.value()) r = *rec.value();
  return &insert(key, r, inst.value());
}

// Invariant used here: whenever an instance is written, its customer record is
// written too (a customer's first event always moves last_seen), so a
// customer without a record has no instances and they need not be looked up.
Result<void> Engine::prefetch(std::span<const EventRef> events) {
  std::vector<std::string> ckeys;
  std::vector<const EventRef*> owners;
  std::unordered_set<std::string_view> seen;
  ckeys.reserve(events.size());  // no reallocation: `seen` points into these strings
  for (const auto& e : events) {
    auto key = state::customer_key(e.partition, e.tp->customer());
    if (cache_.count(key)) continue;
    ckeys.push_back(std::move(key));
    if (!seen.insert(ckeys.back()).second) {
      ckeys.pop_back();
      continue;
    }
    owners.push_back(&e);
  }
  if (ckeys.empty()) return outcome::success();
  auto recs = store_.multi_get(state::Cf::customers, ckeys);
  if (!recs) return recs.error();
  const size_t J = defs_.size();
  std::vector<std::string> ikeys;
  for (size_t i = 0; i < ckeys.size(); ++i) {
    if (!recs.value()[i]) continue;  // a new customer
    for (const auto& d : defs_)
      ikeys.push_back(state::instance_key(owners[i]->partition, owners[i]->tp->customer(), d.id));
  }
  auto insts = store_.multi_get(state::Cf::instances, ikeys);
  if (!insts) return insts.error();
  size_t next = 0;
  for (size_t i = 0; i < ckeys.size(); ++i) {
    if (!recs.value()[i]) {
      insert(ckeys[i], std::nullopt, {});
      continue;
    }
    insert(ckeys[i], std::string_view(*recs.value()[i]), std::span(insts.value()).subspan(next, J));
    next += J;
  }
  return outcome::success();
}

Result<std::optional<event::Rejection>> Engine::on_event(Partition p, const event::Touchpoint& tp) {
  const auto customer = tp.customer();
  const auto key = state::customer_key(p, customer);
  auto loaded = load(p, customer, key);
  if (!loaded) return loaded.error();
  Customer& c = *loaded.value();
  const int64_t ts = tp.timestamp.value();
  if (c.record.last_seen != kNoTime && ts < c.record.last_seen - opts_.grace_ms) {
    ++stats_.late_events;
    return std::optional<event::Rejection>(event::Rejection{
        event::DlqCategory::late_event,
        fmt::format("event time {} is {} ms before the customer's last event {} (grace {} ms)",
                    format_iso8601(ts), c.record.last_seen - ts, format_iso8601(c.record.last_seen),
                    opts_.grace_ms)});
  }
  ++stats_.events;
  if (!c.dirty) dirty_.push_back(&c);
  c.dirty = true;
  if (ts > c.record.last_seen) {
    c.record.last_seen = ts;
    c.record_dirty = true;
  }
  if (auto it = by_event_.find(tp.event); it != by_event_.end()) {
    for (auto [j, s] : it->second) {
      Instance& in = c.instances[j];
      const auto& def = defs_[j];
      Level next;
      if (s == 0) {
        next = {ts, ts};
      } else {
        const Level& prev = in.levels[s - 1];
        if (!prev.set() || ts > prev.start + def.window_ms || ts < prev.at) continue;
        next = {prev.start, ts};
      }
      in.levels[s] = next;
      c.instance_dirty[j] = true;
      ++stats_.steps_reached;
      schedule(p, customer, j, s, next);
    }
  }
  return std::optional<event::Rejection>();
}

void Engine::schedule(Partition p, std::string_view customer, size_t j, size_t step, const Level& lvl) {
  const auto& def = defs_[j];
  for (size_t r = 0; r < def.dropoffs.size(); ++r) {
    const auto& rule = def.dropoffs[r];
    if (rule.after_step != step) continue;
    state::TimerKey tk{p,      lvl.at + rule.for_ms,     std::string(customer),
                       def.id, static_cast<uint16_t>(r), lvl.start};
    batch_->put(state::Cf::timers, state::encode_timer_key(tk), timer_value(lvl.at));
    ++stats_.timers_scheduled;
    if (auto it = timer_floor_.find(p.value()); it != timer_floor_.end())
      it->second = std::min(it->second, tk.due);
    auto [it, fresh] = scheduled_min_.try_emplace(p.value(), tk.due);
    if (!fresh) it->second = std::min(it->second, tk.due);
  }
}

Result<size_t> Engine::fire_timers(Partition p, int64_t watermark) {
  if (watermark == kNoTime) return size_t{0};
  const auto floor = timer_floor_.find(p.value());
  if (floor != timer_floor_.end() && watermark < floor->second) return size_t{0};  // nothing can be due
  std::string from = state::partition_prefix(p);
  if (floor != timer_floor_.end()) state::put_be64(from, state::time_to_u64(floor->second));
  std::vector<std::pair<std::string, int64_t>> due;
  auto scanned = store_.scan(state::Cf::timers, from, state::timer_due_end(p, watermark),
                             [&](std::string_view k, std::string_view v) {
                               size_t pos = 0;
                               int64_t at = kNoTime;
                               state::get_svarint(v, pos, at);
                               due.emplace_back(std::string(k), at);
                               return due.size() < opts_.timers_per_batch;
                             });
  if (!scanned) return scanned.error();
  // Timers scheduled in this batch are not in the store yet: keep the floor at or below them.
  int64_t next_floor = due.size() >= opts_.timers_per_batch
                           ? state::u64_to_time(state::get_be64(due.back().first, 4))
                           : watermark + 1;
  if (auto it = scheduled_min_.find(p.value()); it != scheduled_min_.end())
    next_floor = std::min(next_floor, it->second);
  timer_floor_[p.value()] = next_floor;
  for (const auto& [k, at] : due) {
    batch_->del(state::Cf::timers, k);
    auto tk = state::decode_timer_key(k);
    auto jit = tk ? journey_index_.find(tk->journey) : journey_index_.end();
    if (jit == journey_index_.end() || tk->rule >= defs_[jit->second].dropoffs.size()) {
      ++stats_.timers_stale;  // journey or rule removed since the timer was set
      continue;
    }
    const size_t j = jit->second;
    const auto& rule = defs_[j].dropoffs[tk->rule];
    auto loaded = load(p, tk->customer, state::customer_key(p, tk->customer));
    if (!loaded) return loaded.error();
    Customer& c = *loaded.value();
    Instance& in = c.instances[j];
    const Level& lvl = in.levels[rule.after_step];
    const Level& next = in.levels[rule.after_step + 1];
    const bool same_chain = lvl.start == tk->chain && lvl.at == at;
    // Converted only if the same chain reached the next step by the deadline.
    const bool converted = next.set() && next.start == tk->chain && next.at <= tk->due;
    if (!same_chain || converted || in.fired[tk->rule] == tk->chain) {
      ++stats_.timers_stale;
      continue;
    }
    in.fired[tk->rule] = tk->chain;
    c.instance_dirty[j] = true;
    if (!c.dirty) dirty_.push_back(&c);
    c.dirty = true;
    emit_dropoff(tk->customer, j, tk->rule, lvl, tk->due);
    ++stats_.timers_fired;
  }
  return due.size();
}

void Engine::emit_dropoff(std::string_view customer, size_t j, size_t r, const Level& lvl, int64_t due) {
  const auto& def = defs_[j];
  const auto& rule = def.dropoffs[r];
  const auto& step = def.steps[rule.after_step].id;
  const auto& next_step = def.steps[rule.after_step + 1].id;
  // The rule's identity (step, delay, what it emits and with which payload) is
  // part of the id, so two different rules never share one and the id does not
  // depend on the rule's position. (Pending timers do name their rule by
  // position: changing a definition in place needs the versioning of issue 3.)
  const std::string trigger = fmt::format("dropoff:{}:{}:{}:{}", step, format_duration(rule.for_ms),
                                          rule.action ? rule.action->type : "",
                                          to_hex(stable_hash({rule.action ? rule.action->payload_json : "",
                                                              rule.alert ? rule.alert->severity : ""})));
  const std::string version = std::to_string(def.version);
  const std::string chain = std::to_string(lvl.start);
  auto common = [&](JsonWriter& w) {
    w.field("journey", def.id)
        .field("version", static_cast<int64_t>(def.version))
        .field("customer", customer)
        .field("trigger", "dropoff")
        .field("step", step)
        .field("next_step", next_step)
        .field("chain_started_at", format_iso8601(lvl.start))
        .field("step_at", format_iso8601(lvl.at))
        .field("due_at", format_iso8601(due));
  };
  if (rule.action) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("action_id", to_hex(stable_hash({def.id, version, customer, trigger, chain})));
    w.field("type", rule.action->type);
    common(w);
    w.key("payload").raw(rule.action->payload_json);
    w.end_object();
    outbox_.append(*batch_, state::Sink::actions, std::string(customer), std::move(out));
    ++stats_.actions;
  }
  if (rule.alert) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("alert_id",
                           to_hex(stable_hash({def.id, version, customer, trigger + ":alert", chain})));
    w.field("kind", "dropoff").field("severity", rule.alert->severity);
    common(w);
    w.end_object();
    outbox_.append(*batch_, state::Sink::alerts, def.id, std::move(out));
    ++stats_.alerts;
  }
}

void Engine::finish() {
  for (Customer* c : dirty_) {
    const std::string& key = *c->lru;
    // Recover partition and customer id from the cache key: p(4) | len(2) | id.
    const Partition p{static_cast<int32_t>(state::get_be32(key, 0))};
    const std::string_view customer = std::string_view(key).substr(6);
    // A timer firing changes only the instance; its record was written with the event.
    if (c->record_dirty) batch_->put(state::Cf::customers, key, encode_customer(c->record));
    c->record_dirty = false;
    for (size_t j = 0; j < defs_.size(); ++j) {
      if (!c->instance_dirty[j]) continue;
      batch_->put(state::Cf::instances, state::instance_key(p, customer, defs_[j].id),
                  encode_instance(c->instances[j]));
      c->instance_dirty[j] = false;
    }
    c->dirty = false;
  }
  dirty_.clear();
  while (cache_.size() > opts_.cache_customers && !lru_.empty()) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
  batch_ = nullptr;
}

void Engine::forget_partitions(std::span<const Partition> ps) {
  std::unordered_set<int32_t> gone;
  for (auto p : ps) {
    gone.insert(p.value());
    timer_floor_.erase(p.value());
  }
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (gone.count(static_cast<int32_t>(state::get_be32(it->first, 0)))) {
      lru_.erase(it->second.lru);
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace journeyd::journey
