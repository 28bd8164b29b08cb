// Config → librdkafka properties for the consumer and the producer.
#pragma once

#include "config/config.h"
#include "kafka/properties.h"

namespace journeyd::app {

kafka::Properties consumer_properties(const config::Config& cfg);
kafka::Properties producer_properties(const config::Config& cfg);

}  // namespace journeyd::app
