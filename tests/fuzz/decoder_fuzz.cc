// Fuzz target: event::Decoder::decode on arbitrary bytes, and the DLQ record
// built from them (src/event/decoder.cc, dlq.cc).
//
// Invariants, beyond "no crash, no leak, no UB":
//  - decode answers a Touchpoint or a Rejection with a known category and a
//    non-empty reason; only inputs over max_event_bytes are size_violation;
//  - a Touchpoint has a customer, ids of at most 256 bytes, an event name for
//    track/page/screen (none for identify/group/alias), at most 64 fields, and
//    a timestamp that formats and parses back to itself;
//  - the decoder agrees with a second, strict JSON parser (nlohmann): what it
//    calls parse_error does not parse, and what does not parse is rejected;
//  - decoding is repeatable on the same Decoder (its buffers are reused);
//  - the DLQ record is valid JSON whose payload (or payload_base64) gives back
//    the input's bytes, also when a long payload is cut at 64 KiB.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/time_format.h"
#include "event/decoder.h"
#include "event/dlq.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace journeyd;
using namespace journeyd::event;
using fuzz::excerpt;

constexpr int64_t kFallbackMs = 1'795'341'600'000;  // 2026-11-22T10:00:00Z
constexpr int64_t kNowMs = 1'795'345'200'000;

std::string base64_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const int v = val(c);
    FUZZ_CHECK(v >= 0, "payload_base64 holds '%c'", c);
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

bool known(DlqCategory c) {
  return std::string_view(to_string(c)) != "unknown";
}

void check_touchpoint(const Touchpoint& tp, std::string_view input) {
  FUZZ_CHECK(!tp.customer().empty(), "a Touchpoint without a customer from %s", excerpt(input).c_str());
  FUZZ_CHECK(tp.user_id.size() <= 256 && tp.anonymous_id.size() <= 256 && tp.previous_id.size() <= 256,
             "an id over 256 bytes from %s", excerpt(input).c_str());
  FUZZ_CHECK(tp.fields.size() <= 64, "%zu fields", tp.fields.size());
  switch (tp.type) {
    case EventType::track:
      FUZZ_CHECK(!tp.event.empty(), "track without an event name");
      break;
    case EventType::page:
      FUZZ_CHECK(tp.event.rfind("Page Viewed", 0) == 0, "page event named '%s'", tp.event.c_str());
      break;
    case EventType::screen:
      FUZZ_CHECK(tp.event.rfind("Screen Viewed", 0) == 0, "screen event named '%s'", tp.event.c_str());
      break;
    default:
      FUZZ_CHECK(tp.event.empty(), "%s event named '%s'", to_string(tp.type), tp.event.c_str());
  }
  if (tp.type == EventType::alias && !tp.user_id.empty())
    FUZZ_CHECK(!tp.previous_id.empty(), "alias with a userId but no previousId");
  // Actions and alerts carry the event time as ISO-8601; it must read back as the same instant.
  const std::string ts = format_iso8601(tp.timestamp.value());
  const auto back = parse_iso8601(ts);
  FUZZ_CHECK(back && *back == tp.timestamp.value(),
             "timestamp %lld formats as '%s', which does not parse back",
             static_cast<long long>(tp.timestamp.value()), ts.c_str());
}

bool same(const Decoded& a, const Decoded& b) {
  if (a.index() != b.index()) return false;
  if (const auto* ra = std::get_if<Rejection>(&a)) {
    const auto& rb = std::get<Rejection>(b);
    return ra->category == rb.category && ra->reason == rb.reason;
  }
  const auto& ta = std::get<Touchpoint>(a);
  const auto& tb = std::get<Touchpoint>(b);
  return ta.type == tb.type && ta.event == tb.event && ta.user_id == tb.user_id &&
         ta.anonymous_id == tb.anonymous_id && ta.message_id == tb.message_id &&
         ta.previous_id == tb.previous_id && ta.timestamp == tb.timestamp &&
         ta.fields.size() == tb.fields.size();
}

