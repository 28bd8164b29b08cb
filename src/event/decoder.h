// Decodes Segment-spec JSON touchpoints with simdjson on-demand.
//
// Lifecycle: one Decoder per consuming thread (it owns a reusable parser and
// padded buffer); not thread-safe. Never throws: a bad event is a Rejection.
#pragma once

#include <memory>
#include <string_view>
#include <variant>

#include "event/errc.h"
#include "event/privacy.h"
#include "event/touchpoint.h"

namespace journeyd::event {

struct DecoderOptions {
  size_t max_event_bytes = size_t{32} * 1024;
  // PII rules applied to every decoded event (null: none). Shared, immutable.
  std::shared_ptr<const Privacy> privacy;
};

using Decoded = std::variant<Touchpoint, Rejection>;

class Decoder {
 public:
  explicit Decoder(DecoderOptions opts = {});
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // `fallback_time_ms` is used when the event has neither timestamp nor
  // receivedAt (typically the Kafka message timestamp).
  Decoded decode(std::string_view json, int64_t fallback_time_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::event
