#include "journey/registry.h"

#include <gtest/gtest.h>

#include "journey/loader.h"
#include "unit/temp_dir.h"

namespace journeyd::journey {
namespace {

std::vector<Definition> defs(const std::string& yaml) {
  auto loaded = load_text(yaml, "test.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors.front());
  return std::move(loaded.definitions);
}

constexpr const char* kA1 = "trigger: a\nversion: 1\nevent: A\naction: {type: a1}\n";
constexpr const char* kA2 = "trigger: a\nversion: 2\nevent: A\naction: {type: a2}\n";
constexpr const char* kB1 =
    "sla: b\nstart: {event: S}\nstop: {event: T}\nwithin: 1h\nalert: {severity: info}\n";

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = state::Store::open({dir_.path() + "/db", 8u << 20, 8u << 20});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
  }
  size_t stored() {
    size_t n = 0;
    auto r =
        store_->scan(state::Cf::meta, "", std::string(8, '\xff'), [&](std::string_view, std::string_view) {
          ++n;
          return true;
        });
    EXPECT_TRUE(r);
    return n;
  }
  testing::TempDir dir_;
  std::unique_ptr<state::Store> store_;
};

TEST_F(RegistryTest, CurrentDefinitionsBySlot) {
  Registry r(*store_);
  ASSERT_TRUE(r.update(defs(std::string(kA1) + "---\n" + kB1)));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.slot("a"), 0u);
  EXPECT_EQ(r.slot("b"), 1u);
  EXPECT_FALSE(r.slot("c"));
  EXPECT_EQ(r.current(1).kind, Kind::sla);
  EXPECT_EQ(r.version(0, 1), &r.current(0));
  EXPECT_EQ(r.version(0, 2), nullptr);
  EXPECT_EQ(stored(), 2u);
}

TEST_F(RegistryTest, VersionsArePersistedAndReloadedByAFreshRegistry) {
  {
    Registry r(*store_);
    ASSERT_TRUE(r.update(defs(kA1)));
    ASSERT_TRUE(r.update(defs(kA2)));
    const auto all = r.versions_of(0);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0]->version, 1u);
    EXPECT_EQ(all[1]->version, 2u);
  }
  EXPECT_EQ(stored(), 2u);
  Registry fresh(*store_);
  ASSERT_TRUE(fresh.update(defs(kA2)));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh.current(0).version, 2u);
  const Definition* v1 = fresh.version(0, 1);
  ASSERT_NE(v1, nullptr);
  EXPECT_EQ(v1->trigger()->emit.action->type, "a1");
  EXPECT_EQ(v1->trigger()->match.event, "A");
  EXPECT_EQ(fresh.versions_of(0).size(), 2u);
  EXPECT_EQ(stored(), 2u);  // nothing new to persist
}

TEST_F(RegistryTest, SameContentReformattedIsTheSameVersion) {
  Registry r(*store_);
  ASSERT_TRUE(r.update(defs(kA1)));
  const Definition* before = &r.current(0);
  ASSERT_TRUE(r.update(defs("# a comment\ntrigger: a\nevent: A\nversion: 1\naction: { type: a1 }\n")));
  EXPECT_EQ(&r.current(0), before);  // the shared instance is kept
  EXPECT_EQ(stored(), 1u);
}

TEST_F(RegistryTest, ChangedContentWithoutVersionBumpIsAnErrorAndChangesNothing) {
  {
    Registry r(*store_);
    ASSERT_TRUE(r.update(defs(kA1)));
    const auto bad =
        r.update(defs(std::string("trigger: a\nversion: 1\nevent: A\naction: {type: other}\n---\n") + kB1));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("'a' version 1"), std::string::npos) << bad.error().message;
    EXPECT_NE(bad.error().message.find("test.yaml"), std::string::npos) << bad.error().message;
    ASSERT_EQ(r.size(), 1u);  // b did not come in either
    EXPECT_FALSE(r.slot("b"));
    EXPECT_EQ(r.current(0).trigger()->emit.action->type, "a1");
    EXPECT_EQ(r.versions_of(0).size(), 1u);
    EXPECT_EQ(stored(), 1u);
  }
  // Also against versions only the store knows about (an earlier run).
  Registry fresh(*store_);
  EXPECT_FALSE(fresh.update(defs("trigger: a\nversion: 1\nevent: B\naction: {type: a1}\n")));
  EXPECT_EQ(fresh.size(), 0u);
  EXPECT_TRUE(fresh.update(defs(kA2)));
}

TEST_F(RegistryTest, RemovedDefinitionLosesItsSlotButStaysStored) {
  Registry r(*store_);
  ASSERT_TRUE(r.update(defs(std::string(kA1) + "---\n" + kB1)));
  ASSERT_TRUE(r.update(defs(kB1)));
  EXPECT_EQ(r.size(), 1u);
  EXPECT_FALSE(r.slot("a"));
  EXPECT_EQ(r.slot("b"), 0u);
  EXPECT_EQ(stored(), 2u);
  ASSERT_TRUE(r.update(defs(std::string(kB1) + "---\n" + kA2)));  // back, with a new version
  EXPECT_EQ(r.slot("a"), 1u);
  EXPECT_EQ(r.versions_of(1).size(), 2u);
}

TEST_F(RegistryTest, MaxGraceOfTheCurrentDefinitions) {
  Registry r(*store_);
  ASSERT_TRUE(r.update(defs(std::string(kA1) + "---\n" + kB1)));
  EXPECT_EQ(r.max_grace(500), 500);
  ASSERT_TRUE(r.update(defs(std::string(kA1) + "---\nsla: b\nversion: 2\ngrace: 2s\nstart: {event: S}\nstop: "
                                               "{event: T}\nwithin: 1h\nalert: {severity: info}\n")));
  EXPECT_EQ(r.max_grace(500), 2000);
  EXPECT_EQ(r.max_grace(5000), 5000);
}

}  // namespace
}  // namespace journeyd::journey
