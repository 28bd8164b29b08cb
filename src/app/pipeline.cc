#include "app/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <map>
#include <mutex>
#include <set>

#include "app/kafka_config.h"
#include "app/memory_budget.h"
#include "app/metrics.h"
#include "app/outbox_relay.h"
#include "common/time_format.h"
#include "event/decoder.h"
#include "event/dlq.h"
#include "journey/engine.h"
#include "journey/loader.h"
#include "journey/metrics.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "state/offsets.h"
#include "state/outbox.h"
#include "state/store.h"
#include "webhook/config.h"
#include "webhook/metrics.h"
#include "webhook/relay.h"

namespace journeyd::app {
namespace {

struct PartitionClock {
  state::PartitionProgress progress;  // persisted with every batch that touches the partition
  int64_t clock = kNoTime;            // event time: max event time, plus idle wall time once caught up
  // The broker's high watermark when the partition was (re)assigned, asked for
  // once: librdkafka's cached value may predate the assignment (-1: not yet known).
  int64_t hi_at_assign = -1;
  int64_t hi_retry_at = 0;  // wall time of the next attempt after a failed query
  bool touched = false;
};

}  // namespace

// Member order is destruction order in reverse: the consumer goes first (its
// close() runs the revoke callback, which touches partitions and the engine),
// the relay outlives the producer whose delivery callback points at it.
struct Pipeline::Impl {
  config::Config cfg;
  Clock* clock = nullptr;
  std::unique_ptr<state::Store> store;
  std::optional<state::Outbox> outbox;
  std::unique_ptr<journey::Engine> engine;
  int64_t event_now = kNoTime;  // the latest partition clock (event time; advances with the wall when idle)
  std::unique_ptr<OutboxRelay> relay;
  std::unique_ptr<webhook::WebhookMetrics> webhook_metrics;
  std::unique_ptr<webhook::WebhookRelay> webhooks;  // null: no webhooks configured
  std::unique_ptr<kafka::Producer> producer;
  std::shared_ptr<const event::Privacy> privacy;  // PII rules (docs/security.md); null: none
  event::Decoder decoder;
  std::map<int32_t, PartitionClock> partitions;
  PipelineStats stats;
  Histogram commit_latency;
  Error fatal;
  bool has_fatal = false;
  std::unique_ptr<journey::EngineMetrics> engine_metrics;
  std::unique_ptr<PipelineMetrics> metrics;
  std::mutex posted_mu;
  std::vector<std::function<void(Services&)>> posted;
  bool closed = false;  // under posted_mu: run() has finished
  std::unique_ptr<kafka::Consumer> consumer;

  Impl(const config::Config& c, std::shared_ptr<const event::Privacy> p)
      : cfg(c),
        privacy(p),
        decoder(event::DecoderOptions{static_cast<size_t>(c.engine_max_event_bytes), p}) {}
  ~Impl() {
    if (consumer) consumer->close();
  }

  std::map<int32_t, int64_t> on_assign(const std::vector<Partition>& ps) {
    std::map<int32_t, int64_t> starts;
    const int64_t now = clock->now_ms();
    for (auto p : ps) {
      auto prog = state::get_progress(*store, cfg.topic_touchpoints, p);
      if (!prog) {
        // Without its offset we must not consume the partition: stop the process.
        fatal = prog.error();
        has_fatal = true;
        continue;
      }
      PartitionClock pc;
      pc.progress.last_arrival_wall = now;
      if (prog.value()) {
        pc.progress = *prog.value();
        if (pc.progress.last_arrival_wall < 0) pc.progress.last_arrival_wall = now;  // older record format
        starts[p.value()] = pc.progress.next_offset.value();
      }
      partitions[p.value()] = pc;
      stats.partitions.store(static_cast<int>(partitions.size()));
      engine->assign(std::span(&p, 1));
      spdlog::info("partition {}: resuming at offset {}", p.value(),
                   prog.value() ? std::to_string(pc.progress.next_offset.value()) : "beginning");
    }
    return starts;
  }

  void on_revoke(const std::vector<Partition>& ps) {
    for (auto p : ps) {
      partitions.erase(p.value());
      if (metrics) {
        const auto label = std::to_string(p.value());
        metrics->lag.remove({label});
        metrics->watermark_delay.remove({label});
      }
    }
    stats.partitions.store(static_cast<int>(partitions.size()));
    engine->forget_partitions(ps);
  }

