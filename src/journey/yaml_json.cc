// Built on yaml-cpp's event API (YAML::Parser + EventHandler), not YAML::LoadAll:
// yaml-cpp 0.7's LoadAll loops forever, allocating, on some malformed input (a
// stray ',' at the start of a document; jbeder/yaml-cpp#1040, fixed upstream in
// #1319). Driving the parser ourselves lets us notice that it stopped advancing.
// Events also give every key and value its own mark without a YAML::Node tree.
#include "journey/yaml_json.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/null.h>
#include <yaml-cpp/parser.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "common/json_writer.h"

namespace journeyd::journey {
namespace {

using nlohmann::json;

Position position(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, surrogates or code
// points beyond U+10FFFF), or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  const size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 > 0x8F))
    return 0;
  return n;
}

// yaml-cpp passes bytes through as they are, but every string of a definition must be UTF-8 (JSON,
// the schema checks, messages): invalid bytes become U+FFFD. False if there were any. (Found by
// tests/fuzz/loader_fuzz.cc: valijson's string length read out of bounds on invalid UTF-8.)
bool make_utf8(std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) return true;
  std::string out = s.substr(0, i);
  while (i < s.size()) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  s = std::move(out);
  return false;
}

// Values one document may hold once its aliases are expanded (a definition has a few hundred): a
// few hundred bytes of nested aliases ("billion laughs") would otherwise expand to gigabytes.
// (Found by tests/fuzz/loader_fuzz.cc.)
constexpr size_t kMaxValues = 100'000;

// Builds one document at a time from parser events.
class Builder : public YAML::EventHandler {
 public:
  explicit Builder(std::vector<YamlProblem>& problems) : problems_(problems) {}

  // The document just parsed; `root_mark` tells whether the parser advanced.
  YamlDocument take() { return std::move(doc_); }
  YAML::Mark root_mark() const { return root_mark_; }
  bool root_is_null() const { return doc_.value.is_null(); }

  void OnDocumentStart(const YAML::Mark&) override {
    doc_ = YamlDocument{};
    stack_.clear();
    values_ = 0;
    root_mark_ = YAML::Mark::null_mark();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    count(mark, 1);
    value(mark, anchor, nullptr);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    // Counted before the copy is made: beyond the limit the alias is null.
    if (it == anchors_.end() || !count(mark, it->second.values)) return value(mark, YAML::NullAnchor, json());
    value(mark, YAML::NullAnchor, it->second.value);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& raw) override {
    std::string text = raw;
    if (!make_utf8(text)) problem(position(mark), "text that is not UTF-8 (save the file as UTF-8)");
    if (!stack_.empty() && stack_.back().map && !stack_.back().has_key) return key(mark, text);
    count(mark, 1);
    value(mark, anchor, scalar(mark, tag, text));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    json value;
    std::string pointer;
    YAML::anchor_t anchor = YAML::NullAnchor;
    size_t values_before = 0;  // Builder::values_ when it opened
    bool map = false;
    bool discard = false;  // a complex key, or the value of a rejected key: parsed, then dropped
    // Maps only: the key whose value comes next.
    bool has_key = false;
    bool complex_key = false;  // the node being parsed is a key that is not a scalar
    bool drop_value = false;
    std::string key;
    Position key_at;
    std::set<std::string> keys;
  };

  // A scalar in key position.
  void key(const YAML::Mark& mark, const std::string& text) {
    Frame& f = stack_.back();
    f.has_key = true;
    f.key = text;
    f.key_at = position(mark);
    f.drop_value = f.discard || !f.keys.insert(text).second;
    if (!f.discard && f.drop_value) problem(f.key_at, fmt::format("duplicate key '{}'", text));
    if (!f.drop_value) doc_.positions.set_key(pointer_append(f.pointer, text), f.key_at);
  }

  // Where the next value goes: its pointer, or nothing if it is dropped.
  std::optional<std::string> slot(const YAML::Mark& mark, bool is_null, Position& at) {
    at = position(mark);
    if (stack_.empty()) return std::string();
    Frame& f = stack_.back();
    if (!f.map)
      return f.discard ? std::nullopt
                       : std::optional(pointer_append(f.pointer, std::to_string(f.value.size())));
    if (!f.has_key) {  // a null, alias, list or map in key position
      problem(at, "a key must be a plain value, not a list, a map or nothing");
      f.complex_key = true;
      return std::nullopt;
    }
    // An empty value (`key:` then a newline) is marked at the next line: point at the key.
    if (is_null && (at.line == 0 || at.line > f.key_at.line)) at = f.key_at;
    if (f.discard || f.drop_value) return std::nullopt;
    return pointer_append(f.pointer, f.key);
  }

