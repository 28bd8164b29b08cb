#include "journey/instance.h"

#include <cstring>

#include "journey/rfm.h"
#include "state/keys.h"

namespace journeyd::journey {

using state::get_svarint;
using state::get_varint;
using state::put_svarint;
using state::put_varint;

namespace {

void put_time(std::string& out, int64_t t, int64_t base) {
  if (t == kNoTime) {
    put_varint(out, 0);
  } else {
    put_varint(out, 1);
    put_svarint(out, t - base);
  }
}

bool get_time(std::string_view b, size_t& pos, int64_t& t, int64_t base) {
  uint64_t flag;
  if (!get_varint(b, pos, flag)) return false;
  if (!flag) {
    t = kNoTime;
    return true;
  }
  int64_t d;
  if (!get_svarint(b, pos, d)) return false;
  t = base + d;
  return true;
}

// Journey layout: status | ended_at | n_set | (start delta-from-previous-start, at - start)* |
//                 n_fired | fired (delta from the last start)*
void encode_journey(std::string& out, const JourneyState& j) {
  out.push_back(static_cast<char>(j.status));
  put_time(out, j.ended_at, 0);
  size_t n_set = 0;
  while (n_set < j.levels.size() && j.levels[n_set].set()) ++n_set;
  put_varint(out, n_set);
  int64_t prev = 0;
  for (size_t i = 0; i < n_set; ++i) {
    put_svarint(out, j.levels[i].start - prev);
    put_svarint(out, j.levels[i].at - j.levels[i].start);
    prev = j.levels[i].start;
  }
  put_varint(out, j.fired.size());
  for (int64_t f : j.fired) put_time(out, f, prev);
}

bool decode_journey(std::string_view b, size_t& pos, JourneyState& j, size_t steps, size_t rules) {
  if (pos >= b.size() || static_cast<uint8_t>(b[pos]) > 4) return false;
  j.status = static_cast<Status>(b[pos++]);
  if (!get_time(b, pos, j.ended_at, 0)) return false;
  uint64_t n;
  if (!get_varint(b, pos, n) || n > steps) return false;
  j.levels.assign(steps, Level{});
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t ds, da;
    if (!get_svarint(b, pos, ds) || !get_svarint(b, pos, da)) return false;
    j.levels[i].start = prev + ds;
    j.levels[i].at = j.levels[i].start + da;
    prev = j.levels[i].start;
  }
  if (!get_varint(b, pos, n) || n > 1024) return false;
  j.fired.assign(std::max<size_t>(rules, n), kNoTime);
  for (size_t i = 0; i < n; ++i)
    if (!get_time(b, pos, j.fired[i], prev)) return false;
  j.fired.resize(rules, kNoTime);
  return true;
}

void encode_churn(std::string& out, const ChurnState& c) {
  put_time(out, c.armed_due, 0);
  put_time(out, c.last_purchase, 0);
  put_varint(out, c.purchases);
  char d[8];
  std::memcpy(d, &c.revenue, 8);
  out.append(d, 8);
  out.push_back(static_cast<char>(c.segment));
  put_time(out, c.rfm_armed, 0);
}

bool decode_churn(std::string_view b, size_t& pos, ChurnState& c) {
  uint64_t n;
  if (!get_time(b, pos, c.armed_due, 0) || !get_time(b, pos, c.last_purchase, 0) || !get_varint(b, pos, n))
    return false;
  c.purchases = static_cast<uint32_t>(n);
  if (pos + 9 > b.size()) return false;
  std::memcpy(&c.revenue, b.data() + pos, 8);
  pos += 8;
  c.segment = static_cast<uint8_t>(b[pos++]);
  return c.segment <= kRfmSegments && get_time(b, pos, c.rfm_armed, 0);
}

}  // namespace

State fresh_state(const Definition& def) {
  State s;
  s.version = def.version;
  if (const auto* j = def.journey()) {
    s.journey.levels.assign(j->steps.size(), Level{});
    s.journey.fired.assign(j->dropoffs.size(), kNoTime);
  }
  return s;
}

// Layout: version | kind-specific part | n_sent | sent (delta from previous)*
std::string encode_state(const State& s, Kind kind) {
  std::string out;
  put_varint(out, s.version);
  switch (kind) {
    case Kind::journey:
      encode_journey(out, s.journey);
      break;
    case Kind::sla:
      put_time(out, s.sla.opened_at, 0);
      break;
    case Kind::churn:
      encode_churn(out, s.churn);
      break;
    case Kind::trigger:
      break;
  }
  put_varint(out, s.sent.size());
  int64_t prev = 0;
  for (int64_t t : s.sent) {
    put_svarint(out, t - prev);
    prev = t;
  }
  return out;
}

std::optional<uint32_t> state_version(std::string_view b) {
  size_t pos = 0;
  uint64_t v;
  if (!get_varint(b, pos, v) || v == 0 || v > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::optional<State> decode_state(std::string_view b, const Definition& def) {
  State s = fresh_state(def);
  size_t pos = 0;
  uint64_t v;
  if (!get_varint(b, pos, v) || v != def.version) return std::nullopt;
  bool ok = true;
  switch (def.kind) {
    case Kind::journey:
      ok = decode_journey(b, pos, s.journey, def.journey()->steps.size(), def.journey()->dropoffs.size());
      break;
    case Kind::sla:
      ok = get_time(b, pos, s.sla.opened_at, 0);
      break;
    case Kind::churn:
      ok = decode_churn(b, pos, s.churn);
      break;
    case Kind::trigger:
      break;
  }
  uint64_t n;
  if (!ok || !get_varint(b, pos, n) || n > 4096) return std::nullopt;
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t d;
    if (!get_svarint(b, pos, d)) return std::nullopt;
    prev += d;
    s.sent.push_back(prev);
  }
  if (pos != b.size()) return std::nullopt;
  return s;
}

// Layout v2: 2 | last_seen | timezone (length-prefixed). v1 had no timezone.
std::string encode_customer(const CustomerRecord& c) {
  std::string out;
  put_varint(out, c.aliases.empty() ? 2 : 3);
  put_svarint(out, c.last_seen);
  put_varint(out, c.timezone.size());
  out += c.timezone;
  if (c.aliases.empty()) return out;
  put_varint(out, c.aliases.size());
  for (const auto& a : c.aliases) {
    put_varint(out, a.size());
    out += a;
  }
  return out;
}

std::optional<CustomerRecord> decode_customer(std::string_view b) {
  CustomerRecord c;
  size_t pos = 0;
  uint64_t ver, n;
  if (!get_varint(b, pos, ver) || ver < 1 || ver > 3 || !get_svarint(b, pos, c.last_seen))
    return std::nullopt;
  if (ver >= 2) {
    if (!get_varint(b, pos, n) || n > b.size() - pos) return std::nullopt;
    c.timezone.assign(b.substr(pos, n));
    pos += n;
  }
  if (ver == 3) {
    uint64_t count;
    if (!get_varint(b, pos, count) || count > CustomerRecord::kMaxAliases) return std::nullopt;
    for (uint64_t i = 0; i < count; ++i) {
      if (!get_varint(b, pos, n) || n > b.size() - pos) return std::nullopt;
      c.aliases.emplace_back(b.substr(pos, n));
      pos += n;
    }
  }
  if (pos != b.size()) return std::nullopt;
  return c;
}

}  // namespace journeyd::journey
