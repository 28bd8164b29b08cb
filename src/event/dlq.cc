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

// True when the bytes are better kept as base64: a NUL, or so many control
// characters that JSON escaping would make them larger than base64 does.
bool has_nul_or_heavy_escaping(std::string_view s) {
  size_t escaped = s.size();
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0) return true;
    if (u == '"' || u == '\\' || u == '\n' || u == '\r' || u == '\t')
      escaped += 1;
    else if (u < 0x20)
      escaped += 5;
  }
  return escaped > s.size() / 3 * 4 + 4;
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
  std::string_view kept = payload.substr(0, kMaxDlqPayloadBytes);
  if (kept.size() < payload.size()) {
    // Don't cut a UTF-8 sequence in half (that alone would force base64).
    size_t n = kept.size();
    for (size_t back = 0; back < 3 && n > 0 && (static_cast<unsigned char>(payload[n]) & 0xC0) == 0x80;
         ++back)
      --n;
    kept = payload.substr(0, n);
  }
  if (kept.size() < payload.size()) {
    w.key("payload_truncated").boolean(true);
    w.field("payload_bytes", static_cast<int64_t>(payload.size()));
  }
  if (!has_nul_or_heavy_escaping(kept) && simdjson::validate_utf8(kept.data(), kept.size()))
    w.field("payload", kept);
  else
    w.field("payload_base64", base64(kept));
  w.end_object();
  return out;
}

}  // namespace journeyd::event
