// Internal: Properties → rd_kafka_conf_t (only kafka/*.cc include this).
#pragma once

#include <librdkafka/rdkafka.h>

#include "common/error.h"
#include "kafka/properties.h"

namespace journeyd::kafka {

// The caller owns the returned conf until it passes it to rd_kafka_new.
Result<rd_kafka_conf_t*> make_conf(const Properties& props);

}  // namespace journeyd::kafka
