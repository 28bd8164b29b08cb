// Webhooks through the whole pipeline: drop-off actions and alerts produced by real traffic on the
// mock cluster are POSTed to local receivers that fail intermittently, hang past the timeout,
// always refuse, or fail a few times before accepting. Checks: every matching action arrives
// (duplicates only repeat a delivery id), signatures verify, backoff gaps grow, refused records
// become dead letters on their topic, and deliveries pending at a stop resume after a restart.
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "app/pipeline.h"
#include "common/time_format.h"
#include "integration/kafka_fixture.h"
#include "journey/loader.h"
#include "state/store.h"
#include "unit/webhook/receiver_fixture.h"
#include "webhook/delivery.h"

namespace journeyd::testing {
namespace {

constexpr const char* kSecret = "whsec_integration";
constexpr int kCustomers = 40;  // all add to cart; the first kCheckouts also start checkout
constexpr int kCheckouts = 10;

class WebhookTest : public KafkaFixture {
 protected:
  void SetUp() override {
    KafkaFixture::SetUp();
    ASSERT_TRUE(cluster_->create_topic({"journey.webhooks.dlq", kPartitions}));
  }

  // Runs a pipeline on the shared state dir until `done` holds (or a deadline), then stops it.
  // Returns what the store still holds as webhook deliveries afterwards.
  std::vector<webhook::Delivery> run_until(const std::function<bool(const state::Store&)>& done) {
    auto r = journey::load_path(JOURNEYD_SOURCE_DIR "/tests/data/streams/fast_checkout.yaml");
    EXPECT_TRUE(r.ok());
    auto cfg = make_config();
    cfg.webhooks_file = hooks_file_;
    cfg.engine_batch_max_wait_ms = 5;  // the relay is pumped once per loop
    auto p = app::Pipeline::create(cfg, r.definitions, SystemClock::instance());
    EXPECT_TRUE(p) << p.error().message;
    if (!p) return {};
    std::atomic<bool> stop{false};
    Result<void> result = outcome::success();
    std::thread runner([&] { result = p.value()->run(stop); });
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!done(p.value()->store()) && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, not a fixed wait
    stop = true;
    runner.join();
    EXPECT_TRUE(result) << result.error().message;
    auto left = webhook::load_deliveries(p.value()->store());
    EXPECT_TRUE(left);
    return left ? left.value() : std::vector<webhook::Delivery>{};
  }

  void produce_traffic() {
    const int64_t now = SystemClock::instance().now_ms();
    std::vector<std::pair<std::string, std::string>> records;
    for (int i = 0; i < kCustomers; ++i) {
      const std::string id = "wh-" + std::to_string(i);
      auto event = [&](const char* name, int64_t ms) {
        records.emplace_back(id, R"({"type":"track","event":")" + std::string(name) + R"(","userId":")" + id +
                                     R"(","timestamp":")" + format_iso8601(now + ms) + R"("})");
      };
      event("Product Viewed", 0);
      event("Product Added", 100);
      if (i < kCheckouts) event("Checkout Started", 200);
    }
    produce(records);
  }

  void write_hooks(const Receiver& flaky, const Receiver& gaps, const Receiver& reject) {
    hooks_file_ = dir_ + "/hooks.yaml";
    std::ofstream(hooks_file_)
        << "endpoints:\n"
        << "  - name: flaky\n    url: " << flaky.url() << "\n    secret: " << kSecret
        << "\n    actions: [cart_abandon_email]\n    timeout: 300ms\n"
        << "    retry: { max_attempts: 1000, initial_backoff: 20ms, max_backoff: 200ms, "
           "jitter: equal }\n    max_in_flight: 4\n"
        << "  - name: gaps\n    url: " << gaps.url() << "\n    secret: " << kSecret
        << "\n    journeys: [checkout]\n    actions: [checkout_reminder]\n"
        << "    retry: { initial_backoff: 40ms, max_backoff: 10s, jitter: equal }\n"
        << "  - name: reject\n    url: " << reject.url() << "\n    secret: " << kSecret
        << "\n    actions: [checkout_reminder]\n    alerts: true\n";
  }

  std::string hooks_file_;
};

// Distinct delivery ids answered with a 2xx.
std::set<std::string> delivered(const std::vector<Received>& rs) {
  std::set<std::string> out;
  for (const auto& r : rs)
    if (r.status >= 200 && r.status < 300) out.insert(r.delivery);
  return out;
}

size_t stored_for(const state::Store& s, const std::string& endpoint) {
  auto all = webhook::load_deliveries(s);
  if (!all) return SIZE_MAX;
  size_t n = 0;
  for (const auto& d : all.value()) n += d.endpoint == endpoint;
  return n;
}

