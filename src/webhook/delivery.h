// A webhook delivery: one outbox record (an action or an alert) owed to one endpoint, persisted in
// the `webhooks` column family until it is delivered or dead-lettered, so it survives restarts.
//
//   key:   be64(outbox seq) | endpoint name      (unique among pending deliveries: the outbox keeps
//                                                  numbering past every stored delivery)
//   value: version(1) | event(u8) | varint attempts | svarint first_at | svarint next_at |
//          varint last_status | varint len + id | varint len + last_error | body (the rest)
//
// Also the helpers that read an outbox record's fields and build the dead-letter record.
// Thread-safe (pure functions; Store reads are thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "state/store.h"

namespace journeyd::webhook {

enum class Event : uint8_t { action = 0, alert = 1 };
const char* to_string(Event e);  // "action" | "alert" (X-Journeyd-Event)

struct Delivery {
  uint64_t seq = 0;      // the outbox record it came from
  std::string endpoint;  // Endpoint::name
  Event event = Event::action;
  std::string id;          // X-Journeyd-Delivery: the same for every resend of the same record
  std::string body;        // the action or alert JSON, exactly as on the Kafka topic
  uint32_t attempts = 0;   // made so far
  int64_t first_at = 0;    // wall ms: created (its first attempt is due then)
  int64_t next_at = 0;     // wall ms: the next attempt is due
  int last_status = 0;     // HTTP status of the last attempt; 0: none (or no response)
  std::string last_error;  // empty before the first failure
};

std::string delivery_key(uint64_t seq, std::string_view endpoint);
std::string encode_delivery(const Delivery& d);  // the value
[[nodiscard]] Result<Delivery> decode_delivery(std::string_view key, std::string_view value);

void put_delivery(state::Batch& batch, const Delivery& d);
void delete_delivery(state::Batch& batch, uint64_t seq, std::string_view endpoint);
// Every stored delivery, in key order (outbox seq, then endpoint).
[[nodiscard]] Result<std::vector<Delivery>> load_deliveries(const state::Store& store);

// The fields of an outbox record (action or alert JSON) that routing and erasure need.
struct RecordFields {
  std::string journey;   // "journey" (the definition id)
  std::string type;      // actions: "type"; alerts: empty
  std::string id;        // "action_id" or "alert_id"
  std::string customer;  // "customer"
};
// nullopt when `json` is not an object with a string "journey".
std::optional<RecordFields> read_record_fields(std::string_view json);

// Deterministic: hex XXH3(endpoint, the record's action_id/alert_id (else its bytes)).
std::string delivery_id(std::string_view endpoint, const RecordFields& f, std::string_view body);

// GDPR erasure: deletes (in `batch`) every stored delivery of one of `seqs` (the outbox records the
// erasure removed) or whose record names one of `customers`. Returns the keys deleted.
[[nodiscard]] Result<std::vector<std::string>> erase_deliveries(const state::Store& store,
                                                                state::Batch& batch,
                                                                const std::vector<uint64_t>& seqs,
                                                                const std::vector<std::string>& customers);

struct DeadLetterInfo {
  std::string_view url;
  int64_t last_attempt_at = 0;  // wall ms
};
// The dead-letter record (schemas/webhook_dead_letter.schema.json) for a delivery given up on.
std::string dead_letter_record(const Delivery& d, const DeadLetterInfo& info);

}  // namespace journeyd::webhook
