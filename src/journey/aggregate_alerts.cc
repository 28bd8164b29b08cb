// Aggregate alerts (`alerts:` of a journey; docs/journeys.md "Aggregate alerts"): once per minute of
// the process's event clock every rule is judged on the funnel aggregates of the complete minutes
// [m - over, m). A breach emits one `firing` record; the first judgement back to normal emits one
// `resolved` record. Which rules fire is kept in `meta` (written in the batch), so a restart neither
// repeats a firing nor forgets to resolve it.
#include <fmt/format.h>

#include <set>

#include "common/hash.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "journey/engine.h"
#include "journey/metrics.h"
#include "state/keys.h"

namespace journeyd::journey {
namespace {

constexpr std::string_view kAlertPrefix = "aggalert/";
constexpr int64_t kNoEventsLookBack = 86'400'000;

std::string firing_key(std::string_view journey, std::string_view rule) {
  std::string k(kAlertPrefix);
  state::put_str(k, journey);
  state::put_str(k, rule);
  return k;
}

const char* condition_name(AggregateCondition c) {
  switch (c) {
    case AggregateCondition::conversion_below:
      return "conversion_below";
    case AggregateCondition::dropoff_rate_above:
      return "dropoff_rate_above";
    case AggregateCondition::no_events:
      return "no_events";
    case AggregateCondition::dlq_rate_above:
      return "dlq_rate_above";
  }
  return "?";
}

}  // namespace

Result<void> Engine::load_aggregate_alerts() {
  return store_.scan(state::Cf::meta, kAlertPrefix, state::prefix_end(kAlertPrefix),
                     [&](std::string_view k, std::string_view v) {
                       size_t pos = 0;
                       int64_t t = 0;
                       if (state::get_svarint(v, pos, t)) firing_[std::string(k)] = t;
                       return true;
                     });
}

namespace {

// A ratio at a step of the funnel (conversion from the previous step, or drop-off rate) over [from, to),
// with the volume it rests on.
struct Ratio {
  std::optional<double> value;
  uint64_t volume = 0;
};

Result<Ratio> step_ratio(const state::Store& store, const Definition& d, const AggregateAlert& a,
                         int64_t from, int64_t to) {
  auto r = read_funnel(store, d, from, to);
  if (!r) return r.error();
  const auto& steps = r.value().steps;
  if (a.step >= steps.size()) return Ratio{};
  Ratio out;
  if (a.condition == AggregateCondition::conversion_below) {
    out.volume = steps[a.step - 1].reached;
    if (out.volume) out.value = static_cast<double>(steps[a.step].reached) / static_cast<double>(out.volume);
  } else {
    out.volume = steps[a.step].reached;
    if (out.volume) out.value = static_cast<double>(steps[a.step].dropoffs) / static_cast<double>(out.volume);
  }
  if (out.value) out.value = std::min(*out.value, 1.0);
  return out;
}

}  // namespace

Result<void> Engine::evaluate_alerts(int64_t now) {
  if (now == kNoTime || now < INT64_MIN / 2) return outcome::success();
  const int64_t to = minute_of(now);
  if (alerts_minute_ != kNoTime && to <= alerts_minute_) return outcome::success();
  alerts_minute_ = to;
  // Alerts that no longer exist (a reload removed them or their journey) stop firing silently.
  std::set<std::string> live;
  for (size_t slot = 0; slot < registry_.size(); ++slot)
    if (const JourneySpec* j = registry_.current(slot).journey())
      for (const auto& a : j->alerts) live.insert(firing_key(registry_.current(slot).id, a.id));
  for (auto it = firing_.begin(); it != firing_.end();) {
    if (live.count(it->first)) {
      ++it;
      continue;
    }
    batch_->del(state::Cf::meta, it->first);
    it = firing_.erase(it);
  }
  for (size_t slot = 0; slot < registry_.size(); ++slot) {
    const Definition& d = registry_.current(slot);
    const JourneySpec* j = d.journey();
    if (!j) continue;
    for (const auto& a : j->alerts) {
      const int64_t from = to - a.over_ms;
      if (opts_.metrics && firing_.count(firing_key(d.id, a.id)))  // also after a restart
        opts_.metrics->aggregate_firing.with({d.id, a.id, a.severity}).set(1);
      std::optional<AggregateVerdict> verdict;
      if (a.condition == AggregateCondition::conversion_below ||
          a.condition == AggregateCondition::dropoff_rate_above) {
        auto cur = step_ratio(store_, d, a, from, to);
        if (!cur) return cur.error();
        if (cur.value().volume >= a.min_volume && cur.value().value) {
          AggregateVerdict v;
          v.value = cur.value().value;
          if (a.threshold) {
            v.threshold = *a.threshold;
          } else {
            auto base = step_ratio(store_, d, a, from - a.baseline_ms, from);
            if (!base) return base.error();
            if (base.value().volume >= a.min_volume && base.value().value) {
              v.baseline = base.value().value;
              v.threshold = *v.baseline * a.percent.value_or(100) / 100.0;
            }
          }
          const bool below = a.condition == AggregateCondition::conversion_below;
          if (a.threshold || v.baseline) {
            v.breach = below ? *v.value < v.threshold : *v.value > v.threshold;
            verdict = v;
          }
        }
      } else if (a.condition == AggregateCondition::dlq_rate_above) {
        auto in = read_input_counts(store_, from, to);
        if (!in) return in.error();
        const uint64_t total = in.value().applied + in.value().rejected;
        if (total >= a.min_volume) {
          AggregateVerdict v;
          v.value = static_cast<double>(in.value().rejected) / static_cast<double>(total);
          v.threshold = a.threshold.value_or(1);
          v.breach = *v.value > v.threshold;
          verdict = v;
        }
      } else {  // no_events: judged once the journey has had events
        auto recent = read_counters(store_, d.id, "", from, to);
        if (!recent) return recent.error();
        AggregateVerdict v;
        v.threshold = static_cast<double>(a.over_ms) / 60'000.0;
        if (recent.value().get(funnel_field::events) > 0) {
          v.value = 0;
          verdict = v;
        } else {
          // Had events in the day before the silence (a bounded look-back: this runs every minute).
          auto before = read_counters(store_, d.id, "", from - kNoEventsLookBack, from);
          if (!before) return before.error();
          if (before.value().get(funnel_field::events) > 0) {
            v.breach = true;
            verdict = v;
          }
        }
      }
      if (verdict) judge(d, a, *verdict, from, to);
    }
  }
  return outcome::success();
}

void Engine::judge(const Definition& d, const AggregateAlert& a, const AggregateVerdict& v, int64_t from,
                   int64_t to) {
  const std::string key = firing_key(d.id, a.id);
  auto it = firing_.find(key);
  const bool firing = it != firing_.end();
  if (v.breach == firing) return;  // nothing changed
  const int64_t started = firing ? it->second : to;
  const char* status = v.breach ? "firing" : "resolved";
  if (v.breach) {
    std::string val;
    state::put_svarint(val, to);
    batch_->put(state::Cf::meta, key, val);
    firing_[key] = to;
  } else {
    batch_->del(state::Cf::meta, key);
    firing_.erase(it);
  }
  const auto& steps = d.journey()->steps;
  const bool has_step = a.condition == AggregateCondition::conversion_below ||
                        a.condition == AggregateCondition::dropoff_rate_above;
  std::string json;
  JsonWriter w(json);
  w.begin_object()
      .field("alert_id", to_hex(stable_hash({"aggregate", d.id, a.id, std::to_string(started), status})))
      .field("severity", a.severity)
      .field("definition", d.id)
      .field("journey", d.id)
      .field("kind", "journey")
      .field("version", static_cast<int64_t>(d.version))
      .field("trigger", "aggregate")
      .field("at", format_iso8601(to))
      .field("rule", a.id)
      .field("condition", condition_name(a.condition))
      .field("status", status)
      .field("started_at", format_iso8601(started));
  if (has_step) w.field("step", steps[a.step].id);
  w.key("value");
  v.value ? w.number(*v.value) : w.null();
  w.key("threshold").number(v.threshold);
  w.key("baseline");
  v.baseline ? w.number(*v.baseline) : w.null();
  w.field("from", format_iso8601(from)).field("to", format_iso8601(to));
  w.end_object();
  const uint64_t seq = outbox_.append(*batch_, state::Sink::alerts, d.id, json);
  record_history(nullptr, seq, to, json);
  ++stats_.alerts;
  if (opts_.metrics) {
    opts_.metrics->alerts.with({d.id, a.severity}).inc();
    opts_.metrics->aggregate_firing.with({d.id, a.id, a.severity}).set(v.breach ? 1 : 0);
  }
}

}  // namespace journeyd::journey
