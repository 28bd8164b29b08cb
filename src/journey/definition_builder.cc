#include "journey/definition_builder.h"

#include "common/tz.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/time_format.h"
#include "journey/yaml_json.h"

namespace journeyd::journey {
namespace {

using nlohmann::json;

constexpr Kind kKinds[] = {Kind::journey, Kind::trigger, Kind::sla, Kind::churn};

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Reads one document. Every accessor returns nothing for a missing or mistyped value: the
// schema check has already reported it.
class Builder {
 public:
  Builder(const json& doc, std::vector<DocProblem>& problems) : doc_(doc), problems_(problems) {}

  Definition build(Kind kind) {
    Definition d;
    d.kind = kind;
    d.id = str(doc_, to_string(kind)).value_or("");
    if (const json* v = get(doc_, "version"); v && v->is_number_integer()) {
      if (v->get<int64_t>() > int64_t{UINT32_MAX})
        problem("/version", false, fmt::format("version: {} is too large", v->dump()));
      else if (v->get<int64_t>() >= 1)
        d.version = v->get<uint32_t>();
    }
    d.description = str(doc_, "description").value_or("");
    d.grace_ms = duration(doc_, "", "grace", /*allow_zero=*/true);
    d.delivery = delivery();
    switch (kind) {
      case Kind::journey:
        d.spec = journey();
        break;
      case Kind::trigger:
        d.spec = TriggerSpec{match(doc_), emit(doc_)};
        break;
      case Kind::sla:
        d.spec = SlaSpec{object_match("/start"), object_match("/stop"),
                         duration(doc_, "", "within").value_or(0), emit(doc_)};
        break;
      case Kind::churn:
        d.spec = churn();
        break;
    }
    return d;
  }

 private:
  static const json* get(const json& o, const std::string& key) {
    return o.is_object() && o.contains(key) ? &o.at(key) : nullptr;
  }
  static std::optional<std::string> str(const json& o, const std::string& key) {
    const json* v = get(o, key);
    return v && v->is_string() ? std::optional(v->get<std::string>()) : std::nullopt;
  }
  static const json& obj(const json& o, const std::string& key) {
    static const json kEmpty = json::object();
    const json* v = get(o, key);
    return v && v->is_object() ? *v : kEmpty;
  }
  static const json& arr(const json& o, const std::string& key) {
    static const json kEmpty = json::array();
    const json* v = get(o, key);
    return v && v->is_array() ? *v : kEmpty;
  }
  const json& at(const std::string& pointer) const {
    static const json kNull;
    const json* d = &doc_;
    for (const auto& seg : pointer_split(pointer)) {
      if (d->is_array() && std::strtoul(seg.c_str(), nullptr, 10) < d->size())
        d = &(*d)[std::strtoul(seg.c_str(), nullptr, 10)];
      else if (d->is_object() && d->contains(seg))
        d = &d->at(seg);
      else
        return kNull;
    }
    return *d;
  }

  void problem(const std::string& pointer, bool at_key, std::string message) {
    problems_.push_back({pointer, at_key, std::move(message)});
  }
  std::string path(const std::string& pointer) const { return describe_path(doc_, pointer); }

  // A duration the schema accepted (digits and a unit); reports zero and overflow.
  std::optional<int64_t> duration_value(const json& v, const std::string& pointer, bool allow_zero = false) {
    if (!v.is_string()) return std::nullopt;
    const auto s = v.get<std::string>();
    const auto digits = s.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos) return std::nullopt;  // not the schema's form
    const auto unit = s.substr(digits);
    if (unit != "ms" && unit != "s" && unit != "m" && unit != "h" && unit != "d" && unit != "w")
      return std::nullopt;  // likewise
    // Ten years is plenty and keeps every deadline sum (time + window + grace ...) far from overflow.
    constexpr int64_t kMaxDuration = 3650LL * 86'400'000;
    const auto ms = parse_duration(s);
    if (!ms || *ms > kMaxDuration) {
      problem(pointer, false, fmt::format("{}: '{}' is too long (at most 3650d)", path(pointer), s));
      return std::nullopt;
    }
    if (*ms == 0 && !allow_zero) {
      problem(pointer, false, fmt::format("{}: must be longer than 0", path(pointer)));
      return std::nullopt;
    }
    return ms;
  }
  std::optional<int64_t> duration(const json& o, const std::string& base, const std::string& key,
                                  bool allow_zero = false) {
    const json* v = get(o, key);
    return v ? duration_value(*v, pointer_append(base, key), allow_zero) : std::nullopt;
  }

  static Scalar scalar(const json& v) {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) return v.get<std::string>();
    return std::monostate{};
  }

