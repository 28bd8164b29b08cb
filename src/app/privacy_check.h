// Start-up check of the journeys against the PII rules: a `where` on a hashed
// field compares with the raw value and so never matches (unless the YAML
// compares with the hash), one on a removed field sees it absent. journeyd
// starts anyway (a hash in the YAML is legitimate) and logs each as a warning.
#pragma once

#include <string>
#include <vector>

#include "event/privacy.h"
#include "journey/definition.h"

namespace journeyd::app {

// One message per condition, revenue or time-zone path that names a hashed or removed field.
std::vector<std::string> privacy_conflicts(const event::Privacy& p,
                                           const std::vector<journey::Definition>& defs);

}  // namespace journeyd::app
