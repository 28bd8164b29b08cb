#include "journey/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace journeyd::journey {
namespace {

class Ctx {
 public:
  Ctx(std::string file, std::vector<std::string>& errors) : file_(std::move(file)), errors_(errors) {}
  void error(const YAML::Node& at, const std::string& msg) {
    const auto m = at.Mark();
    errors_.push_back(fmt::format("{}:{}:{}: {}", file_, m.line + 1, m.column + 1, msg));
  }
  void error(const YAML::Mark& m, const std::string& msg) {
    errors_.push_back(fmt::format("{}:{}:{}: {}", file_, m.line + 1, m.column + 1, msg));
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string>& errors_;
};

void yaml_to_json(const YAML::Node& n, JsonWriter& w) {
  if (n.IsMap()) {
    w.begin_object();
    for (const auto& kv : n) {
      w.key(kv.first.as<std::string>());
      yaml_to_json(kv.second, w);
    }
    w.end_object();
  } else if (n.IsSequence()) {
    // JsonWriter has no arrays: emit them raw.
    std::string arr = "[";
    for (size_t i = 0; i < n.size(); ++i) {
      std::string item;
      JsonWriter iw(item);
      yaml_to_json(n[i], iw);
      if (i) arr += ',';
      arr += item;
    }
    arr += ']';
    w.raw(arr);
  } else if (n.IsNull()) {
    w.null();
  } else {
    const std::string& s = n.Scalar();
    const bool quoted = n.Tag() == "!";  // a quoted scalar is always a string
    if (!quoted && (s == "true" || s == "false"))
      w.boolean(s == "true");
    else if (!quoted && is_json_number(s))
      w.raw(s);
    else
      w.string(s);
  }
}

std::optional<std::string> scalar(Ctx& ctx, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    ctx.error(n, fmt::format("{} must be a scalar", what));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int64_t> duration(Ctx& ctx, const YAML::Node& n, const std::string& what) {
  auto s = scalar(ctx, n, what);
  if (!s) return std::nullopt;
  auto d = parse_duration(*s);
  if (!d || *d <= 0) {
    ctx.error(n, fmt::format("{}: '{}' is not a positive duration (e.g. 30m, 24h, 7d)", what, *s));
    return std::nullopt;
  }
  return d;
}

void check_keys(Ctx& ctx, const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                const std::string& where) {
  for (const auto& kv : map) {
    const auto k = kv.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      ctx.error(kv.first, fmt::format("unknown key '{}' in {} (allowed: {})", k, where, list));
    }
  }
}

std::optional<JourneyDef> parse_journey(Ctx& ctx, const YAML::Node& root) {
  JourneyDef j;
  j.file = ctx.file();
  bool ok = true;
  auto err = [&](const auto& at, const std::string& m) {
    ctx.error(at, m);
    ok = false;
  };
  check_keys(ctx, root, {"journey", "version", "description", "steps", "window", "order", "dropoff"},
             "a journey");

  if (auto s = scalar(ctx, root["journey"], "journey"); s && !s->empty())
    j.id = *s;
  else
    err(root["journey"], "journey: an id is required");
  if (root["version"]) {
    auto v = scalar(ctx, root["version"], "version");
    long n = v ? std::strtol(v->c_str(), nullptr, 10) : 0;
    if (!v || n < 1 || std::to_string(n) != *v)
      err(root["version"], "version must be a positive integer");
    else
      j.version = static_cast<uint32_t>(n);
  }
  if (root["description"]) {
    if (auto d = scalar(ctx, root["description"], "description")) j.description = *d;
  }
  if (root["order"]) {
    auto o = scalar(ctx, root["order"], "order");
    if (o && *o != "ordered")
      err(root["order"], fmt::format("order: '{}' is not supported (supported: ordered)", *o));
  }

  const auto steps = root["steps"];
  if (!steps || !steps.IsSequence() || steps.size() == 0) {
    err(steps ? steps : root, "steps: a non-empty list is required");
  } else {
    std::set<std::string> ids;
    for (const auto& s : steps) {
      if (!s.IsMap()) {
        err(s, "each step must be a map {id, event}");
        continue;
      }
      check_keys(ctx, s, {"id", "event"}, "a step");
      Step step;
      auto id = s["id"] ? scalar(ctx, s["id"], "step id") : std::nullopt;
      auto ev = s["event"] ? scalar(ctx, s["event"], "step event") : std::nullopt;
      if (!id || id->empty())
        err(s, "step: id is required");
      else if (!ids.insert(*id).second)
        err(s["id"], fmt::format("step id '{}' is used twice", *id));
      if (!ev || ev->empty()) err(s, "step: event is required");
      if (id && ev) j.steps.push_back({*id, *ev});
    }
  }

  if (!root["window"])
    err(root, "window: required (e.g. 24h)");
  else if (auto w = duration(ctx, root["window"], "window"))
    j.window_ms = *w;
  else
    ok = false;

  if (const auto drops = root["dropoff"]) {
    if (!drops.IsSequence()) {
      err(drops, "dropoff must be a list");
    } else {
      for (const auto& d : drops) {
        if (!d.IsMap()) {
          err(d, "each dropoff must be a map {after, for, action|alert}");
          continue;
        }
        check_keys(ctx, d, {"after", "for", "action", "alert"}, "a dropoff");
        DropoffRule r;
        auto after = d["after"] ? scalar(ctx, d["after"], "after") : std::nullopt;
        auto it = after ? std::find_if(j.steps.begin(), j.steps.end(),
                                       [&](const Step& s) { return s.id == *after; })
                        : j.steps.end();
        if (!after)
          err(d, "dropoff: after is required (a step id)");
        else if (it == j.steps.end())
          err(d["after"], fmt::format("dropoff.after: no step '{}'", *after));
        else if (it + 1 == j.steps.end())
          err(d["after"], fmt::format("dropoff.after: '{}' is the last step", *after));
        else
          r.after_step = static_cast<size_t>(it - j.steps.begin());
        if (!d["for"])
          err(d, "dropoff: for is required (e.g. 30m)");
        else if (auto f = duration(ctx, d["for"], "for"))
          r.for_ms = *f;
        else
          ok = false;
        if (const auto a = d["action"]) {
          if (!a.IsMap()) {
            err(a, "action must be a map {type, payload}");
          } else {
            check_keys(ctx, a, {"type", "payload"}, "an action");
            ActionSpec spec;
            auto t = a["type"] ? scalar(ctx, a["type"], "action type") : std::nullopt;
            if (!t || t->empty())
              err(a, "action: type is required");
            else
              spec.type = *t;
            if (const auto p = a["payload"]) {
              if (!p.IsMap()) err(p, "action.payload must be a map");
              spec.payload_json.clear();
              JsonWriter w(spec.payload_json);
              yaml_to_json(p, w);
            }
            r.action = spec;
          }
        }
        if (const auto a = d["alert"]) {
          if (!a.IsMap()) {
            err(a, "alert must be a map {severity}");
          } else {
            check_keys(ctx, a, {"severity"}, "an alert");
            AlertSpec spec;
            if (a["severity"]) {
              auto s = scalar(ctx, a["severity"], "severity");
              if (s && *s != "info" && *s != "warning" && *s != "critical")
                err(a["severity"], "alert.severity must be info, warning or critical");
              else if (s)
                spec.severity = *s;
            }
            r.alert = spec;
          }
        }
        if (!d["action"] && !d["alert"]) err(d, "dropoff: needs an action or an alert");
        j.dropoffs.push_back(r);
      }
    }
  }
  if (!ok) return std::nullopt;
  return j;
}

}  // namespace

LoadResult load_text(const std::string& yaml, const std::string& file) {
  LoadResult out;
  Ctx ctx(file, out.errors);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(yaml);
  } catch (const YAML::Exception& e) {
    ctx.error(e.mark, e.msg);
    return out;
  }
  for (const auto& root : docs) {
    if (root.IsNull()) continue;
    if (!root.IsMap()) {
      ctx.error(root, "a definition must be a map");
      continue;
    }
    if (!root["journey"]) {
      ctx.error(root, "unknown definition kind (expected a 'journey:' key)");
      continue;
    }
    const size_t before = out.errors.size();
    auto j = parse_journey(ctx, root);
    if (j && out.errors.size() == before) out.journeys.push_back(std::move(*j));
  }
  return out;
}

LoadResult load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  LoadResult out;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
  }
  if (ec) {
    out.errors.push_back(fmt::format("{}: {}", dir, ec.message()));
    return out;
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, std::string> seen;
  for (const auto& f : files) {
    auto r = load_path(f.string());
    out.errors.insert(out.errors.end(), r.errors.begin(), r.errors.end());
    for (auto& j : r.journeys) {
      if (auto [it, fresh] = seen.emplace(j.id, j.file); !fresh) {
        out.errors.push_back(fmt::format("{}: journey '{}' is also defined in {}", j.file, j.id, it->second));
        continue;
      }
      out.journeys.push_back(std::move(j));
    }
  }
  return out;
}

LoadResult load_path(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) return load_dir(path);
  std::ifstream in(path);
  if (!in) {
    LoadResult out;
    out.errors.push_back(fmt::format("{}: cannot read", path));
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_text(ss.str(), path);
}

}  // namespace journeyd::journey
