// Stable 64-bit hashing (XXH3) for ids that must be identical across runs,
// machines and versions: action ids, holdout splits.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace journeyd {

uint64_t stable_hash(std::string_view bytes);

// Hashes the parts with a separator that can't be confused with their content
// (each part is length-prefixed), so ("ab","c") and ("a","bc") differ.
uint64_t stable_hash(std::initializer_list<std::string_view> parts);

// 16 lowercase hex digits.
std::string to_hex(uint64_t v);

// HMAC-SHA256(key, message) as 64 lowercase hex digits (webhook signatures, PII hashing).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace journeyd
