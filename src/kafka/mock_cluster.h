// An in-process Kafka cluster: librdkafka's mock cluster, speaking the real
// protocol on loopback TCP. Used by `journeyd --embedded-kafka`,
// `journeyctl kafka-dev` and the tests. Limits: design §3.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

namespace journeyd::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 6;
};

struct MockClusterOptions {
  int brokers = 3;
  std::vector<TopicSpec> topics;
};

class MockCluster {
 public:
  [[nodiscard]] static Result<std::unique_ptr<MockCluster>> start(const MockClusterOptions& opts);
  ~MockCluster();

  // "127.0.0.1:port,..." — give it to any Kafka client.
  const std::string& bootstrap_servers() const;
  [[nodiscard]] Result<void> create_topic(const TopicSpec& t);
  // Fault injection.
  void set_broker_down(int broker_id, bool down);

 private:
  struct Impl;
  explicit MockCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::kafka
