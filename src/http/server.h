// The HTTP/1.1 server every route group plugs into (as one Handler, usually a
// Router). Boost.Beast/Asio stay inside server.cc.
//
// Lifecycle: start() binds, listens and starts the io threads; drain() stops
// accepting, lets in-flight requests finish (answered with Connection: close),
// closes idle connections, waits up to drain_timeout_ms, then stops the
// threads. The destructor drains if drain() was not called.
// Threading: `threads` io threads ("jd:http") run one io_context; each
// connection is served on its own strand, so one connection's requests are
// handled one at a time. The Handler runs on an io thread and must not block;
// its Respond may be called from any thread. Ownership: the Server owns its
// connections; a Respond outliving the Server is harmless (it does nothing).
// drain() and ~Server must not be called from a handler (an io thread).
//
// WebSocket (add_live_route): an upgrade request goes to the Handler like any
// request (so routing, auth and metrics apply); an answer of 101 accepts the
// handshake and the connection then carries a LiveFeed's snapshots (text
// frames) until the client leaves or a drain closes it with 1001 "going away".
// A WebSocket connection counts under max_connections like any other; its
// handshake and close must finish within read_timeout_ms, and a client silent
// for idle_timeout_ms (no answer to the ping sent halfway) is closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "http/message.h"

namespace journeyd::http {

class LiveFeed;

struct ServerOptions {
  // Address to listen on (IPv4 or IPv6 literal).
  // Default: "0.0.0.0"
  std::string address = "0.0.0.0";
  // TCP port; 0 picks an ephemeral port (see Server::port()).
  // Default: 0
  uint16_t port = 0;
  // io threads running the event loop.
  // Default: 1
  int threads = 1;
  // Largest request body accepted; larger gets 413 and the connection is closed.
  // Default: 1 MiB
  size_t max_body_bytes = 1 << 20;
  // Largest request line plus headers; larger gets 431 and the connection is closed.
  // Default: 16 KiB
  size_t max_header_bytes = 16 << 10;
  // A whole request must arrive within this many ms of its first byte (of the
  // accept, for a new connection's first request); else 408 and close. Guards
  // against slow clients (slowloris).
  // Default: 10'000
  int64_t read_timeout_ms = 10'000;
  // A keep-alive connection waiting for its next request is closed after this
  // many ms. Also bounds writing one response to a client that does not read.
  // Default: 60'000
  int64_t idle_timeout_ms = 60'000;
  // Open connections served at once. Beyond it a new connection gets an
  // immediate 503 "too_many_connections" and is closed; existing ones go on.
  // Default: 1024
  size_t max_connections = 1024;
  // PEM certificate chain and private key. Both set: TLS (>= 1.2) only on this
  // port; neither: plain HTTP; one: start() fails.
  // Default: "" (plain HTTP)
  std::string tls_cert_file, tls_key_file;
  // How long drain() waits for in-flight requests before stopping anyway.
  // Default: 10'000
  int64_t drain_timeout_ms = 10'000;
  // Told the status of every answer the server gives itself, before any handler ran (400, 408, 413,
  // 431, 503 at the connection cap), for metrics. Called on io threads; must be thread-safe.
  // Default: none
  std::function<void(int status)> on_own_answer;
};

class Server {
 public:
  // Errors (as values): invalid options, unreadable/mismatched TLS files,
  // bind/listen failures.
  [[nodiscard]] static Result<std::unique_ptr<Server>> start(ServerOptions opts, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the ephemeral one when options.port was 0).
  uint16_t port() const;
  // See the top comment. Idempotent; blocks for at most drain_timeout_ms.
  void drain();
  // Connections currently served (not counting ones being turned away).
  size_t connections() const;
  // Serves WebSocket upgrades of GET `path` (the decoded path, no query) with
  // `feed` (see the top comment); the Handler must answer such a request 101 to
  // accept it (any other answer is sent as usual). `feed` must outlive the
  // Server. Any thread; affects connections upgrading from then on.
  void add_live_route(std::string path, LiveFeed& feed);

  struct Impl;  // internal (server.cc); public only so its connection classes can name it

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::http