  void value(const YAML::Mark& mark, YAML::anchor_t anchor, json v) {
    Position at;
    const auto p = slot(mark, v.is_null(), at);
    if (anchor != YAML::NullAnchor) anchors_[anchor] = {v, 1};
    if (p) doc_.positions.set_value(*p, at);
    place(p.has_value(), std::move(v), mark);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
    Position at;
    const auto p = slot(mark, false, at);
    if (p) doc_.positions.set_value(*p, at);
    count(mark, 1);
    Frame f;
    f.values_before = values_ - 1;
    f.value = map ? json::object() : json::array();
    f.pointer = p.value_or("");
    f.anchor = anchor;
    f.map = map;
    f.discard = !p.has_value();
    stack_.push_back(std::move(f));
    if (stack_.size() == 1) root_mark_ = mark;
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor != YAML::NullAnchor) anchors_[f.anchor] = {f.value, values_ - f.values_before};
    place(!f.discard, std::move(f.value), YAML::Mark::null_mark());
  }

  // Stores a finished value in its parent (or as the document).
  void place(bool keep, json v, const YAML::Mark& mark) {
    if (stack_.empty()) {
      if (keep) doc_.value = std::move(v);
      if (root_mark_.is_null()) root_mark_ = mark;
      return;
    }
    Frame& f = stack_.back();
    if (f.map && f.complex_key) {  // the rejected key is complete: drop its value too
      f.complex_key = false;
      f.has_key = true;
      f.drop_value = true;
    } else if (f.map) {
      if (keep) f.value[f.key] = std::move(v);
      f.has_key = false;
      f.drop_value = false;
    } else if (keep) {
      f.value.push_back(std::move(v));
    }
  }

  // A plain scalar is typed by its text; a quoted or !!str one is always a string.
  json scalar(const YAML::Mark& mark, const std::string& tag, const std::string& s) {
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return s;
    if (YAML::IsNullString(s)) return nullptr;
    if (s == "true" || s == "false") return s == "true";
    if (!is_json_number(s)) return s;
    auto v = json::parse(s, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded() || (v.is_number_float() && !std::isfinite(v.get<double>()))) {
      problem(position(mark),
              fmt::format("'{}' is out of range for a number (quote it to make it a string)", s));
      return nullptr;
    }
    return v;
  }

  // Adds n values to the document; false (and a problem, once) beyond kMaxValues.
  bool count(const YAML::Mark& mark, size_t n) {
    if (values_ > kMaxValues) return false;
    values_ += n;
    if (values_ <= kMaxValues) return true;
    problem(position(mark),
            fmt::format("the document has more than {} values (aliases expanded)", kMaxValues));
    return false;
  }

  void problem(Position at, std::string message) {
    problems_.push_back({at, std::move(message)});
    doc_.ok = false;
  }

  std::vector<YamlProblem>& problems_;
  YamlDocument doc_;
  std::vector<Frame> stack_;
  struct Anchored {
    json value;
    size_t values = 1;  // in value, counting itself
  };
  std::map<YAML::anchor_t, Anchored> anchors_;
  size_t values_ = 0;  // in the document so far, aliases expanded
  YAML::Mark root_mark_ = YAML::Mark::null_mark();
};

}  // namespace

Position SourceMap::value(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    if (auto it = values_.find(p); it != values_.end()) return it->second;
    if (p.empty()) return {};
    p.resize(p.rfind('/'));
  }
}

Position SourceMap::key(const std::string& pointer) const {
  if (auto it = keys_.find(pointer); it != keys_.end()) return it->second;
  return value(pointer);
}

std::string pointer_append(const std::string& pointer, std::string_view key) {
  std::string out = pointer;
  out += '/';
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::vector<std::string> pointer_split(std::string_view pointer) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < pointer.size() && pointer[i] == '/') {
    std::string seg;
    for (++i; i < pointer.size() && pointer[i] != '/'; ++i) {
      if (pointer[i] == '~' && i + 1 < pointer.size()) {
        seg += pointer[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        seg += pointer[i];
      }
    }
    out.push_back(std::move(seg));
  }
  return out;
}

YamlParse parse_yaml(std::string_view text) {
  YamlParse out;
  std::istringstream in{std::string(text)};
  Builder builder(out.problems);
  try {
    YAML::Parser parser(in);
    std::optional<YAML::Mark> last_empty;
    while (parser.HandleNextDocument(builder)) {
      if (builder.root_is_null()) {
        // An empty document is fine once; the same empty document again means the parser
        // is stuck on a token it cannot use (the yaml-cpp bug above).
        const auto m = builder.root_mark();
        if (last_empty && last_empty->pos == m.pos) {
          const char c = m.pos >= 0 && static_cast<size_t>(m.pos) < text.size() ? text[m.pos] : '?';
          throw YAML::ParserException(m, fmt::format("unexpected '{}'", c));
        }
        last_empty = m;
        continue;
      }
      last_empty.reset();
      out.documents.push_back(builder.take());
    }
  } catch (const YAML::Exception& e) {
    Position at = position(e.mark);
    if (at.line == 0) at = {1, 1};
    out.documents.clear();
    out.problems.push_back({at, "YAML syntax: " + e.msg});
  }
  return out;
}

}  // namespace journeyd::journey
