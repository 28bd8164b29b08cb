// Key layout (design §6). Per-customer keys start with the Kafka partition
// (big-endian u32) so one partition's state is one contiguous key range.
// Integers are big-endian so byte order equals numeric order; strings are
// length-prefixed (u16) so no id can be a prefix-collision of another.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/types.h"

namespace journeyd::state {

void put_be32(std::string& out, uint32_t v);
void put_be64(std::string& out, uint64_t v);
void put_str(std::string& out, std::string_view s);
uint32_t get_be32(std::string_view in, size_t pos);
uint64_t get_be64(std::string_view in, size_t pos);

// Signed times are stored with the sign bit flipped so they sort correctly.
inline uint64_t time_to_u64(int64_t t) {
  return static_cast<uint64_t>(t) ^ (1ULL << 63);
}
inline int64_t u64_to_time(uint64_t v) {
  return static_cast<int64_t>(v ^ (1ULL << 63));
}

std::string partition_prefix(Partition p);
// [partition_prefix(p), partition_end(p)) covers every key of the partition.
std::string partition_end(Partition p);

// customers: p | customer
std::string customer_key(Partition p, std::string_view customer);
// instances: p | customer | journey
std::string instance_key(Partition p, std::string_view customer, std::string_view journey);

// timers: p | due | customer | journey | rule(u16) | chain(be64)
struct TimerKey {
  Partition partition{0};
  int64_t due = 0;
  std::string customer;
  std::string journey;
  uint16_t rule = 0;
  int64_t chain = 0;
};
std::string encode_timer_key(const TimerKey& k);
std::optional<TimerKey> decode_timer_key(std::string_view key);
// Upper bound for timers of p due at or before `due`.
std::string timer_due_end(Partition p, int64_t due);

// dedup: p | messageId
std::string dedup_key(Partition p, std::string_view message_id);

// history (for the query API; value: svarint event time | record JSON), in event-time order (the
// outbox seq only breaks ties: it starts again after a restart):
//   actions: p | customer | at(be64) | seq(be64)      alerts: 0xFFFFFFFF | at(be64) | seq(be64)
std::string history_action_prefix(Partition p, std::string_view customer);
std::string history_action_key(Partition p, std::string_view customer, int64_t at, uint64_t seq);
std::string history_alert_prefix();
std::string history_alert_key(int64_t at, uint64_t seq);
// The end of the range of keys that start with `prefix` (prefix + 0xFF…).
std::string prefix_end(std::string_view prefix);

// meta: erasure fences (by the hash of a customer id, never the id) and the audit log.
std::string fence_key(uint64_t customer_hash);
std::string audit_key(int64_t at_ms, uint64_t seq);
inline constexpr std::string_view kAuditPrefix = "audit/";

// funnel (aggregates, merged counters): journey | minute(be64, ms) | step. Step "" holds the journey's
// own counters; journey "" the input's (events applied, rejected).
std::string funnel_key(std::string_view journey, int64_t minute_ms, std::string_view step);
// [funnel_key(j, from, ""), funnel_key(j, to, "")) covers the minutes [from, to) of journey j.
std::string funnel_journey_prefix(std::string_view journey);
struct FunnelKey {
  std::string journey;
  int64_t minute_ms = 0;
  std::string step;
};
std::optional<FunnelKey> decode_funnel_key(std::string_view key);

// offsets: topic | p
std::string offset_key(std::string_view topic, Partition p);

// Varint helpers for compact values.
void put_varint(std::string& out, uint64_t v);
void put_svarint(std::string& out, int64_t v);  // zig-zag
bool get_varint(std::string_view in, size_t& pos, uint64_t& v);
bool get_svarint(std::string_view in, size_t& pos, int64_t& v);

}  // namespace journeyd::state
