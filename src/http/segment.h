// The Segment HTTP Tracking API's request rules: turns the body of
// POST /v1/<type> or /v1/batch into touchpoint events (design §4) ready for
// the `touchpoints` topic, or says precisely what is wrong with it.
//
// What the collector adds, as Segment does: `receivedAt`; a `messageId` when
// missing; the clock-skew correction timestamp = receivedAt − (sentAt −
// timestamp), keeping the client's value as `originalTimestamp`; the batch's
// `context` and `integrations` for events without their own. `writeKey` is
// taken out of every event (it is a credential, not data).
//
// Pure functions, thread-safe (one simdjson parser per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeyd::http {

struct SegmentLimits {
  // Largest event, as received and as forwarded. Default: 32 KB (Segment's).
  size_t max_event_bytes = 32 * 1024;
  // Largest /v1/batch body. Default: 500 KB (Segment's).
  size_t max_batch_bytes = 500 * 1024;
};

struct IngestError {
  int status = 400;  // 400 or 413
  std::string code;  // invalid_json, invalid_event, missing_identity, payload_too_large, …
  std::string message;
};

struct OutEvent {
  std::string key;   // Kafka key: userId, else anonymousId
  std::string json;  // the event as it goes to `touchpoints`
};

struct Rejected {
  size_t index = 0;  // position in the batch
  IngestError error;
};

struct SegmentRequest {
  std::vector<OutEvent> events;
  std::vector<Rejected> rejected;    // /v1/batch: events left out (the others still go)
  std::string write_key;             // the body's `writeKey`, if any
  std::optional<IngestError> error;  // the whole request is refused
  bool body_read = true;             // false: refused for its size before it was parsed
};

// `endpoint`: track, identify, page, screen, group, alias, or batch.
SegmentRequest parse_segment(std::string_view endpoint, std::string_view body, int64_t received_at_ms,
                             const SegmentLimits& limits);

bool is_segment_type(std::string_view type);

}  // namespace journeyd::http
