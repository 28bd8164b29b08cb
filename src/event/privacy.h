// PII before storage: configured fields of every decoded event are replaced by
// a keyed hash (privacy.hash_fields) or removed (privacy.redact_fields) before
// the engine sees the event, so neither RocksDB (customers, identity,
// instances, history, outbox) nor any emitted record holds the raw value.
// The same rules rewrite the original bytes a DLQ record keeps.
//
// Hash: HMAC-SHA256(privacy.hash_key, value), the first 32 hex digits (128 bits)
// — deterministic, so equal values still join (identity links, `where: eq`) and
// anyone holding the key can compute it: `printf %s "$v" | openssl dgst -sha256
// -hmac "$KEY"` (the first 32 digits). Strings are hashed as they are, numbers
// by their shortest decimal text; booleans and nulls are kept.
//
// Immutable after create(); thread-safe (shared by the decoder and the DLQ path).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "event/touchpoint.h"

namespace journeyd::event {

struct PrivacyOptions {
  // Comma-separated field paths: `userId` and `anonymousId` (always together; previousId follows
  // them), or paths below properties/context/traits (`traits.email`, `context.ip`). A path also
  // covers everything below it (`traits.address` covers `traits.address.city`).
  std::string hash_fields;
  std::string redact_fields;  // the same paths, except the identities: removed, not hashed
  std::string hash_key;       // required (16+ bytes) when hash_fields is set; a secret
};

class Privacy {
 public:
  enum class Rule { keep, hash, redact };

  // nullptr when no field is configured. Errors name the path or setting, never the key.
  [[nodiscard]] static Result<std::shared_ptr<const Privacy>> create(const PrivacyOptions& opts);

  // The 32 hex digits of HMAC-SHA256(key, value).
  std::string hash(std::string_view value) const;
  // What happens to the field at `path` ("traits.email", "userId").
  Rule rule_for(std::string_view path) const;
  bool hashes_identities() const { return identities_; }

  // Applies the rules to a decoded event (in place).
  void apply(Touchpoint& tp) const;
  // The original bytes of an event with the rules applied, for a DLQ record. Bytes that are not a
  // JSON object cannot be rewritten and are withheld: a note with their length replaces them.
  std::string scrub_payload(std::string_view json) const;
  // A Kafka key (the customer id) as it is stored: hashed when identities are.
  std::string scrub_key(std::string_view key) const;

 private:
  Privacy() = default;
  std::vector<std::string> hash_, redact_;  // paths below properties/context/traits
  bool identities_ = false;
  std::string key_;
};

}  // namespace journeyd::event
