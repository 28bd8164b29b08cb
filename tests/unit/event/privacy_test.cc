#include "event/privacy.h"

#include <gtest/gtest.h>

#include "event/decoder.h"

namespace journeyd::event {
namespace {

constexpr const char* kKey = "test-key-0123456789";

std::shared_ptr<const Privacy> privacy(const std::string& hash, const std::string& redact = "") {
  auto p = Privacy::create({hash, redact, kKey});
  EXPECT_TRUE(p) << p.error().message;
  return p ? p.value() : nullptr;
}

Touchpoint decode(const std::shared_ptr<const Privacy>& p, std::string_view json) {
  Decoder d({size_t{32} * 1024, p});
  auto r = d.decode(json, 0);
  EXPECT_TRUE(std::holds_alternative<Touchpoint>(r)) << std::get<Rejection>(r).reason;
  return std::get<Touchpoint>(std::move(r));
}

constexpr std::string_view kEvent =
    R"({"type":"identify","userId":"u42","anonymousId":"a-9f","messageId":"m1",)"
    R"("traits":{"email":"ann@example.com","plan":"pro","address":{"city":"Springfield","zip":10115}},)"
    R"("context":{"ip":"203.0.113.7","timezone":"Europe/Berlin"},)"
    R"("properties":{"phone":4915112345678,"price":19.99,"vip":true,"tags":["ann@example.com"]}})";

TEST(Privacy, NoRulesIsNoPrivacy) {
  auto p = Privacy::create({"", " , ", ""});
  ASSERT_TRUE(p);
  EXPECT_EQ(p.value(), nullptr);
}

TEST(Privacy, BadSettingsAreErrorsThatNeverShowTheKey) {
  const std::string key = "super-secret-hash-key";
  for (const auto& [hash, redact, k] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"email", "", key},                              // not below properties/context/traits
           {"properties.", "", key},                        // empty path below
           {"userId", "", key},                             // without anonymousId
           {"traits.email", "", "short"},                   // key too short
           {"traits.email", "", ""},                        // no key
           {"", "userId", key},                             // identities cannot be removed
           {"traits.address", "traits.address.city", key},  // both
           {"traits.email", "traits", key}}) {
    auto p = Privacy::create({hash, redact, k});
    ASSERT_FALSE(p) << hash << " / " << redact;
    EXPECT_EQ(p.error().message.find("super-secret"), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find("privacy"), std::string::npos) << p.error().message;
  }
  EXPECT_TRUE(Privacy::create({"", "traits.email", ""})) << "redaction needs no key";
}

// The documented recipe: printf %s "$v" | openssl dgst -sha256 -hmac "$KEY", first 32 hex digits.
TEST(Privacy, HashIsTheDocumentedTruncatedHmac) {
  auto p = privacy("traits.email");
  EXPECT_EQ(p->hash("ann@example.com"), "843871b6848fdd48063f7d15cda43831");
  EXPECT_EQ(p->hash("ann@example.com"), p->hash("ann@example.com"));
  EXPECT_NE(p->hash("ann@example.com"), p->hash("Ann@example.com"));
  auto other = Privacy::create({"traits.email", "", "another-key-0123456789"});
  ASSERT_TRUE(other);
  EXPECT_NE(other.value()->hash("ann@example.com"), p->hash("ann@example.com")) << "keyed";
}

TEST(Privacy, RulesCoverAPathAndEverythingBelowIt) {
  auto p = privacy("traits.address, userId,anonymousId", "context.ip");
  EXPECT_EQ(p->rule_for("traits.address"), Privacy::Rule::hash);
  EXPECT_EQ(p->rule_for("traits.address.city"), Privacy::Rule::hash);
  EXPECT_EQ(p->rule_for("traits.addressee"), Privacy::Rule::keep);
  EXPECT_EQ(p->rule_for("context.ip"), Privacy::Rule::redact);
  EXPECT_EQ(p->rule_for("context.ipv6"), Privacy::Rule::keep);
  EXPECT_EQ(p->rule_for("userId"), Privacy::Rule::hash);
  EXPECT_EQ(p->rule_for("previousId"), Privacy::Rule::hash);
  EXPECT_TRUE(p->hashes_identities());
  EXPECT_FALSE(privacy("traits.email")->hashes_identities());
}

