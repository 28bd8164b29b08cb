// Structured logging: spdlog with key=value fields. One logger for the process;
// set_level from config at start-up.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace journeyd::log {

// "trace" | "debug" | "info" | "warn" | "error"; unknown names keep "info".
void init(std::string_view level);

}  // namespace journeyd::log
