#include "event/dlq.h"

#include <simdjson.h>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace journeyd::event {
namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], kAlphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

}  // namespace

std::string make_dlq_record(const Rejection& r, const DlqSource& src, std::string_view payload,
                            int64_t now_ms) {
  std::string out;
  out.reserve(payload.size() + 256);
  JsonWriter w(out);
  w.begin_object()
      .field("category", to_string(r.category))
      .field("reason", r.reason)
      .field("topic", src.topic)
      .field("partition", src.partition.value())
      .field("offset", src.offset.value())
      .field("rejected_at", format_iso8601(now_ms));
  const bool has_nul = payload.find('\0') != std::string_view::npos;
  if (!has_nul && simdjson::validate_utf8(payload.data(), payload.size()))
    w.field("payload", payload);
  else
    w.field("payload_base64", base64(payload));
  w.end_object();
  return out;
}

}  // namespace journeyd::event
