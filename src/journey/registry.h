// The definitions the engine runs: the current version of each (one slot per
// definition id) plus every older version some instance may still follow.
// Every version is persisted in the `meta` column family (its canonical JSON),
// so instances started on an old version finish on it after a restart too.
//
// Threading: processing thread only. Definitions are shared_ptrs, so a
// reference stays valid across update().
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "journey/definition.h"
#include "state/store.h"

namespace journeyd::journey {

class Registry {
 public:
  explicit Registry(state::Store& store) : store_(store) {}

  // Loads the stored versions (first call), checks `current` against them and
  // persists the new ones. Fails — changing nothing — when a definition's
  // content changed without a version bump.
  [[nodiscard]] Result<void> update(std::vector<Definition> current);

  size_t size() const { return slots_.size(); }
  const Definition& current(size_t slot) const { return *slots_[slot]; }
  // The definition of `slot` at `version`, or nullptr when journeyd never ran it.
  const Definition* version(size_t slot, uint32_t version) const;
  std::optional<size_t> slot(std::string_view id) const;
  // Every known version of `slot`'s definition (the current one included).
  std::vector<const Definition*> versions_of(size_t slot) const;
  // The largest grace of any current definition (or `fallback`).
  int64_t max_grace(int64_t fallback) const;

 private:
  [[nodiscard]] Result<void> load_stored();
  state::Store& store_;
  bool loaded_ = false;
  std::vector<DefinitionPtr> slots_;
  std::unordered_map<std::string, size_t> slot_of_;
  std::map<std::pair<std::string, uint32_t>, DefinitionPtr> versions_;
};

}  // namespace journeyd::journey
