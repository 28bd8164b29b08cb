// journeyd-bench: one run, one table (docs/performance.md records it).
//   (a) engine only: decode + state + rules + RocksDB, events from memory
//   (b) end to end: the journeyd pipeline draining a mock-cluster topic
//   (c) a plain librdkafka consumer draining the same topic (the ceiling)
//   latency at half of (b)'s rate: Kafka timestamp → batch committed, and
//   drop-off deadline → action on journey.actions.
// Release builds only; never run as a test.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <thread>

#include "app/pipeline.h"
#include "common/clock.h"
#include "common/histogram.h"
#include "common/time_format.h"
#include "event/decoder.h"
#include "generator.h"
#include "journey/engine.h"
#include "journey/loader.h"
#include "journey/metrics.h"
#include "kafka/consumer.h"
#include "kafka/mock_cluster.h"
#include "kafka/producer.h"
#include "metrics/registry.h"
#include "state/outbox.h"
#include "state/store.h"

using namespace journeyd;

namespace {

constexpr const char* kJourney = R"(
journey: bench_checkout
version: 1
steps:
  - { id: viewed,    event: Product Viewed }
  - { id: added,     event: Product Added }
  - { id: checkout,  event: Checkout Started }
  - { id: purchased, event: Order Completed }
window: 1h
dropoff:
  - { after: added,    for: 2s, action: { type: cart_abandon_email } }
  - { after: checkout, for: 2s, action: { type: checkout_reminder } }
)";

double secs_since(int64_t t0) {
  return static_cast<double>(monotonic_ns() - t0) / 1e9;
}