// The DLQ record of `payload` is JSON and keeps its bytes (the first kMaxDlqPayloadBytes of them,
// not cutting a UTF-8 sequence).
void check_dlq(const Rejection& r, std::string_view payload) {
  const std::string rec = make_dlq_record(r, {"touchpoints", Partition{3}, Offset{42}}, payload, kNowMs);
  auto j = fuzz::parse_json(rec);
  FUZZ_CHECK(j && j->is_object(), "DLQ record is not a JSON object: %s", excerpt(rec).c_str());
  FUZZ_CHECK((*j)["category"] == to_string(r.category), "category %s", excerpt(rec).c_str());
  FUZZ_CHECK((*j)["reason"].is_string() && !(*j)["reason"].get<std::string>().empty(), "reason %s",
             excerpt(rec).c_str());
  FUZZ_CHECK((*j)["partition"] == 3 && (*j)["offset"] == 42, "source %s", excerpt(rec).c_str());
  const bool truncated = j->contains("payload_truncated");
  std::string kept;
  if (j->contains("payload")) {
    FUZZ_CHECK(!j->contains("payload_base64"), "both payload forms");
    kept = (*j)["payload"].get<std::string>();
  } else {
    FUZZ_CHECK(j->contains("payload_base64"), "no payload in %s", excerpt(rec).c_str());
    kept = base64_decode((*j)["payload_base64"].get<std::string>());
  }
  if (!truncated) {
    FUZZ_CHECK(kept == payload, "the DLQ payload differs from the input (%zu vs %zu bytes)", kept.size(),
               payload.size());
    return;
  }
  FUZZ_CHECK(payload.size() > kMaxDlqPayloadBytes, "truncated a %zu-byte payload", payload.size());
  FUZZ_CHECK((*j)["payload_bytes"] == payload.size(), "payload_bytes");
  FUZZ_CHECK(kept.size() <= kMaxDlqPayloadBytes && kept.size() + 3 >= kMaxDlqPayloadBytes,
             "kept %zu bytes of %zu", kept.size(), payload.size());
  FUZZ_CHECK(payload.substr(0, kept.size()) == kept, "the kept payload is not a prefix of the input");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Decoder decoder;  // reused across inputs, as on the consuming thread
  static Decoder tiny({/*max_event_bytes=*/64});
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const Decoded d = decoder.decode(input, kFallbackMs);
  if (const auto* r = std::get_if<Rejection>(&d)) {
    FUZZ_CHECK(known(r->category) && r->category != DlqCategory::late_event, "category %d",
               static_cast<int>(r->category));
    FUZZ_CHECK(!r->reason.empty(), "a rejection without a reason");
    FUZZ_CHECK((r->category == DlqCategory::size_violation) == (size > DecoderOptions{}.max_event_bytes),
               "size_violation for %zu bytes", size);
  } else {
    check_touchpoint(std::get<Touchpoint>(d), input);
  }

  FUZZ_CHECK(same(d, decoder.decode(input, kFallbackMs)), "decoding %s twice gave two answers",
             excerpt(input).c_str());
  // Limits are checked before parsing.
  const Decoded small = tiny.decode(input, kFallbackMs);
  if (size > 64) {
    FUZZ_CHECK(std::holds_alternative<Rejection>(small) &&
                   std::get<Rejection>(small).category == DlqCategory::size_violation,
               "a %zu-byte event passed a 64-byte limit", size);
  } else {
    FUZZ_CHECK(same(d, small), "the limit changed the answer for %s", excerpt(input).c_str());
  }

  // A strict JSON parser's opinion (events within the size limit only).
  if (size <= DecoderOptions{}.max_event_bytes) {
    const bool valid = fuzz::is_json(input);
    const auto* r = std::get_if<Rejection>(&d);
    if (valid)
      FUZZ_CHECK(!r || r->category != DlqCategory::parse_error, "valid JSON called a parse_error (%s): %s",
                 r->reason.c_str(), excerpt(input).c_str());
    else
      FUZZ_CHECK(r != nullptr, "invalid JSON decoded as a Touchpoint: %s", excerpt(input).c_str());
  }

  // The DLQ record: of the decoder's own rejection, or of any bytes.
  const Rejection rej = std::holds_alternative<Rejection>(d) ? std::get<Rejection>(d)
                                                             : Rejection{DlqCategory::late_event, "late"};
  check_dlq(rej, input);
  if (size >= 2 && size <= 4 && (data[0] & 0xC0) == 0xC0 && (data[1] & 0xC0) == 0x80) {
    // The input lands where a long payload is cut, which must not split a UTF-8 sequence. Only for
    // short inputs starting with a multi-byte sequence: 64 KiB per run is slow under instrumentation.
    std::string padded(kMaxDlqPayloadBytes - size / 2, 'x');
    padded.append(input);
    check_dlq(rej, padded);
  }
  return 0;
}
