#include "kafka/mock_cluster.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <vector>

namespace journeyd::kafka {
namespace {

// Kafka API keys (rdkafka_proto.h is not installed).
int16_t api_key(MockRequest r) {
  switch (r) {
    case MockRequest::produce:
      return 0;
    case MockRequest::fetch:
      return 1;
    case MockRequest::list_offsets:
      return 2;
    case MockRequest::metadata:
      return 3;
    case MockRequest::offset_commit:
      return 8;
    case MockRequest::offset_fetch:
      return 9;
    case MockRequest::find_coordinator:
      return 10;
    case MockRequest::join_group:
      return 11;
    case MockRequest::heartbeat:
      return 12;
    case MockRequest::sync_group:
      return 14;
    case MockRequest::init_producer_id:
      return 22;
  }
  return -1;
}

rd_kafka_resp_err_t error_code(MockError e) {
  switch (e) {
    case MockError::not_leader_for_partition:
      return RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
    case MockError::leader_not_available:
      return RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    case MockError::request_timed_out:
      return RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT;
    case MockError::not_enough_replicas:
      return RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS;
    case MockError::coordinator_not_available:
      return RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE;
    case MockError::not_coordinator:
      return RD_KAFKA_RESP_ERR_NOT_COORDINATOR;
    case MockError::topic_authorization_failed:
      return RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED;
  }
  return RD_KAFKA_RESP_ERR_UNKNOWN;
}

}  // namespace

struct MockCluster::Impl {
  rd_kafka_t* host = nullptr;  // the mock cluster lives inside this handle
  rd_kafka_mock_cluster_t* mc = nullptr;
  std::string bootstrap;
  int brokers = 0;
  ~Impl() {
    if (mc) rd_kafka_mock_cluster_destroy(mc);
    if (host) rd_kafka_destroy(host);
  }
};

MockCluster::MockCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MockCluster::~MockCluster() = default;

Result<std::unique_ptr<MockCluster>> MockCluster::start(const MockClusterOptions& opts) {
  auto impl = std::make_unique<Impl>();
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  impl->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!impl->host) {
    rd_kafka_conf_destroy(conf);
    return fail(Errc::kafka, fmt::format("mock cluster host: {}", errstr));
  }
  impl->mc = rd_kafka_mock_cluster_new(impl->host, opts.brokers);
  if (!impl->mc) return fail(Errc::kafka, "rd_kafka_mock_cluster_new failed");
  impl->bootstrap = rd_kafka_mock_cluster_bootstraps(impl->mc);
  impl->brokers = opts.brokers;
  auto cluster = std::unique_ptr<MockCluster>(new MockCluster(std::move(impl)));
  for (const auto& t : opts.topics) {
    auto r = cluster->create_topic(t);
    if (!r) return r.error();
  }
  return cluster;
}

const std::string& MockCluster::bootstrap_servers() const {
  return impl_->bootstrap;
}

Result<void> MockCluster::create_topic(const TopicSpec& t) {
  const int rf = 1;
  auto err = rd_kafka_mock_topic_create(impl_->mc, t.name.c_str(), t.partitions, rf);
  if (err) return fail(Errc::kafka, fmt::format("create topic {}: {}", t.name, rd_kafka_err2str(err)));
  return outcome::success();
}

void MockCluster::set_broker_down(int broker_id, bool down) {
  if (down)
    rd_kafka_mock_broker_set_down(impl_->mc, broker_id);
  else
    rd_kafka_mock_broker_set_up(impl_->mc, broker_id);
}

}  // namespace journeyd::kafka

namespace journeyd::kafka {

int MockCluster::brokers() const {
  return impl_->brokers;
}

void MockCluster::push_request_errors(MockRequest request, MockError error, int count) {
  std::vector<rd_kafka_resp_err_t> errs(static_cast<size_t>(count), error_code(error));
  rd_kafka_mock_push_request_errors_array(impl_->mc, api_key(request), errs.size(), errs.data());
}

void MockCluster::set_group_coordinator(const std::string& group, int broker_id) {
  rd_kafka_mock_coordinator_set(impl_->mc, "group", group.c_str(), broker_id);
}

void MockCluster::set_partition_leader(const std::string& topic, int partition, int broker_id) {
  rd_kafka_mock_partition_set_leader(impl_->mc, topic.c_str(), partition, broker_id);
}

}  // namespace journeyd::kafka
