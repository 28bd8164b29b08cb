// The same events give the same records through `journeyctl backtest` (no
// Kafka, one partition) and through the Kafka pipeline (mock cluster, six
// partitions, consumer group, outbox relay): every action, alert and
// suppressed record byte for byte, and the same DLQ categories.
//
// The history covers every definition kind and delivery rule
// (tests/data/streams/equivalence), identity merges, duplicates and late
// events. It is produced in three phases — the anonymous beginnings, the
// identifies, the rest under the user's id — so that per-customer order holds
// across the anonymous and the user partition (Kafka orders a key, not a
// customer). Anonymous-only events after a link are covered by the golden case
// identity_merge and the engine's unit tests: across partitions their order
// relative to the user's events is not Kafka's to keep.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "app/pipeline.h"
#include "backtest/backtest.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "integration/kafka_fixture.h"
#include "journey/loader.h"

namespace journeyd::testing {
namespace {

struct Event {
  std::string key;
  std::string json;
  int64_t order = 0;  // position in the stream: the event time (a late copy sorts after its original)
};

struct History {
  std::vector<Event> phases[3];
};

// A deterministic history: `customers` customers over ~60 days ending before `end_ms`.
History make_history(uint32_t customers, int64_t start_ms) {
  std::mt19937_64 rng(20261123);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const char* zones[] = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", ""};
  const char* names[] = {"Page Viewed",     "Product Viewed", "Product Added", "Checkout Started",
                         "Order Completed", "NPS Submitted",  "Ticket Opened", "Ticket Replied",
                         "Search",          "Unsubscribed"};
  const int weights[] = {14, 18, 14, 8, 8, 5, 5, 5, 6, 1};
  std::discrete_distribution<int> pick(std::begin(weights), std::end(weights));
  History h;
  for (uint32_t c = 0; c < customers; ++c) {
    const std::string user = fmt::format("u-{}", c), anon = fmt::format("a-{}", c);
    const bool starts_anonymous = c % 4 == 0;
    const int n = static_cast<int>(uniform(4, 24));
    const int identify_at = starts_anonymous ? static_cast<int>(uniform(1, 3)) : -1;
    const std::string tz = zones[c % 5];
    // Anonymous beginnings all lie in the first minutes, each identify a minute later at most: the
    // clock is then still before every deadline (the shortest is 20 minutes), so no timer of an
    // anonymous customer can fire before its merge on one path and after it on the other.
    int64_t t = starts_anonymous ? start_ms + uniform(0, 300'000) : start_ms + uniform(0, 20LL * 86'400'000);
    int phase = starts_anonymous ? 0 : 2;  // customers who are never anonymous go with the rest
    std::string last_line, last_key;
    for (int i = 0; i < n; ++i) {
      const int64_t gap = i <= identify_at    ? uniform(1'000, 60'000)
                          : uniform(0, 9) < 6 ? uniform(10'000, 3'600'000)
                                              : uniform(3'600'000, 4 * 86'400'000LL);
      t += gap;
      std::string json;
      JsonWriter w(json);
      std::string key;
      if (i == identify_at) {
        phase = 1;
        w.begin_object().field("type", "identify").field("userId", user).field("anonymousId", anon);
        key = user;
      } else {
        const char* name = names[pick(rng)];
        w.begin_object();
        if (std::string_view(name) == "Page Viewed")
          w.field("type", "page").field("name", "Home");
        else
          w.field("type", "track").field("event", name);
        if (phase == 1) phase = 2;  // the events after the identify
        const bool anonymous_only = phase == 0;
        if (anonymous_only) {
          w.field("anonymousId", anon);
          key = anon;
        } else {
          w.field("userId", user);
          if (starts_anonymous) w.field("anonymousId", anon);
          key = user;
        }
        w.key("properties").begin_object();
        w.key("price").number(uniform(0, 4) == 0 ? 0.0 : 9.99);
        w.key("revenue").number(static_cast<double>(uniform(5, 150)));
        w.key("score").number(static_cast<int64_t>(uniform(0, 10)));
        w.end_object();
      }
      w.field("messageId", fmt::format("m-{}-{}", c, i)).field("timestamp", format_iso8601(t));
      if (!tz.empty()) w.key("context").begin_object().field("timezone", tz).end_object();
      w.end_object();
      h.phases[phase].push_back({key, json, t});
      if (uniform(0, 49) == 0) h.phases[phase].push_back({key, json, t});  // a producer retry: same messageId
      if (uniform(0, 79) == 0) {                                           // late by more than the grace
        std::string late;
        JsonWriter lw(late);
        lw.begin_object()
            .field("type", "track")
            .field("event", "Product Viewed")
            .field("userId", user)
            .field("messageId", fmt::format("late-{}-{}", c, i))
            .field("timestamp", format_iso8601(t - 5000))
            .end_object();
        if (key == user) h.phases[phase].push_back({user, late, t});
      }
    }
  }
  // Like a live stream, each phase in time order (customers interleaved): a customer's events must not
  // arrive after the partition clock passed their time by days, or timers race them.
  for (auto& ph : h.phases)
    std::stable_sort(ph.begin(), ph.end(), [](const Event& a, const Event& b) { return a.order < b.order; });
  return h;
}

std::multiset<std::string> only(const std::vector<backtest::Record>& rs, const std::string& sink) {
  std::multiset<std::string> out;
  for (const auto& r : rs)
    if (r.sink == sink) out.insert(r.json);
  return out;
}

std::multiset<std::string> categories(const std::vector<std::string>& dlq) {
  std::multiset<std::string> out;
  for (const auto& r : dlq) out.insert(json_field(r, "category"));
  return out;
}

// Equal multisets, or a readable difference (sizes and the first records on each side only).
::testing::AssertionResult same(const std::multiset<std::string>& kafka,
                                const std::multiset<std::string>& backtest) {
  if (kafka == backtest) return ::testing::AssertionSuccess();
  std::vector<std::string> only_kafka, only_backtest;
  std::set_difference(kafka.begin(), kafka.end(), backtest.begin(), backtest.end(),
                      std::back_inserter(only_kafka));
  std::set_difference(backtest.begin(), backtest.end(), kafka.begin(), kafka.end(),
                      std::back_inserter(only_backtest));
  auto r = ::testing::AssertionFailure()
           << "kafka " << kafka.size() << " records, backtest " << backtest.size()
           << "; only in kafka: " << only_kafka.size() << ", only in backtest: " << only_backtest.size();
  for (size_t i = 0; i < std::min<size_t>(5, only_kafka.size()); ++i) r << "\n  kafka:    " << only_kafka[i];
  for (size_t i = 0; i < std::min<size_t>(5, only_backtest.size()); ++i)
    r << "\n  backtest: " << only_backtest[i];
  return r;
}

class BacktestEquivalenceTest : public KafkaFixture {};

TEST_F(BacktestEquivalenceTest, KafkaPipelineEmitsExactlyWhatTheBacktestEmits) {
  auto defs = journey::load_path(JOURNEYD_SOURCE_DIR "/tests/data/streams/equivalence");
  ASSERT_TRUE(defs.ok()) << defs.errors.front();

  // Event times in the past (the pipeline rejects times ahead of the wall clock).
  const int64_t start = SystemClock::instance().now_ms() - 200LL * 86'400'000;
  const History h = make_history(400, start);
  // A last event per partition far after everything: every deadline of the history is then due on
  // both paths, and none lies between the end of the history and the wall-clock drift of the pipeline.
  int64_t last = 0;
  for (const auto& ph : h.phases)
    for (const auto& e : ph) last = std::max(last, *parse_iso8601(json_field(e.json, "timestamp")));
  std::vector<Event> ticks;
  for (int i = 0; i < 64; ++i)
    ticks.push_back({fmt::format("tick-{}", i),
                     fmt::format(R"({{"type":"track","event":"Tick","userId":"tick-{}","timestamp":"{}"}})",
                                 i, format_iso8601(last + 60LL * 86'400'000))});

  // Backtest: the same events in the same order, clock stopped at the last event.
  std::stringstream all;
  for (const auto& ph : h.phases)
    for (const auto& e : ph) all << e.json << "\n";
  for (const auto& e : ticks) all << e.json << "\n";
  if (const char* dump = std::getenv("JOURNEYD_DUMP_HISTORY")) std::ofstream(dump) << all.str();
  backtest::Options bo;
  auto expected = backtest::run(defs.definitions, all, bo);
  ASSERT_TRUE(expected) << expected.error().message;
  const auto& records = expected.value().records;
  const auto actions = only(records, "action"), alerts = only(records, "alert"),
             suppressed = only(records, "suppressed");
  std::multiset<std::string> dlq_categories;
  for (const auto& r : only(records, "dlq")) dlq_categories.insert(json_field(r, "category"));
  // The history must exercise what it claims to.
  ASSERT_GT(actions.size(), 100u);
  ASSERT_GT(alerts.size(), 50u);
  ASSERT_GT(suppressed.size(), 20u);
  ASSERT_GT(expected.value().duplicates, 0u);
  ASSERT_GT(dlq_categories.count("late_event"), 0u);
  for (const char* t : {"dropoff", "event", "sla_breach", "inactivity", "rfm_segment"}) {
    bool seen = false;
    for (const auto& a : actions) seen |= json_field(a, "trigger") == t;
    EXPECT_TRUE(seen) << "no action of trigger " << t;
  }

  // Kafka: produce phase by phase, each consumed before the next.
  auto cfg = make_config();
  auto pipeline = app::Pipeline::create(cfg, defs.definitions, SystemClock::instance());
  ASSERT_TRUE(pipeline) << pipeline.error().message;
  std::atomic<bool> stop{false};
  Result<void> result = outcome::success();
  std::thread runner([&] { result = pipeline.value()->run(stop); });
  size_t produced = 0;
  auto send = [&](const std::vector<Event>& events) {
    std::vector<std::pair<std::string, std::string>> kv;
    for (const auto& e : events) kv.emplace_back(e.key, e.json);
    produce(kv);
    produced += events.size();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (pipeline.value()->stats().consumed.load() < produced &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(pipeline.value()->stats().consumed.load(), produced);
  };
  for (const auto& ph : h.phases) send(ph);
  send(ticks);

  const size_t want = actions.size() + alerts.size() + suppressed.size();
  auto count = [&](const std::string& topic, size_t n) {
    return read_until(topic, [n](const std::vector<std::string>& got) { return got.size() >= n; });
  };
  const auto got_actions = count("journey.actions", actions.size());
  const auto got_alerts = count("journey.alerts", alerts.size());
  const auto got_suppressed = count("journey.actions.suppressed", suppressed.size());
  const auto got_dlq = count("touchpoints.dlq", dlq_categories.size());
  stop = true;
  runner.join();
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_GT(want, 0u);

  if (const char* dump = std::getenv("JOURNEYD_DUMP_HISTORY")) {
    std::ofstream out(std::string(dump) + ".kafka");
    for (const auto& r : got_actions) out << r << "\n";
    for (const auto& r : got_alerts) out << r << "\n";
  }
  EXPECT_TRUE(same({got_actions.begin(), got_actions.end()}, actions));
  EXPECT_TRUE(same({got_alerts.begin(), got_alerts.end()}, alerts));
  EXPECT_TRUE(same({got_suppressed.begin(), got_suppressed.end()}, suppressed));
  EXPECT_TRUE(same(categories(got_dlq), dlq_categories));
}

}  // namespace
}  // namespace journeyd::testing