  static std::vector<Condition> conditions(const json& where) {
    static const std::map<std::string, CmpOp> kOps = {
        {"eq", CmpOp::eq}, {"ne", CmpOp::ne},   {"gt", CmpOp::gt}, {"gte", CmpOp::gte},
        {"lt", CmpOp::lt}, {"lte", CmpOp::lte}, {"in", CmpOp::in}, {"exists", CmpOp::exists}};
    std::vector<Condition> out;
    if (!where.is_object()) return out;
    for (const auto& [field, test] : where.items()) {
      if (!test.is_object()) {
        out.push_back({field, CmpOp::eq, {scalar(test)}});
        continue;
      }
      for (const auto& [op, arg] : test.items()) {
        auto it = kOps.find(op);
        if (it == kOps.end()) continue;
        Condition c{field, it->second, {}};
        if (it->second == CmpOp::in && arg.is_array())
          for (const auto& one : arg) c.values.push_back(scalar(one));
        else
          c.values.push_back(scalar(arg));
        out.push_back(std::move(c));
      }
    }
    return out;
  }
  static Match match(const json& o) { return {str(o, "event").value_or(""), conditions(obj(o, "where"))}; }
  Match object_match(const std::string& pointer) { return match(at(pointer)); }

  static Emit emit(const json& o) {
    Emit e;
    if (const json& a = obj(o, "action"); get(o, "action")) {
      ActionSpec spec;
      spec.type = str(a, "type").value_or("");
      if (const json* p = get(a, "payload"); p && p->is_object()) spec.payload_json = dump(*p);
      e.action = std::move(spec);
    }
    if (const json& a = obj(o, "alert"); get(o, "alert")) {
      AlertSpec spec;
      if (auto s = str(a, "severity")) spec.severity = *s;
      e.alert = std::move(spec);
    }
    return e;
  }

  Delivery delivery() {
    Delivery d;
    if (const json& caps = obj(doc_, "caps"); !caps.empty()) {
      if (const json* m = get(caps, "max"); m && m->is_number_integer() && m->get<int64_t>() >= 1)
        d.caps.max = static_cast<uint32_t>(std::min<int64_t>(m->get<int64_t>(), UINT32_MAX));
      d.caps.per_ms = duration(caps, "/caps", "per").value_or(0);
    }
    if (get(doc_, "quiet_hours")) d.quiet_hours = quiet_hours(obj(doc_, "quiet_hours"));
    if (const json* p = get(obj(doc_, "holdout"), "percent"); p && p->is_number())
      d.holdout_basis_points =
          static_cast<uint32_t>(std::clamp(std::llround(p->get<double>() * 100), 0LL, 10000LL));
    std::map<std::string, size_t> ids;
    const json& variants = arr(doc_, "variants");
    for (size_t i = 0; i < variants.size(); ++i) {
      const json& v = variants[i];
      Variant out;
      out.id = str(v, "id").value_or("");
      if (const json* w = get(v, "weight"); w && w->is_number_integer() && w->get<int64_t>() >= 1)
        out.weight = static_cast<uint32_t>(std::min<int64_t>(w->get<int64_t>(), UINT32_MAX));
      if (const json* p = get(v, "payload"); p && p->is_object()) out.payload_json = dump(*p);
      if (!out.id.empty()) {
        if (auto [it, fresh] = ids.emplace(out.id, i); !fresh)
          problem(fmt::format("/variants/{}/id", i), false,
                  fmt::format("variants[{}].id: '{}' is also the id of variants[{}]", i, out.id, it->second));
      }
      d.variants.push_back(std::move(out));
    }
    return d;
  }

  static std::optional<int> minute_of_day(const json& v) {
    if (!v.is_string()) return std::nullopt;
    const auto s = v.get<std::string>();
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    const int h = std::atoi(s.substr(0, 2).c_str()), m = std::atoi(s.substr(3).c_str());
    if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
    return h * 60 + m;
  }

  QuietHours quiet_hours(const json& q) {
    QuietHours out;
    const auto from = get(q, "from") ? minute_of_day(q.at("from")) : std::nullopt;
    const auto to = get(q, "to") ? minute_of_day(q.at("to")) : std::nullopt;
    if (from) out.from_minute = *from;
    if (to) out.to_minute = *to;
    if (from && to && *from == *to)
      problem("/quiet_hours/to", false,
              fmt::format("quiet_hours: from and to are both {}: use two different times",
                          q.at("to").get<std::string>()));
    if (auto d = str(q, "default")) {
      out.default_timezone = *d;
      if (!TimeZone::find(*d))
        problem("/quiet_hours/default", false,
                fmt::format("quiet_hours.default: '{}' is not a time zone (e.g. UTC, Europe/Berlin)", *d));
    }
    if (auto tz = str(q, "timezone"); tz && !tz->empty()) {
      // The customer's zone is the last context.timezone they sent (Segment SDKs set it).
      if (*tz == "context.timezone") {
        out.timezone_path = *tz;
      } else if (!TimeZone::find(*tz)) {
        problem("/quiet_hours/timezone", false,
                fmt::format("quiet_hours.timezone: '{}' is neither context.timezone nor a time zone "
                            "(e.g. Europe/Berlin)",
                            *tz));
      } else {
        // A fixed zone for every customer: no per-customer field, the zone is the fallback.
        out.timezone_path.clear();
        out.default_timezone = *tz;
      }
    }
    return out;
  }

