// Checks one definition document against schemas/journey.schema.json (embedded
// in the binary at build time) with valijson, and turns valijson's errors into
// messages a person can act on ("unknown key 'actoin' in dropoff[0] (did you
// mean 'action'?)"). Part of journeyd_definition; thread-safe (the parsed
// schema is built once and only read).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "journey/definition.h"

namespace journeyd::journey {

// A problem at a node of the document, by JSON pointer. at_key: point at the
// node's key (e.g. an unknown key) rather than its value.
struct DocProblem {
  std::string pointer;
  bool at_key = false;
  std::string message;
};

// The schema text, as built into the binary.
std::string_view journey_schema_text();

// Validates `doc` (an object) against the schema of `kind`. Empty if valid.
std::vector<DocProblem> check_schema(Kind kind, const nlohmann::json& doc);

// How a node is named in messages: "" for the document, "dropoff[0].for".
std::string describe_path(const nlohmann::json& doc, const std::string& pointer);

}  // namespace journeyd::journey