TEST(Privacy, DecoderHashesAndRedactsBeforeTheEngineSeesTheEvent) {
  auto p = privacy("traits.email,traits.address,properties.phone,userId,anonymousId", "context.ip");
  const auto tp = decode(p, kEvent);
  EXPECT_EQ(tp.user_id, p->hash("u42"));
  EXPECT_EQ(tp.anonymous_id, p->hash("a-9f"));
  EXPECT_EQ(tp.customer(), p->hash("u42"));
  EXPECT_EQ(tp.message_id, "m1") << "not PII: kept for dedup";
  EXPECT_EQ(tp.fields.get("traits.email")->string, "843871b6848fdd48063f7d15cda43831");
  EXPECT_EQ(tp.fields.get("traits.address.city")->string, p->hash("Springfield"));
  EXPECT_EQ(tp.fields.get("traits.address.zip")->string, p->hash("10115")) << "numbers by their text";
  EXPECT_EQ(tp.fields.get("properties.phone")->string, p->hash("4915112345678"));
  EXPECT_FALSE(tp.fields.get("context.ip")) << "redacted: as if never sent";
  // Everything else as decoded.
  EXPECT_EQ(tp.fields.get("traits.plan")->string, "pro");
  EXPECT_EQ(tp.fields.get("context.timezone")->string, "Europe/Berlin");
  EXPECT_EQ(tp.fields.get("properties.price")->number, 19.99);
  EXPECT_TRUE(tp.fields.get("properties.vip")->boolean);
  const auto plain = decode(nullptr, kEvent);
  EXPECT_EQ(plain.fields.size(), tp.fields.size() + 1);
}

TEST(Privacy, AliasPreviousIdIsHashedWithTheIdentities) {
  auto p = privacy("userId,anonymousId");
  const auto tp = decode(p, R"({"type":"alias","userId":"u42","previousId":"a-9f"})");
  EXPECT_EQ(tp.user_id, p->hash("u42"));
  EXPECT_EQ(tp.previous_id, p->hash("a-9f")) << "joins the anonymousId hashed on earlier events";
  const auto numeric = decode(p, R"({"type":"track","event":"E","userId":42})");
  EXPECT_EQ(numeric.user_id, p->hash("42"));
}

TEST(Privacy, DlqPayloadGetsTheSameRules) {
  auto p = privacy("traits.email,traits.address,properties.phone,properties.tags,userId,anonymousId",
                   "context.ip");
  const auto out = p->scrub_payload(kEvent);
  for (const char* raw :
       {"ann@example.com", "203.0.113.7", "Springfield", "10115", "4915112345678", "u42", "a-9f"})
    EXPECT_EQ(out.find(raw), std::string::npos) << raw << " in " << out;
  // The hashes equal the decoded event's, so a DLQ record can be matched to the customer.
  const auto tp = decode(p, kEvent);
  for (const auto& h : {tp.user_id, tp.anonymous_id, std::string(tp.fields.get("traits.email")->string),
                        std::string(tp.fields.get("properties.phone")->string),
                        std::string(tp.fields.get("traits.address.zip")->string)})
    EXPECT_NE(out.find("\"" + h + "\""), std::string::npos) << h << " not in " << out;
  EXPECT_EQ(out.find("\"ip\""), std::string::npos) << "redacted keys are removed";
  // The rest is kept, and the result is an event the decoder still reads.
  for (const char* kept : {R"("plan":"pro")", R"("price":19.99)", R"("vip":true)", R"("messageId":"m1")",
                           R"("timezone":"Europe/Berlin")"})
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " not in " << out;
  Decoder d;
  EXPECT_TRUE(std::holds_alternative<Touchpoint>(d.decode(out, 0))) << out;
}

TEST(Privacy, DlqPayloadThatIsNotAnObjectIsWithheld) {
  auto p = privacy("traits.email");
  for (std::string_view bad : {R"({"traits":{"email":"ann@example.com")", "ann@example.com", "[1,2]", ""}) {
    const auto out = p->scrub_payload(bad);
    EXPECT_EQ(out.find("ann@"), std::string::npos) << out;
    EXPECT_NE(out.find("withheld"), std::string::npos) << out;
  }
  EXPECT_EQ(p->scrub_payload(R"({"type":"track","traits":"flat"})"), R"({"type":"track","traits":"flat"})");
}

TEST(Privacy, KafkaKeyIsHashedWithTheIdentities) {
  EXPECT_EQ(privacy("userId,anonymousId")->scrub_key("u42"), privacy("userId,anonymousId")->hash("u42"));
  EXPECT_EQ(privacy("traits.email")->scrub_key("u42"), "u42");
  EXPECT_EQ(privacy("userId,anonymousId")->scrub_key(""), "");
}

}  // namespace
}  // namespace journeyd::event
