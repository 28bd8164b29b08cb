// YAML text → nlohmann::json documents, remembering where every node came from
// so that problems found later (schema, semantics) can be reported as
// file:line:col. Part of journeyd_definition; stateless, thread-safe.
//
// Scalars: a quoted (or !!str) scalar is a string; a plain true/false is a
// bool, a plain JSON number a number, ~/null/empty is null, anything else a
// string. JSON is YAML, so JSON text loads the same way.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace journeyd::journey {

// 1-based; line 0 means unknown.
struct Position {
  int line = 0;
  int column = 0;
};

// Positions by JSON pointer ("/dropoff/0/for"). Lookups fall back to the
// nearest known ancestor.
class SourceMap {
 public:
  Position value(const std::string& pointer) const;  // the value node
  Position key(const std::string& pointer) const;    // its key in the parent map, else value()

  void set_value(const std::string& pointer, Position p) { values_[pointer] = p; }
  void set_key(const std::string& pointer, Position p) { keys_[pointer] = p; }

 private:
  std::map<std::string, Position> values_;
  std::map<std::string, Position> keys_;
};

struct YamlProblem {
  Position at;
  std::string message;
};

struct YamlDocument {
  nlohmann::json value;
  SourceMap positions;
  bool ok = true;  // false if conversion problems were found in it
};

struct YamlParse {
  std::vector<YamlDocument> documents;  // empty documents are skipped
  std::vector<YamlProblem> problems;    // syntax errors, duplicate keys, non-scalar keys
};

// Every document of `text`. A syntax error yields no documents.
YamlParse parse_yaml(std::string_view text);

// JSON pointer helpers: "/a~1b" for the key "a/b".
std::string pointer_append(const std::string& pointer, std::string_view key);
std::vector<std::string> pointer_split(std::string_view pointer);

}  // namespace journeyd::journey
