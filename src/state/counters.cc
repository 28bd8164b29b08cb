#include "state/counters.h"

#include <vector>

#include "state/keys.h"

namespace journeyd::state {

std::string Counters::encode() const {
  std::string out;
  uint32_t prev = 0;
  for (const auto& [i, n] : counts_) {
    put_varint(out, i - prev);
    put_varint(out, n);
    prev = i;
  }
  return out;
}

bool Counters::add_encoded(std::string_view bytes) {
  std::vector<std::pair<uint32_t, uint64_t>> parsed;
  size_t pos = 0;
  uint64_t index = 0;
  while (pos < bytes.size()) {
    uint64_t delta = 0, n = 0;
    if (!get_varint(bytes, pos, delta) || !get_varint(bytes, pos, n)) return false;
    index += delta;
    if (index > UINT32_MAX || (delta == 0 && !parsed.empty())) return false;
    parsed.emplace_back(static_cast<uint32_t>(index), n);
  }
  for (const auto& [i, n] : parsed) add(i, n);
  return true;
}

std::optional<Counters> Counters::decode(std::string_view bytes) {
  Counters c;
  if (!c.add_encoded(bytes)) return std::nullopt;
  return c;
}

}  // namespace journeyd::state
