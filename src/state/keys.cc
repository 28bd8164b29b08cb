#include "state/keys.h"

namespace journeyd::state {

void put_be32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xFF));
}
void put_be64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xFF));
}
void put_str(std::string& out, std::string_view s) {
  const auto n = static_cast<uint16_t>(std::min<size_t>(s.size(), 0xFFFF));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n & 0xFF));
  out.append(s.data(), n);
}
uint32_t get_be32(std::string_view in, size_t pos) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}
uint64_t get_be64(std::string_view in, size_t pos) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}

namespace {
bool get_str(std::string_view in, size_t& pos, std::string& out) {
  if (pos + 2 > in.size()) return false;
  const size_t n = (static_cast<uint8_t>(in[pos]) << 8) | static_cast<uint8_t>(in[pos + 1]);
  pos += 2;
  if (pos + n > in.size()) return false;
  out.assign(in.substr(pos, n));
  pos += n;
  return true;
}
}  // namespace

std::string partition_prefix(Partition p) {
  std::string k;
  put_be32(k, static_cast<uint32_t>(p.value()));
  return k;
}

std::string partition_end(Partition p) {
  std::string k;
  put_be32(k, static_cast<uint32_t>(p.value()) + 1);
  if (p.value() == -1) k = std::string(5, '\xff');
  return k;
}

std::string customer_key(Partition p, std::string_view customer) {
  std::string k;
  k.reserve(6 + customer.size());
  put_be32(k, static_cast<uint32_t>(p.value()));
  put_str(k, customer);
  return k;
}

std::string instance_key(Partition p, std::string_view customer, std::string_view journey) {
  std::string k = customer_key(p, customer);
  put_str(k, journey);
  return k;
}

std::string dedup_key(Partition p, std::string_view message_id) {
  std::string k;
  put_be32(k, static_cast<uint32_t>(p.value()));
  put_str(k, message_id);
  return k;
}

std::string encode_timer_key(const TimerKey& t) {
  std::string k;
  k.reserve(32 + t.customer.size() + t.journey.size());
  put_be32(k, static_cast<uint32_t>(t.partition.value()));
  put_be64(k, time_to_u64(t.due));
  put_str(k, t.customer);
  put_str(k, t.journey);
  k.push_back(static_cast<char>(t.rule >> 8));
  k.push_back(static_cast<char>(t.rule & 0xFF));
  put_be64(k, time_to_u64(t.chain));
  return k;
}

std::optional<TimerKey> decode_timer_key(std::string_view key) {
  TimerKey t;
  if (key.size() < 12) return std::nullopt;
  t.partition = Partition{static_cast<int32_t>(get_be32(key, 0))};
  t.due = u64_to_time(get_be64(key, 4));
  size_t pos = 12;
  if (!get_str(key, pos, t.customer) || !get_str(key, pos, t.journey)) return std::nullopt;
  if (pos + 10 != key.size()) return std::nullopt;
  t.rule = static_cast<uint16_t>((static_cast<uint8_t>(key[pos]) << 8) | static_cast<uint8_t>(key[pos + 1]));
  t.chain = u64_to_time(get_be64(key, pos + 2));
  return t;
}

std::string timer_due_end(Partition p, int64_t due) {
  std::string k;
  put_be32(k, static_cast<uint32_t>(p.value()));
  put_be64(k, time_to_u64(due) + 1);  // exclusive bound: includes timers due exactly at `due`
  return k;
}

std::string history_action_prefix(Partition p, std::string_view customer) {
  return customer_key(p, customer);
}
std::string history_action_key(Partition p, std::string_view customer, int64_t at, uint64_t seq) {
  std::string k = customer_key(p, customer);
  put_be64(k, time_to_u64(at));
  put_be64(k, seq);
  return k;
}
std::string history_alert_prefix() {
  return std::string(4, '\xff');
}
std::string history_alert_key(int64_t at, uint64_t seq) {
  std::string k = history_alert_prefix();
  put_be64(k, time_to_u64(at));
  put_be64(k, seq);
  return k;
}
std::string prefix_end(std::string_view prefix) {
  std::string k(prefix);
  k.append(8, '\xff');
  return k;
}

std::string funnel_journey_prefix(std::string_view journey) {
  std::string k;
  put_str(k, journey);
  return k;
}
std::string funnel_key(std::string_view journey, int64_t minute_ms, std::string_view step) {
  std::string k = funnel_journey_prefix(journey);
  put_be64(k, time_to_u64(minute_ms));
  put_str(k, step);
  return k;
}
std::optional<FunnelKey> decode_funnel_key(std::string_view key) {
  FunnelKey f;
  size_t pos = 0;
  if (!get_str(key, pos, f.journey) || pos + 8 > key.size()) return std::nullopt;
  f.minute_ms = u64_to_time(get_be64(key, pos));
  pos += 8;
  if (!get_str(key, pos, f.step) || pos != key.size()) return std::nullopt;
  return f;
}

std::string fence_key(uint64_t customer_hash) {
  std::string k = "fence/";
  put_be64(k, customer_hash);
  return k;
}
std::string audit_key(int64_t at_ms, uint64_t seq) {
  std::string k(kAuditPrefix);
  put_be64(k, time_to_u64(at_ms));
  put_be64(k, seq);
  return k;
}

std::string offset_key(std::string_view topic, Partition p) {
  std::string k;
  put_str(k, topic);
  put_be32(k, static_cast<uint32_t>(p.value()));
  return k;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_svarint(std::string& out, int64_t v) {
  put_varint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

bool get_varint(std::string_view in, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
    const auto b = static_cast<uint8_t>(in[pos++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool get_svarint(std::string_view in, size_t& pos, int64_t& v) {
  uint64_t u;
  if (!get_varint(in, pos, u)) return false;
  v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

}  // namespace journeyd::state
