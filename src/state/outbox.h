// The transactional outbox. Records (actions, alerts, DLQ records) are added
// to the same Batch as the state change and offsets that produced them; a
// record is deleted only after Kafka acknowledged it (delivery report).
//
// Threading: processing thread only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "state/store.h"

namespace journeyd::state {

// suppressed: actions held back by a holdout or a cap, recorded for analysis.
// webhook_dlq: webhook deliveries given up on (src/webhook, schemas/webhook_dead_letter.schema.json).
enum class Sink : uint8_t { actions = 0, alerts = 1, dlq = 2, suppressed = 3, webhook_dlq = 4 };
inline constexpr size_t kSinkCount = 5;

struct OutboxRecord {
  uint64_t seq = 0;
  Sink sink = Sink::actions;
  std::string key;
  std::string value;
};

class Outbox {
 public:
  // Reads the next sequence number from the store.
  [[nodiscard]] static Result<Outbox> open(Store& store);

  // Adds a record to `batch`; also remembers it in `pending()` until take_pending().
  uint64_t append(Batch& batch, Sink sink, std::string key, std::string value);
  // Records appended since the last call (hand them to the producer after the batch commits).
  std::vector<OutboxRecord> take_pending();
  // Records appended since the last take_pending() (e.g. to add webhook deliveries to the same batch).
  const std::vector<OutboxRecord>& pending() const { return pending_; }
  // Numbers new records after `seq` at least: other records keyed by an outbox seq (webhook
  // deliveries) can outlive the outbox record, and their keys must stay unique.
  void reserve_through(uint64_t seq) { next_ = std::max(next_, seq + 1); }
  void ack(Batch& batch, uint64_t seq) const;
  // Every record still in the store (at start-up: resend after a crash).
  [[nodiscard]] Result<std::vector<OutboxRecord>> load_all() const;

 private:
  explicit Outbox(Store& store, uint64_t next) : store_(&store), next_(next) {}
  Store* store_;
  uint64_t next_;
  std::vector<OutboxRecord> pending_;
};

}  // namespace journeyd::state
