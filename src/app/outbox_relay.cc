#include "app/outbox_relay.h"

#include <spdlog/spdlog.h>

namespace journeyd::app {

void OutboxRelay::send(std::vector<state::OutboxRecord> records) {
  for (auto& r : records) queue_.push_back(std::move(r));
}

Result<void> OutboxRelay::pump() {
  while (!queue_.empty()) {
    auto& r = queue_.front();
    auto st = producer_->produce(topics_[static_cast<size_t>(r.sink)], r.key, r.value, r.seq);
    if (!st) {
      // Refused locally (too large, unknown topic, ...): retrying now would fail
      // again and stopping would stall every other record. Park it.
      spdlog::error("outbox: record {} ({} bytes) refused: {}; parked until restart", r.seq, r.value.size(),
                    st.error().message);
      parked_.push_back(std::move(r));
      queue_.pop_front();
      continue;
    }
    if (st.value() == kafka::ProduceStatus::queue_full) break;
    const uint64_t seq = r.seq;
    in_flight_.emplace(seq, std::move(r));
    queue_.pop_front();
  }
  return outcome::success();
}

void OutboxRelay::on_delivery(uint64_t seq, std::string_view error) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return;
  if (error.empty()) {
    acked_.push_back(seq);
    ++delivered_;
    in_flight_.erase(it);
    return;
  }
  ++failures_;
  spdlog::warn("outbox: delivery of record {} failed ({}); will retry", seq, error);
  queue_.push_back(std::move(it->second));
  in_flight_.erase(it);
}

}  // namespace journeyd::app
