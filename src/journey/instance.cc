#include "journey/instance.h"

#include "state/keys.h"

namespace journeyd::journey {

using state::get_svarint;
using state::get_varint;
using state::put_svarint;
using state::put_varint;

// Layout: version | n_set | (start delta-from-previous-start, at - start)* |
//         n_fired | fired (delta-from-previous, kNoTime encoded as 0-flag)*
std::string encode_instance(const Instance& in) {
  std::string out;
  put_varint(out, in.version);
  size_t n_set = 0;
  while (n_set < in.levels.size() && in.levels[n_set].set()) ++n_set;
  put_varint(out, n_set);
  int64_t prev = 0;
  for (size_t i = 0; i < n_set; ++i) {
    put_svarint(out, in.levels[i].start - prev);
    put_svarint(out, in.levels[i].at - in.levels[i].start);
    prev = in.levels[i].start;
  }
  put_varint(out, in.fired.size());
  for (int64_t f : in.fired) {
    if (f == kNoTime) {
      put_varint(out, 0);
    } else {
      put_varint(out, 1);
      put_svarint(out, f - prev);
    }
  }
  return out;
}

std::optional<Instance> decode_instance(std::string_view b, size_t steps, size_t rules) {
  Instance in;
  size_t pos = 0;
  uint64_t v = 0, n = 0;
  if (!get_varint(b, pos, v)) return std::nullopt;
  in.version = static_cast<uint32_t>(v);
  if (!get_varint(b, pos, n) || n > steps) return std::nullopt;
  in.levels.assign(steps, Level{});
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t ds, da;
    if (!get_svarint(b, pos, ds) || !get_svarint(b, pos, da)) return std::nullopt;
    in.levels[i].start = prev + ds;
    in.levels[i].at = in.levels[i].start + da;
    prev = in.levels[i].start;
  }
  if (!get_varint(b, pos, n) || n > std::max<size_t>(rules, 1024)) return std::nullopt;
  in.fired.assign(std::max<size_t>(rules, n), kNoTime);
  for (size_t i = 0; i < n; ++i) {
    uint64_t flag;
    if (!get_varint(b, pos, flag)) return std::nullopt;
    if (flag) {
      int64_t d;
      if (!get_svarint(b, pos, d)) return std::nullopt;
      in.fired[i] = prev + d;
    }
  }
  in.fired.resize(rules, kNoTime);
  if (pos != b.size()) return std::nullopt;
  return in;
}

std::string encode_customer(const CustomerRecord& c) {
  std::string out;
  put_varint(out, 1);  // format version
  put_svarint(out, c.last_seen);
  return out;
}

std::optional<CustomerRecord> decode_customer(std::string_view b) {
  CustomerRecord c;
  size_t pos = 0;
  uint64_t ver;
  if (!get_varint(b, pos, ver) || ver != 1 || !get_svarint(b, pos, c.last_seen) || pos != b.size())
    return std::nullopt;
  return c;
}

}  // namespace journeyd::journey
