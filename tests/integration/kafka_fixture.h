// Test fixture: an in-process mock Kafka cluster with journeyd's topics, a temp
// state dir, helpers to produce generated traffic and to read output topics
// until a condition holds (with a deadline, never a fixed sleep).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "kafka/consumer.h"
#include "kafka/mock_cluster.h"
#include "kafka/producer.h"

namespace journeyd::testing {

class KafkaFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/journeyd-it-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto c = kafka::MockCluster::start({3,
                                        {{"touchpoints", kPartitions},
                                         {"touchpoints.dlq", kPartitions},
                                         {"journey.actions", kPartitions},
                                         {"journey.alerts", kPartitions},
                                         {"journey.actions.suppressed", kPartitions}}});
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = std::move(c.value());
  }
  void TearDown() override {
    cluster_.reset();
    std::filesystem::remove_all(dir_);
  }

  config::Config make_config(const std::string& state_subdir = "state") const {
    auto cfg = config::defaults();
    cfg.kafka_brokers = cluster_->bootstrap_servers();
    cfg.state_dir = dir_ + "/" + state_subdir;
    cfg.kafka_consumer["session.timeout.ms"] = "6000";
    cfg.kafka_consumer["fetch.wait.max.ms"] = "10";
    cfg.kafka_common["log_level"] = "3";
    return cfg;
  }

  void produce(const std::vector<std::pair<std::string, std::string>>& records,
               const std::string& topic = "touchpoints") {
    auto p = kafka::Producer::create(
        {{{"bootstrap.servers", cluster_->bootstrap_servers()}, {"log_level", "3"}}, {}});
    ASSERT_TRUE(p) << p.error().message;
    uint64_t i = 0;
    for (const auto& [k, v] : records) {
      for (;;) {
        auto st = p.value()->produce(topic, k, v, i);
        ASSERT_TRUE(st) << st.error().message;
        if (st.value() == kafka::ProduceStatus::queued) break;
        p.value()->poll(10);
      }
      ++i;
    }
    ASSERT_TRUE(p.value()->flush(30'000));
  }

  // Reads `topic` from the beginning (fresh group) until pred(records) or the deadline.
  std::vector<std::string> read_until(const std::string& topic,
                                      const std::function<bool(const std::vector<std::string>&)>& pred,
                                      std::chrono::seconds deadline = std::chrono::seconds(60)) {
    auto c = kafka::Consumer::create({{{"bootstrap.servers", cluster_->bootstrap_servers()},
                                       {"group.id", "verify-" + topic + "-" + std::to_string(++readers_)},
                                       {"session.timeout.ms", "6000"},
                                       {"fetch.wait.max.ms", "10"},
                                       {"log_level", "3"}},
                                      topic,
                                      {},
                                      {}});
    EXPECT_TRUE(c) << c.error().message;
    std::vector<std::string> out;
    const auto end = std::chrono::steady_clock::now() + deadline;
    std::vector<kafka::Message> msgs;
    while (!pred(out) && std::chrono::steady_clock::now() < end) {
      msgs.clear();
      c.value()->poll_batch(msgs, 1000, 100);
      for (const auto& m : msgs) out.emplace_back(m.payload());
    }
    c.value()->close();
    return out;
  }

  static constexpr int kPartitions = 6;
  std::string dir_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  int readers_ = 0;
};

// Extracts the string value of "field" from a flat JSON record (test helper).
inline std::string json_field(const std::string& json, const std::string& field) {
  const std::string needle = "\"" + field + "\":\"";
  const auto pos = json.find(needle);
  if (pos == std::string::npos) return {};
  const auto end = json.find('"', pos + needle.size());
  return json.substr(pos + needle.size(), end - pos - needle.size());
}

}  // namespace journeyd::testing
