#include "event/privacy.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "common/hash.h"
#include "common/json_writer.h"

namespace journeyd::event {
namespace {

constexpr size_t kHashHexDigits = 32;  // 128 bits of the HMAC: documented in docs/security.md
constexpr size_t kMinKeyBytes = 16;

std::vector<std::string> split(std::string_view spec) {
  std::vector<std::string> out;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    auto item = spec.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return out;
}

bool is_identity(std::string_view p) {
  return p == "userId" || p == "anonymousId";
}

bool is_field_path(std::string_view p) {
  for (std::string_view top : {"properties.", "context.", "traits."})
    if (p.starts_with(top) && p.size() > top.size() && p.back() != '.') return true;
  return false;
}

// `rule` covers `path` itself and everything below it.
bool covers(std::string_view rule, std::string_view path) {
  return path.starts_with(rule) && (path.size() == rule.size() || path[rule.size()] == '.');
}

bool any_covers(const std::vector<std::string>& rules, std::string_view path) {
  return std::any_of(rules.begin(), rules.end(), [&](const std::string& r) { return covers(r, path); });
}

// The text a number is hashed as, the same for a decoded field and a DLQ payload.
std::string number_text(double d) {
  return fmt::format("{}", d);
}

using simdjson::dom::element;
using simdjson::dom::element_type;

}  // namespace

Result<std::shared_ptr<const Privacy>> Privacy::create(const PrivacyOptions& opts) {
  std::shared_ptr<Privacy> p(new Privacy());
  bool user = false, anonymous = false;
  for (const auto& path : split(opts.hash_fields)) {
    if (is_identity(path)) {
      (path == "userId" ? user : anonymous) = true;
    } else if (is_field_path(path)) {
      p->hash_.push_back(path);
    } else {
      return fail(Errc::invalid_argument,
                  fmt::format("privacy.hash_fields: '{}' is not userId, anonymousId or a path below "
                              "properties., context. or traits.",
                              path));
    }
  }
  if (user != anonymous)
    return fail(Errc::invalid_argument,
                "privacy.hash_fields: userId and anonymousId are hashed together (list both): identity "
                "links join one with the other");
  p->identities_ = user;
  for (const auto& path : split(opts.redact_fields)) {
    if (!is_field_path(path))
      return fail(Errc::invalid_argument,
                  fmt::format("privacy.redact_fields: '{}' is not a path below properties., context. or "
                              "traits. (identities can be hashed, not removed)",
                              path));
    if (any_covers(p->hash_, path) ||
        std::any_of(p->hash_.begin(), p->hash_.end(), [&](const auto& h) { return covers(path, h); }))
      return fail(Errc::invalid_argument, fmt::format("privacy: '{}' is both hashed and redacted", path));
    p->redact_.push_back(path);
  }
  if (p->hash_.empty() && p->redact_.empty() && !p->identities_) return std::shared_ptr<const Privacy>();
  if ((p->identities_ || !p->hash_.empty()) && opts.hash_key.size() < kMinKeyBytes)
    return fail(Errc::invalid_argument,
                fmt::format("privacy.hash_key (or JOURNEYD_PRIVACY_HASH_KEY) must be set to a secret of {}+ "
                            "bytes when privacy.hash_fields is set",
                            kMinKeyBytes));
  p->key_ = opts.hash_key;
  return std::shared_ptr<const Privacy>(std::move(p));
}

std::string Privacy::hash(std::string_view value) const {
  return hmac_sha256_hex(key_, value).substr(0, kHashHexDigits);
}

Privacy::Rule Privacy::rule_for(std::string_view path) const {
  if (is_identity(path) || path == "previousId") return identities_ ? Rule::hash : Rule::keep;
  if (any_covers(redact_, path)) return Rule::redact;
  if (any_covers(hash_, path)) return Rule::hash;
  return Rule::keep;
}

void Privacy::apply(Touchpoint& tp) const {
  if (identities_) {
    for (std::string* id : {&tp.user_id, &tp.anonymous_id, &tp.previous_id})
      if (!id->empty()) *id = hash(*id);
  }
  bool touched = false;
  tp.fields.for_each([&](std::string_view path, const FieldValue&) {
    touched = touched || any_covers(redact_, path) || any_covers(hash_, path);
  });
  if (!touched) return;
  Fields out;
  tp.fields.for_each([&](std::string_view path, const FieldValue& v) {
    const Rule r = any_covers(redact_, path) ? Rule::redact
                   : any_covers(hash_, path) ? Rule::hash
                                             : Rule::keep;
    if (r == Rule::redact) return;
    switch (v.type) {
      case FieldValue::Type::null:
        out.add_null(path);
        break;
      case FieldValue::Type::boolean:
        out.add_bool(path, v.boolean);
        break;
      case FieldValue::Type::number:
        if (r == Rule::hash)
          out.add_string(path, hash(number_text(v.number)));
        else
          out.add_number(path, v.number);
        break;
      case FieldValue::Type::string:
        out.add_string(path, r == Rule::hash ? std::string_view(hash(v.string)) : v.string);
        break;
    }
  });
  tp.fields = std::move(out);
}

namespace {

// Writes `e` (at `path`; empty above properties/context/traits) with the rules applied. `hashing`:
// inside a hashed subtree, every string and number is hashed.
void rewrite(const Privacy& p, const element& e, std::string& path, bool hashing, JsonWriter& w) {
  switch (e.type()) {
    case element_type::OBJECT: {
      w.begin_object();
      const simdjson::dom::object object = e.get_object().value_unsafe();  // named: see scrub_payload
      for (auto [k, v] : object) {
        const size_t len = path.size();
        if (!path.empty()) path.push_back('.');
        path.append(k);
        const auto rule = hashing ? Privacy::Rule::hash : p.rule_for(path);
        if (rule != Privacy::Rule::redact) {
          w.key(k);
          rewrite(p, v, path, rule == Privacy::Rule::hash, w);
        }
        path.resize(len);
      }
      w.end_object();
      return;
    }
    case element_type::ARRAY: {
      w.begin_array();
      const simdjson::dom::array array = e.get_array().value_unsafe();  // named: see scrub_payload
      for (element v : array) rewrite(p, v, path, hashing, w);
      w.end_array();
      return;
    }
    case element_type::STRING:
      if (hashing)
        w.string(p.hash(e.get_string().value_unsafe()));
      else
        w.string(e.get_string().value_unsafe());
      return;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      if (hashing)
        w.string(p.hash(number_text(e.get_double().value_unsafe())));
      else
        w.raw(simdjson::minify(e));
      return;
    default:  // bool, null
      w.raw(simdjson::minify(e));
      return;
  }
}

}  // namespace

std::string Privacy::scrub_payload(std::string_view json) const {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS ||
      doc.type() != element_type::OBJECT)
    return fmt::format("(withheld by privacy rules: {} bytes that are not a JSON object)", json.size());
  std::string out;
  out.reserve(json.size());
  JsonWriter w(out);
  w.begin_object();
  std::string path;
  // A named object: ranging over get_object().value_unsafe() would read a destroyed temporary (ASan).
  const simdjson::dom::object object = doc.get_object().value_unsafe();
  for (auto [k, v] : object) {
    const bool top = k == "properties" || k == "context" || k == "traits";
    const bool id = k == "userId" || k == "anonymousId" || k == "previousId";
    w.key(k);
    if (top) {
      path.assign(k);
      if (v.type() == element_type::OBJECT) {
        rewrite(*this, v, path, false, w);
        continue;
      }
    }
    if (id && identities_ && v.type() == element_type::STRING)
      w.string(hash(v.get_string().value_unsafe()));
    else if (id && identities_ && v.type() != element_type::NULL_VALUE)
      w.string(hash(simdjson::minify(v)));
    else
      w.raw(simdjson::minify(v));
  }
  w.end_object();
  return out;
}

std::string Privacy::scrub_key(std::string_view key) const {
  return identities_ && !key.empty() ? hash(key) : std::string(key);
}

}  // namespace journeyd::event
