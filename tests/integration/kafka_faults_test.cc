// Kafka faults (issue 6) against a real Pipeline and the librdkafka mock cluster's fault injection:
// every brokers down and back, the group coordinator down, injected produce / fetch / commit errors,
// a partition leader change. Each scenario sends traffic before, during and after the fault and
// asserts that the pipeline keeps running, that readiness shows a full outage and recovers, that
// every expected action arrives (a repeat only as the identical record of an action_id already
// seen), and that the consumer catches up (lag 0).
//
// Each phase's traffic is its own generator (own customers, event time starting "now"), so a
// customer's events never straddle a fault: the hybrid clock keeps running during an outage, and a
// customer whose next step was delayed by the fault would otherwise (rightly) get a drop-off.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "app/backend.h"
#include "app/pipeline.h"
#include "generator.h"
#include "integration/kafka_fixture.h"
#include "journey/loader.h"
#include "kafka/health.h"
#include "metrics/registry.h"

namespace journeyd::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Records = std::vector<std::pair<std::string, std::string>>;
using nlohmann::json;

// Waits for `pred` (polling every 20 ms) until the deadline; the result says whether it held.
bool wait_until(const std::function<bool()>& pred, std::chrono::seconds deadline = std::chrono::seconds(60)) {
  const auto end = Clock::now() + deadline;
  while (!pred()) {
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class KafkaFaultsTest : public KafkaFixture {
 protected:
  void SetUp() override {
    KafkaFixture::SetUp();
    auto r = journey::load_path(JOURNEYD_SOURCE_DIR "/tests/data/streams/fast_checkout.yaml");
    ASSERT_TRUE(r.ok());
    def_ = r.definitions.at(0);
  }
  void TearDown() override {
    stop_pipeline();
    KafkaFixture::TearDown();
  }

  // One phase of traffic: `customers` new customers whose journeys start now (event time).
  Records phase(const std::string& prefix, size_t customers) {
    loadgen::GeneratorOptions g;
    g.customers = customers;
    g.arrival_ms = 2;
    g.step_delay_ms = 200;
    g.conversion = {0.8, 0.6, 0.5};
    g.seed = 1000 + records_;
    g.id_prefix = prefix;
    g.start_ms = SystemClock::instance().now_ms();
    loadgen::Generator gen(def_, g);
    EXPECT_EQ(gen.check(), "");
    Records out;
    loadgen::GeneratedEvent e;
    while (gen.next(e)) out.emplace_back(e.key, e.json);
    expected_actions_ += gen.expectation().actions;
    records_ += out.size();
    return out;
  }

  config::Config fault_config() {
    auto cfg = make_config();
    cfg.kafka_common["reconnect.backoff.max.ms"] = "1000";  // reconnect within a second of the recovery
    cfg.kafka_outbox_stall_ms = 2000;
    if (max_outbox_mb_) cfg.engine_max_outbox_mb = max_outbox_mb_;
    return cfg;
  }

  void start_pipeline() {
    auto p = app::Pipeline::create(fault_config(), {def_}, SystemClock::instance(), &registry_);
    ASSERT_TRUE(p) << p.error().message;
    pipeline_ = std::move(p.value());
    backend_ = std::make_unique<app::AppBackend>(*pipeline_, registry_);
    runner_ = std::thread([this] { result_ = pipeline_->run(stop_); });
    ASSERT_TRUE(wait_until([&] { return ready(); })) << checks();
  }
  void stop_pipeline() {
    stop_ = true;
    if (runner_.joinable()) runner_.join();
  }

  const app::PipelineStats& stats() const { return pipeline_->stats(); }
  bool ready() const { return backend_->readiness().ready; }
  std::string checks() const { return backend_->readiness().details_json; }
  std::string check(const std::string& name) const { return json::parse(checks())[name].get<std::string>(); }
  bool running() const { return stats().running.load(); }

  // Lag of every assigned partition (journeyd_consumer_lag_messages), from /metrics.
  std::map<std::string, double> lag() {
    std::map<std::string, double> out;
    std::istringstream in(registry_.serialize());
    std::string line;
    const std::string name = "journeyd_consumer_lag_messages{partition=\"";
    while (std::getline(in, line)) {
      if (line.rfind(name, 0) != 0) continue;
      const auto close = line.find('"', name.size());
      out[line.substr(name.size(), close - name.size())] = std::stod(line.substr(line.rfind(' ') + 1));
    }
    return out;
  }
  bool caught_up() {
    if (stats().consumed.load() != records_ || stats().actions.load() < expected_actions_ ||
        stats().outbox_pending.load() != 0)
      return false;
    const auto l = lag();
    if (l.size() != static_cast<size_t>(kPartitions)) return false;
    for (const auto& [p, v] : l)
      if (v != 0) return false;
    return true;
  }

  // After the fault: everything consumed once, every action on journey.actions, lag 0.
  void expect_caught_up_and_complete(const std::string& scenario) {
    const auto start = Clock::now();
    EXPECT_TRUE(wait_until([&] { return caught_up(); }, std::chrono::seconds(90)))
        << "consumed " << stats().consumed.load() << "/" << records_ << ", actions " << stats().actions.load()
        << "/" << expected_actions_ << ", outbox " << stats().outbox_pending.load() << "\n"
        << checks();
    const double catch_up_s = seconds_since(start);
    EXPECT_TRUE(running()) << "the pipeline stopped: " << (result_ ? "" : result_.error().message);
    EXPECT_TRUE(ready()) << checks();
    EXPECT_EQ(stats().consumed.load(), records_) << "every event consumed exactly once";
    EXPECT_EQ(stats().actions.load(), expected_actions_);
    EXPECT_EQ(stats().outbox_parked.load(), 0u);

    std::map<std::string, std::string> by_id;
    size_t repeats = 0;
    auto actions = read_until("journey.actions", [&](const std::vector<std::string>& recs) {
      std::set<std::string> ids;
      for (const auto& r : recs) ids.insert(json_field(r, "action_id"));
      return ids.size() >= expected_actions_;
    });
    for (const auto& a : actions) {
      const auto id = json_field(a, "action_id");
      auto [it, fresh] = by_id.emplace(id, a);
      if (!fresh) {
        ++repeats;
        EXPECT_EQ(it->second, a) << "a repeated action_id must repeat the identical record";
      }
    }
    EXPECT_EQ(by_id.size(), expected_actions_) << "every expected action arrives (none lost, none extra)";
    std::cout << "[figures] " << scenario << ": events " << records_ << ", actions " << by_id.size()
              << ", repeats " << repeats << ", not ready for " << not_ready_s_ << " s, ready again "
              << ready_again_s_ << " s after the fault ended, caught up " << catch_up_s << " s later"
              << std::endl;
  }

  // Waits until readiness has gone (the outage is seen); returns the checks of that moment.
  std::string wait_not_ready() {
    std::string seen;
    EXPECT_TRUE(wait_until([&] {
      auto r = backend_->readiness();
      seen = r.details_json;
      return !r.ready;
    })) << "readiness never showed the outage: "
        << checks();
    fault_seen_ = Clock::now();
    outage_seen_ = true;
    return seen;
  }
  // Waits until ready again after the fault ended at `ended`.
  void wait_ready_again(Clock::time_point ended) {
    EXPECT_TRUE(wait_until([&] { return ready(); }, std::chrono::seconds(90))) << checks();
    ready_again_s_ = seconds_since(ended);
    if (outage_seen_) not_ready_s_ = seconds_since(fault_seen_);
  }

  journey::Definition def_;
  metrics::Registry registry_;
  std::unique_ptr<app::Pipeline> pipeline_;
  std::unique_ptr<app::AppBackend> backend_;
  std::atomic<bool> stop_{false};
  std::thread runner_;
  Result<void> result_ = outcome::success();
  int64_t max_outbox_mb_ = 0;  // 0: the default
  uint64_t expected_actions_ = 0;
  size_t records_ = 0;
  Clock::time_point fault_seen_ = Clock::now();
  bool outage_seen_ = false;
  double not_ready_s_ = 0, ready_again_s_ = 0;
};

// A full outage: every broker down, then back. Timers fire during the outage (their actions wait in
// the outbox), events produced meanwhile wait in the producer; all arrive afterwards.
TEST_F(KafkaFaultsTest, AllBrokersDownAndBack) {
  start_pipeline();
  const auto before = phase("a1-", 300);
  produce(before);
  // Down as soon as the events are consumed: the drop-offs fire about 1.5 s later, during the outage.
  ASSERT_TRUE(wait_until([&] { return stats().consumed.load() == records_; }));
  for (int b = 1; b <= cluster_->brokers(); ++b) cluster_->set_broker_down(b, true);
  wait_not_ready();
  EXPECT_TRUE(wait_until([&] { return check("kafka") == "all brokers down"; })) << checks();

  // During: the producer holds these until the brokers are back.
  auto held = kafka::Producer::create(
      {{{"bootstrap.servers", cluster_->bootstrap_servers()}, {"log_level", "0"}}, {}});
  ASSERT_TRUE(held) << held.error().message;
  const auto during = phase("a2-", 300);
  for (size_t i = 0; i < during.size(); ++i) {
    auto st = held.value()->produce("touchpoints", during[i].first, during[i].second, i);
    ASSERT_TRUE(st && st.value() == kafka::ProduceStatus::queued);
  }
  // The actions of the first phase's drop-offs are made meanwhile and wait in the outbox.
  EXPECT_TRUE(wait_until([&] { return stats().actions.load() > 0 && stats().outbox_pending.load() > 0; }))
      << "actions " << stats().actions.load();
  EXPECT_TRUE(wait_until([&] { return check("outbox").rfind("stalled", 0) == 0; })) << checks();
  EXPECT_TRUE(running());
  EXPECT_FALSE(ready());

  for (int b = 1; b <= cluster_->brokers(); ++b) cluster_->set_broker_down(b, false);
  wait_ready_again(Clock::now());
  ASSERT_TRUE(held.value()->flush(60'000));
  produce(phase("a3-", 300));
  expect_caught_up_and_complete("all brokers down and back");
}

// The group coordinator's broker down (it leads no partition): the consumer loses its coordinator
// (and, after session.timeout.ms, its partitions); readiness says so; it rejoins and resumes from the
// offsets in RocksDB.
TEST_F(KafkaFaultsTest, GroupCoordinatorDown) {
  const int coordinator = cluster_->brokers();
  cluster_->set_group_coordinator(make_config().kafka_group_id, coordinator);
  for (const auto* topic :
       {"touchpoints", "touchpoints.dlq", "journey.actions", "journey.alerts", "journey.actions.suppressed"})
    for (int p = 0; p < kPartitions; ++p) cluster_->set_partition_leader(topic, p, 1 + p % (coordinator - 1));
  start_pipeline();
  produce(phase("b1-", 300));
  ASSERT_TRUE(wait_until([&] { return stats().consumed.load() == records_; }));

  cluster_->set_broker_down(coordinator, true);
  wait_not_ready();
  EXPECT_TRUE(wait_until([&] { return check("kafka") == "group coordinator unavailable"; })) << checks();
  produce(phase("b2-", 300));  // the partition leaders are up: this goes through
  // Kept down past the session timeout (6 s): the consumer leaves the group and must rejoin.
  EXPECT_TRUE(wait_until([&] { return stats().partitions.load() == 0; })) << checks();
  EXPECT_TRUE(running());
  EXPECT_FALSE(ready());

  cluster_->set_broker_down(coordinator, false);
  wait_ready_again(Clock::now());
  produce(phase("b3-", 300));
  expect_caught_up_and_complete("group coordinator down");
}

// Produce requests fail (not retriable inside librdkafka): the delivery reports fail, the actions stay
// in the outbox and the relay sends them again (after 1 s, 2 s, …) until Kafka takes them. A partial
// fault: other requests go through, so readiness need not change (a full stall is covered above).
TEST_F(KafkaFaultsTest, ProduceErrorsKeepActionsInTheOutbox) {
  start_pipeline();
  produce(phase("c1-", 300));
  ASSERT_TRUE(wait_until([&] { return caught_up(); }, std::chrono::seconds(60))) << checks();

  // The events go in first (the errors would hit the test's producer too); their drop-offs fire
  // about 1.5 s later and meet the errors.
  const auto failed_before = stats().producer_health->snapshot().errors;
  produce(phase("c2-", 300));
  cluster_->push_request_errors(kafka::MockRequest::produce, kafka::MockError::topic_authorization_failed, 6);
  EXPECT_TRUE(wait_until([&] { return stats().producer_health->snapshot().errors > failed_before; }))
      << "no delivery failed";
  const auto failed = stats().producer_health->snapshot().errors - failed_before;
  EXPECT_TRUE(running());
  // Every record of this phase delivered: a Produce request succeeded after the errors, so none is
  // left for the next phase's producer (the mock's error stack is FIFO and cluster-wide).
  ASSERT_TRUE(wait_until([&] { return caught_up(); }, std::chrono::seconds(90))) << checks();
  wait_ready_again(Clock::now());
  produce(phase("c3-", 300));
  expect_caught_up_and_complete("produce errors");
  std::cout << "[figures] produce errors: " << failed << " failed deliveries seen first, "
            << stats().producer_health->snapshot().errors - failed_before << " in all" << std::endl;
}

// Fetch and offset-commit errors: librdkafka retries the fetches; the commits are advisory (the
// offsets live in RocksDB). Nothing is lost or repeated.
TEST_F(KafkaFaultsTest, FetchAndCommitErrors) {
  start_pipeline();
  produce(phase("f1-", 300));
  ASSERT_TRUE(wait_until([&] { return stats().consumed.load() == records_; }));

  const auto errors_before = stats().consumer_health->snapshot().errors;
  cluster_->push_request_errors(kafka::MockRequest::fetch, kafka::MockError::not_leader_for_partition, 20);
  cluster_->push_request_errors(kafka::MockRequest::offset_commit, kafka::MockError::request_timed_out, 3);
  produce(phase("f2-", 300));
  EXPECT_TRUE(wait_until([&] { return stats().consumer_health->snapshot().errors > errors_before; }))
      << "the failed commits are counted";
  EXPECT_TRUE(running());
  wait_ready_again(Clock::now());
  produce(phase("f3-", 300));
  expect_caught_up_and_complete("fetch and commit errors");
}

// A failover: broker 1 goes down and its partitions' leadership moves to the others (the mock does not
// do that by itself), then broker 1 comes back. A partial outage: readiness may say "degraded".
TEST_F(KafkaFaultsTest, PartitionLeaderChange) {
  cluster_->set_group_coordinator(make_config().kafka_group_id, 3);  // not the failing broker
  start_pipeline();
  produce(phase("d1-", 300));
  ASSERT_TRUE(wait_until([&] { return stats().consumed.load() == records_; }));

  cluster_->set_broker_down(1, true);
  auto held = kafka::Producer::create(
      {{{"bootstrap.servers", cluster_->bootstrap_servers()}, {"log_level", "0"}}, {}});
  ASSERT_TRUE(held) << held.error().message;
  const auto during = phase("d2-", 300);
  for (size_t i = 0; i < during.size(); ++i) {
    auto st = held.value()->produce("touchpoints", during[i].first, during[i].second, i);
    ASSERT_TRUE(st && st.value() == kafka::ProduceStatus::queued);
  }
  for (const auto* topic :
       {"touchpoints", "touchpoints.dlq", "journey.actions", "journey.alerts", "journey.actions.suppressed"})
    for (int p = 0; p < kPartitions; ++p) cluster_->set_partition_leader(topic, p, 2 + p % 2);
  ASSERT_TRUE(held.value()->flush(60'000));
  EXPECT_TRUE(wait_until([&] { return stats().consumed.load() == records_; })) << checks();
  std::cout << "[figures] leader change: checks during the failover " << checks() << std::endl;
  EXPECT_TRUE(running());

  cluster_->set_broker_down(1, false);
  wait_ready_again(Clock::now());
  produce(phase("d3-", 300));
  expect_caught_up_and_complete("partition leader change");
}

// Backpressure (engine.max_outbox_mb): the output topics' leader is down while the input's are up,
// so events keep coming and their actions cannot leave. Due timers fire only into the outbox's
// headroom, the outbox fills to its bound, the input pauses (events sent meanwhile are not consumed,
// timers wait) instead of the outbox growing, and once the leader is back everything drains: no
// action lost.
TEST_F(KafkaFaultsTest, AStalledActionTopicPausesTheInput) {
  const int out = cluster_->brokers();
  cluster_->set_group_coordinator(make_config().kafka_group_id, 1);
  for (int p = 0; p < kPartitions; ++p) {
    cluster_->set_partition_leader("touchpoints", p, 1 + p % (out - 1));
    for (const auto* topic :
         {"touchpoints.dlq", "journey.actions", "journey.alerts", "journey.actions.suppressed"})
      cluster_->set_partition_leader(topic, p, out);
  }
  max_outbox_mb_ = 1;
  start_pipeline();
  cluster_->set_broker_down(out, true);
  // ~4 actions or alerts per 10 customers, ~500 B each in the outbox: several MiB for a 1 MiB bound.
  produce(phase("p1-", 8000));
  ASSERT_TRUE(wait_until([&] { return stats().input_paused.load(); }, std::chrono::seconds(90)))
      << "consumed " << stats().consumed.load() << "/" << records_ << ", outbox bytes "
      << stats().outbox_bytes.load();
  const auto consumed = stats().consumed.load();
  produce(phase("p2-", 300));  // sent while paused
  // Paused: the outbox stays near its bound (timers fire only into its headroom, at an estimated
  // 1 KiB per timer).
  size_t most = 0;
  wait_until(
      [&] {
        most = std::max<size_t>(most, stats().outbox_bytes.load());
        return false;
      },
      std::chrono::seconds(3));
  EXPECT_TRUE(stats().input_paused.load());
  EXPECT_EQ(stats().consumed.load(), consumed) << "consumed while paused";
  EXPECT_LT(consumed, records_);
  EXPECT_LE(most, size_t{5} << 18);  // 1.25 MiB
  EXPECT_TRUE(running());

  cluster_->set_broker_down(out, false);
  wait_ready_again(Clock::now());
  EXPECT_TRUE(wait_until([&] { return !stats().input_paused.load(); }));
  expect_caught_up_and_complete("a stalled action topic");
  std::cout << "[figures] backpressure: paused after " << consumed << " of " << records_ << " events, "
            << stats().input_pauses.load() << " pause(s), outbox at most " << most << " bytes while paused"
            << std::endl;
}

}  // namespace
}  // namespace journeyd::testing
