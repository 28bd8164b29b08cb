// Moves committed outbox records to Kafka and reports which ones were
// acknowledged, so the next batch can delete them from the outbox.
// A record is never dropped: a retriable failure is retried after a backoff
// (1 s doubling to 30 s); a record Kafka can never take as it is (too large,
// invalid) is parked — it stays in the outbox and is retried at the next
// start — so it cannot stall the others; a fatal producer error stops the
// pipeline (pump() returns it) so the process restarts with a fresh producer.
//
// Threading: processing thread only (delivery reports arrive via
// Producer::poll on that thread).
#pragma once

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/error.h"
#include "kafka/producer.h"
#include "state/outbox.h"

namespace journeyd::app {

class OutboxRelay {
 public:
  // topics indexed by state::Sink (actions, alerts, dlq, suppressed).
  explicit OutboxRelay(std::array<std::string, state::kSinkCount> topics) : topics_(std::move(topics)) {}
  void attach(kafka::Producer& producer) { producer_ = &producer; }

  void send(std::vector<state::OutboxRecord> records);
  // Forgets records deleted from the outbox meanwhile (an erasure). One already in flight is not
  // retried if its delivery fails.
  void drop(const std::vector<uint64_t>& seqs);
  // Produces what is queued until librdkafka's queue is full.
  [[nodiscard]] Result<void> pump();
  // The delivery report hook (wired into ProducerOptions::on_delivery).
  void on_delivery(const kafka::DeliveryReport& report);
  std::vector<uint64_t> take_acked() { return std::exchange(acked_, {}); }

  size_t queued() const { return queue_.size() + retry_.size(); }
  size_t in_flight() const { return in_flight_.size(); }
  // Memory the waiting records (queued, retrying, in flight) take here: keys, values and record
  // overhead. librdkafka holds a second copy of those in flight. The pipeline's backpressure
  // bound (engine.max_outbox_mb) is on this figure.
  size_t bytes() const { return bytes_; }
  // What one record counts for in bytes().
  static size_t footprint(const state::OutboxRecord& r) {
    return sizeof(state::OutboxRecord) + r.key.size() + r.value.size();
  }
  uint64_t delivered() const { return delivered_; }
  uint64_t failures() const { return failures_; }
  // Records Kafka refused outright (e.g. too large). They stay in the outbox
  // (nothing is lost) and are retried at the next start; see the log.
  size_t parked() const { return parked_.size(); }
  // How long Kafka has been taking nothing while records wait (monotonic ms): since the oldest
  // waiting record was sent or the latest delivery, whichever is later; 0 when nothing waits
  // (parked records do not count). A slow but moving outbox stays low.
  int64_t stalled_ms() const;

 private:
  std::array<std::string, state::kSinkCount> topics_;
  kafka::Producer* producer_ = nullptr;
  std::deque<state::OutboxRecord> queue_;
  std::unordered_map<uint64_t, state::OutboxRecord> in_flight_;
  std::vector<uint64_t> acked_;
  std::vector<state::OutboxRecord> parked_;
  struct Retry {
    int64_t due_ns;
    int attempt;
    state::OutboxRecord record;
  };
  std::deque<Retry> retry_;                     // in failure order; due times grow with attempts
  std::unordered_map<uint64_t, int> attempts_;  // seq → failed attempts so far
  std::unordered_set<uint64_t> dropped_;        // in flight when dropped: never sent again
  std::optional<Error> fatal_;
  uint64_t delivered_ = 0;
  uint64_t failures_ = 0;
  std::map<uint64_t, int64_t> waiting_;  // seq → monotonic ns it was handed to send(); until acked/parked
  int64_t last_delivery_ns_ = 0;
  size_t bytes_ = 0;
};

}  // namespace journeyd::app
