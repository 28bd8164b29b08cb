// Deterministic Segment-spec traffic for one journey: N customers arrive at a
// fixed event-time spacing and walk the journey's steps; at each step a
// customer continues with the configured probability, so a known number of
// customers stops (drops off) at every step. Events come out in global
// event-time order, as real traffic would.
//
// Used by journeyd-loadgen, the benchmark and the integration tests.
#pragma once

#include <cstdint>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "journey/definition.h"

namespace journeyd::loadgen {

struct GeneratorOptions {
  size_t customers = 1000;
  // Probability of going from step k to step k+1 (size: steps - 1). Missing entries: 0.6.
  std::vector<double> conversion;
  int64_t start_ms = 0;            // event time of the first customer's first event
  int64_t arrival_ms = 100;        // event-time spacing between customers' first events
  int64_t step_delay_ms = 60'000;  // mean delay between steps (uniform in [½, 1½] of it)
  uint64_t seed = 1;
  std::string id_prefix = "u";
};

struct GeneratedEvent {
  std::string key;  // customer id (the Kafka message key)
  std::string json;
  int64_t timestamp_ms = 0;
};

// What journeyd must emit for this traffic.
struct Expectation {
  uint64_t events = 0;
  uint64_t actions = 0;
  uint64_t alerts = 0;
  std::vector<uint64_t> stopped_at;  // customers whose last step is k
};

class Generator {
 public:
  Generator(const journey::Definition& def, GeneratorOptions opts);

  // The next event in event-time order; false when every customer is done.
  bool next(GeneratedEvent& out);
  const Expectation& expectation() const { return expect_; }
  // Event time of the last event (known up front).
  int64_t last_event_ms() const { return last_ms_; }
  // Checks that the options give exact expectations (delays below every drop-off
  // `for`, journeys inside the window); returns a problem or empty.
  std::string check() const;

 private:
  struct Pending {
    int64_t ts;
    uint32_t customer;
    uint16_t step;
    bool operator>(const Pending& o) const { return ts != o.ts ? ts > o.ts : customer > o.customer; }
  };
  int64_t delay(uint32_t customer, uint16_t step) const;
  uint16_t depth(uint32_t customer) const;

  const journey::JourneySpec& def_;
  GeneratorOptions opts_;
  uint32_t next_customer_ = 0;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> heap_;
  Expectation expect_;
  int64_t last_ms_ = 0;
};

}  // namespace journeyd::loadgen
