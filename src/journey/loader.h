// Loads definitions (docs/journeys.md) from YAML or JSON text: every document
// is checked against schemas/journey.schema.json (built into the binary) and
// the rules the schema cannot express. Every problem is reported as
// "file:line:col: message"; loading collects all problems rather than stopping
// at the first, and a document with any problem yields no definition.
//
// Thread-safe; used at start-up, on reload and by journeyctl (not per event).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "journey/definition.h"

namespace journeyd::journey {

struct LoadResult {
  std::vector<Definition> definitions;  // in file order, then document order
  std::vector<std::string> errors;      // "file:line:col: message"
  bool ok() const { return errors.empty(); }
};

// Every document of `text` (YAML; JSON is YAML, so a persisted Definition::source loads
// back too). `file` names the text in messages and becomes Definition::file. Ids must be
// unique within the text.
LoadResult load_text(std::string_view text, const std::string& file);
// Every *.yaml / *.yml directly in `dir`, by name; ids must be unique across the folder,
// whatever the kind.
LoadResult load_dir(const std::string& dir);
// A file or a folder.
LoadResult load_path(const std::string& path);

// The JSON Schema the loader checks against (schemas/journey.schema.json as built in).
std::string_view journey_schema();

}  // namespace journeyd::journey