struct Temp {
  std::string path;
  Temp() {
    char tmpl[] = "/tmp/journeyd-bench-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~Temp() { std::filesystem::remove_all(path); }
};

std::vector<loadgen::GeneratedEvent> generate(const journey::Definition& def, size_t customers) {
  loadgen::GeneratorOptions g;
  g.customers = customers;
  g.arrival_ms = 1;
  g.step_delay_ms = 200;
  g.conversion = {0.7, 0.6, 0.5};
  g.start_ms = SystemClock::instance().now_ms() - static_cast<int64_t>(customers) - 10'000;
  loadgen::Generator gen(def, g);
  std::vector<loadgen::GeneratedEvent> out;
  out.reserve(gen.expectation().events);
  loadgen::GeneratedEvent e;
  while (gen.next(e)) out.push_back(e);
  return out;
}

// (a) decode + engine + one RocksDB WriteBatch per 5000 events.
int64_t g_dedup_horizon_ms = 24LL * 3600 * 1000;  // engine.dedup_horizon (0: off)
// Metrics on, as journeyd runs: the engine's counters and the pipeline's.
metrics::Registry g_registry;

double engine_only(const journey::Definition& def, const std::vector<loadgen::GeneratedEvent>& events,
                   size_t partitions, uint64_t& state_bytes) {
  Temp dir;
  auto store = state::Store::open({dir.path + "/state"});
  auto outbox = state::Outbox::open(*store.value());
  journey::EngineOptions eo;
  eo.dedup_horizon_ms = g_dedup_horizon_ms;
  eo.history_retention_ms = 7LL * 24 * 3600 * 1000;  // state.history_retention's default
  journey::EngineMetrics engine_metrics(g_registry);
  eo.metrics = &engine_metrics;
  auto created = journey::Engine::create({def}, eo, *store.value(), outbox.value());
  if (!created) throw std::runtime_error(created.error().message);
  journey::Engine& engine = *created.value();
  event::Decoder decoder;
  const size_t batch_size = 5000;
  std::vector<event::Decoded> decoded;
  std::vector<journey::EventRef> refs;
  int64_t fire_ns = 0;
  const int64_t t0 = monotonic_ns();
  for (size_t i = 0; i < events.size(); i += batch_size) {
    state::Batch batch(*store.value());
    engine.begin(batch);
    decoded.clear();
    refs.clear();
    const size_t end = std::min(events.size(), i + batch_size);
    for (size_t k = i; k < end; ++k) decoded.push_back(decoder.decode(events[k].json, 0));
    for (size_t k = i; k < end; ++k) {
      const auto p = Partition{static_cast<int32_t>(std::hash<std::string>{}(events[k].key) % partitions)};
      refs.push_back({p, &std::get<event::Touchpoint>(decoded[k - i])});
    }
    (void)engine.prefetch(refs);
    for (const auto& r : refs) (void)engine.on_event(r.partition, *r.tp);
    const int64_t wm = std::get<event::Touchpoint>(decoded.back()).timestamp.value();
    const int64_t tf = monotonic_ns();
    for (size_t p = 0; p < partitions; ++p) (void)engine.fire_timers(Partition{static_cast<int32_t>(p)}, wm);
    fire_ns += monotonic_ns() - tf;
    engine.finish();
    (void)outbox.value().take_pending();
    if (auto r = store.value()->write(batch); !r) throw std::runtime_error(r.error().message);
  }
  const double s = secs_since(t0);
  const auto& st = engine.stats();
  fmt::print("    timers: {:.2f} s of {:.2f} s\n", double(fire_ns) / 1e9, s);
  fmt::print(
      "    engine: {} events, {} steps, {} timers scheduled, {} fired, {} stale, cache {} hits / {} misses\n",
      st.events, st.steps_reached, st.timers_scheduled, st.timers_fired, st.timers_stale, st.cache_hits,
      st.cache_misses);
  (void)store.value()->flush();
  state_bytes = store.value()->approximate_bytes();
  return static_cast<double>(events.size()) / s;
}

void produce_all(const std::string& bootstrap, const std::string& topic,
                 const std::vector<loadgen::GeneratedEvent>& events, bool stamp_now = false, double rate = 0,
                 double seconds = 0) {
  auto p = kafka::Producer::create({{{"bootstrap.servers", bootstrap},
                                     {"linger.ms", stamp_now ? "1" : "50"},
                                     {"batch.num.messages", "10000"},
                                     {"queue.buffering.max.messages", "1000000"},
                                     {"log_level", "3"}},
                                    {}});
  if (!p) throw std::runtime_error(p.error().message);
  const int64_t t0 = monotonic_ns();
  std::string json;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    std::string_view value = e.json;
    if (stamp_now) {
      if (rate > 0) {
        const int64_t due = t0 + static_cast<int64_t>(static_cast<double>(i) * 1e9 / rate);
        if (due > t0 + static_cast<int64_t>(seconds * 1e9)) break;
        while (monotonic_ns() < due) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      // Same event, timestamped at send time (live traffic).
      json = e.json;
      const auto pos = json.find("\"timestamp\":\"") + 13;
      json.replace(pos, 24, format_iso8601(SystemClock::instance().now_ms()));
      value = json;
    }
    for (;;) {
      auto st = p.value()->produce(topic, e.key, value, i);
      if (st && st.value() == kafka::ProduceStatus::queued) break;
      p.value()->poll(5);
    }
    p.value()->poll(0);
  }
  p.value()->flush(120'000);
}

// (c) the ceiling: drain the topic with a bare consumer.
double raw_consumer(const std::string& bootstrap, size_t total) {
  auto c = kafka::Consumer::create({{{"bootstrap.servers", bootstrap},
                                     {"group.id", "bench-raw"},
                                     {"fetch.wait.max.ms", "10"},
                                     {"session.timeout.ms", "6000"},
                                     {"log_level", "3"}},
                                    "touchpoints",
                                    {},
                                    {}});
  std::vector<kafka::Message> msgs;
  size_t n = 0;
  int64_t t0 = 0;
  const int64_t deadline = monotonic_ns() + 300'000'000'000;
  while (n < total && monotonic_ns() < deadline) {
    msgs.clear();
    c.value()->poll_batch(msgs, 5000, 100);
    if (!msgs.empty() && t0 == 0) t0 = monotonic_ns();
    n += msgs.size();
  }
  const double s = secs_since(t0);
  c.value()->close();
  if (n < total) fmt::print(stderr, "raw consumer saw only {}/{} messages\n", n, total);
  return static_cast<double>(n) / s;
}

int64_t g_batch_events = 0;

config::Config pipeline_config(const std::string& bootstrap, const std::string& dir,
                               const std::string& group) {
  auto cfg = config::defaults();
  if (g_batch_events > 0) cfg.engine_batch_max_events = g_batch_events;
  cfg.engine_dedup_horizon_ms = g_dedup_horizon_ms;
  cfg.kafka_brokers = bootstrap;
  cfg.kafka_group_id = group;
  cfg.state_dir = dir;
  cfg.kafka_consumer["session.timeout.ms"] = "6000";
  cfg.kafka_consumer["fetch.wait.max.ms"] = "10";
  cfg.kafka_common["log_level"] = "3";
  return cfg;
}

// Live traffic at `rate` events/s (timestamps = send time) on fresh topics:
// event → commit latency and drop-off deadline → action latency.
void latency_phase(kafka::MockCluster& cluster, const std::string& bootstrap, const journey::Definition& def,
                   size_t partitions, const std::string& dir, double rate, double latency_seconds) {
  const std::string tag = std::to_string(static_cast<int64_t>(rate));
  const std::string topic = "touchpoints.live." + tag, actions_topic = "journey.actions.live." + tag;
  int64_t t0 = 0;
  (void)cluster.create_topic({topic, static_cast<int>(partitions)});
  (void)cluster.create_topic({actions_topic, 8});
  auto cfg = pipeline_config(bootstrap, dir + "/lat-" + tag, "bench-lat-" + tag);
  cfg.topic_touchpoints = topic;
  cfg.topic_actions = actions_topic;
  auto p = app::Pipeline::create(cfg, {def}, SystemClock::instance(), &g_registry);
  std::atomic<bool> stop{false};
  std::thread runner([&] { (void)p.value()->run(stop); });
  // Action reader: deadline (due_at) → action record's Kafka timestamp, and → received here.
  Histogram due_to_produced, due_to_received;
  std::atomic<bool> reader_stop{false};
  std::thread reader([&] {
    auto c = kafka::Consumer::create({{{"bootstrap.servers", bootstrap},
                                       {"group.id", "bench-actions-" + tag},
                                       {"fetch.wait.max.ms", "5"},
                                       {"session.timeout.ms", "6000"},
                                       {"log_level", "3"}},
                                      actions_topic,
                                      {},
                                      {}});
    std::vector<kafka::Message> msgs;
    while (!reader_stop.load()) {
      msgs.clear();
      c.value()->poll_batch(msgs, 1000, 50);
      const int64_t now = SystemClock::instance().now_ms();
      for (const auto& m : msgs) {
        const std::string v(m.payload());
        const auto pos = v.find("\"due_at\":\"");
        if (pos == std::string::npos) continue;
        const auto due = parse_iso8601(std::string_view(v).substr(pos + 10, 24));
        if (!due) continue;
        due_to_produced.record(m.timestamp_ms() - *due);
        due_to_received.record(now - *due);
      }
    }
    c.value()->close();
  });
  // Wait for both group joins before sending live traffic.
  std::this_thread::sleep_for(std::chrono::seconds(8));
  auto live = generate(def, static_cast<size_t>(rate * latency_seconds / 2.0) + 1);
  t0 = monotonic_ns();
  produce_all(bootstrap, topic, live, true, rate, latency_seconds);
  const double sent_for = secs_since(t0);
  // Drop-offs of the last customers are due 2 s after their last step.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  stop = true;
  runner.join();
  reader_stop = true;
  reader.join();
  const auto& h = p.value()->commit_latency_us();
  fmt::print("latency at {:.0f} events/s for {:.1f} s ({} events):\n", rate, sent_for, h.count());
  fmt::print("  event (Kafka timestamp) → state committed: p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms\n",
             double(h.percentile(0.50)) / 1000.0, double(h.percentile(0.99)) / 1000.0,
             double(h.max()) / 1000.0);
  fmt::print(
      "  drop-off deadline → action produced: p50 {} ms, p99 {} ms ({} actions; includes engine.grace = 500 "
      "ms)\n",
      due_to_produced.percentile(0.5), due_to_produced.percentile(0.99), due_to_produced.count());
  fmt::print("  drop-off deadline → action received by a consumer: p50 {} ms, p99 {} ms\n",
             due_to_received.percentile(0.5), due_to_received.percentile(0.99));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"journeyd-bench — throughput and latency figures"};
  size_t customers = 1'000'000, partitions = 64;
  double latency_seconds = 10;
  bool engine_only_phase = false;
  cli.add_flag("--engine-only", engine_only_phase, "Run only phase (a)");
  bool skip_engine_only = false, skip_latency = false;
  int64_t batch_events = 0;
  cli.add_option("--batch", batch_events, "engine.batch_max_events for the pipeline (0: default)");
  cli.add_flag("--skip-engine-only", skip_engine_only, "Skip phase (a) (e.g. to profile the pipeline)");
  cli.add_flag("--skip-latency", skip_latency, "Skip the latency phase");
  cli.add_option("--customers", customers, "Customers in the generated traffic")->capture_default_str();
  cli.add_option("--partitions", partitions, "Partitions of the touchpoints topic")->capture_default_str();
  cli.add_option("--latency-seconds", latency_seconds, "Duration of the latency phase")
      ->capture_default_str();
  std::string dedup = "24h";
  cli.add_option("--dedup-horizon", dedup, "engine.dedup_horizon (0 turns deduplication off)")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  g_batch_events = batch_events;
  if (auto h = parse_duration(dedup)) {
    g_dedup_horizon_ms = *h;
  } else {
    fmt::print(stderr, "bad --dedup-horizon '{}'\n", dedup);
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);

  auto defs = journey::load_text(kJourney, "bench");
  const auto& def = defs.definitions.at(0);
  fmt::print("generating {} customers...\n", customers);
  const auto events = generate(def, customers);
  size_t bytes = 0;
  for (const auto& e : events) bytes += e.json.size();
  fmt::print("{} events, {:.0f} bytes/event on average\n", events.size(),
             double(bytes) / double(events.size()));

  uint64_t state_bytes = 0;
  const double a = skip_engine_only ? 0 : engine_only(def, events, partitions, state_bytes);
  if (!skip_engine_only)
    fmt::print("(a) engine only: {:.0f} events/s; state after flush {:.1f} MiB = {:.0f} B/customer\n", a,
               double(state_bytes) / 1048576.0, double(state_bytes) / double(customers));

  if (engine_only_phase) return 0;
  auto cluster = kafka::MockCluster::start({3,
                                            {{"touchpoints", static_cast<int>(partitions)},
                                             {"touchpoints.dlq", 8},
                                             {"journey.actions", 8},
                                             {"journey.alerts", 8}}});
  const auto bootstrap = cluster.value()->bootstrap_servers();
  int64_t t0 = monotonic_ns();
  produce_all(bootstrap, "touchpoints", events);
  fmt::print("produced {} events in {:.1f} s\n", events.size(), secs_since(t0));

  const double c = raw_consumer(bootstrap, events.size());
  fmt::print("(c) raw librdkafka consumer: {:.0f} events/s\n", c);

  Temp dir;
  double b = 0;
  {
    auto p = app::Pipeline::create(pipeline_config(bootstrap, dir.path + "/e2e", "bench-e2e"), {def},
                                   SystemClock::instance(), &g_registry);
    if (!p) {
      fmt::print(stderr, "{}\n", p.error().message);
      return 1;
    }
    std::atomic<bool> stop{false};
    std::thread runner([&] { (void)p.value()->run(stop); });
    int64_t first = 0;
    const int64_t deadline = monotonic_ns() + 600'000'000'000;
    while (p.value()->stats().consumed.load() < events.size() && monotonic_ns() < deadline) {
      if (!first && p.value()->stats().consumed.load() > 0) first = monotonic_ns();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    b = static_cast<double>(p.value()->stats().consumed.load()) / secs_since(first);
    stop = true;
    runner.join();
    fmt::print("(b) end to end (journeyd pipeline): {:.0f} events/s; b/c = {:.2f}\n", b, b / c);
  }

  // Latency at ⅛, ¼ and ½ of (b)'s rate, with the producer running in this process too.
  if (!skip_latency)
    for (double rate : {b / 8, b / 4, b / 2})
      latency_phase(*cluster.value(), bootstrap, def, partitions, dir.path, rate, latency_seconds);
  return 0;
}
