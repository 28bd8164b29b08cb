// Starts the in-process mock cluster with journeyd's topics and publishes its
// bootstrap servers (log line + optional file, written atomically).
#pragma once

#include <memory>
#include <string>

#include "common/error.h"
#include "config/config.h"
#include "kafka/mock_cluster.h"

namespace journeyd::app {

struct EmbeddedKafkaOptions {
  int brokers = 3;
  int partitions = 6;
  std::string bootstrap_file;  // empty: none
};

[[nodiscard]] Result<std::unique_ptr<kafka::MockCluster>> start_embedded_kafka(
    const config::Config& cfg, const EmbeddedKafkaOptions& opts);

// Writes `content` to `path` via a temporary file and rename, so readers never see a partial file.
[[nodiscard]] Result<void> write_file_atomically(const std::string& path, const std::string& content);

}  // namespace journeyd::app
