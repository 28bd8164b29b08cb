#include "app/memory_budget.h"

#include <fmt/format.h>

#include <charconv>

#include "app/kafka_config.h"

namespace journeyd::app {

namespace {
// librdkafka's default when the property is not set.
constexpr uint64_t kDefaultQueuedKbytes = 65'536;

uint64_t property_or(const kafka::Properties& p, const std::string& name, uint64_t fallback) {
  auto it = p.find(name);
  if (it == p.end()) return fallback;
  uint64_t v = 0;
  const auto& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && end == s.data() + s.size() ? v : fallback;
}

uint64_t mib(uint64_t bytes) {
  return (bytes + (1u << 20) - 1) >> 20;
}
}  // namespace

MemoryBudget memory_budget(const config::Config& cfg) {
  MemoryBudget b;
  b.block_cache = static_cast<uint64_t>(cfg.state_block_cache_mb) << 20;
  b.write_buffers = static_cast<uint64_t>(cfg.state_write_buffer_mb) << 20;
  b.customer_cache = static_cast<uint64_t>(cfg.state_cache_customers) * kCachedCustomerBytes;
  b.consumer_queue = property_or(consumer_properties(cfg), "queued.max.messages.kbytes", kDefaultQueuedKbytes)
                     << 10;
  b.outbox = 2 * (static_cast<uint64_t>(cfg.engine_max_outbox_mb) << 20);
  b.batch =
      static_cast<uint64_t>(cfg.engine_batch_max_events) * static_cast<uint64_t>(cfg.engine_max_event_bytes);
  b.base = kBaseBytes;
  return b;
}

std::string MemoryBudget::describe() const {
  return fmt::format(
      "{} MiB: block cache {} + write buffers {} + customer cache {} + consumer queue {} + outbox {} + batch "
      "{} "
      "+ base {}",
      mib(total()), mib(block_cache), mib(write_buffers), mib(customer_cache), mib(consumer_queue),
      mib(outbox), mib(batch), mib(base));
}

}  // namespace journeyd::app
