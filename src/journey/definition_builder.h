// A definition document (JSON, after the schema check) → Definition, plus the
// rules a JSON Schema cannot express: drop-offs name an existing non-last step,
// step and variant ids are unique, cooldown only with after_exit, ascending RFM
// thresholds, quiet hours from != to, timezone field paths, durations > 0.
//
// The builder tolerates documents the schema rejected (it skips malformed
// parts without reporting them again), so one run reports every problem.
// Part of journeyd_definition; stateless.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "journey/definition.h"
#include "journey/schema_check.h"

namespace journeyd::journey {

// The kind named by the document's keys (exactly one of journey, trigger, sla, churn).
std::optional<Kind> kind_of(const nlohmann::json& doc, std::vector<DocProblem>& problems);

// Fills everything but `file` and `source`. Appends semantic problems; the result is
// only meaningful if there were none (and the schema check passed).
Definition build_definition(Kind kind, const nlohmann::json& doc, std::vector<DocProblem>& problems);

}  // namespace journeyd::journey
