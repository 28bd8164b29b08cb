// The Kafka wrappers against the in-process mock cluster (real protocol on loopback).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
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

// Backpressure relies on this: paused, nothing arrives but the group is served; resumed, reading goes
// on from the message after the last one returned (librdkafka drops its prefetched messages on
// pause), or from the assigned start when none was returned yet.
TEST_F(KafkaTest, PausedConsumerReturnsNothingAndResumesWhereItStopped) {
  auto p = producer({});
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(p->produce("t", "same-key", std::to_string(i), 0));
  ASSERT_TRUE(p->flush(30'000));
  int32_t partition = -1;
  {
    auto all = consume("g4", 40);
    ASSERT_EQ(all.size(), 40u);
    partition = all[0].partition;
  }
  auto c = Consumer::create({{{"bootstrap.servers", cluster->bootstrap_servers()},
                              {"group.id", "g5"},
                              {"session.timeout.ms", "6000"},
                              {"fetch.wait.max.ms", "10"},
                              {"log_level", "3"}},
                             "t",
                             [&](const std::vector<Partition>&) {
                               return std::map<int32_t, int64_t>{{partition, 4}};
                             },
                             {},
                             nullptr});
  ASSERT_TRUE(c) << c.error().message;
  auto& consumer = *c.value();
  consumer.set_paused(true);  // before the assignment: partitions must start paused
  std::vector<Message> msgs;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (consumer.assignment().empty() && std::chrono::steady_clock::now() < end)
    consumer.poll_batch(msgs, 100, 100);
  ASSERT_FALSE(consumer.assignment().empty());
  for (int i = 0; i < 10; ++i) consumer.poll_batch(msgs, 100, 100);
  EXPECT_TRUE(msgs.empty()) << msgs.size() << " message(s) arrived while paused";
  msgs.clear();

  consumer.set_paused(false);
  std::vector<int64_t> offsets;
  auto read_until = [&](size_t n) {
    while (offsets.size() < n && std::chrono::steady_clock::now() < end) {
      msgs.clear();
      consumer.poll_batch(msgs, 3, 100);  // small batches: the pause below lands mid-stream
      for (const auto& m : msgs) offsets.push_back(m.offset().value());
    }
    msgs.clear();
  };
  read_until(10);
  ASSERT_GE(offsets.size(), 10u);
  EXPECT_EQ(offsets[0], 4);
  consumer.set_paused(true);
  for (int i = 0; i < 5; ++i) consumer.poll_batch(msgs, 100, 100);
  EXPECT_TRUE(msgs.empty()) << msgs.size() << " message(s) arrived while paused";
  msgs.clear();
  consumer.set_paused(false);
  read_until(36);
  ASSERT_EQ(offsets.size(), 36u);  // 4..39: nothing skipped, nothing twice
  for (size_t i = 0; i < offsets.size(); ++i)
    EXPECT_EQ(offsets[i], static_cast<int64_t>(i) + 4) << "at " << i;
  consumer.close();
}

// A rebalance while paused: the partition a paused member keeps (or gets back) stays paused, and on
// resume it is read from the start its assignment hook gave, with no gap.
TEST_F(KafkaTest, APartitionReassignedWhilePausedStaysPausedAndResumesAtItsStart) {
  auto p = producer({});
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(p->produce("t", "k" + std::to_string(i), std::to_string(i), 0));
  ASSERT_TRUE(p->flush(30'000));
  std::map<int32_t, int64_t> per_partition;
  for (const auto& m : consume("g6", 200)) ++per_partition[m.partition];
  ASSERT_EQ(per_partition.size(), 2u);
  ASSERT_GT(per_partition.begin()->second, 4);
  ASSERT_GT(per_partition.rbegin()->second, 4);

  auto member = [&](bool starts_at_4) {
    auto c = Consumer::create({{{"bootstrap.servers", cluster->bootstrap_servers()},
                                {"group.id", "g7"},
                                {"session.timeout.ms", "6000"},
                                {"fetch.wait.max.ms", "10"},
                                {"log_level", "3"}},
                               "t",
                               [starts_at_4](const std::vector<Partition>& ps) {
                                 std::map<int32_t, int64_t> starts;
                                 for (auto q : ps) starts[q.value()] = starts_at_4 ? 4 : 0;
                                 return starts;
                               },
                               {},
                               nullptr});
    EXPECT_TRUE(c) << c.error().message;
    return std::move(c.value());
  };
  auto a = member(true);
  a->set_paused(true);
  std::vector<Message> got_a, got_b;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (a->assignment().size() < 2 && std::chrono::steady_clock::now() < end) a->poll_batch(got_a, 100, 100);
  ASSERT_EQ(a->assignment().size(), 2u);
  // A second member joins: the group rebalances and a keeps one partition, still paused.
  auto b = member(false);
  while ((a->assignment().size() != 1 || b->assignment().size() != 1) &&
         std::chrono::steady_clock::now() < end) {
    a->poll_batch(got_a, 100, 50);
    b->poll_batch(got_b, 100, 50);
    got_b.clear();
  }
  ASSERT_EQ(a->assignment().size(), 1u);
  for (int i = 0; i < 10; ++i) a->poll_batch(got_a, 100, 50);
  EXPECT_TRUE(got_a.empty()) << got_a.size() << " message(s) arrived while paused";
  got_a.clear();

  const int32_t kept = a->assignment()[0].value();
  a->set_paused(false);
  std::vector<int64_t> offsets;
  while (offsets.size() < static_cast<size_t>(per_partition[kept] - 4) &&
         std::chrono::steady_clock::now() < end) {
    got_a.clear();
    a->poll_batch(got_a, 100, 100);
    b->poll_batch(got_b, 100, 0);  // b stays in the group
    got_b.clear();
    for (const auto& m : got_a) {
      EXPECT_EQ(m.partition().value(), kept);
      offsets.push_back(m.offset().value());
    }
  }
  got_a.clear();
  ASSERT_EQ(offsets.size(), static_cast<size_t>(per_partition[kept] - 4));
  for (size_t i = 0; i < offsets.size(); ++i)
    EXPECT_EQ(offsets[i], static_cast<int64_t>(i) + 4) << "at " << i;
  b->close();
  a->close();
}

TEST_F(KafkaTest, BadPropertyIsAnErrorValue) {
  auto p = Producer::create(
      {{{"bootstrap.servers", cluster->bootstrap_servers()}, {"no.such.property", "1"}}, {}});
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("no.such.property"), std::string::npos);
}

// A secret passed through (--set kafka.common.sasl.password=…) never appears in an error: not for an
// unknown (perhaps misspelt) name, nor echoed back by librdkafka; a plain invalid value is shown.
// The documented TLS + SASL properties (docs/security.md) are accepted by librdkafka. The mock cluster
// speaks neither TLS nor SASL, so this checks the configuration only, not a handshake.
TEST_F(KafkaTest, TlsAndSaslPropertiesAreAccepted) {
  Properties props = {{"bootstrap.servers", cluster->bootstrap_servers()},
                      {"security.protocol", "SASL_SSL"},
                      {"sasl.mechanisms", "SCRAM-SHA-512"},
                      {"sasl.username", "journeyd"},
                      {"sasl.password", "s3cr3t-pw"},
                      {"ssl.endpoint.identification.algorithm", "https"},
                      {"log_level", "0"}};
  // ssl.ca.location is read when the client starts: use the system bundle when there is one.
  if (std::ifstream("/etc/ssl/certs/ca-certificates.crt"))
    props["ssl.ca.location"] = "/etc/ssl/certs/ca-certificates.crt";
  auto p = Producer::create({props, {}});
  ASSERT_TRUE(p) << p.error().message;
  props["security.protocol"] = "SSL";
  props.erase("sasl.mechanisms");
  props.erase("sasl.username");
  props.erase("sasl.password");
  auto tls_only = Producer::create({props, {}});
  ASSERT_TRUE(tls_only) << tls_only.error().message;
}

TEST_F(KafkaTest, PropertyErrorsNeverShowSecretValues) {
  for (const auto& [k, v] : std::map<std::string, std::string>{{"sasl.pasword", "hunter2-secret"},
                                                               {"ssl.key.passwd", "hunter2-secret"}}) {
    auto p = Producer::create({{{"bootstrap.servers", cluster->bootstrap_servers()}, {k, v}}, {}});
    ASSERT_FALSE(p) << k;
    EXPECT_NE(p.error().message.find(k), std::string::npos) << p.error().message;
    EXPECT_EQ(p.error().message.find("hunter2"), std::string::npos) << p.error().message;
  }
  auto p = Producer::create(
      {{{"bootstrap.servers", cluster->bootstrap_servers()}, {"security.protocol", "bogus-proto"}}, {}});
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("bogus-proto"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace journeyd::kafka
