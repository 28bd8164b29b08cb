#include "app/privacy_check.h"

#include <gtest/gtest.h>

#include "journey/loader.h"

namespace journeyd::app {
namespace {

TEST(PrivacyCheck, WarnsForConditionsOnHashedOrRemovedFields) {
  auto p = event::Privacy::create({"traits.email,userId,anonymousId", "context.ip", "0123456789abcdef-key"});
  ASSERT_TRUE(p && p.value());
  auto defs = journey::load_text(
      "trigger: t\nversion: 1\nevent: E\n"
      "where: { traits.email: { eq: x }, context.ip: { exists: true }, userId: { eq: u1 }, "
      "properties.price: { gt: 0 } }\naction: { type: a }\n",
      "t.yaml");
  ASSERT_TRUE(defs.ok()) << (defs.errors.empty() ? "" : defs.errors[0]);
  const auto w = privacy_conflicts(*p.value(), defs.definitions);
  ASSERT_EQ(w.size(), 3u);
  std::string all;
  for (const auto& m : w) all += m + "\n";
  for (const char* want : {"t.yaml: trigger 't': `where` on traits.email is hashed", "context.ip is removed",
                           "userId is hashed"})
    EXPECT_NE(all.find(want), std::string::npos) << want << " not in\n" << all;
  EXPECT_EQ(all.find("properties.price"), std::string::npos) << all;
}

}  // namespace
}  // namespace journeyd::app
