#include "http/auth.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>

namespace journeyd::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Case-insensitive "<scheme> " prefix.
std::optional<std::string_view> credentials(std::string_view header, std::string_view scheme) {
  header = trim(header);
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  return trim(header.substr(scheme.size() + 1));
}

}  // namespace

std::vector<std::string> parse_list(std::string_view spec) {
  std::vector<std::string> out;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    auto item = trim(spec.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return out;
}

Result<std::vector<Token>> parse_tokens(std::string_view spec) {
  std::vector<Token> out;
  size_t n = 0;
  for (const auto& item : parse_list(spec)) {
    ++n;
    const auto a = item.find(':');
    const auto b = a == std::string::npos ? a : item.find(':', a + 1);
    if (b == std::string::npos)
      return fail(Errc::invalid_argument, fmt::format("http.tokens: entry {} is not name:scope:secret", n));
    Token t{item.substr(0, a), Scope::read, item.substr(b + 1)};
    const auto scope = item.substr(a + 1, b - a - 1);
    if (scope == "admin")
      t.scope = Scope::admin;
    else if (scope != "read")
      return fail(Errc::invalid_argument,
                  fmt::format("http.tokens: entry {} ('{}'): scope must be read or admin", n, t.name));
    if (t.name.empty() || t.secret.size() < 8)
      return fail(
          Errc::invalid_argument,
          fmt::format("http.tokens: entry {} ('{}'): needs a name and a secret of 8+ characters", n, t.name));
    out.push_back(std::move(t));
  }
  return out;
}

bool constant_time_equal(std::string_view secret, std::string_view candidate) {
  // Both sides are hashed first, then the fixed-size digests compared with CRYPTO_memcmp (OpenSSL's
  // comparison that no compiler folds into an early exit). So the time depends on neither where the
  // values first differ nor how long the secret is (only on the candidate's length, which the caller
  // knows anyway). Equal digests mean equal values: SHA-256 has no known collisions.
  if (secret.empty()) return false;  // an unset secret matches nothing (configuration, not a secret)
  unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
  unsigned int na = 0, nb = 0;
  if (EVP_Digest(secret.data(), secret.size(), a, &na, EVP_sha256(), nullptr) != 1 ||
      EVP_Digest(candidate.data(), candidate.size(), b, &nb, EVP_sha256(), nullptr) != 1 || na != nb)
    return false;  // the digest failed (out of memory): deny
  return CRYPTO_memcmp(a, b, na) == 0;
}

std::optional<std::string> base64_decode(std::string_view in) {
  static const auto table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(abc[i])] = static_cast<int8_t>(i);
    return t;
  }();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::optional<std::string> basic_user(std::string_view authorization) {
  auto c = credentials(authorization, "basic");
  if (!c) return std::nullopt;
  auto decoded = base64_decode(*c);
  if (!decoded) return std::nullopt;
  return decoded->substr(0, decoded->find(':'));
}

Response auth_error(const AuthResult& a) {
  auto r = json_error(a.status, a.status == 401 ? "unauthorized" : "forbidden", a.message);
  if (a.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"journeyd\"");
  return r;
}

AuthResult TokenAuth::check(const Request& r, Scope needed) const {
  if (tokens_.empty()) {
    if (needed == Scope::read) return {};
    return {403, "", "the admin API is off: no http.tokens are configured"};
  }
  auto h = r.header("authorization");
  auto secret = h ? credentials(*h, "bearer") : std::nullopt;
  if (!secret) return {401, "", "a bearer token is required (Authorization: Bearer <token>)"};
  const Token* match = nullptr;
  for (const auto& t : tokens_)  // every token is compared, whichever matches
    if (constant_time_equal(t.secret, *secret)) match = &t;
  if (!match) return {401, "", "unknown token"};
  if (needed == Scope::admin && match->scope != Scope::admin)
    return {403, match->name, "this token has the read scope; the admin scope is required"};
  return {200, match->name, ""};
}

std::optional<std::string> WriteKeys::match(const Request& r, std::string_view body_key) const {
  std::string key;
  if (auto h = r.header("authorization")) {
    if (auto u = basic_user(*h)) key = std::move(*u);
  }
  if (key.empty()) key = body_key;
  if (key.empty()) return std::nullopt;
  bool ok = false;
  for (const auto& k : keys_) ok |= constant_time_equal(k, key);
  if (!ok) return std::nullopt;
  return key;
}

}  // namespace journeyd::http
