// Engine: the customer cache, loading, identity links, dedup and the timer
// scan. The rules of each definition kind are in engine_rules.cc; the delivery
// policy and records in emit.cc.
#include "journey/engine.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/hash.h"
#include "common/time_format.h"
#include "journey/condition.h"
#include "journey/engine_detail.h"

namespace journeyd::journey {
namespace {

constexpr size_t kMaxLinksCached = 100'000;

// The messageId as stored in dedup keys: long ids (a hostile producer) by their hash.
std::string dedup_id(std::string_view message_id) {
  if (message_id.size() <= 256) return std::string(message_id);
  return "#" + to_hex(stable_hash(message_id));
}

std::string encode_link(std::string_view user, Partition p) {
  std::string v;
  state::put_be32(v, static_cast<uint32_t>(p.value()));
  v.append(user);
  return v;
}

bool is_touch(const event::Touchpoint& tp) {
  return tp.type == event::EventType::track || tp.type == event::EventType::page ||
         tp.type == event::EventType::screen;
}

}  // namespace

Engine::Engine(EngineOptions opts, state::Store& store, state::Outbox& outbox)
    : opts_(opts), store_(store), outbox_(outbox), registry_(store) {}

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::create(std::vector<Definition> defs, EngineOptions opts,
                                               state::Store& store, state::Outbox& outbox) {
  std::unique_ptr<Engine> e(new Engine(opts, store, outbox));
  if (auto r = e->reload(std::move(defs)); !r) return r.error();
  if (auto r = e->load_fences(); !r) return r.error();
  if (auto r = e->load_aggregate_alerts(); !r) return r.error();
  return e;
}

Result<void> Engine::reload(std::vector<Definition> defs) {
  if (auto r = registry_.update(std::move(defs)); !r) return r;
  // Slots may have moved: drop the decoded cache (it holds nothing unwritten between batches).
  cache_.clear();
  lru_.clear();
  dirty_.clear();
  rebuild_index();
  return outcome::success();
}

void Engine::rebuild_index() {
  by_event_.clear();
  every_event_.clear();
  std::vector<FunnelCounts> funnels(registry_.size());
  for (size_t s = 0; s < registry_.size(); ++s) {
    bool every = false;
    auto add = [&](const std::string& ev) {
      auto& v = by_event_[ev];
      if (v.empty() || v.back() != s) v.push_back(s);
    };
    for (const Definition* d : registry_.versions_of(s)) {
      if (const auto* j = d->journey()) {
        for (const auto& st : j->steps) add(st.match.event);
        for (const auto& x : j->exits) add(x.event);
        every |= j->order == OrderMode::strict_order;  // any other event stops the funnel
      } else if (const auto* t = d->trigger()) {
        add(t->match.event);
      } else if (const auto* sla = d->sla()) {
        add(sla->start.event);
        add(sla->stop.event);
      } else if (d->churn()) {
        every = true;  // every event is activity
      }
    }
    if (every) every_event_.push_back(s);
    const auto& cur = registry_.current(s);
    funnels[s].definition = cur.id;
    if (const auto* j = cur.journey()) {
      for (const auto& st : j->steps) funnels[s].steps.push_back(st.id);
      funnels[s].reached.assign(j->steps.size(), 0);
      // Keep the counts of a definition that survived the reload.
      for (const auto& old : funnels_)
        if (old.definition == cur.id && old.steps == funnels[s].steps) funnels[s].reached = old.reached;
    }
  }
  // A slot may be listed both by name and in every_event_: apply() runs once per slot per event.
  for (auto& [ev, slots] : by_event_)
    slots.erase(std::remove_if(slots.begin(), slots.end(),
                               [&](size_t s) {
                                 return std::find(every_event_.begin(), every_event_.end(), s) !=
                                        every_event_.end();
                               }),
                slots.end());
  funnels_ = std::move(funnels);
  max_grace_ = registry_.max_grace(opts_.grace_ms);
}

std::vector<FunnelCounts> Engine::funnels() const {
  std::vector<FunnelCounts> out;
  for (const auto& f : funnels_)
    if (!f.steps.empty()) out.push_back(f);
  return out;
}

void Engine::assign(std::span<const Partition> ps) {
  for (auto p : ps)
    if (std::find(assigned_.begin(), assigned_.end(), p) == assigned_.end()) assigned_.push_back(p);
}

void Engine::begin(state::Batch& batch) {
  batch_ = &batch;
  scheduled_min_.clear();
  dedup_.clear();
}

Engine::Customer* Engine::cached(const std::string& key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return &it->second;
}

Engine::Customer& Engine::insert(const std::string& key, Partition p, std::string_view id,
                                 std::optional<std::string_view> rec,
                                 std::span<const std::optional<std::string>> states) {
  lru_.push_front(key);
  auto [it, fresh] = cache_.try_emplace(key);
  Customer& c = it->second;
  c.lru = lru_.begin();
  c.partition = p;
  c.id.assign(id);
  if (rec) {
    if (auto r = decode_customer(*rec)) c.record = std::move(*r);
  }
  const size_t n = registry_.size();
  c.states.assign(n, State{});
  c.state_dirty.assign(n, false);
  for (size_t s = 0; s < n && s < states.size(); ++s) {
    if (!states[s]) continue;
    const auto v = state_version(*states[s]);
    const Definition* d = v ? registry_.version(s, *v) : nullptr;
    if (!d) continue;  // a version this journeyd never ran: start afresh
    if (auto st = decode_state(*states[s], *d)) c.states[s] = std::move(*st);
  }
  return c;
}

Result<Engine::Customer*> Engine::load(Partition p, std::string_view id) {
  const auto key = state::customer_key(p, id);
  if (auto* c = cached(key)) {
    ++stats_.cache_hits;
    return c;
  }
  ++stats_.cache_misses;
  auto rec = store_.get(state::Cf::customers, key);
  if (!rec) return rec.error();
  // Invariant: a customer's state is only ever written with its record, so no record, no state.
  if (!rec.value()) return &insert(key, p, id, std::nullopt, {});
  std::vector<std::string> keys;
  for (size_t s = 0; s < registry_.size(); ++s)
    keys.push_back(state::instance_key(p, id, registry_.current(s).id));
  auto st = store_.multi_get(state::Cf::instances, keys);
  if (!st) return st.error();
  return &insert(key, p, id, std::string_view(*rec.value()), st.value());
}

void Engine::touch(Customer& c) {
  if (!c.dirty) dirty_.push_back(&c);
  c.dirty = true;
}

void Engine::mark(Customer& c, size_t slot) {
  c.state_dirty[slot] = true;
  touch(c);
}

Result<const Engine::Link*> Engine::link_of(std::string_view anonymous) {
  auto it = links_.find(std::string(anonymous));
  if (it == links_.end()) {
    auto v = store_.get(state::Cf::identity, anonymous);
    if (!v) return v.error();
    if (links_.size() >= kMaxLinksCached) links_.clear();
    std::optional<Link> l;
    if (v.value() && v.value()->size() >= 4)
      l = Link{v.value()->substr(4), Partition{static_cast<int32_t>(state::get_be32(*v.value(), 0))}};
    it = links_.emplace(std::string(anonymous), std::move(l)).first;
  }
  return it->second ? &*it->second : nullptr;
}

Result<void> Engine::prefetch(std::span<const EventRef> events) {
  // 1. Identity links (of each event's customer id, and of the ids it may link), and duplicate markers.
  std::vector<std::string> anon;
  std::vector<std::string> dkeys;
  if (links_.size() + 3 * events.size() > kMaxLinksCached) links_.clear();
  for (const auto& e : events) {
    const auto& tp = *e.tp;
    const std::string_view linkable = tp.user_id.empty() ? std::string_view() : tp.anonymous_id;
    for (std::string_view id : {tp.customer(), linkable, std::string_view(tp.previous_id)})
      if (!id.empty() && !links_.count(std::string(id))) anon.emplace_back(id);
    if (opts_.dedup_horizon_ms > 0 && !tp.message_id.empty()) {
      auto k = state::dedup_key(e.partition, dedup_id(tp.message_id));
      if (!dedup_.count(k)) dkeys.push_back(std::move(k));
    }
  }
  std::sort(anon.begin(), anon.end());
  anon.erase(std::unique(anon.begin(), anon.end()), anon.end());
  if (!anon.empty()) {
    auto links = store_.multi_get(state::Cf::identity, anon);
    if (!links) return links.error();
    for (size_t i = 0; i < anon.size(); ++i) {
      const auto& v = links.value()[i];
      std::optional<Link> l;
      if (v && v->size() >= 4)
        l = Link{v->substr(4), Partition{static_cast<int32_t>(state::get_be32(*v, 0))}};
      links_.emplace(anon[i], std::move(l));
    }
  }
  if (!dkeys.empty()) {
    auto found = store_.multi_get(state::Cf::dedup, dkeys);
    if (!found) return found.error();
    for (size_t i = 0; i < dkeys.size(); ++i) {
      int64_t t = kNoTime;
      if (const auto& v = found.value()[i]) {
        size_t pos = 0;
        state::get_svarint(*v, pos, t);
      }
      dedup_.emplace(std::move(dkeys[i]), t);
    }
  }

  // 2. Customer state.
  std::vector<std::string> ckeys;
  std::vector<std::pair<Partition, std::string_view>> owners;
  std::unordered_set<std::string> seen;
  for (const auto& e : events) {
    Partition p = e.partition;
    std::string_view id = e.tp->customer();
    if (auto it = links_.find(std::string(id)); it != links_.end() && it->second) {
      p = it->second->partition;
      id = it->second->user;
    }
    auto key = state::customer_key(p, id);
    if (cache_.count(key) || !seen.insert(key).second) continue;
    ckeys.push_back(std::move(key));
    owners.emplace_back(p, id);
  }
  if (ckeys.empty()) return outcome::success();
  stats_.cache_misses += ckeys.size();  // read from RocksDB; their lookups in on_event then hit
  auto recs = store_.multi_get(state::Cf::customers, ckeys);
  if (!recs) return recs.error();
  const size_t n = registry_.size();
  std::vector<std::string> ikeys;
  for (size_t i = 0; i < ckeys.size(); ++i) {
    if (!recs.value()[i]) continue;  // a new customer
    for (size_t s = 0; s < n; ++s)
      ikeys.push_back(state::instance_key(owners[i].first, owners[i].second, registry_.current(s).id));
  }
  auto insts = store_.multi_get(state::Cf::instances, ikeys);
  if (!insts) return insts.error();
  size_t next = 0;
  for (size_t i = 0; i < ckeys.size(); ++i) {
    if (!recs.value()[i]) {
      insert(ckeys[i], owners[i].first, owners[i].second, std::nullopt, {});
      continue;
    }
    insert(ckeys[i], owners[i].first, owners[i].second, std::string_view(*recs.value()[i]),
           std::span(insts.value()).subspan(next, n));
    next += n;
  }
  return outcome::success();
}

// A messageId seen for this partition within the horizon (event time, either direction). Records it
// otherwise. One key per id: its last accepted event time.
Result<bool> Engine::duplicate(Partition p, const event::Touchpoint& tp) {
  if (opts_.dedup_horizon_ms <= 0 || tp.message_id.empty()) return false;
  const int64_t ts = tp.timestamp.value();
  auto k = state::dedup_key(p, dedup_id(tp.message_id));
  auto it = dedup_.find(k);
  if (it == dedup_.end()) {  // not prefetched
    auto v = store_.get(state::Cf::dedup, k);
    if (!v) return v.error();
    int64_t t = kNoTime;
    if (v.value()) {
      size_t pos = 0;
      state::get_svarint(*v.value(), pos, t);
    }
    it = dedup_.emplace(k, t).first;
  }
  if (it->second != kNoTime && std::abs(ts - it->second) <= opts_.dedup_horizon_ms) return true;
  std::string v;
  state::put_svarint(v, ts);
  state::put_be64(v, stable_hash(tp.customer()));  // lets an erasure find the customer's entries
  batch_->put(state::Cf::dedup, k, v);
  it->second = ts;
  return false;
}

// Records older than two horizons behind the clock can match only events that old: compactions drop
// them (bounded storage). A copy of an event older than clock - horizon may therefore pass.
void Engine::expire_dedup(int64_t clock) {
  if (opts_.dedup_horizon_ms <= 0 || clock == kNoTime || clock < INT64_MIN / 2) return;
  store_.expire_before(state::Cf::dedup, clock - 2 * opts_.dedup_horizon_ms);
}

// Links `anonymous` to the customer `user` (stored in partition `home`; first
// link wins) and merges the anonymous customer's state into the user's.
Result<void> Engine::link(Partition home, std::string_view user, std::string_view anonymous) {
  auto existing = link_of(anonymous);
  if (!existing) return existing.error();
  if (existing.value() || anonymous == user) return outcome::success();
  const std::string target(user);  // `user` may point into links_, which changes below
  batch_->put(state::Cf::identity, anonymous, encode_link(target, home));
  links_[std::string(anonymous)] = Link{target, home};
  ++stats_.identity_links;
  auto u = load(home, target);
  if (!u) return u.error();
  if (auto& al = u.value()->record.aliases; al.size() < CustomerRecord::kMaxAliases) {
    al.emplace_back(anonymous);
    u.value()->record_dirty = true;
  }
  // The anonymous customer's state may live in any partition this process owns: one MultiGet of
  // their records, and only the customers found are loaded.
  std::vector<Partition> where = assigned_;
  if (std::find(where.begin(), where.end(), home) == where.end()) where.push_back(home);
  std::vector<std::string> keys;
  for (auto q : where) keys.push_back(state::customer_key(q, anonymous));
  auto found = store_.multi_get(state::Cf::customers, keys);
  if (!found) return found.error();
  for (size_t i = 0; i < where.size(); ++i) {
    if (!found.value()[i] && !cache_.count(keys[i])) continue;  // nothing there
    auto anon = load(where[i], anonymous);
    if (!anon) return anon.error();
    if (anon.value()->record.last_seen == kNoTime) continue;
    merge_into(*u.value(), *anon.value());
  }
  return outcome::success();
}

// The customer an id belongs to: the user it is linked to (following links), else itself.
Result<std::pair<Partition, std::string>> Engine::resolve(Partition p, std::string_view id) {
  std::pair<Partition, std::string> out{p, std::string(id)};
  for (int hops = 0; hops < 4; ++hops) {  // alias chains are short; a cycle cannot loop forever
    auto l = link_of(out.second);
    if (!l) return l.error();
    if (!l.value()) break;
    out = {l.value()->partition, l.value()->user};
  }
  return out;
}

void Engine::merge_into(Customer& user, Customer& anon) {
  user.record.last_seen = std::max(user.record.last_seen, anon.record.last_seen);
  if (user.record.timezone.empty()) user.record.timezone = anon.record.timezone;
  for (auto& a : anon.record.aliases)
    if (user.record.aliases.size() < CustomerRecord::kMaxAliases) user.record.aliases.push_back(std::move(a));
  user.record_dirty = true;
  for (size_t s = 0; s < registry_.size(); ++s) {
    State& u = user.states[s];
    State& a = anon.states[s];
    if (a.empty()) continue;
    const Definition* d = registry_.version(s, a.version);
    if (u.empty()) {
      u = a;
    } else if (u.version != a.version || !d) {
      // Different versions: the user's state wins, but every action sent counts for caps.
      u.sent.insert(u.sent.end(), a.sent.begin(), a.sent.end());
    } else if (d->kind == Kind::journey) {
      auto& uj = u.journey;
      const auto& aj = a.journey;
      if (uj.status != Status::active || aj.status != Status::active) {
        if (uj.status == Status::none) uj = aj;
      } else {
        // Per step, the chain with the latest start wins (what windowFunnel keeps).
        for (size_t k = 0; k < uj.levels.size(); ++k)
          if (aj.levels[k].set() && (!uj.levels[k].set() || aj.levels[k].start > uj.levels[k].start))
            uj.levels[k] = aj.levels[k];
        for (size_t r = 0; r < uj.fired.size(); ++r)
          if (aj.fired[r] != kNoTime && (uj.fired[r] == kNoTime || aj.fired[r] > uj.fired[r]))
            uj.fired[r] = aj.fired[r];
      }
      u.sent.insert(u.sent.end(), a.sent.begin(), a.sent.end());
    } else if (d->kind == Kind::sla) {
      // The oldest unanswered start counts.
      if (u.sla.opened_at == kNoTime || (a.sla.opened_at != kNoTime && a.sla.opened_at < u.sla.opened_at))
        u.sla = a.sla;
      u.sent.insert(u.sent.end(), a.sent.begin(), a.sent.end());
    } else if (d->kind == Kind::churn) {
      auto& uc = u.churn;
      const auto& ac = a.churn;
      uc.last_purchase = std::max(uc.last_purchase, ac.last_purchase);
      uc.purchases += ac.purchases;
      uc.revenue += ac.revenue;
      if (uc.segment == 0) uc.segment = ac.segment;
      // Armed if either side was (a fired, disarmed quiet period stays fired); re-armed below.
      uc.armed_due = uc.armed_due != kNoTime || ac.armed_due != kNoTime ? 0 : kNoTime;
      uc.rfm_armed = kNoTime;
      u.sent.insert(u.sent.end(), a.sent.begin(), a.sent.end());
    } else {
      u.sent.insert(u.sent.end(), a.sent.begin(), a.sent.end());
    }
    std::sort(u.sent.begin(), u.sent.end());
    mark(user, s);
    rearm(user, s);
  }
  anon.erased = true;
  anon.record = CustomerRecord{};
  for (auto& st : anon.states) st = State{};
  touch(anon);
}

// An event of an erased customer stamped at or before its erasure (late, or replayed from Kafka).
bool Engine::fenced(const event::Touchpoint& tp) const {
  if (fences_.empty()) return false;
  for (std::string_view id :
       {std::string_view(tp.user_id), std::string_view(tp.anonymous_id), std::string_view(tp.previous_id)}) {
    if (id.empty()) continue;
    if (auto it = fences_.find(stable_hash(id)); it != fences_.end() && tp.timestamp.value() <= it->second)
      return true;
  }
  return false;
}

Result<std::optional<event::Rejection>> Engine::on_event(Partition p, const event::Touchpoint& tp) {
  // Dropped without a DLQ record: that would keep the erased customer's data.
  if (fenced(tp)) {
    ++stats_.fenced;
    return std::optional<event::Rejection>();
  }
  auto dup = duplicate(p, tp);
  if (!dup) return dup.error();
  if (dup.value()) {
    ++stats_.duplicates;
    return std::optional<event::Rejection>();
  }
  // The customer: userId, else anonymousId, followed through identity links (an alias links a
  // previous userId too).
  auto resolved = resolve(p, tp.customer());
  if (!resolved) return resolved.error();
  const auto [home, id] = std::move(resolved.value());
  // Linked to an erased customer by a link the erasure could not see: still fenced.
  if (!fences_.empty() && id != tp.customer()) {
    if (auto it = fences_.find(stable_hash(id)); it != fences_.end() && tp.timestamp.value() <= it->second) {
      ++stats_.fenced;
      return std::optional<event::Rejection>();
    }
  }
  auto loaded = load(home, id);
  if (!loaded) return loaded.error();
  Customer* c = loaded.value();
  const int64_t ts = tp.timestamp.value();
  if (c->record.last_seen != kNoTime && ts < c->record.last_seen - max_grace_) {
    ++stats_.late_events;
    return std::optional<event::Rejection>(event::Rejection{
        event::DlqCategory::late_event,
        fmt::format("event time {} is {} ms before the customer's last event {} (grace {} ms)",
                    format_iso8601(ts), c->record.last_seen - ts, format_iso8601(c->record.last_seen),
                    max_grace_)});
  }
  ++stats_.events;
  // Identity: an event with both ids (identify, or any event after login) or an alias links them.
  if (!tp.user_id.empty()) {
    std::string_view anon = tp.type == event::EventType::alias ? std::string_view(tp.previous_id)
                                                               : std::string_view(tp.anonymous_id);
    if (!anon.empty()) {
      if (auto r = link(home, id, anon); !r) return r.error();
    }
  }
  // Read after the merge: the anonymous activity counts as the customer's.
  const int64_t prev_seen = c->record.last_seen;
  touch(*c);
  if (ts > c->record.last_seen) {
    c->record.last_seen = ts;
    c->record_dirty = true;
  }
  if (auto tz = tp.fields.get("context.timezone"); tz && tz->type == event::FieldValue::Type::string &&
                                                   !tz->string.empty() && tz->string != c->record.timezone &&
                                                   tz->string.size() <= 64) {
    c->record.timezone.assign(tz->string);
    c->record_dirty = true;
  }
  if (is_touch(tp)) {
    if (auto it = by_event_.find(tp.event); it != by_event_.end())
      for (size_t s : it->second) apply(*c, s, tp, prev_seen);
  }
  for (size_t s : every_event_) apply(*c, s, tp, prev_seen);
  return std::optional<event::Rejection>();
}

Result<size_t> Engine::fire_timers(Partition p, int64_t clock, size_t max) {
  if (clock == kNoTime) return size_t{0};
  const size_t limit = std::min(opts_.timers_per_batch, max);
  if (limit == 0) return size_t{0};
  expire_dedup(clock);
  if (opts_.history_retention_ms > 0 && clock > INT64_MIN / 2)
    store_.expire_before(state::Cf::history, clock - opts_.history_retention_ms);
  if (opts_.funnel_retention_ms > 0 && clock > INT64_MIN / 2)
    store_.expire_before(state::Cf::funnel, minute_of(clock - opts_.funnel_retention_ms));
  const auto floor = timer_floor_.find(p.value());
  if (floor != timer_floor_.end() && clock < floor->second) return size_t{0};  // nothing can be due
  std::string from = state::partition_prefix(p);
  if (floor != timer_floor_.end()) state::put_be64(from, state::time_to_u64(floor->second));
  std::vector<std::pair<std::string, std::string>> due;
  auto scanned = store_.scan(state::Cf::timers, from, state::timer_due_end(p, clock),
                             [&](std::string_view k, std::string_view v) {
                               due.emplace_back(std::string(k), std::string(v));
                               return due.size() < limit;
                             });
  if (!scanned) return scanned.error();
  // Timers scheduled in this batch are not in the store yet: keep the floor at or below them.
  int64_t next_floor =
      due.size() >= limit ? state::u64_to_time(state::get_be64(due.back().first, 4)) : clock + 1;
  if (auto it = scheduled_min_.find(p.value()); it != scheduled_min_.end())
    next_floor = std::min(next_floor, it->second);
  timer_floor_[p.value()] = next_floor;
  for (const auto& [k, v] : due) {
    batch_->del(state::Cf::timers, k);
    auto tk = state::decode_timer_key(k);
    const auto slot = tk ? registry_.slot(tk->journey) : std::nullopt;
    Timer t;
    size_t pos = 0;
    if (!slot || !state::get_svarint(v, pos, t.due) || !state::get_svarint(v, pos, t.aux)) {
      ++stats_.timers_stale;  // definition removed since the timer was set (or unreadable)
      continue;
    }
    t.key = std::move(*tk);
    t.payload.assign(v.substr(pos));
    auto loaded = load(p, t.key.customer);
    if (!loaded) return loaded.error();
    fire(*loaded.value(), *slot, t);
  }
  return due.size();
}

void Engine::note_input(int64_t clock, uint64_t applied, uint64_t rejected) {
  if (clock == kNoTime) return;
  funnel_.add("", "", clock, funnel_field::applied, applied);
  funnel_.add("", "", clock, funnel_field::rejected, rejected);
}

void Engine::finish() {
  funnel_.flush(*batch_);
  for (Customer* c : dirty_) {
    const std::string& key = *c->lru;
    if (c->erased) {
      batch_->del(state::Cf::customers, key);
      for (size_t s = 0; s < registry_.size(); ++s)
        batch_->del(state::Cf::instances, state::instance_key(c->partition, c->id, registry_.current(s).id));
      c->erased = false;
    } else {
      // A timer firing changes only the state; the record was written with the event.
      if (c->record_dirty) batch_->put(state::Cf::customers, key, encode_customer(c->record));
      for (size_t s = 0; s < registry_.size(); ++s) {
        if (!c->state_dirty[s] || c->states[s].empty()) continue;
        const Definition* d = registry_.version(s, c->states[s].version);
        batch_->put(state::Cf::instances, state::instance_key(c->partition, c->id, registry_.current(s).id),
                    encode_state(c->states[s], d ? d->kind : registry_.current(s).kind));
      }
    }
    c->record_dirty = false;
    std::fill(c->state_dirty.begin(), c->state_dirty.end(), false);
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
    assigned_.erase(std::remove(assigned_.begin(), assigned_.end(), p), assigned_.end());
  }
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (gone.count(it->second.partition.value())) {
      lru_.erase(it->second.lru);
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace journeyd::journey
