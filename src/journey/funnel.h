// Funnel aggregates (column family `funnel`): per journey × minute × step,
// counters merged by addition (state/counters.h), so a batch only adds its
// increments and a query sums the minutes of its range. Semantics
// (docs/journeys.md "Funnel aggregates"): every count is bucketed by the
// event time at which it happened.
//   step s:     reached  instances reaching step s for the first time (s = 0: instances entered)
//               dropoffs drop-offs (`dropoff:` rules) fired after step s, at their deadline
//               time from the previous step: a log-bucketed sketch (~1 % relative error), mergeable
//   step "":    events   events that matched a step of the journey (for "no events for T")
//   journey "": applied, rejected   input events of the process, by partition clock (DLQ rate)
// Threading: FunnelDelta belongs to the processing thread; read_funnel only reads the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "journey/definition.h"
#include "state/counters.h"
#include "state/store.h"

namespace journeyd {
class JsonWriter;
}

namespace journeyd::journey {

namespace funnel_field {
inline constexpr uint32_t reached = 0;
inline constexpr uint32_t dropoffs = 1;
inline constexpr uint32_t events = 2;
inline constexpr uint32_t applied = 3;
inline constexpr uint32_t rejected = 4;
inline constexpr uint32_t sketch = 16;  // sketch bins start here
}  // namespace funnel_field

inline constexpr int64_t kMinuteMs = 60'000;
inline int64_t minute_of(int64_t t) {
  return t - (((t % kMinuteMs) + kMinuteMs) % kMinuteMs);
}

// The sketch bin of a duration and the value a bin stands for (relative error ≤ ~1 %).
uint32_t sketch_bin(int64_t duration_ms);
int64_t sketch_value(uint32_t bin);

struct Quantiles {
  uint64_t count = 0;
  int64_t p50_ms = 0, p90_ms = 0, p99_ms = 0;
};
// Quantiles of the sketch bins in `c` (nullopt when it holds none).
std::optional<Quantiles> sketch_quantiles(const state::Counters& c);

// Increments of one poll batch, written as one merge operand per key at flush().
class FunnelDelta {
 public:
  void add(std::string_view journey, std::string_view step, int64_t at, uint32_t field, uint64_t n = 1);
  void add_duration(std::string_view journey, std::string_view step, int64_t at, int64_t duration_ms);
  void flush(state::Batch& batch);
  bool empty() const { return pending_.empty(); }

 private:
  std::unordered_map<std::string, state::Counters> pending_;  // key: state::funnel_key
};

struct FunnelStepReport {
  std::string id;
  uint64_t reached = 0;
  uint64_t dropoffs = 0;
  std::optional<uint64_t> dropped;   // reached here but not the next step (none for the goal)
  std::optional<double> conversion;  // reached / reached at the previous step (none for step 1)
  std::optional<Quantiles> time;     // from the previous step (none for step 1)
};

struct FunnelReport {
  std::string journey;
  uint32_t version = 0;
  int64_t from = 0, to = 0;  // [from, to), whole minutes
  int64_t window_ms = 0;
  uint64_t events = 0;  // events that matched a step
  std::vector<FunnelStepReport> steps;
  uint64_t entered = 0, converted = 0;
  std::optional<double> conversion;
  std::optional<size_t> bottleneck_conversion;  // the step with the lowest conversion
  std::optional<size_t> bottleneck_time;        // the step with the longest median time from the previous
};

// The funnel of `def` (a journey) over [from, to) (rounded out to whole minutes), from the store.
[[nodiscard]] Result<FunnelReport> read_funnel(const state::Store& store, const Definition& def, int64_t from,
                                               int64_t to);
// The report as JSON (schemas/openapi.yaml Funnel); only `step` if it is not empty (it must exist).
void write_funnel_json(JsonWriter& w, const FunnelReport& r, std::string_view step = {});

// Input counters of the process (journey ""), summed over [from, to).
struct InputCounts {
  uint64_t applied = 0, rejected = 0;
};
[[nodiscard]] Result<InputCounts> read_input_counts(const state::Store& store, int64_t from, int64_t to);
// Sum of one field of one journey's step (or "" for the journey's own counters) over [from, to).
[[nodiscard]] Result<state::Counters> read_counters(const state::Store& store, std::string_view journey,
                                                    std::string_view step, int64_t from, int64_t to);

}  // namespace journeyd::journey
