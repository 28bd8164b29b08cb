// Dead-letter records: {category, reason, topic, partition, offset, payload}
// (schemas/dlq.schema.json). The original bytes are kept: as a JSON string
// when they are valid UTF-8, else base64 in payload_base64. At most
// kMaxDlqPayloadBytes of it are kept (payload_truncated, payload_bytes tell),
// so a DLQ record always fits in a Kafka message.
#pragma once

#include <string>
#include <string_view>

#include "common/types.h"
#include "event/errc.h"

namespace journeyd::event {

inline constexpr size_t kMaxDlqPayloadBytes = size_t{64} * 1024;

struct DlqSource {
  std::string_view topic;
  Partition partition{0};
  Offset offset{0};
};

std::string make_dlq_record(const Rejection& r, const DlqSource& src, std::string_view payload,
                            int64_t now_ms);

}  // namespace journeyd::event
