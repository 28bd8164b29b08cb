#include "config/config.h"

#include <fmt/format.h>
#include <unistd.h>  // environ
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <map>

#include "common/time_format.h"
#include "config/settings_table.h"

namespace journeyd::config {
namespace {

constexpr std::string_view kPassthrough[] = {"kafka.common.", "kafka.consumer.", "kafka.producer."};

std::map<std::string, std::string>* passthrough_map(Config& cfg, const std::string& key, std::string& prop) {
  std::map<std::string, std::string>* maps[] = {&cfg.kafka_common, &cfg.kafka_consumer, &cfg.kafka_producer};
  for (size_t i = 0; i < std::size(kPassthrough); ++i) {
    if (key.starts_with(kPassthrough[i]) && key.size() > kPassthrough[i].size()) {
      prop = key.substr(kPassthrough[i].size());
      return maps[i];
    }
  }
  return nullptr;
}

int64_t parse_value(const SettingInfo& s, const std::string& value) {
  int64_t v = 0;
  if (s.kind == Kind::duration) {
    auto d = parse_duration(value);
    if (!d)
      throw ConfigError(
          fmt::format("{}: '{}' is not a duration (e.g. 500ms, 30s, 5m, 24h, 7d)", s.name, value));
    v = *d;
  } else {
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size())
      throw ConfigError(fmt::format("{}: '{}' is not an integer", s.name, value));
  }
  if (v < s.min || v > s.max)
    throw ConfigError(fmt::format("{}: {} is outside [{}, {}]", s.name, value, s.min, s.max));
  return v;
}

void flatten(const YAML::Node& node, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out, const std::string& file) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const auto k = kv.first.as<std::string>();
      flatten(kv.second, prefix.empty() ? k : prefix + "." + k, out, file);
    }
  } else if (node.IsScalar()) {
    out.emplace_back(prefix, node.Scalar());
  } else if (!node.IsNull()) {
    throw ConfigError(
        fmt::format("{}:{}: {}: expected a scalar or a map", file, node.Mark().line + 1, prefix));
  }
}

std::string env_name(std::string_view key) {
  std::string n = "JOURNEYD_";
  for (char c : key)
    n.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return n;
}

// JOURNEYD_KAFKA_{COMMON,CONSUMER,PRODUCER}_<PROPERTY> variables as passthrough keys, sorted.
std::map<std::string, std::string> passthrough_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view var(*e);
    const auto eq = var.find('=');
    if (eq == std::string_view::npos) continue;
    const auto name = var.substr(0, eq);
    for (auto prefix : kPassthrough) {
      const std::string env_prefix = env_name(prefix);  // "JOURNEYD_KAFKA_COMMON_"
      if (!name.starts_with(env_prefix) || name.size() == env_prefix.size()) continue;
      std::string property;
      for (char c : name.substr(env_prefix.size()))
        property.push_back(c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      if (property == "log.level") property = "log_level";  // the one librdkafka property with an '_'
      out[std::string(prefix) + property] = std::string(var.substr(eq + 1));
    }
  }
  return out;
}

}  // namespace

const std::vector<SettingInfo>& settings() {
  static const std::vector<SettingInfo> infos = [] {
    std::vector<SettingInfo> v;
    for (const auto& s : setting_table()) v.push_back(s.info);
    return v;
  }();
  return infos;
}

void apply(Config& cfg, const std::string& key, const std::string& value) {
  std::string prop;
  if (auto* m = passthrough_map(cfg, key, prop)) {
    (*m)[prop] = value;
    return;
  }
  for (const auto& s : setting_table()) {
    if (key != s.info.name) continue;
    if (auto* str = std::get_if<std::string Config::*>(&s.field)) {
      cfg.*(*str) = value;
    } else {
      cfg.*(std::get<int64_t Config::*>(s.field)) = parse_value(s.info, value);
    }
    return;
  }
  throw ConfigError(fmt::format("unknown setting '{}' (see docs/config.md)", key));
}

Config defaults() {
  Config cfg;
  for (const auto& s : setting_table()) apply(cfg, s.info.name, s.info.default_value);
  return cfg;
}

Config load(const LoadOptions& opts) {
  Config cfg = defaults();
  if (!opts.file.empty()) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(opts.file);
    } catch (const YAML::Exception& e) {
      throw ConfigError(fmt::format("{}:{}: {}", opts.file, e.mark.line + 1, e.msg));
    }
    std::vector<std::pair<std::string, std::string>> kvs;
    flatten(root, "", kvs, opts.file);
    for (const auto& [k, v] : kvs) {
      try {
        apply(cfg, k, v);
      } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("{}: {}", opts.file, e.what()));
      }
    }
  }
  if (opts.read_environment) {
    for (const auto& s : setting_table()) {
      if (const char* v = std::getenv(env_name(s.info.name).c_str())) apply(cfg, s.info.name, v);
    }
    // librdkafka properties too, so secrets (sasl.password) need not be in a file or on the command
    // line: JOURNEYD_KAFKA_COMMON_SASL_PASSWORD → kafka.common.sasl.password. ('_' → '.', except
    // log_level, the one librdkafka property with an '_' in its name.)
    for (const auto& [key, value] : passthrough_environment()) apply(cfg, key, value);
  }
  for (const auto& kv : opts.sets) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError(fmt::format("--set '{}': expected key=value", kv));
    apply(cfg, kv.substr(0, eq), kv.substr(eq + 1));
  }
  return cfg;
}

std::string markdown_reference() {
  std::string out =
      "# Configuration reference\n\n"
      "Generated from `src/config/settings.cc` by `journeyd --config-reference`; do not edit by hand.\n\n"
      "Sources, later ones win: built-in defaults, the YAML file given with `--config` (nested maps or "
      "dotted\n"
      "keys), environment variables `JOURNEYD_<KEY>` (upper case, `.` → `_`, e.g. "
      "`JOURNEYD_KAFKA_BROKERS`),\n"
      "and `--set key=value` on the command line.\n\n"
      "Durations take a unit: `500ms`, `30s`, `5m`, `24h`, `7d`, `1w`.\n\n"
      "Any librdkafka property passes through unchanged with one of the prefixes `kafka.common.` (consumer "
      "and\n"
      "producer), `kafka.consumer.` or `kafka.producer.`, e.g. `--set "
      "kafka.common.security.protocol=SASL_SSL`,\n"
      "or as environment variables `JOURNEYD_KAFKA_COMMON_<PROPERTY>` (upper case, `.` → `_`), e.g.\n"
      "`JOURNEYD_KAFKA_COMMON_SASL_PASSWORD` for secrets. TLS and SASL: see [security.md](security.md).\n\n"
      "| key | type | default | bounds | description |\n|---|---|---|---|---|\n";
  for (const auto& s : settings()) {
    const char* kind = s.kind == Kind::string ? "string" : s.kind == Kind::integer ? "integer" : "duration";
    std::string bounds =
        s.kind == Kind::string
            ? ""
            : fmt::format("{} … {}",
                          s.kind == Kind::duration ? format_duration(s.min) : std::to_string(s.min),
                          s.kind == Kind::duration ? format_duration(s.max) : std::to_string(s.max));
    const std::string def = *s.default_value ? fmt::format("`{}`", s.default_value) : "(empty)";
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", s.name, kind, def, bounds, s.doc);
  }
  return out;
}

}  // namespace journeyd::config
