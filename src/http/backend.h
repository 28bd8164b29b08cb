// What the query, admin and ops routes ask of the running process. The app
// implements it (state lives on the processing thread); tests use a fake.
// Every call with a Respond answers exactly once, on any thread; bodies are
// JSON as schemas/openapi.yaml describes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "http/message.h"

namespace journeyd::http {

struct Readiness {
  bool ready = false;
  std::string details_json;  // {"state":…, "partitions":…, …}
};

// GET /v1/journeys/{id}/funnel: the range is [from, to); absent `to` is the process's event clock,
// absent `from` is `to` minus `span_ms` (or funnel.window when that is absent too).
struct FunnelQuery {
  std::string journey;
  std::optional<int64_t> from, to, span_ms;
  std::string step;  // empty: every step
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual void customer(std::string id, Respond respond) = 0;  // 200, or 404
  virtual void customer_actions(std::string id, size_t limit, Respond respond) = 0;
  virtual void alerts(std::string definition, size_t limit, Respond respond) = 0;
  virtual void definitions(Respond respond) = 0;
  virtual void definition(std::string id, Respond respond) = 0;  // 200, or 404
  virtual void funnel(FunnelQuery q, Respond respond) = 0;       // 200, 400 (bad step/range) or 404
  virtual void reload(std::string actor, Respond respond) = 0;   // 200, or 422 with the problems
  virtual void erase_customer(std::string id, std::string actor, Respond respond) = 0;
  virtual Readiness readiness() const = 0;
  virtual std::string metrics() = 0;  // Prometheus text exposition
  // The live dashboard's snapshot (docs/api.md, "Dashboard and live feed"): 200 and
  // {"type":"snapshot","at":…,"funnels":[…],"alerts":[…],"actions":[…],"lag":{…},…}.
  virtual void live(Respond respond) = 0;
};

}  // namespace journeyd::http
