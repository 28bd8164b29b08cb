// Parsed with journey's YAML → JSON converter (yaml_json.h): it remembers every node's line and
// rejects duplicate keys, and it avoids yaml-cpp's LoadAll (which can loop on malformed input).
#include "webhook/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/redact.h"
#include "common/time_format.h"
#include "journey/yaml_json.h"

namespace journeyd::webhook {

bool Endpoint::wants_action(std::string_view journey, std::string_view type) const {
  const bool j = journeys.empty() || std::find(journeys.begin(), journeys.end(), journey) != journeys.end();
  const bool t = !actions || std::find(actions->begin(), actions->end(), type) != actions->end();
  return j && t;
}

bool Endpoint::wants_alert(std::string_view journey) const {
  return alerts &&
         (journeys.empty() || std::find(journeys.begin(), journeys.end(), journey) != journeys.end());
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

namespace {

using journey::pointer_append;
using nlohmann::json;

// One document's checks; every problem is collected, none stops the others.
class Checker {
 public:
  Checker(const std::string& file, const journey::SourceMap& pos, const EnvLookup& env,
          std::vector<std::string>& errors)
      : file_(file), pos_(pos), env_(env), errors_(errors) {}

  void problem(const std::string& ptr, const std::string& what, bool at_key = false) {
    const int line = at_key ? pos_.key(ptr).line : pos_.value(ptr).line;
    errors_.push_back(fmt::format("{}:{}: {}", file_, std::max(line, 1), what));
  }

  // Unknown keys are errors (a typo must not silently fall back to a default).
  void known_keys(const json& m, const std::string& ptr, std::initializer_list<const char*> keys) {
    for (const auto& [k, v] : m.items()) {
      if (std::none_of(keys.begin(), keys.end(), [&](const char* x) { return k == x; }))
        problem(pointer_append(ptr, k), fmt::format("unknown key '{}'", k), true);
    }
  }

  std::optional<std::string> string(const json& m, const std::string& ptr, const char* key) {
    if (!m.contains(key)) return std::nullopt;
    const auto& v = m[key];
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      problem(pointer_append(ptr, key), fmt::format("{} must be a non-empty string", key));
      return std::nullopt;
    }
    return v.get<std::string>();
  }

  // A duration ("5s", "10m") within [lo, hi]; `out` keeps its default when absent or bad.
  void duration(const json& m, const std::string& ptr, const char* key, int64_t lo, int64_t hi,
                int64_t& out) {
    if (!m.contains(key)) return;
    const auto& v = m[key];
    std::optional<int64_t> ms;
    if (v.is_string()) ms = parse_duration(v.get<std::string>());
    if (!ms || *ms < lo || *ms > hi) {
      problem(pointer_append(ptr, key),
              fmt::format("{} must be a duration (e.g. 500ms, 5s, 10m, 24h) from {} to {}", key,
                          format_duration(lo), format_duration(hi)));
      return;
    }
    out = *ms;
  }

  void integer(const json& m, const std::string& ptr, const char* key, int lo, int hi, int& out) {
    if (!m.contains(key)) return;
    const auto& v = m[key];
    if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
      problem(pointer_append(ptr, key), fmt::format("{} must be an integer from {} to {}", key, lo, hi));
      return;
    }
    out = static_cast<int>(v.get<int64_t>());
  }

  std::vector<std::string> names(const json& m, const std::string& ptr, const char* key) {
    std::vector<std::string> out;
    const auto& v = m[key];
    if (!v.is_array()) {
      problem(pointer_append(ptr, key), fmt::format("{} must be a list of names", key));
      return out;
    }
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string() || v[i].get_ref<const std::string&>().empty())
        problem(pointer_append(pointer_append(ptr, key), std::to_string(i)),
                fmt::format("{} must hold non-empty strings", key));
      else
        out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  void retry(const json& m, const std::string& ptr, RetryPolicy& r) {
    if (!m.is_object()) {
      problem(ptr, "retry must be a map (max_attempts, initial_backoff, max_backoff, max_age, jitter)");
      return;
    }
    known_keys(m, ptr, {"max_attempts", "initial_backoff", "max_backoff", "max_age", "jitter"});
    integer(m, ptr, "max_attempts", 1, 1000, r.max_attempts);
    duration(m, ptr, "initial_backoff", 1, 86'400'000, r.initial_backoff_ms);
    duration(m, ptr, "max_backoff", 1, 7 * 86'400'000LL, r.max_backoff_ms);
    duration(m, ptr, "max_age", 1, 30 * 86'400'000LL, r.max_age_ms);
    if (r.max_backoff_ms < r.initial_backoff_ms)
      problem(pointer_append(ptr, "max_backoff"), "max_backoff must not be less than initial_backoff");
    if (m.contains("jitter")) {
      const auto& j = m["jitter"];
      const std::string s = j.is_string() ? j.get<std::string>() : "";
      if (s == "full")
        r.jitter = Jitter::full;
      else if (s == "equal")
        r.jitter = Jitter::equal;
      else if (s == "none")
        r.jitter = Jitter::none;
      else
        problem(pointer_append(ptr, "jitter"), "jitter must be one of full, equal, none");
    }
  }

  std::optional<Endpoint> endpoint(const json& m, const std::string& ptr, std::set<std::string>& seen) {
    if (!m.is_object()) {
      problem(ptr, "an endpoint must be a map (name, url, secret_env, ...)");
      return std::nullopt;
    }
    const size_t before = errors_.size();
    known_keys(m, ptr,
               {"name", "url", "secret_env", "secret", "journeys", "actions", "alerts", "timeout", "retry",
                "max_in_flight"});
    Endpoint e;
    static const std::regex kName("[a-z0-9_-]{1,64}");
    if (auto n = string(m, ptr, "name")) {
      if (!std::regex_match(*n, kName))
        problem(pointer_append(ptr, "name"), fmt::format("name '{}' must match [a-z0-9_-]{{1,64}}", *n));
      else if (!seen.insert(*n).second)
        problem(pointer_append(ptr, "name"), fmt::format("endpoint name '{}' is used twice", *n));
      e.name = *n;
    } else if (!m.contains("name")) {
      problem(ptr, "an endpoint needs a name");
    }
    if (auto u = string(m, ptr, "url")) {
      static const std::regex kUrl(R"(https?://[^/\s?#]+([/?#]\S*)?)", std::regex::icase);
      if (!std::regex_match(*u, kUrl))
        problem(pointer_append(ptr, "url"),
                fmt::format("url '{}' must be an http:// or https:// URL", redact::url(*u)));
      e.url = *u;
    } else if (!m.contains("url")) {
      problem(ptr, "an endpoint needs a url");
    }
    const bool has_env = m.contains("secret_env"), has_lit = m.contains("secret");
    if (has_env && has_lit) {
      problem(pointer_append(ptr, "secret"), "give secret_env or secret, not both", true);
    } else if (has_env) {
      if (auto var = string(m, ptr, "secret_env")) {
        auto v = env_(*var);
        if (!v || v->empty())
          problem(pointer_append(ptr, "secret_env"),
                  fmt::format("environment variable {} (the endpoint's HMAC secret) is not set", *var));
        else
          e.secret = *v;
      }
    } else if (has_lit) {
      if (auto s = string(m, ptr, "secret")) e.secret = *s;
    } else {
      problem(ptr, "an endpoint needs secret_env (the variable holding its HMAC secret) or secret");
    }
    if (m.contains("journeys")) e.journeys = names(m, ptr, "journeys");
    if (m.contains("actions")) e.actions = names(m, ptr, "actions");
    if (m.contains("alerts")) {
      if (!m["alerts"].is_boolean())
        problem(pointer_append(ptr, "alerts"), "alerts must be true or false");
      else
        e.alerts = m["alerts"].get<bool>();
    }
    duration(m, ptr, "timeout", 10, 600'000, e.timeout_ms);
    if (m.contains("retry")) retry(m["retry"], pointer_append(ptr, "retry"), e.retry);
    integer(m, ptr, "max_in_flight", 1, 1024, e.max_in_flight);
    if (e.actions && e.actions->empty() && !e.alerts)
      problem(pointer_append(ptr, "actions"), "the endpoint takes no actions and no alerts", true);
    if (errors_.size() != before) return std::nullopt;
    return e;
  }

 private:
  const std::string& file_;
  const journey::SourceMap& pos_;
  const EnvLookup& env_;
  std::vector<std::string>& errors_;
};

}  // namespace

LoadResult parse_config(std::string_view text, const std::string& file, const EnvLookup& env) {
  LoadResult out;
  auto parsed = journey::parse_yaml(text);
  for (const auto& p : parsed.problems)
    out.errors.push_back(fmt::format("{}:{}: {}", file, std::max(p.at.line, 1), p.message));
  if (!out.errors.empty()) return out;
  if (parsed.documents.empty()) return out;  // an empty file: no endpoints
  if (parsed.documents.size() > 1) {
    out.errors.push_back(fmt::format("{}:{}: one document expected (endpoints: [...])", file,
                                     std::max(parsed.documents[1].positions.value("").line, 1)));
    return out;
  }
  const auto& doc = parsed.documents[0];
  Checker c(file, doc.positions, env, out.errors);
  if (!doc.value.is_object()) {
    c.problem("", "the webhooks file must be a map with an `endpoints` list");
    return out;
  }
  c.known_keys(doc.value, "", {"endpoints"});
  if (!doc.value.contains("endpoints") || !doc.value["endpoints"].is_array()) {
    c.problem(doc.value.contains("endpoints") ? "/endpoints" : "", "endpoints must be a list of endpoints");
    return out;
  }
  std::set<std::string> seen;
  const auto& list = doc.value["endpoints"];
  for (size_t i = 0; i < list.size(); ++i) {
    if (auto e = c.endpoint(list[i], "/endpoints/" + std::to_string(i), seen))
      out.config.endpoints.push_back(std::move(*e));
  }
  if (!out.errors.empty()) out.config.endpoints.clear();
  // In file order (unknown keys are found before the values that follow them).
  auto line = [&](const std::string& e) { return std::atoi(e.c_str() + file.size() + 1); };
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [&](const std::string& a, const std::string& b) { return line(a) < line(b); });
  return out;
}

LoadResult load_config(const std::string& path, const EnvLookup& env) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) {
    LoadResult out;
    out.errors.push_back(fmt::format("{}:1: cannot read the webhooks file", path));
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path, env);
}

}  // namespace journeyd::webhook
