#include "app/ingest_sink.h"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include "app/kafka_config.h"
#include "common/clock.h"

namespace journeyd::app {
namespace {

int64_t wall_ms() {
  return SystemClock::instance().now_ms();
}

}  // namespace

Result<std::unique_ptr<KafkaEventSink>> KafkaEventSink::create(const config::Config& cfg) {
  std::unique_ptr<KafkaEventSink> s(new KafkaEventSink());
  s->topic_ = cfg.topic_touchpoints;
  auto props = producer_properties(cfg);
  // A request waits at most this long for its acknowledgements, then gets 503.
  props = kafka::merge(props,
                       {{"message.timeout.ms", std::to_string(cfg.ingest_timeout_ms)}, {"linger.ms", "2"}});
  auto* raw = s.get();
  auto producer = kafka::Producer::create(
      {std::move(props), [raw](const kafka::DeliveryReport& r) { raw->on_delivery(r); }});
  if (!producer) return producer.error();
  s->producer_ = std::move(producer.value());
  s->poller_ = std::thread([raw] {
    pthread_setname_np(pthread_self(), "jd:ingest");
    while (!raw->stopping_.load()) raw->producer_->poll(100);
  });
  return s;
}

KafkaEventSink::~KafkaEventSink() {
  stop(0);
}

void KafkaEventSink::stop(int64_t drain_ms) {
  if (!poller_.joinable()) return;
  const int64_t end = monotonic_ns() + drain_ms * 1'000'000;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (pending_.empty()) break;
    }
    if (monotonic_ns() >= end) break;
    producer_->poll(50);  // the poller polls too; reports are served by whichever thread polls
  }
  stopping_.store(true);
  poller_.join();
  std::unordered_map<uint64_t, Pending> left;
  {
    std::lock_guard lock(mu_);
    left.swap(pending_);
  }
  for (auto& [id, p] : left) p.done({false, 503, "journeyd is shutting down"});
}

bool KafkaEventSink::available() const {
  if (fatal_.load()) return false;
  if (broken_since_ms_.load() == 0) return true;
  // Let one request a second through as a probe: its delivery closes the breaker.
  const int64_t now = wall_ms();
  int64_t last = last_probe_ms_.load();
  return now - last >= 1000 && last_probe_ms_.compare_exchange_strong(last, now);
}

void KafkaEventSink::publish(std::vector<http::OutEvent> events,
                             std::function<void(http::PublishResult)> done) {
  if (events.empty()) return done({});
  uint64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    pending_[id] = Pending{events.size(), true, 503, {}, std::move(done)};
  }
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    auto st = producer_->produce(topic_, e.key, e.json, id);
    if (st && st.value() == kafka::ProduceStatus::queued) continue;
    // Not queued: the rest of the request fails at once (an io thread never waits here).
    if (!st) {
      if (!fatal_.exchange(true)) spdlog::error("ingest: producer failed for good: {}", st.error().message);
      settle(id, events.size() - i, 503, st.error().message);
    } else if (st.value() == kafka::ProduceStatus::too_large) {
      settle(id, events.size() - i, 413, "an event is larger than Kafka's message.max.bytes");
    } else if (st.value() == kafka::ProduceStatus::queue_full) {
      settle(id, events.size() - i, 503, "the producer queue is full");
    } else {
      settle(id, events.size() - i, 503, "Kafka does not know the topic or partition (yet)");
    }
    return;
  }
}

void KafkaEventSink::on_delivery(const kafka::DeliveryReport& r) {
  if (r.failure == kafka::Failure::none) {
    if (broken_since_ms_.exchange(0) != 0) spdlog::info("ingest: Kafka acknowledges events again");
  } else if (r.failure == kafka::Failure::retriable) {
    int64_t zero = 0;
    if (broken_since_ms_.compare_exchange_strong(zero, wall_ms()))
      spdlog::warn("ingest: delivery failed ({}); answering 503 until Kafka acknowledges again", r.error);
  } else if (r.failure == kafka::Failure::fatal) {
    if (!fatal_.exchange(true)) spdlog::error("ingest: producer failed for good: {}", r.error);
  }
  const int status = r.failure == kafka::Failure::none        ? 200
                     : r.failure == kafka::Failure::permanent ? 500
                                                              : 503;
  settle(r.opaque, 1, status, r.error);
}

void KafkaEventSink::settle(uint64_t id, size_t n, int status, std::string_view error) {
  const bool ok = status == 200;
  std::function<void(http::PublishResult)> done;
  http::PublishResult result;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    auto& p = it->second;
    if (!ok && p.ok) {
      p.ok = false;
      p.status = status;
      p.error = std::string(error);
    }
    p.remaining -= std::min(n, p.remaining);
    if (p.remaining > 0) return;
    done = std::move(p.done);
    result = {p.ok, p.status, std::move(p.error)};
    pending_.erase(it);
  }
  done(std::move(result));
}

}  // namespace journeyd::app