  // The partition's event-time clock; each definition's timers fire once it
  // passes their deadline plus the definition's grace.
  int64_t event_clock(Partition p, PartitionClock& pc, int64_t now) {
    if (pc.progress.max_event_time == kNoTime) return kNoTime;
    int64_t wm = pc.progress.max_event_time;
    // Hybrid clock: once the partition is caught up, event time also advances
    // with the wall time elapsed since its last message (persisted, so a
    // restart counts the downtime), so timers fire on idle partitions while a
    // replay of history (which has lag) is unaffected. The consumer's position
    // is past transaction markers, which the high watermark counts. Nothing is
    // "caught up" before everything that existed at assignment time was read.
    if (pc.hi_at_assign < 0 && now >= pc.hi_retry_at) {
      pc.hi_at_assign = consumer->query_high_watermark(p, 1000);
      if (pc.hi_at_assign < 0) pc.hi_retry_at = now + 5000;  // broker unreachable: don't stall every batch
    }
    const int64_t hi = std::max(consumer->high_watermark(p), pc.hi_at_assign);
    const int64_t pos = std::max(pc.progress.next_offset.value(), consumer->position(p));
    if (pc.hi_at_assign >= 0 && pos >= hi) wm += std::max<int64_t>(0, now - pc.progress.last_arrival_wall);
    pc.clock = std::max(pc.clock, wm);
    return pc.clock;
  }

