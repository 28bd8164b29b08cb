// Internal: the declaration table binding each SettingInfo to its Config field.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "config/config.h"

namespace journeyd::config {

using Field = std::variant<std::string Config::*, int64_t Config::*>;

struct Setting {
  SettingInfo info;
  Field field;
};

const std::vector<Setting>& setting_table();

}  // namespace journeyd::config
