// Emission: the delivery policy for actions (holdout, caps, quiet hours,
// variants) and the action/alert records (schemas/action.schema.json,
// schemas/alert.schema.json).
#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "common/time_format.h"
#include "common/tz.h"
#include "journey/engine.h"
#include "journey/engine_detail.h"
#include "journey/metrics.h"

namespace journeyd::journey {
namespace {

void head(JsonWriter& o, const Definition& d, std::string_view customer, const char* trigger, int64_t at) {
  o.field("definition", d.id)
      .field("journey", d.id)
      .field("kind", to_string(d.kind))
      .field("version", static_cast<int64_t>(d.version))
      .field("customer", customer)
      .field("trigger", trigger)
      .field("at", format_iso8601(at));
}

const Variant* variant_of(const Delivery& pol, std::string_view def, std::string_view customer) {
  if (pol.variants.empty()) return nullptr;
  uint64_t total = 0;
  for (const auto& v : pol.variants) total += v.weight;
  uint64_t h = stable_hash({def, customer, "variant"}) % total;
  for (const auto& v : pol.variants) {
    if (h < v.weight) return &v;
    h -= v.weight;
  }
  return &pol.variants.back();
}

// The action payload with the variant's payload merged in (shallow: the variant's keys win).
std::string payload_of(const ActionSpec& a, const Variant* v) {
  if (!v || v->payload_json == "{}") return a.payload_json;
  auto base = nlohmann::json::parse(a.payload_json, nullptr, false);
  const auto extra = nlohmann::json::parse(v->payload_json, nullptr, false);
  if (!base.is_object() || !extra.is_object()) return a.payload_json;
  for (const auto& [k, val] : extra.items()) base[k] = val;
  return base.dump();
}

}  // namespace

void Engine::emit(Customer& c, size_t slot, const Definition& d, const Emit& e, const Decision& w) {
  if (e.alert) {
    std::string out;
    JsonWriter o(out);
    o.begin_object().field(
        "alert_id",
        to_hex(stable_hash({d.id, std::to_string(d.version), c.id, w.rule + ":alert", w.occurrence})));
    o.field("severity", e.alert->severity);
    head(o, d, c.id, w.trigger, w.at);
    if (w.fields) w.fields(o);
    o.end_object();
    record_history(nullptr, outbox_.append(*batch_, state::Sink::alerts, d.id, out), w.at, out);
    ++stats_.alerts;
    if (opts_.metrics) opts_.metrics->alerts.with({d.id, e.alert->severity}).inc();
  }
  if (e.action) send_action(c, slot, d, *e.action, w);
}

void Engine::send_action(Customer& c, size_t slot, const Definition& d, const ActionSpec& a,
                         const Decision& w) {
  const auto& pol = d.delivery;
  const Variant* variant = variant_of(pol, d.id, c.id);
  const std::string id = to_hex(stable_hash({d.id, std::to_string(d.version), c.id, w.rule, w.occurrence}));
  auto record = [&](int64_t at, int64_t deferred_from, const char* suppressed) {
    std::string out;
    JsonWriter o(out);
    o.begin_object().field("action_id", id).field("type", a.type);
    head(o, d, c.id, w.trigger, at);
    if (w.fields) w.fields(o);
    if (variant) o.field("variant", variant->id);
    if (deferred_from != kNoTime) o.field("deferred_from", format_iso8601(deferred_from));
    if (suppressed) o.field("suppressed", suppressed);
    o.key("payload").raw(payload_of(a, variant));
    o.end_object();
    return out;
  };
  auto suppress = [&](const char* why) {
    outbox_.append(*batch_, state::Sink::suppressed, c.id, record(w.at, kNoTime, why));
    ++stats_.suppressed;
    if (opts_.metrics) opts_.metrics->suppressed.with({d.id, why}).inc();
  };

  // 1. Holdout: a deterministic split; the held-out customer is recorded, not contacted.
  if (pol.holdout_basis_points > 0 && stable_hash({d.id, c.id}) % 10000 < pol.holdout_basis_points)
    return suppress("holdout");
  // 2. Caps: actions sent in (at - per, at].
  if (pol.caps.max > 0) {
    auto& sent = c.states[slot].sent;
    const int64_t from = w.at - pol.caps.per_ms;
    std::erase_if(sent, [&](int64_t t) { return t <= from; });
    size_t in_window = 0;
    for (int64_t t : sent) in_window += t <= w.at;
    if (in_window >= pol.caps.max) return suppress("cap");
    sent.insert(std::upper_bound(sent.begin(), sent.end(), w.at), w.at);
    mark(c, slot);
  }
  // 3. Quiet hours in the customer's zone: defer to their end.
  if (const auto& q = pol.quiet_hours) {
    const bool from_event = q->timezone_path.find('.') != std::string::npos;
    std::optional<TimeZone> tz;
    if (from_event && !c.record.timezone.empty()) tz = TimeZone::find(c.record.timezone);
    if (!from_event) tz = TimeZone::find(q->timezone_path);
    if (!tz) tz = TimeZone::find(q->default_timezone);
    if (!tz) tz = TimeZone::find("UTC");
    if (tz) {
      if (auto until = quiet_until(*tz, w.at, q->from_minute, q->to_minute)) {
        const auto chain = static_cast<int64_t>(stable_hash(id));
        schedule(c, d, static_cast<uint16_t>(kDeferred | w.rule_code), *until, chain, 0,
                 record(*until, w.at, nullptr));
        ++stats_.deferred;
        if (opts_.metrics) opts_.metrics->deferred.with({d.id}).inc();
        return;
      }
    }
  }
  auto out = record(w.at, kNoTime, nullptr);
  record_history(&c, outbox_.append(*batch_, state::Sink::actions, c.id, out), w.at, out);
  ++stats_.actions;
  if (opts_.metrics) opts_.metrics->actions.with({d.id, a.type}).inc();
}

}  // namespace journeyd::journey
