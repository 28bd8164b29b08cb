#include "generator.h"

#include <fmt/format.h>

#include "common/hash.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace journeyd::loadgen {
namespace {

// A deterministic uniform draw in [0,1) for (seed, customer, step, salt).
double draw(uint64_t seed, uint32_t customer, uint32_t step, uint32_t salt) {
  const uint64_t parts[4] = {seed, customer, step, salt};
  const uint64_t h = stable_hash(std::string_view(reinterpret_cast<const char*>(parts), sizeof parts));
  return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);
}

}  // namespace

Generator::Generator(const journey::Definition& def, GeneratorOptions opts)
    : def_(*def.journey()), opts_(std::move(opts)) {
  const size_t steps = def_.steps.size();
  opts_.conversion.resize(steps > 0 ? steps - 1 : 0, 0.6);
  expect_.stopped_at.assign(steps, 0);
  for (uint32_t c = 0; c < opts_.customers; ++c) {
    const uint16_t d = depth(c);
    ++expect_.stopped_at[d];
    expect_.events += d + 1u;
    int64_t t = opts_.start_ms + static_cast<int64_t>(c) * opts_.arrival_ms;
    for (uint16_t s = 1; s <= d; ++s) t += delay(c, s);
    last_ms_ = std::max(last_ms_, t);
  }
  for (const auto& r : def_.dropoffs) {
    if (r.emit.action) expect_.actions += expect_.stopped_at[r.after_step];
    if (r.emit.alert) expect_.alerts += expect_.stopped_at[r.after_step];
  }
}

uint16_t Generator::depth(uint32_t customer) const {
  uint16_t d = 0;
  while (d + 1u < def_.steps.size() && draw(opts_.seed, customer, d, 1) < opts_.conversion[d]) ++d;
  return d;
}

int64_t Generator::delay(uint32_t customer, uint16_t step) const {
  const double u = draw(opts_.seed, customer, step, 2);
  return static_cast<int64_t>(static_cast<double>(opts_.step_delay_ms) * (0.5 + u));
}

std::string Generator::check() const {
  const int64_t max_delay = opts_.step_delay_ms * 3 / 2 + 1;
  for (const auto& r : def_.dropoffs)
    if (max_delay >= r.for_ms)
      return fmt::format(
          "step delay up to {} ms is not below drop-off 'for' {} ms: expectations would be inexact",
          max_delay, r.for_ms);
  if (max_delay * static_cast<int64_t>(def_.steps.size()) >= def_.window_ms)
    return "steps could fall outside the conversion window: expectations would be inexact";
  return {};
}

bool Generator::next(GeneratedEvent& out) {
  // Admit the next customer whose first event is due before anything pending.
  const auto admit_ts = [&] {
    return opts_.start_ms + static_cast<int64_t>(next_customer_) * opts_.arrival_ms;
  };
  if (next_customer_ < opts_.customers && (heap_.empty() || admit_ts() <= heap_.top().ts)) {
    heap_.push({admit_ts(), next_customer_, 0});
    ++next_customer_;
  }
  if (heap_.empty()) return false;
  const Pending p = heap_.top();
  heap_.pop();
  if (p.step < depth(p.customer))
    heap_.push({p.ts + delay(p.customer, p.step + 1), p.customer, uint16_t(p.step + 1)});

  out.key = fmt::format("{}{}", opts_.id_prefix, p.customer);
  out.timestamp_ms = p.ts;
  out.json.clear();
  JsonWriter w(out.json);
  w.begin_object()
      .field("type", "track")
      .field("event", def_.steps[p.step].match.event)
      .field("userId", out.key)
      .field("messageId", fmt::format("m-{}-{}-{}", opts_.seed, p.customer, p.step))
      .field("timestamp", format_iso8601(p.ts));
  w.key("properties")
      .begin_object()
      .field("product_id", fmt::format("p{}", p.customer % 997))
      .key("price")
      .number(19.99)
      .end_object();
  w.key("context").begin_object().field("channel", "web").end_object();
  w.end_object();
  return true;
}

}  // namespace journeyd::loadgen
