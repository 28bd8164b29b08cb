#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace journeyd::log {

void init(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("journeyd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  auto lvl = spdlog::level::from_str(std::string(level));
  spdlog::set_level(lvl == spdlog::level::off && level != "off" ? spdlog::level::info : lvl);
}

}  // namespace journeyd::log
