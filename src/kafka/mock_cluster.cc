#include "kafka/mock_cluster.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace journeyd::kafka {

struct MockCluster::Impl {
  rd_kafka_t* host = nullptr;  // the mock cluster lives inside this handle
  rd_kafka_mock_cluster_t* mc = nullptr;
  std::string bootstrap;
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