  // SIGHUP or the admin API: load streams.dir again; a bad folder or an unbumped change keeps the
  // running definitions.
  ReloadOutcome reload_definitions() {
    ReloadOutcome out;
    auto loaded = journey::load_path(cfg.streams_dir);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) spdlog::error("reload: {}", e);
      spdlog::error("reload refused: {} problem(s) in {}; the running definitions stay", loaded.errors.size(),
                    cfg.streams_dir);
      out.problems = std::move(loaded.errors);
    } else {
      out.definitions = loaded.definitions.size();
      if (auto r = engine->reload(std::move(loaded.definitions)); !r) {
        spdlog::error("reload refused: {}", r.error().message);
        out.problems.push_back(r.error().message);
      } else {
        out.ok = true;
        spdlog::info("reloaded {} definition(s) from {}", out.definitions, cfg.streams_dir);
      }
    }
    if (metrics) {
      metrics->reloads.with({out.ok ? "applied" : "refused"}).inc();
      metrics->definitions.set(static_cast<double>(engine->registry().size()));
    }
    return out;
  }

  // The endpoints of webhooks.file, and the deliveries stored before a restart (the outbox numbers
  // new records after them: their keys start with an outbox seq).
  Result<void> open_webhooks(metrics::Registry* registry) {
    auto hooks = webhook::load_config(cfg.webhooks_file);
    if (!hooks.ok()) {
      std::string all;
      for (const auto& e : hooks.errors) all += (all.empty() ? "" : "\n") + e;
      return fail(Errc::invalid_argument, all);
    }
    if (hooks.config.empty()) return outcome::success();
    if (registry) webhook_metrics = std::make_unique<webhook::WebhookMetrics>(*registry);
    auto relay =
        webhook::WebhookRelay::create(std::move(hooks.config), *store, *clock, webhook_metrics.get());
    if (!relay) return relay.error();
    webhooks = std::move(relay.value());
    auto last = webhooks->load();
    if (!last) return last.error();
    if (last.value()) outbox->reserve_through(*last.value());
    return outcome::success();
  }

  // Functions posted by other threads (the HTTP API), between two batches.
  void run_posted() {
    std::vector<std::function<void(Services&)>> fns;
    {
      std::lock_guard lock(posted_mu);
      fns.swap(posted);
    }
    if (fns.empty()) return;
    Services s{*engine, *store, *relay, *clock, webhooks.get(), event_now};
    for (auto& fn : fns) {
      try {
        fn(s);
      } catch (const std::exception& e) {  // an API call must not take the process down
        spdlog::error("api: a posted call failed: {}", e.what());
      }
    }
  }

  void update_metrics(size_t consumed, size_t decoded, int64_t now) {
    auto& m = *metrics;
    m.consumed.inc(static_cast<double>(consumed));
    m.decoded.inc(static_cast<double>(decoded));
    m.batches.inc();
    const auto& es = engine->stats();
    m.applied.update(es.events);
    m.duplicates.update(es.duplicates);
    m.fenced.update(es.fenced);
    m.timers_fired.update(es.timers_fired);
    m.timers_stale.update(es.timers_stale);
    m.cache_hits.update(es.cache_hits);
    m.cache_misses.update(es.cache_misses);
    m.identity_links.update(es.identity_links);
    m.erasures.update(es.erasures);
    m.delivered.update(relay->delivered());
    m.outbox_depth.set(static_cast<double>(relay->queued() + relay->in_flight()));
    m.outbox_parked.set(static_cast<double>(relay->parked()));
    m.partitions.set(static_cast<double>(partitions.size()));
    m.outbox_stalled.set(static_cast<double>(relay->stalled_ms()) / 1000.0);
    m.outbox_bytes.set(static_cast<double>(relay->bytes()));
    m.input_paused.set(consumer->paused() ? 1 : 0);
    m.input_pauses.update(stats.input_pauses.load(std::memory_order_relaxed));
    auto kafka_health = [&](const char* client, const kafka::ClientHealth& health, Mirror& errors) {
      const auto h = health.snapshot();
      m.kafka_up.with({client}).set(h.reachable && h.coordinator ? 1 : 0);
      m.kafka_brokers_up.with({client}).set(h.brokers_up);
      errors.update(h.errors);
    };
    kafka_health("consumer", *stats.consumer_health, m.kafka_errors_consumer);
    kafka_health("producer", *stats.producer_health, m.kafka_errors_producer);
    for (const auto& [p, pc] : partitions) {
      const auto label = std::to_string(p);
      const int64_t hi = std::max(consumer->high_watermark(Partition{p}), pc.hi_at_assign);
      const int64_t pos = std::max(pc.progress.next_offset.value(), consumer->position(Partition{p}));
      if (hi >= 0) m.lag.with({label}).set(static_cast<double>(std::max<int64_t>(0, hi - pos)));
      if (pc.clock != kNoTime)
        m.watermark_delay.with({label}).set(static_cast<double>(now - pc.clock) / 1000.0);
    }
  }

  // Backpressure (engine.max_outbox_mb): over the bound, pause the input and hold timers; resume
  // below half. Only the relay's deliveries shrink the outbox, and they go on meanwhile.
  void apply_backpressure() {
    const size_t bytes = relay->bytes(), limit = static_cast<size_t>(cfg.engine_max_outbox_mb) << 20;
    if (!consumer->paused() && bytes >= limit) {
      consumer->set_paused(true);
      stats.input_pauses.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("backpressure: the outbox holds {} MiB for Kafka (engine.max_outbox_mb {}): input paused",
                   bytes >> 20, cfg.engine_max_outbox_mb);
    } else if (consumer->paused() && bytes < limit / 2) {
      consumer->set_paused(false);
      spdlog::info("backpressure: the outbox is down to {} MiB: input resumed", bytes >> 20);
    }
    stats.input_paused.store(consumer->paused(), std::memory_order_relaxed);
  }

  // How many timers may fire now: none while the input is paused, else the outbox's room below
  // engine.max_outbox_mb at an estimated 1 KiB of records (an action and maybe an alert) per timer.
  size_t timer_headroom() const {
    if (consumer->paused()) return 0;
    const size_t limit = static_cast<size_t>(cfg.engine_max_outbox_mb) << 20;
    size_t used = relay->bytes();
    for (const auto& r : outbox->pending()) used += OutboxRelay::footprint(r);
    return used >= limit ? 0 : std::max<size_t>(1, (limit - used) >> 10);
  }

  Result<void> process(std::vector<kafka::Message>& msgs) {
    const int64_t now = clock->now_ms();
    uint64_t input = 0, rejected = 0;
    state::Batch batch(*store);
    engine->begin(batch);
    for (uint64_t seq : relay->take_acked()) outbox->ack(batch, seq);
    if (webhooks) webhooks->settle(batch, *outbox);  // outcomes of earlier attempts

    std::vector<event::Decoded> decoded;
    decoded.reserve(msgs.size());
    std::vector<journey::EventRef> refs;
    for (auto& m : msgs) {
      decoded.push_back(decoder.decode(m.payload(), m.timestamp_ms() >= 0 ? m.timestamp_ms() : now));
      auto* tp = std::get_if<event::Touchpoint>(&decoded.back());
      // Messages of a partition revoked meanwhile are skipped below: don't load their customers either.
      if (tp && partitions.count(m.partition().value())) refs.push_back({m.partition(), tp});
    }
    if (auto r = engine->prefetch(refs); !r) return r.error();

    for (size_t i = 0; i < msgs.size(); ++i) {
      const auto& m = msgs[i];
      auto it = partitions.find(m.partition().value());
      if (it == partitions.end()) continue;  // revoked meanwhile
      PartitionClock& pc = it->second;
      std::optional<event::Rejection> rejection;
      ++input;
      if (auto* tp = std::get_if<event::Touchpoint>(&decoded[i])) {
        if (tp->timestamp.value() > now + cfg.engine_max_future_ms) {
          // A far-future timestamp would drag the partition's watermark (and the
          // customer's last-seen time) forward and fire every pending timer.
          rejection = event::Rejection{
              event::DlqCategory::schema_violation,
              fmt::format("timestamp {} is more than {} ahead of the wall clock",
                          format_iso8601(tp->timestamp.value()), format_duration(cfg.engine_max_future_ms))};
        } else {
          auto r = engine->on_event(m.partition(), *tp);
          if (!r) return r.error();
          rejection = r.value();
          if (!rejection)
            pc.progress.max_event_time = std::max(pc.progress.max_event_time, tp->timestamp.value());
        }
      } else {
        rejection = std::get<event::Rejection>(decoded[i]);
      }
      if (rejection) {
        if (metrics) metrics->rejected.with({event::to_string(rejection->category)}).inc();
        // The PII rules apply to the key and the bytes a DLQ record keeps too (docs/security.md).
        std::string key(m.key().substr(0, 1024)), scrubbed;
        if (privacy) {
          key = privacy->scrub_key(key);
          scrubbed = privacy->scrub_payload(m.payload());
        }
        outbox->append(batch, state::Sink::dlq, key,
                       event::make_dlq_record(*rejection, {cfg.topic_touchpoints, m.partition(), m.offset()},
                                              privacy ? std::string_view(scrubbed) : m.payload(), now));
        stats.rejected.fetch_add(1, std::memory_order_relaxed);
        ++rejected;
      }
      pc.progress.next_offset = Offset{m.offset().value() + 1};
      pc.progress.last_arrival_wall = now;
      pc.touched = true;
    }

    int64_t batch_clock = kNoTime, watermark = INT64_MAX;
    for (auto& [p, pc] : partitions) {
      const int64_t clock = event_clock(Partition{p}, pc, now);
      if (clock != kNoTime) {
        batch_clock = std::max(batch_clock, clock);
        watermark = std::min(watermark, clock);
      }
      // Held under backpressure, and otherwise fired only into the outbox's headroom: a batch of due
      // timers must not take the outbox far past its bound.
      if (const size_t room = timer_headroom(); room > 0) {
        auto fired = engine->fire_timers(Partition{p}, clock, room);
        if (!fired) return fired.error();
      }
      if (pc.touched) {
        state::put_progress(batch, cfg.topic_touchpoints, Partition{p}, pc.progress);
        pc.touched = false;
      }
    }
    // The process's clock (the latest partition clock): funnel input counts and aggregate alerts.
    if (batch_clock != kNoTime) event_now = std::max(event_now, batch_clock);
    // Aggregate alerts judge complete minutes: on the earliest partition clock, so a partition still
    // catching up has written its counts of those minutes.
    if (watermark != INT64_MAX) {
      if (auto r = engine->evaluate_alerts(watermark); !r) return r.error();
    }
    engine->note_input(event_now, input - rejected, rejected);
    engine->finish();
    // Webhook deliveries of this batch's actions and alerts go into the same batch.
    if (webhooks) webhooks->stage(batch, outbox->pending());
    if (batch.count() > 0) {
      if (auto r = store->write(batch); !r) return r.error();
    }
    if (webhooks) {
      webhooks->commit();
      if (auto r = webhooks->pump(); !r) return r.error();
    }
    const int64_t committed_us = SystemClock::instance().now_ms() * 1000;
    for (const auto& m : msgs) {
      const int64_t ts = m.timestamp_ms();  // producer-set: may be anything
      if (ts > 0 && ts <= committed_us / 1000) {
        commit_latency.record(committed_us - ts * 1000);
        if (metrics) metrics->commit_latency.observe(static_cast<double>(committed_us - ts * 1000) / 1e6);
      }
    }
    relay->send(outbox->take_pending());
    if (auto r = relay->pump(); !r) return r.error();

    stats.consumed.fetch_add(msgs.size(), std::memory_order_relaxed);
    stats.batches.fetch_add(1, std::memory_order_relaxed);
    stats.actions.store(engine->stats().actions, std::memory_order_relaxed);
    stats.alerts.store(engine->stats().alerts, std::memory_order_relaxed);
    stats.delivered.store(relay->delivered(), std::memory_order_relaxed);
    stats.outbox_pending.store(relay->queued() + relay->in_flight(), std::memory_order_relaxed);
    stats.outbox_parked.store(relay->parked(), std::memory_order_relaxed);
    stats.outbox_bytes.store(relay->bytes(), std::memory_order_relaxed);
    stats.outbox_stalled_ms.store(relay->stalled_ms(), std::memory_order_relaxed);
    apply_backpressure();
    if (metrics) {
      size_t ok = 0;
      for (const auto& d : decoded) ok += std::holds_alternative<event::Touchpoint>(d);
      update_metrics(msgs.size(), ok, now);
    }
    return outcome::success();
  }
};

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

