#include "webhook/signature.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <charconv>
#include <optional>

#include "common/hash.h"

namespace journeyd::webhook {

std::string signature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_payload;
  signed_payload.reserve(t.size() + 1 + body.size());
  signed_payload.append(t).push_back('.');
  signed_payload.append(body);
  return fmt::format("t={},v1={}", t, hmac_sha256_hex(secret, signed_payload));
}

bool verify_signature(std::string_view header, std::string_view secret, std::string_view body,
                      int64_t now_seconds, int64_t tolerance_seconds) {
  std::optional<int64_t> t;
  std::vector<std::string_view> v1s;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with("t=")) {
      int64_t v = 0;
      const auto* end = part.data() + part.size();
      if (auto [p, ec] = std::from_chars(part.data() + 2, end, v); ec == std::errc{} && p == end) t = v;
    } else if (part.starts_with("v1=")) {
      v1s.push_back(part.substr(3));
    }
  }
  if (!t || v1s.empty()) return false;
  if (*t < now_seconds - tolerance_seconds || *t > now_seconds + tolerance_seconds) return false;
  const std::string expected = hmac_sha256_hex(secret, std::to_string(*t) + "." + std::string(body));
  for (auto v : v1s)
    if (v.size() == expected.size() && CRYPTO_memcmp(v.data(), expected.data(), v.size()) == 0) return true;
  return false;
}

std::vector<std::string> attempt_headers(const AttemptInfo& a, std::string_view secret,
                                         std::string_view body) {
  return {
      "Content-Type: application/json",
      fmt::format("User-Agent: {}", user_agent()),
      fmt::format("{}: {}", kSignatureHeader, signature(secret, a.unix_seconds, body)),
      fmt::format("{}: {}", kDeliveryHeader, a.delivery_id),
      fmt::format("{}: {}", kAttemptHeader, a.attempt),
      fmt::format("{}: {}", kEventHeader, a.event),
      "Expect:",  // no 100-continue round trip: bodies are small
  };
}

std::string_view user_agent() {
  return "journeyd/" JOURNEYD_VERSION;
}

}  // namespace journeyd::webhook
