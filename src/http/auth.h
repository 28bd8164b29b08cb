// Credentials of the HTTP API: write keys of the Segment collector (HTTP Basic,
// key as user name, or `writeKey` in the body) and bearer tokens with scopes
// for the query and admin API. Secrets are compared in constant time and
// never logged; a token is named so audit records can say who acted.
//
// Immutable after construction; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "http/message.h"

namespace journeyd::http {

enum class Scope { read, admin };  // admin includes read

struct Token {
  std::string name;
  Scope scope = Scope::read;
  std::string secret;
};

// "name:scope:secret,…" (http.tokens). Errors name the entry, never its secret.
[[nodiscard]] Result<std::vector<Token>> parse_tokens(std::string_view spec);
// Comma-separated write keys (ingest.write_keys).
std::vector<std::string> parse_list(std::string_view spec);

// Compares a secret with a presented value in time independent of where they differ and of the
// secret's length (SHA-256 of both sides, then CRYPTO_memcmp). An empty secret matches nothing.
bool constant_time_equal(std::string_view secret, std::string_view candidate);
// The user name of an `Authorization: Basic …` header.
std::optional<std::string> basic_user(std::string_view authorization);
std::optional<std::string> base64_decode(std::string_view in);

struct AuthResult {
  int status = 200;   // 200, 401 (no or unknown credentials) or 403 (scope too small, or API off)
  std::string actor;  // the token's name
  std::string message;
};

// 401 (with a Bearer challenge) or 403 as a JSON error.
Response auth_error(const AuthResult& a);

class TokenAuth {
 public:
  explicit TokenAuth(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}
  // With no tokens configured, reads are open and the admin API is off.
  AuthResult check(const Request& r, Scope needed) const;

 private:
  std::vector<Token> tokens_;
};

class WriteKeys {
 public:
  explicit WriteKeys(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  // The header's key, else the body's, when it is one of the configured keys.
  std::optional<std::string> match(const Request& r, std::string_view body_key) const;
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<std::string> keys_;
};

}  // namespace journeyd::http
