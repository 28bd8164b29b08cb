#include "journey/funnel.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "state/keys.h"

namespace journeyd::journey {
namespace {

// DDSketch-style log buckets: bin i covers (γ^(i-1), γ^i] ms; bin 0 holds durations ≤ 0.
constexpr double kGamma = 1.02;
const double kLogGamma = std::log(kGamma);
constexpr uint32_t kMaxBin = 4000;  // γ^4000 ms is far beyond any duration an int64 holds

int64_t round_up_minute(int64_t t) {
  const int64_t m = minute_of(t);
  return m == t ? t : m + kMinuteMs;
}

}  // namespace

uint32_t sketch_bin(int64_t duration_ms) {
  if (duration_ms <= 0) return 0;
  const double i = std::ceil(std::log(static_cast<double>(duration_ms)) / kLogGamma);
  return 1 + static_cast<uint32_t>(std::clamp(i, 0.0, static_cast<double>(kMaxBin)));
}

int64_t sketch_value(uint32_t bin) {
  if (bin == 0) return 0;
  // The midpoint (in relative terms) of (γ^(i-1), γ^i].
  const double v = 2.0 * std::pow(kGamma, static_cast<double>(bin - 1)) / (1.0 + kGamma);
  return static_cast<int64_t>(std::llround(std::min(v, 9.0e18)));
}

std::optional<Quantiles> sketch_quantiles(const state::Counters& c) {
  std::vector<std::pair<uint32_t, uint64_t>> bins;
  uint64_t total = 0;
  for (auto it = c.items().lower_bound(funnel_field::sketch); it != c.items().end(); ++it) {
    bins.emplace_back(it->first - funnel_field::sketch, it->second);
    total += it->second;
  }
  if (total == 0) return std::nullopt;
  auto at = [&](double q) {
    // Nearest rank: the smallest value with at least q of the durations at or below it.
    const auto rank =
        std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)))) - 1;
    uint64_t seen = 0;
    for (const auto& [bin, n] : bins) {
      seen += n;
      if (seen > rank) return sketch_value(bin);
    }
    return sketch_value(bins.back().first);
  };
  return Quantiles{total, at(0.5), at(0.9), at(0.99)};
}

void FunnelDelta::add(std::string_view journey, std::string_view step, int64_t at, uint32_t field,
                      uint64_t n) {
  pending_[state::funnel_key(journey, minute_of(at), step)].add(field, n);
}

void FunnelDelta::add_duration(std::string_view journey, std::string_view step, int64_t at,
                               int64_t duration_ms) {
  add(journey, step, at, funnel_field::sketch + sketch_bin(duration_ms));
}

void FunnelDelta::flush(state::Batch& batch) {
  for (const auto& [key, c] : pending_) batch.merge(state::Cf::funnel, key, c.encode());
  pending_.clear();
}

namespace {

// Every step's counters of `journey` over [from, to): step id → sum.
Result<std::map<std::string, state::Counters>> sum_steps(const state::Store& store, std::string_view journey,
                                                         int64_t from, int64_t to) {
  std::map<std::string, state::Counters> by_step;
  auto scanned = store.scan(state::Cf::funnel, state::funnel_key(journey, from, ""),
                            state::funnel_key(journey, to, ""), [&](std::string_view k, std::string_view v) {
                              auto fk = state::decode_funnel_key(k);
                              if (fk) (void)by_step[fk->step].add_encoded(v);
                              return true;
                            });
  if (!scanned) return scanned.error();
  return by_step;
}

double ratio(uint64_t a, uint64_t b) {
  return static_cast<double>(a) / static_cast<double>(b);
}

}  // namespace