const PipelineStats& Pipeline::stats() const {
  return impl_->stats;
}
const Histogram& Pipeline::commit_latency_us() const {
  return impl_->commit_latency;
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(const config::Config& cfg,
                                                   std::vector<journey::Definition> defs, Clock& clock,
                                                   metrics::Registry* registry) {
  auto privacy =
      event::Privacy::create({cfg.privacy_hash_fields, cfg.privacy_redact_fields, cfg.privacy_hash_key});
  if (!privacy) return privacy.error();
  auto impl = std::make_unique<Impl>(cfg, privacy.value());
  impl->clock = &clock;
  const auto budget = memory_budget(cfg);
  spdlog::info("memory budget ≈ {}", budget.describe());
  if (registry) {
    impl->engine_metrics = std::make_unique<journey::EngineMetrics>(*registry);
    impl->metrics = std::make_unique<PipelineMetrics>(*registry);
    impl->metrics->memory_budget.set(static_cast<double>(budget.total()));
  }
  auto store = state::Store::open({cfg.state_dir, static_cast<size_t>(cfg.state_block_cache_mb) << 20,
                                   static_cast<size_t>(cfg.state_write_buffer_mb) << 20});
  if (!store) return store.error();
  impl->store = std::move(store.value());
  auto outbox = state::Outbox::open(*impl->store);
  if (!outbox) return outbox.error();
  impl->outbox.emplace(std::move(outbox.value()));
  auto engine = journey::Engine::create(
      std::move(defs),
      journey::EngineOptions{cfg.engine_grace_ms, static_cast<size_t>(cfg.state_cache_customers),
                             static_cast<size_t>(cfg.engine_timers_per_batch), cfg.engine_dedup_horizon_ms,
                             cfg.history_retention_ms, impl->engine_metrics.get(), cfg.funnel_retention_ms},
      *impl->store, *impl->outbox);
  if (!engine) return engine.error();
  impl->engine = std::move(engine.value());
  if (impl->metrics) impl->metrics->definitions.set(static_cast<double>(impl->engine->registry().size()));
  if (auto r = impl->open_webhooks(registry); !r) return r.error();

  impl->relay = std::make_unique<OutboxRelay>(std::array<std::string, state::kSinkCount>{
      cfg.topic_actions, cfg.topic_alerts, cfg.topic_dlq, cfg.topic_suppressed, cfg.topic_webhooks_dlq});
  auto* relay = impl->relay.get();
  auto consumer_health = std::make_shared<kafka::ClientHealth>();
  auto producer_health = std::make_shared<kafka::ClientHealth>();
  impl->stats.consumer_health = consumer_health;
  impl->stats.producer_health = producer_health;
  impl->stats.outbox_stall_limit_ms = cfg.kafka_outbox_stall_ms;
  auto producer = kafka::Producer::create({producer_properties(cfg),
                                           [relay](const kafka::DeliveryReport& r) { relay->on_delivery(r); },
                                           producer_health});
  if (!producer) return producer.error();
  impl->producer = std::move(producer.value());
  relay->attach(*impl->producer);

  auto* raw = impl.get();
  auto consumer = kafka::Consumer::create(
      {consumer_properties(cfg), cfg.topic_touchpoints,
       [raw](const std::vector<Partition>& ps) { return raw->on_assign(ps); },
       [raw](const std::vector<Partition>& ps) { raw->on_revoke(ps); }, consumer_health});
  if (!consumer) return consumer.error();
  impl->consumer = std::move(consumer.value());
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

Result<void> Pipeline::reload(std::vector<journey::Definition> defs) {
  return impl_->engine->reload(std::move(defs));
}

ReloadOutcome Pipeline::reload_from_disk() {
  return impl_->reload_definitions();
}

bool Pipeline::post(std::function<void(Services&)> fn) {
  std::lock_guard lock(impl_->posted_mu);
  if (impl_->closed) return false;
  impl_->posted.push_back(std::move(fn));
  return true;
}

const state::Store& Pipeline::store() const {
  return *impl_->store;
}

Result<void> Pipeline::run(const std::atomic<bool>& stop, std::atomic<bool>* reload) {
  auto& d = *impl_;
  pthread_setname_np(pthread_self(), "jd:pipeline");  // visible in top -H, perf, gdb
  // However run() ends, what was posted is answered and nothing more is taken.
  struct Close {
    Impl& d;
    ~Close() {
      d.stats.running.store(false);
      {
        std::lock_guard lock(d.posted_mu);
        d.closed = true;
      }
      d.run_posted();
    }
  } close{d};
  // Whatever the outbox still holds was committed but maybe never delivered: resend.
  auto leftovers = d.outbox->load_all();
  if (!leftovers) return leftovers.error();
  if (!leftovers.value().empty())
    spdlog::info("outbox: resending {} record(s) from before the restart", leftovers.value().size());
  d.relay->send(std::move(leftovers.value()));

  std::vector<kafka::Message> msgs;
  d.stats.running.store(true);
  int64_t last_commit = 0, last_log = d.clock->now_ms();
  uint64_t last_consumed = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    msgs.clear();
    d.consumer->poll_batch(msgs, static_cast<size_t>(d.cfg.engine_batch_max_events),
                           static_cast<int>(d.cfg.engine_batch_max_wait_ms));
    if (d.has_fatal) return d.fatal;
    d.producer->poll(0);
    if (auto r = d.process(msgs); !r) return r.error();
    if (reload && reload->exchange(false)) d.reload_definitions();
    d.run_posted();

    const int64_t now = d.clock->now_ms();
    if (now - last_commit >= 1000) {
      std::map<int32_t, int64_t> offs;
      for (const auto& [p, pc] : d.partitions)
        if (pc.progress.next_offset.value() > 0) offs[p] = pc.progress.next_offset.value();
      d.consumer->commit_async(offs);
      last_commit = now;
    }
    if (now - last_log >= 10'000) {
      const auto c = d.stats.consumed.load();
      spdlog::info(
          "processed {} events ({:.0f}/s), {} actions, {} alerts, {} rejected, outbox {} (parked {})", c,
          static_cast<double>(c - last_consumed) * 1000.0 / static_cast<double>(now - last_log),
          d.stats.actions.load(), d.stats.alerts.load(), d.stats.rejected.load(),
          d.stats.outbox_pending.load(), d.stats.outbox_parked.load());
      last_log = now;
      last_consumed = c;
    }
  }

  // Graceful stop: answer what was posted, refuse more; deliver what the outbox holds, record the
  // acks, leave the group.
  d.stats.running.store(false);
  d.run_posted();
  spdlog::info("stopping: flushing {} outbox record(s)", d.relay->queued() + d.relay->in_flight());
  const int64_t deadline = monotonic_ns() + 10'000'000'000;  // real time, whatever clock is injected
  while ((d.relay->queued() || d.relay->in_flight()) && monotonic_ns() < deadline) {
    if (auto r = d.relay->pump(); !r) break;
    d.producer->poll(100);
  }
  msgs.clear();  // messages must not outlive the consumer
  std::vector<kafka::Message> none;
  if (auto r = d.process(none); !r) return r.error();
  d.consumer->close();
  if (auto r = d.store->flush(); !r) return r.error();
  spdlog::info("stopped cleanly");
  return outcome::success();
}

}  // namespace journeyd::app
