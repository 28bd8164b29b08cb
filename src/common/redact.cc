#include "common/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace journeyd::redact {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool is_secret_key(std::string_view key) {
  static constexpr std::array<std::string_view, 11> kMarks = {
      "password", "secret",  "token",    "write_key",          "hash_key",   "ssl.key",
      "ssl_key",  "key.pem", "keystore", "oauthbearer.config", "credentials"};
  const std::string k = lower(key);
  return std::any_of(kMarks.begin(), kMarks.end(),
                     [&](std::string_view m) { return k.find(m) != std::string::npos; });
}

std::string value_for(std::string_view key, std::string_view value) {
  if (value.empty() || !is_secret_key(key)) return std::string(value);
  return std::string(kMask);
}

std::string url(std::string_view u) {
  std::string out;
  out.reserve(u.size());
  // Scheme and authority: user info is everything before the last '@' of the authority.
  const auto scheme_end = u.find("://");
  const size_t auth_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const size_t auth_end = std::min(u.size(), u.find_first_of("/?#", auth_begin));
  const auto authority = u.substr(auth_begin, auth_end - auth_begin);
  out.append(u.substr(0, auth_begin));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    out.append(kMask).append(authority.substr(at));
  } else {
    out.append(authority);
  }
  // Path as it is; then each query parameter's value masked; a fragment masked whole.
  const size_t query = std::min(u.size(), u.find('?', auth_end));
  const size_t fragment = std::min(u.size(), u.find('#', auth_end));
  const size_t path_end = std::min(query, fragment);
  out.append(u.substr(auth_end, path_end - auth_end));
  if (query < fragment) {
    out.push_back('?');
    auto q = u.substr(query + 1, fragment - query - 1);
    bool first = true;
    while (true) {
      const auto amp = q.find('&');
      const auto param = q.substr(0, amp);
      if (!first) out.push_back('&');
      first = false;
      // A bare parameter ("?abc") may be a token itself: masked whole.
      if (const auto eq = param.find('='); eq != std::string_view::npos)
        out.append(param.substr(0, eq)).append("=").append(kMask);
      else if (!param.empty())
        out.append(kMask);
      if (amp == std::string_view::npos) break;
      q.remove_prefix(amp + 1);
    }
  }
  if (fragment < u.size()) out.append("#").append(kMask);
  return out;
}

std::string scrub(std::string_view text, std::initializer_list<std::string_view> secrets) {
  std::string out(text);
  for (auto s : secrets) {
    if (s.empty()) continue;
    for (size_t at = out.find(s); at != std::string::npos; at = out.find(s, at + kMask.size()))
      out.replace(at, s.size(), kMask);
  }
  return out;
}

std::string scrub_url(std::string_view text, std::string_view u) {
  std::string out(text);
  if (u.empty()) return out;
  const std::string masked = url(u);
  for (size_t at = out.find(u); at != std::string::npos; at = out.find(u, at + masked.size()))
    out.replace(at, u.size(), masked);
  const auto scheme_end = u.find("://");
  const size_t auth_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const size_t auth_end = std::min(u.size(), u.find_first_of("/?#", auth_begin));
  const auto authority = u.substr(auth_begin, auth_end - auth_begin);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto info = authority.substr(0, at);
    out = scrub(out, {info});
    if (const auto colon = info.find(':'); colon != std::string_view::npos)
      out = scrub(out, {info.substr(colon + 1)});
  }
  const size_t query = std::min(u.size(), u.find('?', auth_end));
  const size_t fragment = std::min(u.size(), u.find('#', auth_end));
  auto q = query < fragment ? u.substr(query + 1, fragment - query - 1) : std::string_view();
  while (!q.empty()) {
    const auto amp = q.find('&');
    auto param = q.substr(0, amp);
    if (const auto eq = param.find('='); eq != std::string_view::npos) param.remove_prefix(eq + 1);
    if (param.size() >= 4) out = scrub(out, {param});
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  if (fragment + 1 < u.size() && u.size() - fragment - 1 >= 4) out = scrub(out, {u.substr(fragment + 1)});
  return out;
}

}  // namespace journeyd::redact
