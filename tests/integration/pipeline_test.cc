// The whole pipeline on real components: generated journeys are produced to the
// mock cluster, journeyd's pipeline consumes them, and journey.actions holds
// exactly the drop-off actions the generator predicts.
#include <set>
#include <thread>

#include "app/pipeline.h"
#include "common/time_format.h"
#include "generator.h"
#include "integration/kafka_fixture.h"
#include "journey/loader.h"

namespace journeyd::testing {
namespace {

class PipelineTest : public KafkaFixture {
 protected:
  journey::Definition load_fast_checkout() {
    auto r = journey::load_path(JOURNEYD_SOURCE_DIR "/tests/data/streams/fast_checkout.yaml");
    EXPECT_TRUE(r.ok());
    return r.definitions.at(0);
  }

  // Compressed event time ending "now": arrivals 2 ms apart, steps ~200 ms apart, drop-off after 1 s.
  loadgen::GeneratorOptions traffic(size_t customers, uint64_t seed) {
    loadgen::GeneratorOptions g;
    g.customers = customers;
    g.arrival_ms = 2;
    g.step_delay_ms = 200;
    g.conversion = {0.8, 0.6, 0.5};
    g.seed = seed;
    g.start_ms = SystemClock::instance().now_ms() - static_cast<int64_t>(customers) * 2 - 1000;
    return g;
  }
};

TEST_F(PipelineTest, EmitsExactlyTheExpectedDropoffActions) {
  const auto def = load_fast_checkout();
  loadgen::Generator gen(def, traffic(3000, 7));
  ASSERT_EQ(gen.check(), "");
  std::vector<std::pair<std::string, std::string>> records;
  loadgen::GeneratedEvent e;
  while (gen.next(e)) records.emplace_back(e.key, e.json);
  // Malformed input in the same stream must go to the DLQ and disturb nothing else.
  records.emplace_back("bad1", "{not json");
  records.emplace_back("bad2", R"({"type":"track","event":"Product Viewed"})");
  records.emplace_back(
      "u-future",
      R"({"type":"track","event":"Product Viewed","userId":"u-future","timestamp":"2099-01-01T00:00:00Z"})");
  produce(records);
  const auto& expect = gen.expectation();
  ASSERT_GT(expect.actions, 100u);

  auto cfg = make_config();
  auto pipeline = app::Pipeline::create(cfg, {def}, SystemClock::instance());
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  std::atomic<bool> stop{false};
  Result<void> result = outcome::success();
  std::thread runner([&] { result = pipeline.value()->run(stop); });

  std::set<std::string> ids;
  auto actions = read_until("journey.actions", [&](const std::vector<std::string>& recs) {
    ids.clear();
    for (const auto& r : recs) ids.insert(json_field(r, "action_id"));
    return ids.size() >= expect.actions;
  });
  auto dlq = read_until("touchpoints.dlq", [](const auto& recs) { return recs.size() >= 3; });
  stop = true;
  runner.join();
  ASSERT_TRUE(result) << result.error().message;

  EXPECT_EQ(ids.size(), expect.actions);
  EXPECT_EQ(actions.size(), expect.actions) << "a clean run must not duplicate";
  EXPECT_EQ(pipeline.value()->stats().actions.load(), expect.actions);
  EXPECT_EQ(pipeline.value()->stats().alerts.load(), expect.alerts);
  EXPECT_EQ(pipeline.value()->stats().consumed.load(), records.size());
  // A far-future timestamp is rejected: it would otherwise fire every pending timer of its partition.
  ASSERT_EQ(dlq.size(), 3u);
  std::multiset<std::string> categories;
  for (const auto& d : dlq) categories.insert(json_field(d, "category"));
  EXPECT_EQ(categories, (std::multiset<std::string>{"parse_error", "missing_identity", "schema_violation"}));
  size_t cart = 0;
  for (const auto& a : actions) cart += json_field(a, "type") == "cart_abandon_email";
  EXPECT_EQ(cart, expect.stopped_at[1]);
}

TEST_F(PipelineTest, RestartResumesFromStoredOffsetsWithoutRepeatingActions) {
  const auto def = load_fast_checkout();
  loadgen::Generator gen(def, traffic(1000, 11));
  std::vector<std::pair<std::string, std::string>> records;
  loadgen::GeneratedEvent e;
  while (gen.next(e)) records.emplace_back(e.key, e.json);
  const size_t half = records.size() / 2;
  produce({records.begin(), records.begin() + static_cast<std::ptrdiff_t>(half)});

  auto cfg = make_config();
  uint64_t first_run_consumed = 0;
  {
    // A frozen clock: the first run sees only half the traffic, and must not
    // take the pause before the second half for idleness (hybrid clock).
    ManualClock frozen(SystemClock::instance().now_ms());
    auto p = app::Pipeline::create(cfg, {def}, frozen);
    ASSERT_TRUE(p) << p.error().message;
    std::atomic<bool> stop{false};
    std::thread runner([&] { ASSERT_TRUE(p.value()->run(stop)); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (p.value()->stats().consumed.load() < half && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop = true;
    runner.join();
    first_run_consumed = p.value()->stats().consumed.load();
  }
  ASSERT_EQ(first_run_consumed, half);
  produce({records.begin() + static_cast<std::ptrdiff_t>(half), records.end()});

  auto p = app::Pipeline::create(cfg, {def}, SystemClock::instance());
  ASSERT_TRUE(p) << p.error().message;
  std::atomic<bool> stop{false};
  std::thread runner([&] { ASSERT_TRUE(p.value()->run(stop)); });
  std::set<std::string> ids;
  auto actions = read_until("journey.actions", [&](const std::vector<std::string>& recs) {
    ids.clear();
    for (const auto& r : recs) ids.insert(json_field(r, "action_id"));
    return ids.size() >= gen.expectation().actions;
  });
  stop = true;
  runner.join();
  EXPECT_EQ(p.value()->stats().consumed.load(), records.size() - half) << "resumed from the stored offsets";
  EXPECT_EQ(ids.size(), gen.expectation().actions);
  EXPECT_EQ(actions.size(), gen.expectation().actions);
}

}  // namespace
}  // namespace journeyd::testing

namespace journeyd::testing {
namespace {

// The hybrid clock counts downtime: journeyd stops with drop-offs pending on an
// idle partition; after a restart later (by the injected clock) they are overdue
// and fire without any new event arriving.
TEST_F(PipelineTest, OverdueTimersOfAnIdlePartitionFireAfterARestart) {
  auto r = journey::load_path(JOURNEYD_SOURCE_DIR "/tests/data/streams/fast_checkout.yaml");
  ASSERT_TRUE(r.ok());
  const auto def = r.definitions.at(0);
  ManualClock clock(1'800'000'000'000);  // 2027-01-15; the events are "now" by this clock
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 20; ++i) {
    const std::string id = "idle-" + std::to_string(i);
    const auto ts = [&](int64_t ms) { return format_iso8601(clock.now_ms() + ms); };
    records.emplace_back(id, R"({"type":"track","event":"Product Viewed","userId":")" + id +
                                 R"(","timestamp":")" + ts(0) + R"("})");
    records.emplace_back(id, R"({"type":"track","event":"Product Added","userId":")" + id +
                                 R"(","timestamp":")" + ts(100) + R"("})");
  }
  produce(records);
  auto cfg = make_config();
  {
    auto p = app::Pipeline::create(cfg, {def}, clock);
    ASSERT_TRUE(p) << p.error().message;
    std::atomic<bool> stop{false};
    std::thread runner([&] { ASSERT_TRUE(p.value()->run(stop)); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (p.value()->stats().consumed.load() < records.size() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop = true;
    runner.join();
    ASSERT_EQ(p.value()->stats().consumed.load(), records.size());
    EXPECT_EQ(p.value()->stats().actions.load(), 0u) << "the clock did not move: nothing is due yet";
  }
  clock.advance(60'000);  // a minute of downtime
  auto p = app::Pipeline::create(cfg, {def}, clock);
  ASSERT_TRUE(p) << p.error().message;
  std::atomic<bool> stop{false};
  std::thread runner([&] { ASSERT_TRUE(p.value()->run(stop)); });
  auto actions = read_until("journey.actions", [](const auto& recs) { return recs.size() >= 20; });
  stop = true;
  runner.join();
  EXPECT_EQ(actions.size(), 20u);
  EXPECT_EQ(p.value()->stats().consumed.load(), 0u);
}

}  // namespace
}  // namespace journeyd::testing
