// OutboxRelay against the mock cluster: acks come back for delivered records,
// and a record Kafka refuses outright is parked instead of stopping the relay.
#include "app/outbox_relay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "kafka/mock_cluster.h"

namespace journeyd::app {
namespace {

TEST(OutboxRelay, DeliversAcksAndParksWhatKafkaRefuses) {
  auto cluster = kafka::MockCluster::start({1, {{"a", 1}, {"b", 1}, {"d", 1}}});
  ASSERT_TRUE(cluster) << cluster.error().message;
  OutboxRelay relay({"a", "b", "d"});
  auto producer = kafka::Producer::create(
      {{{"bootstrap.servers", cluster.value()->bootstrap_servers()}, {"log_level", "3"}},
       [&](const kafka::DeliveryReport& r) { relay.on_delivery(r); }});
  ASSERT_TRUE(producer) << producer.error().message;
  relay.attach(*producer.value());

  std::vector<state::OutboxRecord> recs;
  recs.push_back({1, state::Sink::actions, "k", "small"});
  recs.push_back({2, state::Sink::dlq, "k", std::string(2 << 20, 'x')});  // over message.max.bytes
  recs.push_back({3, state::Sink::alerts, "k", "also small"});
  relay.send(std::move(recs));
  ASSERT_TRUE(relay.pump());
  EXPECT_EQ(relay.parked(), 1u);
  EXPECT_EQ(relay.queued(), 0u);

  std::vector<uint64_t> acked;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (acked.size() < 2 && std::chrono::steady_clock::now() < end) {
    producer.value()->poll(50);
    for (auto s : relay.take_acked()) acked.push_back(s);
  }
  std::sort(acked.begin(), acked.end());
  EXPECT_EQ(acked, (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(relay.in_flight(), 0u);
  EXPECT_EQ(relay.delivered(), 2u);
  EXPECT_EQ(relay.bytes(), 0u);  // delivered and parked records no longer count towards backpressure
}

TEST(OutboxRelay, DropForgetsQueuedRecordsOfAnErasure) {
  OutboxRelay relay({"a", "b", "d", "s"});  // no producer attached: nothing leaves the queue
  std::vector<state::OutboxRecord> recs;
  for (uint64_t s = 1; s <= 4; ++s) recs.push_back({s, state::Sink::actions, "k", "v"});
  relay.send(std::move(recs));
  const size_t four = relay.bytes();
  EXPECT_GE(four, 4 * sizeof(state::OutboxRecord));
  relay.drop({2, 4, 9});
  EXPECT_EQ(relay.queued(), 2u);
  EXPECT_EQ(relay.bytes(), four / 2);
  relay.drop({});
  EXPECT_EQ(relay.queued(), 2u);
}

TEST(OutboxRelay, BytesCountWhatWaitsForKafka) {
  OutboxRelay relay({"a", "b", "d", "s"});
  std::vector<state::OutboxRecord> recs;
  recs.push_back({1, state::Sink::actions, "key", std::string(1000, 'v')});
  recs.push_back({2, state::Sink::actions, "key", std::string(3000, 'v')});
  relay.send(std::move(recs));
  EXPECT_EQ(relay.bytes(), 2 * (sizeof(state::OutboxRecord) + 3) + 4000);
}

TEST(OutboxRelay, ARecordDroppedInFlightIsNotRetried) {
  auto cluster = kafka::MockCluster::start({1, {{"a", 1}}});
  ASSERT_TRUE(cluster) << cluster.error().message;
  OutboxRelay relay({"a", "a", "a", "a"});
  auto producer = kafka::Producer::create(
      {{{"bootstrap.servers", cluster.value()->bootstrap_servers()}, {"log_level", "3"}},
       [&](const kafka::DeliveryReport& r) { relay.on_delivery(r); }});
  ASSERT_TRUE(producer) << producer.error().message;
  relay.attach(*producer.value());
  std::vector<state::OutboxRecord> recs;
  recs.push_back({7, state::Sink::actions, "k", "v"});
  relay.send(std::move(recs));
  ASSERT_TRUE(relay.pump());
  ASSERT_EQ(relay.in_flight(), 1u);  // no poll yet: its report is not served
  relay.drop({7});
  relay.on_delivery({7, kafka::Failure::retriable, "Broker: Not enough in-sync replicas"});
  EXPECT_EQ(relay.in_flight(), 0u);
  EXPECT_EQ(relay.queued(), 0u);    // not queued for a retry
  producer.value()->flush(10'000);  // the real report finds nothing in flight
  EXPECT_EQ(relay.queued(), 0u);
  EXPECT_EQ(relay.bytes(), 0u);
}

}  // namespace
}  // namespace journeyd::app
