#include "webhook/signature.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace journeyd::webhook {
namespace {

const std::string kBody = R"({"action_id":"4e29504c4a3e8305","type":"cart_abandon_email"})";

TEST(Signature, HeaderSignsTimestampDotBody) {
  EXPECT_EQ(signature("whsec_test", 1'700'000'000, kBody),
            "t=1700000000,v1=da5e601a359fd10d845e1731571008a459199cb9c798066be9f83c4271d1eb49");
}

TEST(Signature, VerifiesLikeAReceiver) {
  const auto h = signature("whsec_test", 1'700'000'000, kBody);
  EXPECT_TRUE(verify_signature(h, "whsec_test", kBody, 1'700'000'010));
  EXPECT_FALSE(verify_signature(h, "other", kBody, 1'700'000'010)) << "wrong secret";
  EXPECT_FALSE(verify_signature(h, "whsec_test", kBody + " ", 1'700'000'010)) << "body changed";
  EXPECT_FALSE(verify_signature(h, "whsec_test", kBody, 1'700'000'400)) << "outside the replay window";
  // Several v1 values (secret rotation): one matching is enough; unknown schemes are ignored.
  const auto rotated = "t=1700000000, v0=abc, v1=00, " + h.substr(h.find("v1="));
  EXPECT_TRUE(verify_signature(rotated, "whsec_test", kBody, 1'700'000'000));
  EXPECT_FALSE(verify_signature("v1=" + h.substr(h.find("v1=") + 3), "whsec_test", kBody, 1'700'000'000))
      << "no timestamp";
  EXPECT_FALSE(verify_signature("t=x," + h.substr(h.find("v1=")), "whsec_test", kBody, 1'700'000'000));
}

TEST(Signature, AttemptHeaders) {
  const auto hs = attempt_headers({"d1", 3, "alert", 1'700'000'000}, "whsec_test", kBody);
  auto has = [&](const std::string& line) { return std::find(hs.begin(), hs.end(), line) != hs.end(); };
  EXPECT_TRUE(has("Content-Type: application/json"));
  EXPECT_TRUE(has("X-Journeyd-Delivery: d1"));
  EXPECT_TRUE(has("X-Journeyd-Attempt: 3"));
  EXPECT_TRUE(has("X-Journeyd-Event: alert"));
  EXPECT_TRUE(has("X-Journeyd-Signature: " + signature("whsec_test", 1'700'000'000, kBody)));
  EXPECT_TRUE(has("User-Agent: " + std::string(user_agent())));
  EXPECT_TRUE(user_agent().starts_with("journeyd/"));
}

}  // namespace
}  // namespace journeyd::webhook
