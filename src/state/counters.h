// A sparse map of counters (index → count), the value of the `funnel` column
// family. Encoded as varint pairs in index order (indices delta-coded), so a
// handful of counters costs a few bytes. RocksDB merges operands by adding
// them (store.cc), so writers never read: a batch adds its increments with
// Batch::merge and a reader sees the sum.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace journeyd::state {

class Counters {
 public:
  void add(uint32_t index, uint64_t n) {
    if (n) counts_[index] += n;
  }
  void add(const Counters& other) {
    for (const auto& [i, n] : other.counts_) counts_[i] += n;
  }
  uint64_t get(uint32_t index) const {
    auto it = counts_.find(index);
    return it == counts_.end() ? 0 : it->second;
  }
  bool empty() const { return counts_.empty(); }
  const std::map<uint32_t, uint64_t>& items() const { return counts_; }

  std::string encode() const;
  // Adds the encoded counters to these; false (and nothing added) if `bytes` is not an encoding.
  bool add_encoded(std::string_view bytes);
  static std::optional<Counters> decode(std::string_view bytes);

 private:
  std::map<uint32_t, uint64_t> counts_;
};

}  // namespace journeyd::state
