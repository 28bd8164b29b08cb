// What the query, admin and ops routes ask of the running process. The app
// implements it (state lives on the processing thread); tests use a fake.
// Every call with a Respond answers exactly once, on any thread; bodies are
// JSON as schemas/openapi.yaml describes them.
#pragma once

#include <cstddef>
#include <string>

#include "http/message.h"

namespace journeyd::http {

struct Readiness {
  bool ready = false;
  std::string details_json;  // {"state":…, "partitions":…, …}
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual void customer(std::string id, Respond respond) = 0;  // 200, or 404
  virtual void customer_actions(std::string id, size_t limit, Respond respond) = 0;
  virtual void alerts(std::string definition, size_t limit, Respond respond) = 0;
  virtual void definitions(Respond respond) = 0;
  virtual void definition(std::string id, Respond respond) = 0;  // 200, or 404
  virtual void reload(std::string actor, Respond respond) = 0;   // 200, or 422 with the problems
  virtual void erase_customer(std::string id, std::string actor, Respond respond) = 0;
  virtual Readiness readiness() const = 0;
  virtual std::string metrics() = 0;  // Prometheus text exposition
};

}  // namespace journeyd::http
