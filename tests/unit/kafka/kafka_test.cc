// The Kafka wrappers against the in-process mock cluster (real protocol on loopback).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include "kafka/consumer.h"
#include "kafka/mock_cluster.h"
#include "kafka/producer.h"

namespace journeyd::kafka {
namespace {

class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = MockCluster::start({3, {{"t", 2}}});
    ASSERT_TRUE(c) << c.error().message;
    cluster = std::move(c.value());
  }

  std::unique_ptr<Producer> producer(std::function<void(const DeliveryReport&)> dr) {
    auto p = Producer::create(
        {{{"bootstrap.servers", cluster->bootstrap_servers()}, {"log_level", "3"}}, std::move(dr)});
    EXPECT_TRUE(p) << p.error().message;
    return std::move(p.value());
  }

  struct Copied {
    std::string key, payload;
    int32_t partition;
    int64_t offset, timestamp;
  };
  // Reads until `n` messages or 30 s. Copies them out: a Message must not
  // outlive its consumer (librdkafka waits for every message on destroy).
  std::vector<Copied> consume(const std::string& group, size_t n, ConsumerOptions extra = {}) {
    extra.properties = {{"bootstrap.servers", cluster->bootstrap_servers()},
                        {"group.id", group},
                        {"session.timeout.ms", "6000"},
                        {"fetch.wait.max.ms", "10"},
                        {"log_level", "3"}};
    extra.topic = "t";
    auto c = Consumer::create(std::move(extra));
    EXPECT_TRUE(c) << c.error().message;
    std::vector<Message> msgs;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (msgs.size() < n && std::chrono::steady_clock::now() < end) c.value()->poll_batch(msgs, 100, 100);
    std::vector<Copied> out;
    for (const auto& m : msgs)
      out.push_back({std::string(m.key()), std::string(m.payload()), m.partition().value(),
                     m.offset().value(), m.timestamp_ms()});
    msgs.clear();
    c.value()->close();
    return out;
  }

  std::unique_ptr<MockCluster> cluster;
};

TEST_F(KafkaTest, DeliveryReportsCarryTheCallersIdAndMessagesRoundTrip) {
  std::set<uint64_t> acked;
  auto p = producer([&](const DeliveryReport& r) {
    EXPECT_EQ(r.failure, Failure::none) << r.error;
    acked.insert(r.opaque);
  });
  for (uint64_t i = 0; i < 10; ++i) {
    auto st = p->produce("t", "k" + std::to_string(i % 3), "v" + std::to_string(i), 100 + i);
    ASSERT_TRUE(st && st.value() == ProduceStatus::queued);
  }
  ASSERT_TRUE(p->flush(30'000));
  EXPECT_EQ(acked.size(), 10u);
  EXPECT_EQ(*acked.begin(), 100u);
  EXPECT_EQ(p->in_flight(), 0);

  auto msgs = consume("g1", 10);
  ASSERT_EQ(msgs.size(), 10u);
  std::map<std::string, int> per_key_partition;
  for (const auto& m : msgs) {
    EXPECT_EQ(m.payload.substr(0, 1), "v");
    EXPECT_GT(m.timestamp, 0);
    // Same key, same partition: per-customer ordering relies on it.
    auto [it, fresh] = per_key_partition.emplace(m.key, m.partition);
    EXPECT_EQ(it->second, m.partition);
  }
}

TEST_F(KafkaTest, AssignmentStartsAtTheOffsetsTheCallerGives) {
  auto p = producer({});
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(p->produce("t", "same-key", std::to_string(i), 0));
  ASSERT_TRUE(p->flush(30'000));
  int32_t partition = -1;
  {
    auto all = consume("g2", 6);
    ASSERT_EQ(all.size(), 6u);
    partition = all[0].partition;
  }
  ConsumerOptions opts;
  opts.on_assign = [&](const std::vector<Partition>&) { return std::map<int32_t, int64_t>{{partition, 4}}; };
  auto rest = consume("g3", 2, opts);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].offset, 4);
  EXPECT_EQ(rest[0].payload, "4");
  EXPECT_EQ(rest[1].payload, "5");
}

TEST_F(KafkaTest, BadPropertyIsAnErrorValue) {
  auto p = Producer::create(
      {{{"bootstrap.servers", cluster->bootstrap_servers()}, {"no.such.property", "1"}}, {}});
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("no.such.property"), std::string::npos);
}

}  // namespace
}  // namespace journeyd::kafka
