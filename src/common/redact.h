// Redaction of secrets in text that leaves the process: log lines, error
// messages, dead letters, config errors. One place decides what a secret looks
// like, so every call site masks the same way (with kMask).
//
// Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace journeyd::redact {

inline constexpr std::string_view kMask = "***";

// True for a setting or librdkafka property whose value is a secret: names with password, secret,
// token, write_key(s), hash_key, a private key (ssl.key.*, ssl_key, key.pem), keystore, the OAUTHBEARER
// config or credentials in them. Case-insensitive. (`ssl.key.location` is masked too: harmless.)
bool is_secret_key(std::string_view key);

// `value` when `key` is not a secret, else kMask (an empty value stays empty: "not set" is no secret).
std::string value_for(std::string_view key, std::string_view value);

// A URL safe to print: user info and every query value (and a fragment) masked, scheme, host, port
// and path kept: "https://u:p@h/x?sig=1&a" → "https://***@h/x?sig=***&***". Text that is not a
// URL comes back with any "…@" user info and query values masked the same way.
std::string url(std::string_view url);

// `text` with every occurrence of each non-empty secret replaced by kMask. For messages of other
// libraries (librdkafka, libcurl) that may echo a value journeyd handed them.
std::string scrub(std::string_view text, std::initializer_list<std::string_view> secrets);

// `text` (an error, a response an endpoint sent back) with `url` masked as url() does, and the
// credentials in it — user info, password, query values and fragment of 4+ characters (shorter ones
// would mangle the text; the url itself is masked whole) — wherever else they appear.
std::string scrub_url(std::string_view text, std::string_view url);

}  // namespace journeyd::redact
