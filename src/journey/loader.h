// Loads journey definitions from YAML. Every problem is reported as
// "file:line:col: message"; loading collects all problems rather than stopping
// at the first.
#pragma once

#include <string>
#include <vector>

#include "journey/definition.h"

namespace journeyd::journey {

struct LoadResult {
  std::vector<JourneyDef> journeys;
  std::vector<std::string> errors;  // "file:line:col: message"
  bool ok() const { return errors.empty(); }
};

// Parses one YAML document (`file` is used in messages).
LoadResult load_text(const std::string& yaml, const std::string& file);
// Loads every *.yaml / *.yml in `dir` (sorted by name); duplicate journey ids are errors.
LoadResult load_dir(const std::string& dir);
// A file or a folder.
LoadResult load_path(const std::string& path);

}  // namespace journeyd::journey
