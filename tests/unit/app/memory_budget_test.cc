// The memory budget adds up the bounds of the configuration.
#include "app/memory_budget.h"

#include <gtest/gtest.h>

namespace journeyd::app {
namespace {

constexpr uint64_t kMiB = 1 << 20;

TEST(MemoryBudget, AddsTheBoundsOfTheDefaults) {
  const auto cfg = config::defaults();
  const auto b = memory_budget(cfg);
  EXPECT_EQ(b.block_cache, 256 * kMiB);
  EXPECT_EQ(b.write_buffers, 128 * kMiB);
  EXPECT_EQ(b.customer_cache, 200'000 * kCachedCustomerBytes);
  EXPECT_EQ(b.consumer_queue, 16 * kMiB);  // journeyd's default, not librdkafka's 64 MiB
  EXPECT_EQ(b.outbox, 2 * 64 * kMiB);
  EXPECT_EQ(b.batch, 5000u * 32768u);
  EXPECT_EQ(b.total(), b.block_cache + b.write_buffers + b.customer_cache + b.consumer_queue + b.outbox +
                           b.batch + kBaseBytes);
  EXPECT_NE(b.describe().find("block cache 256 + write buffers 128"), std::string::npos) << b.describe();
}

TEST(MemoryBudget, FollowsTheSettingsThatBoundMemory) {
  auto cfg = config::defaults();
  cfg.state_block_cache_mb = 32;
  cfg.state_cache_customers = 1000;
  cfg.engine_max_outbox_mb = 2;
  cfg.kafka_consumer["queued.max.messages.kbytes"] = "4096";
  const auto b = memory_budget(cfg);
  EXPECT_EQ(b.block_cache, 32 * kMiB);
  EXPECT_EQ(b.customer_cache, 1000 * kCachedCustomerBytes);
  EXPECT_EQ(b.outbox, 4 * kMiB);
  EXPECT_EQ(b.consumer_queue, 4 * kMiB);
  // A value librdkafka would refuse anyway counts as librdkafka's default.
  cfg.kafka_consumer["queued.max.messages.kbytes"] = "lots";
  EXPECT_EQ(memory_budget(cfg).consumer_queue, 64 * kMiB);
}

}  // namespace
}  // namespace journeyd::app
