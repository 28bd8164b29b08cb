// A Store opened in a fresh temp dir, small caches; reopen() simulates a restart.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "state/store.h"
#include "unit/temp_dir.h"

namespace journeyd::testing {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() {
    auto s = state::Store::open({dir_.path() + "/db", 8u << 20, 8u << 20});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(s.value());
  }
  void reopen() {
    store_.reset();
    open();
  }
  void write(state::Batch& b) {
    auto r = store_->write(b);
    ASSERT_TRUE(r) << r.error().message;
  }
  std::optional<std::string> get(state::Cf cf, std::string_view key) {
    auto r = store_->get(cf, key);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r.value() : std::nullopt;
  }

  TempDir dir_;  // declared first: destroyed after the store
  std::unique_ptr<state::Store> store_;
};

}  // namespace journeyd::testing
