// Consumed offsets and per-partition watermark progress, stored in the same
// Batch as the state they produced, so state and input never disagree.
#pragma once

#include <map>
#include <optional>
#include <string_view>

#include "common/error.h"
#include "common/types.h"
#include "state/store.h"

namespace journeyd::state {

struct PartitionProgress {
  Offset next_offset{0};             // the next offset to consume
  int64_t max_event_time = kNoTime;  // highest event time seen on the partition
  int64_t last_arrival_wall = 0;     // wall time when the partition's last message was processed
};

void put_progress(Batch& batch, std::string_view topic, Partition p, const PartitionProgress& prog);
[[nodiscard]] Result<std::optional<PartitionProgress>> get_progress(const Store& store,
                                                                    std::string_view topic, Partition p);

}  // namespace journeyd::state