TEST_F(WebhookTest, DeliversThroughFailuresDeadLettersAndResumesAfterRestart) {
  std::atomic<bool> flaky_up{false};
  Receiver flaky(kSecret, [&](const http::Request&, size_t nth) -> std::optional<http::Response> {
    if (!flaky_up.load()) return answer(503, "down for maintenance");
    if (nth % 5 == 4) return std::nullopt;  // hangs past the 300 ms timeout
    return nth % 2 ? answer(503, "busy") : answer(200, "ok");
  });
  Receiver gaps(kSecret, [](const http::Request& q, size_t) {
    return std::stoi(std::string(q.header("x-journeyd-attempt").value_or("0"))) < 5 ? answer(503)
                                                                                    : answer(204);
  });
  Receiver reject(kSecret, [](const http::Request&, size_t) { return answer(400, R"({"error":"no"})"); });
  write_hooks(flaky, gaps, reject);
  produce_traffic();

  // Phase 1: the flaky endpoint is down. Everything else settles; its deliveries stay pending.
  auto left = run_until([&](const state::Store& s) {
    std::set<std::string> tried;
    for (const auto& r : flaky.received()) tried.insert(r.delivery);
    return tried.size() >= kCustomers - kCheckouts && stored_for(s, "gaps") == 0 &&
           delivered(gaps.received()).size() >= kCheckouts && stored_for(s, "reject") == 0 &&
           reject.received().size() >= 2 * kCheckouts;
  });
  ASSERT_EQ(left.size(), static_cast<size_t>(kCustomers - kCheckouts)) << "flaky's deliveries wait";
  for (const auto& d : left) {
    EXPECT_EQ(d.endpoint, "flaky");
    EXPECT_GE(d.attempts, 1u);
    EXPECT_EQ(d.last_status, 503);
  }

  // Backoff: each gaps delivery failed 4 times; with equal jitter the n-th delay is at least
  // 40 ms * 2^(n-1) / 2, so the gaps between its attempts grow.
  std::map<std::string, std::vector<int64_t>> arrivals;
  for (const auto& r : gaps.received()) arrivals[r.delivery].push_back(r.at_ns);
  ASSERT_EQ(arrivals.size(), static_cast<size_t>(kCheckouts));
  for (const auto& [id, at] : arrivals) {
    ASSERT_EQ(at.size(), 5u) << id;
    for (size_t i = 1; i < at.size(); ++i) {
      const int64_t gap_ms = (at[i] - at[i - 1]) / 1'000'000;
      EXPECT_GE(gap_ms, (20 << (i - 1)) - 2) << id << " gap " << i;
    }
    EXPECT_GT(at[4] - at[3], at[1] - at[0]) << id;
  }

  // Refused outright: one attempt each, then a dead letter per action and alert.
  auto dlq =
      read_until("journey.webhooks.dlq", [](const auto& recs) { return recs.size() >= 2 * kCheckouts; });
  ASSERT_EQ(dlq.size(), static_cast<size_t>(2 * kCheckouts));
  std::set<std::string> dead_ids;
  size_t dead_alerts = 0;
  for (const auto& raw : dlq) {
    const auto d = nlohmann::json::parse(raw);
    EXPECT_EQ(d["endpoint"], "reject");
    EXPECT_EQ(d["url"], reject.url());
    EXPECT_EQ(d["attempts"], 1);
    EXPECT_EQ(d["last_status"], 400);
    dead_ids.insert(d["delivery_id"].get<std::string>());
    if (d["event"] == "alert") {
      ++dead_alerts;
      EXPECT_EQ(d["record"]["severity"], "warning");
    } else {
      EXPECT_EQ(d["record"]["type"], "checkout_reminder");
    }
  }
  EXPECT_EQ(dead_ids.size(), static_cast<size_t>(2 * kCheckouts));
  EXPECT_EQ(dead_alerts, static_cast<size_t>(kCheckouts));

  // Phase 2: a new pipeline on the same state; the endpoint now fails only intermittently.
  flaky_up = true;
  left = run_until([&](const state::Store& s) { return stored_for(s, "flaky") == 0; });
  EXPECT_TRUE(left.empty());

  // Every cart-abandon action on Kafka reached the flaky endpoint; a repeat repeats its delivery id.
  std::set<std::string> expected;
  read_until("journey.actions", [&](const std::vector<std::string>& recs) {
    expected.clear();
    for (const auto& r : recs)
      if (json_field(r, "type") == "cart_abandon_email") expected.insert(json_field(r, "action_id"));
    return expected.size() >= static_cast<size_t>(kCustomers - kCheckouts);
  });
  ASSERT_EQ(expected.size(), static_cast<size_t>(kCustomers - kCheckouts));
  std::map<std::string, std::set<std::string>> ids_by_action;  // action_id → delivery ids seen
  for (const auto& r : flaky.received()) {
    EXPECT_TRUE(r.signature_ok) << r.signature;
    EXPECT_EQ(r.event, "action");
    if (r.status >= 200 && r.status < 300) ids_by_action[json_field(r.body, "action_id")].insert(r.delivery);
  }
  size_t hung = 0;
  for (const auto& r : flaky.received()) hung += r.status == 0;
  EXPECT_GT(hung, 0u) << "some attempts timed out and were retried";
  std::set<std::string> got;
  for (const auto& [action_id, ids] : ids_by_action) {
    got.insert(action_id);
    EXPECT_EQ(ids.size(), 1u) << action_id << ": a repeat must carry the same delivery id";
  }
  EXPECT_EQ(got, expected);
  for (const auto* rx : {&gaps, &reject})
    for (const auto& r : rx->received()) EXPECT_TRUE(r.signature_ok) << r.signature;
}

}  // namespace
}  // namespace journeyd::testing
