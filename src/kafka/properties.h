// librdkafka properties as a plain map, so callers never touch rd_kafka_conf_t.
#pragma once

#include <map>
#include <string>

namespace journeyd::kafka {

using Properties = std::map<std::string, std::string>;

// a then b: keys in b win.
Properties merge(const Properties& a, const Properties& b);

}  // namespace journeyd::kafka
