// Consumer-group member on one topic. Offsets are owned by the caller (they
// live in RocksDB): on assignment the caller's hook says where each partition
// starts; Kafka commits are advisory, for lag monitoring only.
//
// Threading: all calls, and the rebalance hooks, happen on the polling thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/types.h"
#include "kafka/health.h"
#include "kafka/message.h"
#include "kafka/properties.h"

namespace journeyd::kafka {

struct ConsumerOptions {
  Properties properties;  // bootstrap.servers, group.id, anything else for librdkafka
  std::string topic;
  // Where to start each newly assigned partition; a missing entry means "from the beginning".
  std::function<std::map<int32_t, int64_t>(const std::vector<Partition>&)> on_assign;
  // Called before partitions are taken away (the caller has no uncommitted batch then).
  std::function<void(const std::vector<Partition>&)> on_revoke;
  // Fed with the consumer's broker states, errors, fetch and commit failures (null: not tracked).
  std::shared_ptr<ClientHealth> health;
};

class Consumer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Consumer>> create(ConsumerOptions opts);
  ~Consumer();

  // Appends up to `max` messages; waits at most `timeout_ms` for the first one
  // and stops early once none is immediately available. Consumer errors
  // (transport, etc.) are logged and skipped; they are retried by librdkafka.
  // If partitions are revoked during the call, the messages of those
  // partitions appended by this call before the revocation are dropped (they
  // belong to the old assignment); messages after a re-assignment are kept.
  size_t poll_batch(std::vector<Message>& out, size_t max, int timeout_ms);

  // High watermark from the last fetch response (no network round-trip), or -1.
  int64_t high_watermark(Partition p) const;
  // Asks the partition leader for the current high watermark (a network round
  // trip, at most timeout_ms); -1 on failure.
  int64_t query_high_watermark(Partition p, int timeout_ms) const;
  // The next offset the consumer will fetch (after any transaction markers), or -1.
  int64_t position(Partition p) const;
  const std::vector<Partition>& assignment() const;

  // Backpressure. While paused, fetching stops for every assigned partition, including ones
  // assigned meanwhile, and poll_batch returns no more messages but still serves the group
  // (heartbeats, rebalances). librdkafka drops what it had prefetched; resuming fetches from the
  // message after the last one poll_batch returned (or the assigned start if none was).
  void set_paused(bool paused);
  bool paused() const;

  // Advisory async commit of next offsets (lag shows in kafka-consumer-groups).
  void commit_async(const std::map<int32_t, int64_t>& next_offsets);
  // Leaves the group cleanly.
  void close();

 public:
  struct Impl;  // public only for librdkafka's C callbacks

 private:
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::kafka
