#include "state/offsets.h"

#include "state/keys.h"

namespace journeyd::state {

void put_progress(Batch& batch, std::string_view topic, Partition p, const PartitionProgress& prog) {
  std::string v;
  put_svarint(v, prog.next_offset.value());
  put_svarint(v, prog.max_event_time);
  put_svarint(v, prog.last_arrival_wall);
  batch.put(Cf::offsets, offset_key(topic, p), v);
}

Result<std::optional<PartitionProgress>> get_progress(const Store& store, std::string_view topic,
                                                      Partition p) {
  auto v = store.get(Cf::offsets, offset_key(topic, p));
  if (!v) return v.error();
  if (!v.value()) return std::optional<PartitionProgress>();
  PartitionProgress prog;
  size_t pos = 0;
  int64_t off = 0;
  const std::string& b = *v.value();
  if (!get_svarint(b, pos, off) || !get_svarint(b, pos, prog.max_event_time))
    return fail(Errc::corrupt, "undecodable offsets record");
  // Records written before last_arrival_wall existed end here: treat the
  // partition as last seen "now" (the caller's default).
  prog.last_arrival_wall = -1;
  if (pos < b.size() && (!get_svarint(b, pos, prog.last_arrival_wall) || pos != b.size()))
    return fail(Errc::corrupt, "undecodable offsets record");
  prog.next_offset = Offset{off};
  return std::optional<PartitionProgress>(prog);
}

}  // namespace journeyd::state
