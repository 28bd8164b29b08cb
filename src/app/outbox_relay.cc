#include "app/outbox_relay.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/clock.h"

namespace journeyd::app {

void OutboxRelay::send(std::vector<state::OutboxRecord> records) {
  const int64_t now = monotonic_ns();
  for (auto& r : records) {
    bytes_ += footprint(r);
    waiting_.emplace(r.seq, now);
    queue_.push_back(std::move(r));
  }
}

int64_t OutboxRelay::stalled_ms() const {
  if (waiting_.empty()) return 0;
  // Seqs grow with time: the first waiting record is the oldest.
  const int64_t since = std::max(waiting_.begin()->second, last_delivery_ns_);
  return std::max<int64_t>(0, monotonic_ns() - since) / 1'000'000;
}

void OutboxRelay::drop(const std::vector<uint64_t>& seqs) {
  if (seqs.empty()) return;
  auto gone = [&](uint64_t seq) { return std::find(seqs.begin(), seqs.end(), seq) != seqs.end(); };
  std::erase_if(queue_, [&](const state::OutboxRecord& r) {
    if (!gone(r.seq)) return false;
    bytes_ -= footprint(r);
    return true;
  });
  std::erase_if(retry_, [&](const Retry& r) {
    if (!gone(r.record.seq)) return false;
    bytes_ -= footprint(r.record);
    return true;
  });
  std::erase_if(parked_, [&](const state::OutboxRecord& r) { return gone(r.seq); });
  for (uint64_t s : seqs) {
    attempts_.erase(s);
    waiting_.erase(s);
    if (in_flight_.count(s)) dropped_.insert(s);
  }
}

namespace {
int64_t backoff_ns(int attempt) {
  const int64_t ms = std::min<int64_t>(30'000, int64_t{1000} << std::min(attempt - 1, 5));
  return ms * 1'000'000;
}
}  // namespace

Result<void> OutboxRelay::pump() {
  if (fatal_) return *fatal_;
  const int64_t now = monotonic_ns();
  while (!retry_.empty() && retry_.front().due_ns <= now) {
    queue_.push_back(std::move(retry_.front().record));
    retry_.pop_front();
  }
  while (!queue_.empty()) {
    auto& r = queue_.front();
    auto st = producer_->produce(topics_[static_cast<size_t>(r.sink)], r.key, r.value, r.seq);
    if (!st) return st.error();  // fatal: restart with a fresh producer
    if (st.value() == kafka::ProduceStatus::queue_full) break;
    if (st.value() == kafka::ProduceStatus::too_large) {
      spdlog::error("outbox: record {} ({} bytes) is larger than Kafka accepts; parked until restart", r.seq,
                    r.value.size());
      waiting_.erase(r.seq);
      bytes_ -= footprint(r);
      parked_.push_back(std::move(r));
      queue_.pop_front();
      continue;
    }
    if (st.value() == kafka::ProduceStatus::retry_later) {
      const int attempt = ++attempts_[r.seq];
      retry_.push_back({now + backoff_ns(attempt), attempt, std::move(r)});
      queue_.pop_front();
      continue;
    }
    const uint64_t seq = r.seq;
    in_flight_.emplace(seq, std::move(r));
    queue_.pop_front();
  }
  return outcome::success();
}

void OutboxRelay::on_delivery(const kafka::DeliveryReport& rep) {
  auto it = in_flight_.find(rep.opaque);
  if (it == in_flight_.end()) return;
  if (dropped_.erase(rep.opaque) && rep.failure != kafka::Failure::none) {  // erased meanwhile: let it go
    bytes_ -= footprint(it->second);
    in_flight_.erase(it);
    attempts_.erase(rep.opaque);
    waiting_.erase(rep.opaque);
    return;
  }
  switch (rep.failure) {
    case kafka::Failure::none:
      acked_.push_back(rep.opaque);
      attempts_.erase(rep.opaque);
      waiting_.erase(rep.opaque);
      last_delivery_ns_ = monotonic_ns();
      bytes_ -= footprint(it->second);
      ++delivered_;
      break;
    case kafka::Failure::permanent:
      ++failures_;
      spdlog::error("outbox: Kafka rejected record {} ({}); parked until restart", rep.opaque, rep.error);
      waiting_.erase(rep.opaque);
      bytes_ -= footprint(it->second);
      parked_.push_back(std::move(it->second));
      break;
    case kafka::Failure::fatal:
      ++failures_;
      fatal_ = Error{Errc::kafka, fmt::format("producer fatal error: {}", rep.error)};
      queue_.push_back(std::move(it->second));
      break;
    case kafka::Failure::retriable: {
      ++failures_;
      const int attempt = ++attempts_[rep.opaque];
      spdlog::warn("outbox: delivery of record {} failed ({}); retry {} in {} ms", rep.opaque, rep.error,
                   attempt, backoff_ns(attempt) / 1'000'000);
      retry_.push_back({monotonic_ns() + backoff_ns(attempt), attempt, std::move(it->second)});
      break;
    }
  }
  in_flight_.erase(it);
}

}  // namespace journeyd::app
