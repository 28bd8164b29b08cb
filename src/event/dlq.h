// Dead-letter records: {category, reason, topic, partition, offset, payload}
// (schemas/dlq.schema.json). The original bytes are kept: as a JSON string
// when they are valid UTF-8, else base64 in payload_base64.
#pragma once

#include <string>
#include <string_view>

#include "common/types.h"
#include "event/errc.h"

namespace journeyd::event {

struct DlqSource {
  std::string_view topic;
  Partition partition{0};
  Offset offset{0};
};

std::string make_dlq_record(const Rejection& r, const DlqSource& src, std::string_view payload,
                            int64_t now_ms);

}  // namespace journeyd::event
