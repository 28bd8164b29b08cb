// A non-blocking HTTP client for webhook attempts on libcurl's multi interface. start() queues a
// POST; pump() (from the owner's loop, like OutboxRelay) drives every transfer as far as it can
// without waiting and returns the finished ones. Each attempt has its own timeout (connect plus
// the whole response); TLS peers and host names are verified; redirects are not followed (a 3xx
// is an answer). Connections are reused between attempts to the same host.
//
// Lifecycle: create() once; destroying the Client abandons whatever is in flight.
// Threading: one thread (the processing thread). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace journeyd::webhook {

struct HttpRequest {
  uint64_t token = 0;  // handed back with the answer
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POSTed
  int64_t timeout_ms = 5000;
};

struct HttpAnswer {
  uint64_t token = 0;
  int status = 0;                          // 0: no HTTP answer (see error)
  std::string error;                       // transport failure (refused, timeout, TLS …); empty if status
  std::optional<std::string> retry_after;  // the Retry-After header, if any
  std::string body_start;                  // the first bytes of the response body (for last_error)
  double seconds = 0;                      // the attempt's duration
};

struct ClientOptions {
  // CA bundle for TLS verification. Empty: the system's.
  // Default: ""
  std::string ca_file;
  // Response body bytes kept for error messages; the rest is read and dropped.
  // Default: 512
  size_t keep_body_bytes = 512;
};

class Client {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Client>> create(ClientOptions opts = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void start(HttpRequest req);
  // Progress without blocking; the attempts finished since the last call.
  std::vector<HttpAnswer> pump();
  // Abandons the transfer with this token (its answer never comes).
  void cancel(uint64_t token);
  // Blocks until a transfer can make progress or `timeout_ms` passed (tests; an idle loop).
  void wait(int timeout_ms);
  size_t in_flight() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::webhook
