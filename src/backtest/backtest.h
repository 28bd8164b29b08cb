// Backtest: runs the journey engine over a history file (one Segment event per
// line, JSONL) with a temporary RocksDB and no Kafka, collecting what the
// engine would emit. The same engine code as the Kafka pipeline; a single
// partition (0) whose clock is its maximum event time (no wall clock).
// The funnels are read afterwards from the engine's aggregates (journey/funnel.h),
// exactly as GET /v1/journeys/{id}/funnel reads them.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/types.h"
#include "journey/definition.h"
#include "journey/funnel.h"

namespace journeyd::backtest {

enum class Until : uint8_t {
  end,    // the clock stops at the last event's time (timers due by then, minus grace, fire)
  drain,  // every pending timer fires, however far in the future
  time,   // the clock stops at `until_ms`
};

struct Options {
  Until until = Until::end;
  int64_t until_ms = kNoTime;  // Until::time
  int64_t grace_ms = 500;      // engine.grace
  int64_t dedup_horizon_ms = 24LL * 3600 * 1000;
  size_t batch_events = 1000;  // events per engine batch (one RocksDB WriteBatch)
  std::string state_dir;       // empty: a fresh temporary folder, removed afterwards
  // Called after every batch with bytes read so far (for a progress bar).
  std::function<void(uint64_t bytes_read)> progress;
  // The funnels' range [from, to) (rounded out to whole minutes). Default: from the minute of the
  // earliest applied event to one minute past the final clock (for drain: past the last minute that
  // counted something), i.e. everything the run counted.
  std::optional<int64_t> funnel_from, funnel_to;
};

struct Record {
  std::string sink;  // "action", "alert", "suppressed" or "dlq"
  std::string json;  // the record exactly as it would be produced to Kafka
};

struct Summary {
  uint64_t lines = 0;
  uint64_t events = 0;          // applied
  uint64_t rejected = 0;        // DLQ records (parse errors, late events, …)
  uint64_t duplicates = 0;      // dropped by messageId
  std::vector<Record> records;  // in emission order
  // One per journey definition, over the funnel range (none when no event was applied and no range
  // was given).
  std::vector<journey::FunnelReport> funnels;
};

[[nodiscard]] Result<Summary> run(const std::vector<journey::Definition>& defs, std::istream& events,
                                  const Options& opts);

}  // namespace journeyd::backtest
