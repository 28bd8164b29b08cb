// The Segment-compatible collector (design §7): POST /v1/track, identify,
// page, screen, group, alias and batch. Existing Segment SDKs work by
// pointing their host at journeyd. A 200 is sent only after Kafka
// acknowledged every event of the request, so it means durable.
//
// Statuses: 200 (all, or in a batch the valid ones, are durable; the others
// are listed), 400 (bad JSON or event), 401 (write key), 413 (size), 429
// (rate, with Retry-After), 503 (Kafka unreachable, with Retry-After).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "http/router.h"
#include "http/segment.h"

namespace journeyd::http {

struct PublishResult {
  bool ok = true;
  // When not ok: 503 (retry: Kafka unreachable, queue full), 413 (an event Kafka never takes),
  // 500 (Kafka refused an event for another reason).
  int status = 503;
  std::string error;  // why Kafka did not take every event
};

// Where accepted events go (app: a Kafka producer on `touchpoints`).
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Produces every event; `done` runs exactly once, on any thread, after the last delivery report.
  virtual void publish(std::vector<OutEvent> events, std::function<void(PublishResult)> done) = 0;
  // False while Kafka is known to be unreachable: requests get 503 at once.
  virtual bool available() const = 0;
};

// Counts for /metrics (app wires them to its metrics).
class IngestObserver {
 public:
  virtual ~IngestObserver() = default;
  virtual void accepted(size_t events) = 0;
  virtual void rejected(std::string_view code, size_t events) = 0;
};

struct IngestOptions {
  std::vector<std::string> write_keys;  // empty: every request gets 401
  int64_t rate_limit = 0;               // events per second per write key; 0: unlimited
  SegmentLimits limits;
};

// Handlers keep what they need alive; `sink`, `clock` and `observer` must outlive the router.
void register_ingest_routes(Router& router, IngestOptions opts, EventSink& sink, const Clock& clock,
                            IngestObserver* observer = nullptr);

}  // namespace journeyd::http
