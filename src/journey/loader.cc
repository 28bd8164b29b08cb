// The pipeline: YAML → JSON documents with positions (yaml_json) → kind → JSON
// Schema (schema_check) → Definition + semantic checks (definition_builder) →
// ids unique across the text / folder.
#include "journey/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "journey/definition_builder.h"
#include "journey/schema_check.h"
#include "journey/yaml_json.h"

namespace journeyd::journey {

const char* to_string(Kind k) {
  switch (k) {
    case Kind::journey:
      return "journey";
    case Kind::trigger:
      return "trigger";
    case Kind::sla:
      return "sla";
    case Kind::churn:
      return "churn";
  }
  return "?";
}

namespace {

struct Located {
  Definition def;
  Position id_at;
};

struct FileProblem {
  Position at;
  std::string message;
};

std::string format_error(const std::string& file, Position at, const std::string& message) {
  return fmt::format("{}:{}:{}: {}", file, std::max(at.line, 1), std::max(at.column, 1), message);
}

// Every document of one text; problems sorted by position.
void load_documents(std::string_view text, const std::string& file, std::vector<Located>& out,
                    std::vector<std::string>& errors) {
  auto parsed = parse_yaml(text);
  std::vector<FileProblem> problems;
  for (auto& p : parsed.problems) problems.push_back({p.at, std::move(p.message)});
  for (auto& doc : parsed.documents) {
    if (!doc.value.is_object()) {
      problems.push_back({doc.positions.value(""), "a definition must be a map (e.g. journey: checkout)"});
      continue;
    }
    std::vector<DocProblem> found;
    const auto kind = kind_of(doc.value, found);
    Definition def;
    if (kind) {
      found = check_schema(*kind, doc.value);
      def = build_definition(*kind, doc.value, found);
    }
    for (auto& p : found)
      problems.push_back(
          {p.at_key ? doc.positions.key(p.pointer) : doc.positions.value(p.pointer), std::move(p.message)});
    if (!kind || !found.empty() || !doc.ok) continue;
    def.file = file;
    def.source = doc.value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back({std::move(def), doc.positions.value(pointer_append("", to_string(*kind)))});
  }
  std::stable_sort(problems.begin(), problems.end(), [](const FileProblem& a, const FileProblem& b) {
    return std::tie(a.at.line, a.at.column) < std::tie(b.at.line, b.at.column);
  });
  for (const auto& p : problems) errors.push_back(format_error(file, p.at, p.message));
}

// Keeps the first definition of each id; reports the others where their id is written.
LoadResult unique_ids(std::vector<Located> loaded, std::vector<std::string> errors) {
  LoadResult out;
  out.errors = std::move(errors);
  std::map<std::string, const Located*> first;
  for (const auto& l : loaded) {
    if (auto [it, fresh] = first.emplace(l.def.id, &l); !fresh) {
      const auto& f = *it->second;
      out.errors.push_back(format_error(
          l.def.file, l.id_at,
          fmt::format("id '{}' is already used by the {} at {}:{}:{} (ids are unique across the folder)",
                      l.def.id, to_string(f.def.kind), f.def.file, f.id_at.line, f.id_at.column)));
    }
  }
  for (auto& l : loaded)
    if (first.at(l.def.id) == &l) out.definitions.push_back(std::move(l.def));
  return out;
}

}  // namespace

LoadResult load_text(std::string_view text, const std::string& file) {
  std::vector<Located> loaded;
  std::vector<std::string> errors;
  load_documents(text, file, loaded, errors);
  return unique_ids(std::move(loaded), std::move(errors));
}

LoadResult load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
  }
  if (ec) {
    LoadResult out;
    out.errors.push_back(fmt::format("{}: {}", dir, ec.message()));
    return out;
  }
  std::sort(files.begin(), files.end());
  std::vector<Located> loaded;
  std::vector<std::string> errors;
  for (const auto& f : files) {
    std::ifstream in(f);
    if (!in) {
      errors.push_back(fmt::format("{}: cannot read", f.string()));
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    load_documents(ss.str(), f.string(), loaded, errors);
  }
  return unique_ids(std::move(loaded), std::move(errors));
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

std::string_view journey_schema() {
  return journey_schema_text();
}

}  // namespace journeyd::journey
