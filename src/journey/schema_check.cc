#include "journey/schema_check.h"

#include <fmt/format.h>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <regex>
#include <set>
#include <stdexcept>

#include "journey/yaml_json.h"

namespace journeyd::journey {
namespace {

using nlohmann::json;

constexpr std::array<Kind, 4> kKinds = {Kind::journey, Kind::trigger, Kind::sla, Kind::churn};

// The parsed schema: its JSON (to explain errors) and one valijson schema per kind, so that a
// trigger is not also reported as "not a journey, not an sla, …" by the top-level oneOf.
class Schemas {
 public:
  static const Schemas& get() {
    static const Schemas s;
    return s;
  }
  const json& root() const { return root_; }
  const json& definitions() const { return root_.at("definitions"); }
  const valijson::Schema& of(Kind k) const { return *by_kind_[static_cast<size_t>(k)]; }

 private:
  Schemas() : root_(json::parse(journey_schema_text())) {
    for (Kind k : kKinds) {
      const json doc = {{"$ref", std::string("#/definitions/") + to_string(k)},
                        {"definitions", definitions()}};
      auto schema = std::make_unique<valijson::Schema>();
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(doc), *schema);
      by_kind_[static_cast<size_t>(k)] = std::move(schema);
    }
  }
  json root_;
  std::array<std::unique_ptr<valijson::Schema>, 4> by_kind_;
};

// A node of the schema JSON, with the name of the definition it was reached through
// ("duration", "id", …): that name says more about what is expected than its type does.
struct SchemaNode {
  const json* node = nullptr;
  std::string ref;
};

SchemaNode resolve(const json* n) {
  SchemaNode out{n, {}};
  while (out.node && out.node->is_object() && out.node->contains("$ref")) {
    const auto ref = out.node->at("$ref").get<std::string>();
    out.ref = ref.substr(ref.rfind('/') + 1);
    const auto& defs = Schemas::get().definitions();
    out.node = defs.contains(out.ref) ? &defs.at(out.ref) : nullptr;
  }
  return out;
}

const json* pattern_property(const json& schema, const std::string& key) {
  if (!schema.contains("patternProperties")) return nullptr;
  for (const auto& [re, sub] : schema.at("patternProperties").items())
    if (std::regex_search(key, std::regex(re))) return &sub;
  return nullptr;
}

// The schema that applies at `pointer` of `doc`.
SchemaNode schema_at(Kind kind, const json& doc, const std::string& pointer) {
  SchemaNode s = resolve(&Schemas::get().definitions().at(to_string(kind)));
  const json* d = &doc;
  for (const auto& seg : pointer_split(pointer)) {
    if (!s.node || !d) return {};
    const json* next = nullptr;
    if (d->is_array()) {
      next = s.node->contains("items") ? &s.node->at("items") : nullptr;
      const size_t i = std::strtoul(seg.c_str(), nullptr, 10);
      d = i < d->size() ? &(*d)[i] : nullptr;
    } else if (d->is_object()) {
      if (s.node->contains("properties") && s.node->at("properties").contains(seg))
        next = &s.node->at("properties").at(seg);
      else if (const json* p = pattern_property(*s.node, seg))
        next = p;
      else if (s.node->contains("additionalProperties") && s.node->at("additionalProperties").is_object())
        next = &s.node->at("additionalProperties");
      d = d->contains(seg) ? &d->at(seg) : nullptr;
    }
    s = resolve(next);
  }
  return s;
}

const json* value_at(const json& doc, const std::string& pointer) {
  const json* d = &doc;
  for (const auto& seg : pointer_split(pointer)) {
    if (d->is_array()) {
      const size_t i = std::strtoul(seg.c_str(), nullptr, 10);
      if (i >= d->size()) return nullptr;
      d = &(*d)[i];
    } else if (d->is_object() && d->contains(seg)) {
      d = &d->at(seg);
    } else {
      return nullptr;
    }
  }
  return d;
}

std::string type_name(const std::string& t) {
  if (t == "string") return "a string";
  if (t == "integer") return "a whole number";
  if (t == "number") return "a number";
  if (t == "boolean") return "true or false";
  if (t == "object") return "a map";
  if (t == "array") return "a list";
  return t;
}

std::string expected(const SchemaNode& s) {
  if (s.ref == "duration") return "a duration (e.g. 30m, 24h, 7d)";
  if (s.ref == "id") return "an id";
  if (s.ref == "time_of_day") return "a time of day (HH:MM)";
  if (s.ref == "field_path") return "an event field (e.g. properties.revenue)";
  if (s.ref == "condition") return "a value or a map of operators (eq, ne, gt, gte, lt, lte, in, exists)";
  if (s.ref == "scalar") return "a single value (string, number, true/false or null)";
  if (s.ref == "comparable") return "a number or a string";
  if (s.ref == "pattern") return "a map {event, where}";
  if (s.ref == "action") return "a map {type, payload}";
  if (s.ref == "alert") return "a map {severity}";
  if (!s.node || !s.node->contains("type")) return "something else";
  const auto& t = s.node->at("type");
  if (t.is_string()) return type_name(t.get<std::string>());
  std::string out;
  for (const auto& one : t) out += (out.empty() ? "" : " or ") + type_name(one.get<std::string>());
  return out;
}

std::string got(const json* v) {
  if (!v || v->is_null()) return "nothing";
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  if (v->is_number()) return "the number " + v->dump();
  if (v->is_string()) return fmt::format("the string '{}'", v->get<std::string>());
  if (v->is_array()) return "a list";
  return "a map";
}

// The value as the user wrote it, for "'24x' is not a duration".
std::string shown(const json* v) {
  if (!v) return "?";
  return v->is_string() ? v->get<std::string>() : v->dump();
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Keys this close to an allowed one are taken for typos of it.
constexpr size_t kNearMiss = 3;

std::string number(double d) {
  return fmt::format("{}", d);
}

std::string a_or_an(const std::string& key) {
  if (key == "action") return "an action";
  if (key == "alert") return "an alert";
  return "'" + key + "'";
}

class Translator {
 public:
  Translator(Kind kind, const json& doc) : kind_(kind), doc_(doc) {}

  // valijson's context ("<root>", "[dropoff]", "[0]") → a JSON pointer.
  static std::string pointer_of(const std::vector<std::string>& context) {
    std::string p;
    for (const auto& c : context) {
      if (c == "<root>") continue;
      p = pointer_append(p, c.size() >= 2 ? std::string_view(c).substr(1, c.size() - 2) : c);
    }
    return p;
  }

  std::vector<DocProblem> translate(const valijson::ValidationResults& results) {
    // anyOf of bare `required`s ("an action or an alert") is one message; its branches'
    // "missing 'action'" and "missing 'alert'" are noise.
    std::set<std::pair<std::string, std::string>> explained;
    for (const auto& e : results) {
      if (e.description.starts_with("Failed to validate against any schemas allowed by anyOf")) {
        const auto p = pointer_of(e.context);
        for (const auto& name : any_of_required(p)) explained.emplace(p, name);
      }
    }
    for (const auto& e : results) one(pointer_of(e.context), e.description, explained);
    return std::move(out_);
  }

 private:
  std::vector<std::string> any_of_required(const std::string& p) const {
    std::vector<std::string> names;
    const auto s = schema_at(kind_, doc_, p);
    if (!s.node || !s.node->contains("anyOf")) return names;
    for (const auto& branch : s.node->at("anyOf")) {
      if (!branch.contains("required") || branch.size() != 1) return {};
      for (const auto& r : branch.at("required")) names.push_back(r.get<std::string>());
    }
    return names;
  }

  // "in dropoff[0]" / "in the journey".
  std::string in(const std::string& p) const {
    const auto path = describe_path(doc_, p);
    return path.empty() ? fmt::format("in the {}", to_string(kind_)) : "in " + path;
  }
  std::string prefix(const std::string& p) const {
    const auto path = describe_path(doc_, p);
    return path.empty() ? "" : path + ": ";
  }

  void add(std::string pointer, bool at_key, std::string message) {
    if (!seen_.emplace(pointer, message).second) return;
    out_.push_back({std::move(pointer), at_key, std::move(message)});
  }

  void one(const std::string& p, const std::string& d,
           const std::set<std::pair<std::string, std::string>>& explained) {
    const json* v = value_at(doc_, p);
    const auto s = schema_at(kind_, doc_, p);
    if (d.starts_with("Object contains a property that could not be validated")) return unknown_keys(p, s);
    if (d.starts_with("Missing required property '")) {
      const auto name = d.substr(27, d.find('\'', 27) - 27);
      if (!explained.contains({p, name}))
        add(p, false, fmt::format("missing required key '{}' {}", name, in(p)));
      return;
    }
    if (d.starts_with("Failed to validate against any schemas allowed by anyOf")) {
      const auto names = any_of_required(p);
      if (names.empty()) return add(p, false, prefix(p) + "does not match any allowed form");
      if (misspelled_one_of(p, s, names)) return;  // "unknown key 'actoin' (did you mean 'action'?)" says it
      std::string list;
      for (size_t i = 0; i < names.size(); ++i)
        list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + a_or_an(names[i]);
      const auto path = describe_path(doc_, p);
      const auto who = path.empty() ? fmt::format("a {}", to_string(kind_)) : path;
      return add(p, false, fmt::format("{} needs {}{}", who, list, names.size() == 2 ? " (or both)" : ""));
    }
    if (d.starts_with("Value type not permitted")) {
      return add(p, false, fmt::format("{}expected {}, got {}", prefix(p), expected(s), got(v)));
    }
    if (d.starts_with("Failed to match regex")) {
      const auto what =
          s.ref == "duration"      ? "is not a duration (e.g. 30m, 24h, 7d)"
          : s.ref == "id"          ? "is not an id (1 to 64 of A-Z a-z 0-9 _ . -)"
          : s.ref == "time_of_day" ? "is not a time of day (HH:MM, 00:00 to 23:59)"
          : s.ref == "field_path"
              ? "is not an event field (properties.…, context.…, traits.…, event, type, userId, "
                "anonymousId or messageId)"
              : "has the wrong form";
      return add(p, false, fmt::format("{}'{}' {}", prefix(p), shown(v), what));
    }
    if (d.starts_with("Failed to match against any enum values")) {
      std::string list;
      if (s.node && s.node->contains("enum"))
        for (const auto& e : s.node->at("enum")) list += (list.empty() ? "" : ", ") + e.get<std::string>();
      return add(p, false, fmt::format("{}'{}' is not one of {}", prefix(p), shown(v), list));
    }
    if (d.starts_with("Expected number")) return bounds(p, s, v);
    if (d.starts_with("Array should contain no fewer than") ||
        d.starts_with("Array should contain no more than")) {
      const auto min = s.node ? s.node->value("minItems", 0) : 0;
      const auto max = s.node ? s.node->value("maxItems", -1) : -1;
      if (min == max) return add(p, false, fmt::format("{}needs exactly {} values", prefix(p), min));
      if (d.find("fewer") != std::string::npos)
        return add(p, false, fmt::format("{}needs at least {} item{}", prefix(p), min, min == 1 ? "" : "s"));
      return add(p, false, fmt::format("{}takes at most {} items", prefix(p), max));
    }
    if (d.starts_with("String should be no fewer than"))
      return add(p, false, prefix(p) + "must not be empty");
    if (d.starts_with("Object should have no fewer than")) {
      if (s.ref == "condition")
        return add(p, false, prefix(p) + "needs an operator (eq, ne, gt, gte, lt, lte, in, exists)");
      return add(p, false, prefix(p) + "must not be empty");
    }
    if (d.starts_with("Elements at indexes #")) {
      const auto second = std::strtoul(d.c_str() + d.find(" and #") + 6, nullptr, 10);
      const auto item = pointer_append(p, std::to_string(second));
      return add(item, false, fmt::format("{}'{}' is listed twice", prefix(p), shown(value_at(doc_, item))));
    }
    // What remains says only that a child failed (item #, property, additional properties,
    // child schema): the child's own error is in the results too.
    if (d.starts_with("Failed to validate")) return;
    add(p, false, prefix(p) + d);
  }

  // Whether the map at `p` has an unknown key that is a near miss of one of `names`.
  bool misspelled_one_of(const std::string& p, const SchemaNode& s,
                         const std::vector<std::string>& names) const {
    const json* obj = value_at(doc_, p);
    if (!obj || !obj->is_object() || !s.node || !s.node->contains("properties")) return false;
    for (const auto& [key, _] : obj->items()) {
      if (s.node->at("properties").contains(key)) continue;
      for (const auto& n : names)
        if (edit_distance(key, n) < kNearMiss) return true;
    }
    return false;
  }

  void bounds(const std::string& p, const SchemaNode& s, const json* v) {
    const auto val = shown(v);
    if (s.node && s.node->contains("minimum") && v && v->is_number() &&
        v->get<double>() < s.node->at("minimum").get<double>())
      return add(p, false,
                 fmt::format("{}must be at least {}, got {}", prefix(p),
                             number(s.node->at("minimum").get<double>()), val));
    if (s.node && s.node->contains("maximum"))
      return add(p, false,
                 fmt::format("{}must be at most {}, got {}", prefix(p),
                             number(s.node->at("maximum").get<double>()), val));
    add(p, false, fmt::format("{}{} is out of range", prefix(p), val));
  }

  void unknown_keys(const std::string& p, const SchemaNode& s) {
    const json* obj = value_at(doc_, p);
    if (!obj || !obj->is_object() || !s.node) return;
    std::vector<std::string> allowed;
    if (s.node->contains("properties"))
      for (const auto& [k, _] : s.node->at("properties").items()) allowed.push_back(k);
    const bool fields = s.node->contains("patternProperties");
    for (const auto& [key, _] : obj->items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end() || pattern_property(*s.node, key))
        continue;
      const auto at = pointer_append(p, key);
      if (fields) {
        const auto hint = key.find('.') == std::string::npos
                              ? fmt::format(" (did you mean properties.{}?)", key)
                              : std::string();
        add(at, true,
            fmt::format("{}'{}' is not an event field: use properties.…, context.…, traits.…, event, type, "
                        "userId, anonymousId or messageId{}",
                        prefix(p), key, hint));
        continue;
      }
      std::string best;
      size_t best_d = kNearMiss;
      for (const auto& a : allowed)
        if (auto dist = edit_distance(key, a); dist < best_d) best_d = dist, best = a;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      add(at, true,
          fmt::format("unknown key '{}' {} ({})", key, in(p),
                      best.empty() ? "allowed: " + list : fmt::format("did you mean '{}'?", best)));
    }
  }

  Kind kind_;
  const json& doc_;
  std::vector<DocProblem> out_;
  std::set<std::pair<std::string, std::string>> seen_;
};

}  // namespace

std::string describe_path(const nlohmann::json& doc, const std::string& pointer) {
  std::string out;
  const json* d = &doc;
  for (const auto& seg : pointer_split(pointer)) {
    if (d && d->is_array()) {
      out += "[" + seg + "]";
      const size_t i = std::strtoul(seg.c_str(), nullptr, 10);
      d = i < d->size() ? &(*d)[i] : nullptr;
    } else {
      out += (out.empty() ? "" : ".") + seg;
      d = d && d->is_object() && d->contains(seg) ? &d->at(seg) : nullptr;
    }
  }
  return out;
}

std::vector<DocProblem> check_schema(Kind kind, const nlohmann::json& doc) {
  const auto& schemas = Schemas::get();
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  if (validator.validate(schemas.of(kind), valijson::adapters::NlohmannJsonAdapter(doc), &results)) return {};
  auto out = Translator(kind, doc).translate(results);
  if (out.empty()) {
    // Never accept a document the validator rejected, even if no message could be explained.
    std::string raw;
    for (const auto& e : results) raw += (raw.empty() ? "" : "; ") + e.description;
    out.push_back({"", false, "does not match the schema: " + raw});
  }
  return out;
}

}  // namespace journeyd::journey