  JourneySpec journey() {
    JourneySpec j;
    std::map<std::string, size_t> ids;
    const json& steps = arr(doc_, "steps");
    for (size_t i = 0; i < steps.size(); ++i) {
      Step s{str(steps[i], "id").value_or(""), match(steps[i])};
      if (!s.id.empty()) {
        if (auto [it, fresh] = ids.emplace(s.id, i); !fresh)
          problem(fmt::format("/steps/{}/id", i), false,
                  fmt::format("steps[{}].id: '{}' is also the id of steps[{}]", i, s.id, it->second));
      }
      j.steps.push_back(std::move(s));
    }
    j.window_ms = duration(doc_, "", "window").value_or(0);
    static const std::map<std::string, OrderMode> kOrders = {
        {"ordered", OrderMode::ordered},
        {"strict_order", OrderMode::strict_order},
        {"strict_deduplication", OrderMode::strict_deduplication},
        {"strict_increase", OrderMode::strict_increase}};
    if (auto it = kOrders.find(str(doc_, "order").value_or("ordered")); it != kOrders.end())
      j.order = it->second;

    const json& drops = arr(doc_, "dropoff");
    for (size_t i = 0; i < drops.size(); ++i) {
      const auto base = fmt::format("/dropoff/{}", i);
      DropoffRule r;
      if (auto after = str(drops[i], "after")) {
        auto it = ids.find(*after);
        if (it == ids.end()) {
          std::string list;
          for (const auto& s : j.steps)
            if (!s.id.empty()) list += (list.empty() ? "" : ", ") + s.id;
          problem(base + "/after", false,
                  fmt::format("dropoff[{}].after: no step '{}' (steps: {})", i, *after, list));
        } else if (it->second + 1 == j.steps.size()) {
          problem(base + "/after", false,
                  fmt::format("dropoff[{}].after: '{}' is the last step (the goal): no step follows it", i,
                              *after));
        } else {
          r.after_step = it->second;
        }
      }
      r.for_ms = duration(drops[i], base, "for").value_or(0);
      r.emit = emit(drops[i]);
      j.dropoffs.push_back(std::move(r));
    }
    for (const auto& e : arr(doc_, "exit")) j.exits.push_back(match(e));
    aggregate_alerts(j, ids);

    const json& reentry = obj(doc_, "reentry");
    const auto policy = str(reentry, "policy").value_or("always");
    j.reentry = policy == "never"        ? Reentry::never
                : policy == "after_exit" ? Reentry::after_exit
                                         : Reentry::always;
    if (get(reentry, "cooldown")) {
      if (policy == "always" || policy == "never")  // another policy is the schema's problem
        problem("/reentry/cooldown", true,
                fmt::format("reentry.cooldown applies only to policy after_exit (policy is {})", policy));
      j.cooldown_ms = duration(reentry, "/reentry", "cooldown", /*allow_zero=*/true).value_or(0);
    }
    return j;
  }