Result<FunnelReport> read_funnel(const state::Store& store, const Definition& def, int64_t from, int64_t to) {
  FunnelReport r;
  r.journey = def.id;
  r.version = def.version;
  r.from = minute_of(from);
  r.to = std::max(round_up_minute(to), r.from);
  const JourneySpec* j = def.journey();
  if (!j) return r;
  r.window_ms = j->window_ms;
  auto sums = sum_steps(store, def.id, r.from, r.to);
  if (!sums) return sums.error();
  auto& by_step = sums.value();
  r.events = by_step[""].get(funnel_field::events);
  for (size_t s = 0; s < j->steps.size(); ++s) {
    const auto& c = by_step[j->steps[s].id];
    FunnelStepReport st;
    st.id = j->steps[s].id;
    st.reached = c.get(funnel_field::reached);
    st.dropoffs = c.get(funnel_field::dropoffs);
    if (s > 0) {
      const uint64_t prev = r.steps[s - 1].reached;
      // Counts are bucketed by when they happened, so in a short range more may reach a step than
      // reached the one before it: the conversion is capped at 1.
      if (prev > 0) st.conversion = std::min(1.0, ratio(st.reached, prev));
      st.time = sketch_quantiles(c);
      r.steps[s - 1].dropped = prev > st.reached ? prev - st.reached : 0;
    }
    r.steps.push_back(std::move(st));
  }
  if (!r.steps.empty()) {
    r.entered = r.steps.front().reached;
    r.converted = r.steps.back().reached;
    if (r.entered > 0) r.conversion = std::min(1.0, ratio(r.converted, r.entered));
  }
  for (size_t s = 1; s < r.steps.size(); ++s) {
    const auto& st = r.steps[s];
    if (st.conversion &&
        (!r.bottleneck_conversion || *st.conversion < *r.steps[*r.bottleneck_conversion].conversion))
      r.bottleneck_conversion = s;
    if (st.time && (!r.bottleneck_time || st.time->p50_ms > r.steps[*r.bottleneck_time].time->p50_ms))
      r.bottleneck_time = s;
  }
  return r;
}

void write_funnel_json(JsonWriter& w, const FunnelReport& r, std::string_view step) {
  w.begin_object();
  w.field("journey", r.journey).field("version", static_cast<int64_t>(r.version));
  w.field("from", format_iso8601(r.from)).field("to", format_iso8601(r.to));
  w.field("window", format_duration(r.window_ms));
  w.field("events", static_cast<int64_t>(r.events));
  w.field("entered", static_cast<int64_t>(r.entered)).field("converted", static_cast<int64_t>(r.converted));
  w.key("conversion");
  r.conversion ? w.number(*r.conversion) : w.null();
  w.key("bottleneck").begin_object();
  w.key("conversion");
  r.bottleneck_conversion ? w.string(r.steps[*r.bottleneck_conversion].id) : w.null();
  w.key("time");
  r.bottleneck_time ? w.string(r.steps[*r.bottleneck_time].id) : w.null();
  w.end_object();
  w.key("steps").begin_array();
  for (const auto& s : r.steps) {
    if (!step.empty() && s.id != step) continue;
    w.begin_object().field("id", s.id).field("reached", static_cast<int64_t>(s.reached));
    w.key("conversion");
    s.conversion ? w.number(*s.conversion) : w.null();
    w.key("dropped");
    s.dropped ? w.number(static_cast<int64_t>(*s.dropped)) : w.null();
    w.field("dropoffs", static_cast<int64_t>(s.dropoffs));
    w.key("time_from_previous");
    if (s.time) {
      w.begin_object()
          .field("count", static_cast<int64_t>(s.time->count))
          .field("p50_ms", s.time->p50_ms)
          .field("p90_ms", s.time->p90_ms)
          .field("p99_ms", s.time->p99_ms)
          .end_object();
    } else {
      w.null();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

Result<state::Counters> read_counters(const state::Store& store, std::string_view journey,
                                      std::string_view step, int64_t from, int64_t to) {
  state::Counters sum;
  auto scanned = store.scan(state::Cf::funnel, state::funnel_key(journey, minute_of(from), ""),
                            state::funnel_key(journey, round_up_minute(to), ""),
                            [&](std::string_view k, std::string_view v) {
                              auto fk = state::decode_funnel_key(k);
                              if (fk && fk->step == step) (void)sum.add_encoded(v);
                              return true;
                            });
  if (!scanned) return scanned.error();
  return sum;
}

Result<InputCounts> read_input_counts(const state::Store& store, int64_t from, int64_t to) {
  auto c = read_counters(store, "", "", from, to);
  if (!c) return c.error();
  return InputCounts{c.value().get(funnel_field::applied), c.value().get(funnel_field::rejected)};
}

}  // namespace journeyd::journey
