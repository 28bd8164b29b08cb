// The rules of each definition kind: how an event changes a customer's state
// and what a due timer does (docs/journeys.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/hash.h"
#include "common/time_format.h"
#include "journey/condition.h"
#include "journey/engine.h"
#include "journey/engine_detail.h"
#include "journey/metrics.h"
#include "journey/rfm.h"

namespace journeyd::journey {
namespace {

bool is_touch(const event::Touchpoint& tp) {
  return tp.type == event::EventType::track || tp.type == event::EventType::page ||
         tp.type == event::EventType::screen;
}

// What an emission does, as part of a rule's identity: two different rules never share an id.
std::string emit_identity(const Emit& e) {
  return fmt::format(
      "{}:{}", e.action ? e.action->type : "",
      to_hex(stable_hash({e.action ? e.action->payload_json : "", e.alert ? e.alert->severity : ""})));
}

}  // namespace

int64_t Engine::grace_of(const Definition& d) const {
  return d.grace_ms.value_or(opts_.grace_ms);
}

void Engine::apply(Customer& c, size_t slot, const event::Touchpoint& tp, int64_t prev_seen) {
  const Definition& cur = registry_.current(slot);
  // Late for this definition (but not for the largest grace): the definition ignores it.
  if (prev_seen != kNoTime && tp.timestamp.value() < prev_seen - grace_of(cur)) return;
  switch (cur.kind) {
    case Kind::journey:
      apply_journey(c, slot, tp);
      break;
    case Kind::trigger:
      apply_trigger(c, slot, tp);
      break;
    case Kind::sla:
      apply_sla(c, slot, tp);
      break;
    case Kind::churn:
      apply_churn(c, slot, tp, prev_seen);
      break;
  }
}

void Engine::schedule(Customer& c, const Definition& d, uint16_t rule, int64_t due, int64_t chain,
                      int64_t aux, std::string_view payload) {
  state::TimerKey tk{c.partition, due + grace_of(d), c.id, d.id, rule, chain};
  std::string v;
  state::put_svarint(v, due);
  state::put_svarint(v, aux);
  v.append(payload);
  batch_->put(state::Cf::timers, state::encode_timer_key(tk), v);
  ++stats_.timers_scheduled;
  const int32_t p = c.partition.value();
  if (auto it = timer_floor_.find(p); it != timer_floor_.end()) it->second = std::min(it->second, tk.due);
  auto [it, fresh] = scheduled_min_.try_emplace(p, tk.due);
  if (!fresh) it->second = std::min(it->second, tk.due);
}

void Engine::schedule_dropoffs(Customer& c, const Definition& d, size_t step) {
  const auto& j = *d.journey();
  const Level& lvl = c.states[registry_.slot(d.id).value()].journey.levels[step];
  for (size_t r = 0; r < j.dropoffs.size(); ++r)
    if (j.dropoffs[r].after_step == step)
      schedule(c, d, static_cast<uint16_t>(r), lvl.at + j.dropoffs[r].for_ms, lvl.start, lvl.at);
}

// windowFunnel (ClickHouse) for one event, plus the instance lifecycle.
void Engine::apply_journey(Customer& c, size_t slot, const event::Touchpoint& tp) {
  if (!is_touch(tp)) return;
  State& st = c.states[slot];
  const Definition& cur = registry_.current(slot);
  bool active = !st.empty() && st.journey.status == Status::active;
  const Definition* d = active ? registry_.version(slot, st.version) : &cur;
  if (!d) {  // a version this journeyd never ran (its state was not decoded): start afresh
    d = &cur;
    active = false;
  }
  const JourneySpec& j = *d->journey();
  const int64_t ts = tp.timestamp.value();
  auto& js = st.journey;
  // Deadlines that passed before this event are decided first, in deadline order, whatever their
  // timers' progress: the outcome (and the order of decisions, which caps depend on) never depends on
  // batching or on when a partition's clock passes them.
  if (!st.empty()) settle_dropoffs(c, slot, ts);
  if (active) {
    for (const auto& x : j.exits) {
      if (matches(x, tp)) {
        js.status = Status::exited;
        js.ended_at = ts;
        mark(c, slot);
        return;
      }
    }
  }
  // Steps this event satisfies, last first (ClickHouse applies them in that order).
  size_t matched[64];
  size_t n = 0;
  for (size_t s = j.steps.size(); s-- > 0 && n < 64;)
    if (matches(j.steps[s].match, tp)) matched[n++] = s;
  if (n > 0) funnel_.add(d->id, "", ts, funnel_field::events);

  if (!active) {
    if (n == 0 || matched[n - 1] != 0) return;  // only a step-1 event begins an instance
    if (!st.empty() && js.status != Status::none) {
      const auto& policy = *cur.journey();
      if (policy.reentry == Reentry::never) return;
      if (policy.reentry == Reentry::after_exit && ts < js.ended_at + policy.cooldown_ms) return;
    }
    auto sent = std::move(st.sent);
    st = fresh_state(cur);
    st.sent = std::move(sent);
    js.status = Status::active;
  }
  auto& reached = funnels_[slot].reached;
  bool stop = j.order == OrderMode::strict_order && n == 0 && js.levels[0].set();
  for (size_t i = 0; i < n && !stop; ++i) {
    const size_t s = matched[i];
    auto& lv = js.levels;
    if (s == 0) {
      if (!lv[0].set()) {
        if (d == &cur && !reached.empty()) ++reached[0];
        funnel_.add(d->id, j.steps[0].id, ts, funnel_field::reached);
      }
      lv[0] = {ts, ts};
      ++stats_.steps_reached;
      schedule_dropoffs(c, *d, 0);
      continue;
    }
    if (j.order == OrderMode::strict_deduplication && lv[s].set()) {
      stop = true;
    } else if (j.order == OrderMode::strict_order && lv[0].set() && !lv[s - 1].set()) {
      stop = true;
    } else if (lv[s - 1].set()) {
      const int64_t first = lv[s - 1].start;
      bool ok = ts <= first + j.window_ms;
      if (j.order == OrderMode::strict_increase) ok = ok && lv[s - 1].at < ts;
      if (!ok) continue;
      if (!lv[s].set()) {
        if (d == &cur && !reached.empty()) ++reached[s];
        funnel_.add(d->id, j.steps[s].id, ts, funnel_field::reached);
        funnel_.add_duration(d->id, j.steps[s].id, ts, ts - lv[s - 1].at);
      }
      // The chain reached step s in time for the drop-offs after s-1: they are settled for it.
      for (size_t r = 0; r < j.dropoffs.size(); ++r)
        if (j.dropoffs[r].after_step == s - 1 && ts <= lv[s - 1].at + j.dropoffs[r].for_ms)
          js.fired[r] = first;
      lv[s] = {first, ts};
      ++stats_.steps_reached;
      schedule_dropoffs(c, *d, s);
      if (s + 1 == j.steps.size()) {
        js.status = Status::converted;
        js.ended_at = ts;
        break;
      }
    }
  }
  if (stop) {
    js.status = Status::stopped;
    js.ended_at = ts;
  }
  mark(c, slot);
}

void Engine::apply_trigger(Customer& c, size_t slot, const event::Touchpoint& tp) {
  const Definition& d = registry_.current(slot);
  const auto& t = *d.trigger();
  if (!is_touch(tp) || !matches(t.match, tp)) return;
  State& st = c.states[slot];
  if (st.version != d.version) st.version = d.version;  // triggers keep only the caps' history
  const int64_t ts = tp.timestamp.value();
  Decision w;
  w.trigger = "event";
  w.rule = "event:" + emit_identity(t.emit);
  w.occurrence = tp.message_id.empty() ? std::to_string(ts) : tp.message_id;
  w.at = ts;
  w.rule_code = kRuleTrigger;
  w.fields = [&tp](JsonWriter& o) {
    o.field("event", tp.event);
    if (!tp.message_id.empty()) o.field("message_id", tp.message_id);
  };
  emit(c, slot, d, t.emit, w);
}

void Engine::apply_sla(Customer& c, size_t slot, const event::Touchpoint& tp) {
  if (!is_touch(tp)) return;
  State& st = c.states[slot];
  const Definition& cur = registry_.current(slot);
  bool open = !st.empty() && st.sla.opened_at != kNoTime;
  const Definition* d = open ? registry_.version(slot, st.version) : &cur;
  if (!d) {
    d = &cur;
    open = false;
    st.sla = {};
  }
  const int64_t ts = tp.timestamp.value();
  // A clock whose deadline passed before this event is breached: decided now, whatever its timer's
  // progress (the timer then finds no clock). A stop after the deadline closes nothing more.
  if (open && st.sla.opened_at + d->sla()->within_ms < ts) {
    fire_sla(c, slot, *d, Timer{{}, st.sla.opened_at + d->sla()->within_ms, 0, {}});
    st.sla = {};
    open = false;
    mark(c, slot);
  }
  if (open && matches(d->sla()->stop, tp) && ts >= st.sla.opened_at) {  // met in time
    st.sla = {};
    open = false;
    mark(c, slot);
  }
  if (!open && matches(cur.sla()->start, tp)) {
    if (st.empty()) st = fresh_state(cur);
    st.version = cur.version;
    st.sla.opened_at = ts;
    schedule(c, cur, kRuleSla, ts + cur.sla()->within_ms, ts, 0);
    mark(c, slot);
  }
}

void Engine::apply_churn(Customer& c, size_t slot, const event::Touchpoint& tp, int64_t prev_seen) {
  State& st = c.states[slot];
  const Definition& d = registry_.current(slot);
  const auto& ch = *d.churn();
  if (st.empty()) st = fresh_state(d);
  st.version = d.version;  // churn state carries over between versions
  const int64_t ts = tp.timestamp.value();
  // A quiet period that reached `for` before this event fires now, whatever its timer's progress
  // (it may come due later in this batch, after the event moved last_seen).
  // Likewise recency thresholds crossed before this event are evaluated before it; both in time order.
  for (;;) {
    const bool quiet = ch.inactivity_ms > 0 && st.churn.armed_due != kNoTime && prev_seen != kNoTime &&
                       prev_seen + ch.inactivity_ms <= ts;
    const int64_t quiet_at = quiet ? prev_seen + ch.inactivity_ms : INT64_MAX;
    const bool recency = ch.rfm && st.churn.rfm_armed != kNoTime && st.churn.rfm_armed <= ts;
    const int64_t recency_at = recency ? st.churn.rfm_armed : INT64_MAX;
    if (!quiet && !recency) break;
    if (quiet && quiet_at <= recency_at) {
      st.churn.armed_due = quiet_at;
      Timer t;
      t.due = quiet_at;
      fire_inactivity(c, slot, d, t, prev_seen);
      st.churn.armed_due = kNoTime;  // fired: the quiet period is over (re-armed below)
    } else {
      st.churn.rfm_armed = kNoTime;
      rfm_update(c, slot, d, recency_at);
    }
  }
  if (ch.inactivity_ms > 0 && st.churn.armed_due == kNoTime) {
    const int64_t due = c.record.last_seen + ch.inactivity_ms;
    st.churn.armed_due = due;
    schedule(c, d, kRuleInactivity, due, due, 0);
    mark(c, slot);
  }
  if (ch.rfm && is_touch(tp) && matches(ch.rfm->purchase, tp)) {
    auto& cs = st.churn;
    const auto rev = tp.fields.get(ch.rfm->revenue_path);
    cs.last_purchase = std::max(cs.last_purchase, tp.timestamp.value());
    ++cs.purchases;
    // A revenue that would make the total non-finite (hostile input) is not counted.
    if (rev && rev->type == event::FieldValue::Type::number && std::isfinite(cs.revenue + rev->number))
      cs.revenue += rev->number;
    mark(c, slot);
    rfm_update(c, slot, d, tp.timestamp.value());
  }
}

void Engine::rfm_update(Customer& c, size_t slot, const Definition& d, int64_t now) {
  auto& cs = c.states[slot].churn;
  const auto& spec = *d.churn()->rfm;
  if (cs.last_purchase == kNoTime) return;
  const auto score = rfm_score(spec, cs.last_purchase, cs.purchases, cs.revenue, now);
  const auto seg = static_cast<uint8_t>(static_cast<uint8_t>(score.segment) + 1);
  if (seg != cs.segment) {
    const uint8_t prev = cs.segment;
    cs.segment = seg;
    mark(c, slot);
    if (std::find(spec.enter.begin(), spec.enter.end(), to_string(score.segment)) != spec.enter.end()) {
      Decision w;
      w.trigger = "rfm_segment";
      w.rule = fmt::format("rfm:{}:{}", to_string(score.segment), emit_identity(spec.emit));
      w.occurrence = std::to_string(cs.last_purchase);
      w.at = now;
      w.rule_code = kRuleRfm;
      const int64_t lp = cs.last_purchase;
      const uint32_t purchases = cs.purchases;
      const double revenue = cs.revenue;
      w.fields = [score, prev, lp, purchases, revenue](JsonWriter& o) {
        o.field("segment", to_string(score.segment));
        o.key("previous_segment");
        if (prev)
          o.string(to_string(static_cast<RfmSegment>(prev - 1)));
        else
          o.null();
        o.field("r", score.r).field("f", score.f).field("m", score.m);
        o.field("last_purchase_at", format_iso8601(lp));
        o.field("purchases", static_cast<int64_t>(purchases));
        o.key("revenue").number(revenue);
      };
      emit(c, slot, d, spec.emit, w);
    }
  }
  if (cs.rfm_armed == kNoTime) {
    if (auto next = rfm_next_boundary(spec, cs.last_purchase, now)) {
      cs.rfm_armed = *next;
      schedule(c, d, kRuleRfm, *next, *next, 0);
      mark(c, slot);
    }
  }
}

void Engine::rearm(Customer& c, size_t slot) {
  State& st = c.states[slot];
  const Definition* d = registry_.version(slot, st.version);
  if (!d || st.empty()) return;
  if (const auto* j = d->journey()) {
    const auto& js = st.journey;
    if (js.status != Status::active && js.status != Status::stopped) return;
    for (size_t r = 0; r < j->dropoffs.size(); ++r) {
      const size_t k = j->dropoffs[r].after_step;
      const Level& lvl = js.levels[k];
      const Level& next = js.levels[k + 1];
      if (lvl.set() && js.fired[r] != lvl.start && !(next.set() && next.start == lvl.start))
        schedule(c, *d, static_cast<uint16_t>(r), lvl.at + j->dropoffs[r].for_ms, lvl.start, lvl.at);
    }
  } else if (const auto* s = d->sla()) {
    if (st.sla.opened_at != kNoTime)
      schedule(c, *d, kRuleSla, st.sla.opened_at + s->within_ms, st.sla.opened_at, 0);
  } else if (const auto* ch = d->churn()) {
    auto& cs = st.churn;
    if (ch->inactivity_ms > 0 && cs.armed_due != kNoTime && c.record.last_seen != kNoTime) {
      cs.armed_due = c.record.last_seen + ch->inactivity_ms;
      schedule(c, *d, kRuleInactivity, cs.armed_due, cs.armed_due, 0);
    }
    cs.rfm_armed = kNoTime;
    if (ch->rfm && cs.last_purchase != kNoTime) {
      if (auto next = rfm_next_boundary(*ch->rfm, cs.last_purchase, c.record.last_seen)) {
        cs.rfm_armed = *next;
        schedule(c, *d, kRuleRfm, *next, *next, 0);
      }
    }
  }
}

void Engine::fire(Customer& c, size_t slot, const Timer& t) {
  State& st = c.states[slot];
  if (t.key.rule & kDeferred) {  // a deferred action: its record is ready
    if (c.erased || t.payload.empty()) {
      ++stats_.timers_stale;
      return;
    }
    record_history(&c, outbox_.append(*batch_, state::Sink::actions, c.id, t.payload), t.due, t.payload);
    ++stats_.actions;
    if (opts_.metrics) opts_.metrics->actions.with({t.key.journey, action_type_of(t.payload)}).inc();
    ++stats_.timers_fired;
    return;
  }
  const Definition* d = st.empty() ? nullptr : registry_.version(slot, st.version);
  if (!d) {
    ++stats_.timers_stale;
    return;
  }
  const uint16_t rule = t.key.rule;
  if (rule == kRuleSla && d->sla()) {
    if (st.sla.opened_at != t.key.chain) {
      ++stats_.timers_stale;
      return;
    }
    fire_sla(c, slot, *d, t);
    st.sla = {};
    mark(c, slot);
  } else if (rule == kRuleInactivity && d->churn()) {
    fire_inactivity(c, slot, *d, t, c.record.last_seen);
  } else if (rule == kRuleRfm && d->churn() && d->churn()->rfm) {
    if (st.churn.rfm_armed != t.due) {
      ++stats_.timers_stale;
      return;
    }
    st.churn.rfm_armed = kNoTime;
    rfm_update(c, slot, *d, t.due);
    mark(c, slot);
    ++stats_.timers_fired;
  } else if (d->journey() && rule < d->journey()->dropoffs.size()) {
    fire_dropoff(c, slot, *d, t);
  } else {
    ++stats_.timers_stale;
  }
}

void Engine::fire_dropoff(Customer& c, size_t slot, const Definition& d, const Timer& t) {
  auto& js = c.states[slot].journey;
  const auto& j = *d.journey();
  const auto& rule = j.dropoffs[t.key.rule];
  const Level lvl = js.levels[rule.after_step];
  const Level& next = js.levels[rule.after_step + 1];
  const int64_t chain = t.key.chain;
  // The chain still holds the step (a later event replacing it settles the deadline first).
  const bool held = lvl.start == chain && lvl.at == t.aux;
  // Converted only if the same chain reached the next step by the deadline.
  const bool converted = next.set() && next.start == chain && next.at <= t.due;
  const bool ended = (js.status == Status::converted || js.status == Status::exited) && js.ended_at <= t.due;
  if (!held || converted || ended || js.fired[t.key.rule] == chain) {
    ++stats_.timers_stale;
    return;
  }
  js.fired[t.key.rule] = chain;
  mark(c, slot);
  ++stats_.timers_fired;
  const auto& step = j.steps[rule.after_step].id;
  funnel_.add(d.id, step, t.due, funnel_field::dropoffs);
  const auto& next_step = j.steps[rule.after_step + 1].id;
  Decision w;
  w.trigger = "dropoff";
  // The rule's identity (step, delay, what it emits and with which payload) is part of the id, so two
  // different rules never share one and the id does not depend on the rule's position.
  w.rule = fmt::format("dropoff:{}:{}:{}", step, format_duration(rule.for_ms), emit_identity(rule.emit));
  w.occurrence = std::to_string(chain);
  w.at = t.due;
  w.rule_code = t.key.rule;
  const int64_t due = t.due, step_at = t.aux;
  w.fields = [&step, &next_step, chain, step_at, due](JsonWriter& o) {
    o.field("step", step)
        .field("next_step", next_step)
        .field("chain_started_at", format_iso8601(chain))
        .field("step_at", format_iso8601(step_at))
        .field("due_at", format_iso8601(due));
  };
  emit(c, slot, d, rule.emit, w);
}

// Decides, in deadline order, the drop-offs whose deadline passed before `now` while their timers
// are still pending. Their timers then find them settled (or their level replaced) and do nothing.
void Engine::settle_dropoffs(Customer& c, size_t slot, int64_t now) {
  State& st = c.states[slot];
  const Definition* d = registry_.version(slot, st.version);
  if (!d || !d->journey()) return;
  const auto& j = *d->journey();
  std::vector<Timer> overdue;
  for (size_t r = 0; r < j.dropoffs.size(); ++r) {
    const Level lvl = st.journey.levels[j.dropoffs[r].after_step];
    const int64_t due = lvl.at + j.dropoffs[r].for_ms;
    if (!lvl.set() || st.journey.fired[r] == lvl.start || due >= now) continue;
    Timer t;
    t.key.rule = static_cast<uint16_t>(r);
    t.key.chain = lvl.start;
    t.due = due;
    t.aux = lvl.at;
    overdue.push_back(std::move(t));
  }
  std::sort(overdue.begin(), overdue.end(), [](const Timer& a, const Timer& b) { return a.due < b.due; });
  for (const auto& t : overdue) fire_dropoff(c, slot, *d, t);
}

void Engine::fire_sla(Customer& c, size_t slot, const Definition& d, const Timer& t) {
  const auto& s = *d.sla();
  const int64_t started = t.due - s.within_ms;
  ++stats_.timers_fired;
  Decision w;
  w.trigger = "sla_breach";
  w.rule = fmt::format("sla:{}:{}", format_duration(s.within_ms), emit_identity(s.emit));
  w.occurrence = std::to_string(started);
  w.at = t.due;
  w.rule_code = kRuleSla;
  const int64_t due = t.due;
  w.fields = [started, due](JsonWriter& o) {
    o.field("started_at", format_iso8601(started)).field("due_at", format_iso8601(due));
  };
  emit(c, slot, d, s.emit, w);
}

// `last`: the customer's last activity at or before the deadline.
void Engine::fire_inactivity(Customer& c, size_t slot, const Definition& d, const Timer& t, int64_t last) {
  auto& cs = c.states[slot].churn;
  const auto& ch = *d.churn();
  if (cs.armed_due != t.due) {
    ++stats_.timers_stale;
    return;
  }
  ++stats_.timers_fired;
  mark(c, slot);
  if (last + ch.inactivity_ms > t.due) {  // active since: re-arm lazily instead of firing
    cs.armed_due = last + ch.inactivity_ms;
    schedule(c, d, kRuleInactivity, cs.armed_due, cs.armed_due, 0);
    return;
  }
  cs.armed_due = kNoTime;  // the next activity arms it again
  Decision w;
  w.trigger = "inactivity";
  w.rule =
      fmt::format("inactivity:{}:{}", format_duration(ch.inactivity_ms), emit_identity(ch.inactivity_emit));
  w.occurrence = std::to_string(last);
  w.at = t.due;
  w.rule_code = kRuleInactivity;
  const int64_t due = t.due;
  w.fields = [last, due](JsonWriter& o) {
    o.field("last_seen", format_iso8601(last)).field("due_at", format_iso8601(due));
  };
  emit(c, slot, d, ch.inactivity_emit, w);
}

}  // namespace journeyd::journey