  void aggregate_alerts(JourneySpec& j, const std::map<std::string, size_t>& ids) {
    static const std::map<std::string, AggregateCondition> kConditions = {
        {"conversion_below", AggregateCondition::conversion_below},
        {"dropoff_rate_above", AggregateCondition::dropoff_rate_above},
        {"no_events", AggregateCondition::no_events},
        {"dlq_rate_above", AggregateCondition::dlq_rate_above}};
    const json& list = arr(doc_, "alerts");
    std::map<std::string, size_t> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const auto base = fmt::format("/alerts/{}", i);
      AggregateAlert a;
      a.id = str(list[i], "id").value_or("");
      if (auto [it, fresh] = seen.emplace(a.id, i); !fresh && !a.id.empty())
        problem(base + "/id", false,
                fmt::format("alerts[{}].id: '{}' is also the id of alerts[{}]", i, a.id, it->second));
      a.severity = str(list[i], "severity").value_or("warning");
      if (auto v = get(list[i], "min_volume"); v && v->is_number_unsigned())
        a.min_volume = v->get<uint64_t>();
      if (auto over = duration(list[i], base, "over")) a.over_ms = *over;
      for (const auto& [name, cond] : kConditions) {
        const json* c = get(list[i], name);
        if (!c) continue;  // the schema makes sure exactly one is there
        a.condition = cond;
        const auto cbase = pointer_append(base, name);
        if (auto v = get(*c, "threshold"); v && v->is_number()) a.threshold = v->get<double>();
        if (auto v = get(*c, "percent"); v && v->is_number()) a.percent = v->get<double>();
        if (auto b = duration(*c, cbase, "baseline")) a.baseline_ms = *b;
        if (cond == AggregateCondition::no_events) a.over_ms = duration(*c, cbase, "for").value_or(a.over_ms);
        if (a.percent && a.baseline_ms == 0)
          problem(cbase, false,
                  fmt::format("alerts[{}].{}: percent needs a baseline (e.g. baseline: 7d)", i, name));
        if (cond == AggregateCondition::conversion_below || cond == AggregateCondition::dropoff_rate_above) {
          const auto step = str(*c, "step").value_or("");
          auto it = ids.find(step);
          if (it == ids.end()) {
            problem(cbase + "/step", false, fmt::format("alerts[{}].{}.step: no step '{}'", i, name, step));
          } else if (cond == AggregateCondition::conversion_below && it->second == 0) {
            problem(cbase + "/step", false,
                    fmt::format("alerts[{}].{}.step: '{}' is the first step: it has no conversion", i, name,
                                step));
          } else {
            a.step = it->second;
          }
        }
      }
      j.alerts.push_back(std::move(a));
    }
  }

  // Four strictly ascending thresholds (the schema checked count and types).
  template <typename T, typename Read>
  std::vector<T> thresholds(const json& rfm, const std::string& key, std::vector<T> fallback, Read read) {
    if (!get(rfm, key)) return fallback;
    const auto base = pointer_append("/rfm", key);
    std::vector<T> out;
    const json& list = arr(rfm, key);
    for (size_t i = 0; i < list.size(); ++i) {
      auto v = read(list[i], pointer_append(base, std::to_string(i)));
      if (!v) return fallback;
      if (!out.empty() && *v <= out.back()) {
        problem(pointer_append(base, std::to_string(i)), false,
                fmt::format("rfm.{}: thresholds must be ascending, but {} follows {}", key, dump(list[i]),
                            dump(list[i - 1])));
        return fallback;
      }
      out.push_back(*v);
    }
    return out.size() == fallback.size() ? out : fallback;
  }

  ChurnSpec churn() {
    ChurnSpec c;
    if (get(doc_, "inactivity")) {
      const json& in = obj(doc_, "inactivity");
      c.inactivity_ms = duration(in, "/inactivity", "for").value_or(0);
      c.inactivity_emit = emit(in);
    }
    if (!get(doc_, "rfm")) return c;
    const json& rfm = obj(doc_, "rfm");
    RfmSpec r;
    r.purchase = object_match("/rfm/purchase");
    r.revenue_path = str(rfm, "revenue").value_or("properties.revenue");
    constexpr int64_t kDay = 86'400'000;
    r.recency_ms =
        thresholds<int64_t>(rfm, "recency", {14 * kDay, 30 * kDay, 90 * kDay, 180 * kDay},
                            [&](const json& v, const std::string& p) { return duration_value(v, p); });
    auto num = [](const json& v, const std::string&) {
      return v.is_number() ? std::optional(v.get<double>()) : std::nullopt;
    };
    r.frequency = thresholds<double>(rfm, "frequency", {2, 3, 5, 10}, num);
    r.monetary = thresholds<double>(rfm, "monetary", {50, 100, 250, 1000}, num);
    r.enter = {"At Risk", "Can't Lose", "Hibernating"};
    if (get(rfm, "enter")) {
      r.enter.clear();
      for (const auto& s : arr(rfm, "enter"))
        if (s.is_string()) r.enter.push_back(s.get<std::string>());
    }
    r.emit = emit(rfm);
    c.rfm = std::move(r);
    return c;
  }

  const json& doc_;
  std::vector<DocProblem>& problems_;
};

}  // namespace

std::optional<Kind> kind_of(const nlohmann::json& doc, std::vector<DocProblem>& problems) {
  std::optional<Kind> found;
  for (Kind k : kKinds) {
    if (!doc.contains(to_string(k))) continue;
    if (found) {
      problems.push_back({pointer_append("", to_string(k)), true,
                          fmt::format("'{}' and '{}' in one document: a document defines one thing (separate "
                                      "definitions with ---)",
                                      to_string(*found), to_string(k))});
      return std::nullopt;
    }
    found = k;
  }
  if (!found)
    problems.push_back(
        {"", false,
         "not a definition: expected one of the keys journey, trigger, sla or churn (with its id)"});
  return found;
}

Definition build_definition(Kind kind, const nlohmann::json& doc, std::vector<DocProblem>& problems) {
  return Builder(doc, problems).build(kind);
}

}  // namespace journeyd::journey
