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

// Requests whose answers can be made to fail (Kafka API keys, mapped in mock_cluster.cc).
enum class MockRequest {
  produce,
  fetch,
  list_offsets,
  metadata,
  offset_commit,
  offset_fetch,
  find_coordinator,
  join_group,
  heartbeat,
  sync_group,
  init_producer_id
};
// Errors a broker can answer with (Kafka error codes, mapped in mock_cluster.cc).
enum class MockError {
  not_leader_for_partition,    // retriable: the client refreshes metadata and retries
  leader_not_available,        // retriable
  request_timed_out,           // retriable
  not_enough_replicas,         // retriable
  coordinator_not_available,   // retriable: the group looks for its coordinator again
  not_coordinator,             // retriable
  topic_authorization_failed,  // not retriable inside librdkafka: the delivery report fails
};

class MockCluster {
 public:
  [[nodiscard]] static Result<std::unique_ptr<MockCluster>> start(const MockClusterOptions& opts);
  ~MockCluster();

  // "127.0.0.1:port,..." — give it to any Kafka client.
  const std::string& bootstrap_servers() const;
  [[nodiscard]] Result<void> create_topic(const TopicSpec& t);
  // Fault injection. Brokers are numbered 1..brokers.
  int brokers() const;
  // Down: the broker drops its connections and refuses new ones (its partitions keep their leader).
  void set_broker_down(int broker_id, bool down);
  // The next `count` requests of this kind (to any broker) are answered with `error`.
  void push_request_errors(MockRequest request, MockError error, int count);
  // The broker that coordinates the consumer group `group`.
  void set_group_coordinator(const std::string& group, int broker_id);
  // Moves a partition's leadership (its data stays: the mock's log belongs to the partition).
  void set_partition_leader(const std::string& topic, int partition, int broker_id);

 private:
  struct Impl;
  explicit MockCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::kafka
