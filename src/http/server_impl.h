// Internal to the server (server.cc, live_session.cc): what its two kinds of
// connection share — the Impl (acceptor, io threads, connection registry,
// drain, live routes), the Gate and SessionBase. It includes Beast/Asio, so
// only these two .cc files include it; everything else sees server.h.
//
// Ownership: a session keeps itself alive through the handlers of its pending
// async operations. Anything reaching a session from outside the io threads (a
// Respond, a live feed) holds only a weak_ptr and goes through the Gate, which
// closes before the io_context stops, so nothing touches the io_context once it
// is gone.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/live.h"
#include "http/server.h"

namespace journeyd::http {
namespace detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using UpgradeRequest = beast::http::request<beast::http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

inline std::chrono::milliseconds ms(int64_t v) {
  return std::chrono::milliseconds(v);
}

// Lets a Respond or a live feed reach a session only while the io_context is running.
struct Gate {
  std::mutex mu;
  bool open = true;  // guarded by mu
};

class SessionBase;

// A connection's request parser gets the options' header and body limits (431 and 413 beyond them).
void limit_parser(beast::http::request_parser<beast::http::string_body>& parser, const ServerOptions& opts);
// The Request the Handler gets for a parsed request (its body is moved out): method, target, decoded
// path and query, headers with lower-case names, body, `remote`. False on a malformed target, which
// the server answers 400 itself. (Also used by tests/fuzz/http_fuzz.cc.)
bool to_request(UpgradeRequest& req, std::string remote, Request& out);

}  // namespace detail

struct Server::Impl {
  Impl(ServerOptions o, Handler h) : opts(std::move(o)), handler(std::move(h)), ioc(opts.threads) {}

  Result<void> listen();
  void accept();
  void on_accept(detail::beast::error_code ec, detail::tcp::socket socket);
  std::shared_ptr<detail::SessionBase> make_session(detail::tcp::socket&& socket);
  void run_thread();
  void drain();
  std::vector<std::shared_ptr<detail::SessionBase>> snapshot();
  // The feed of a WebSocket route, or nullptr.
  LiveFeed* live_feed(const std::string& path) const;

  const ServerOptions opts;
  const Handler handler;
  const std::shared_ptr<detail::Gate> gate = std::make_shared<detail::Gate>();

  mutable std::mutex live_mu;
  std::unordered_map<std::string, LiveFeed*> live_routes;  // guarded by live_mu

  // Declared before ioc: a session destroyed with the io_context unregisters here.
  mutable std::mutex mu;
  std::condition_variable cv;                                                 // notified when a session goes
  std::unordered_map<uint64_t, std::weak_ptr<detail::SessionBase>> sessions;  // guarded by mu
  uint64_t next_id = 0;                                                       // guarded by mu
  size_t counted = 0, rejecting = 0;                                          // guarded by mu
  std::atomic<bool> draining{false};  // set under mu (for on_accept), read anywhere

  std::optional<detail::asio::ssl::context> tls;
  detail::asio::io_context ioc;
  std::optional<detail::asio::executor_work_guard<detail::asio::io_context::executor_type>> work{
      ioc.get_executor()};
  detail::tcp::acceptor acceptor{detail::asio::make_strand(ioc)};
  detail::asio::steady_timer accept_backoff{acceptor.get_executor()};
  uint16_t port = 0;
  std::vector<std::thread> threads;

  std::mutex drain_mu;
  bool drained = false;  // guarded by drain_mu
};

namespace detail {

// What every connection offers to Impl and to Respond, whatever its stream or protocol.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  SessionBase(Server::Impl& srv, asio::any_io_executor ex) : srv_(srv), ex_(std::move(ex)) {}
  virtual ~SessionBase();
  // Under srv_.mu, before start().
  void admit(uint64_t id, bool reject) {
    id_ = id;
    reject_ = reject;
  }
  // The connection moves to `next` (an HTTP connection upgraded to a WebSocket): `next` takes this
  // one's place in the registry and under max_connections. Any thread.
  void hand_over(SessionBase& next);
  virtual void start() = 0;
  // Any thread: stop after the current request (HTTP) or close "going away" (WebSocket); close now
  // if idle.
  virtual void begin_drain() = 0;
  // Any thread: the answer to request number seq.
  virtual void post_answer(uint64_t seq, Response r) = 0;
  // Teardown only (io threads stopped): drop the self-reference of a request
  // whose answer never came.
  virtual void release() = 0;

 protected:
  Server::Impl& srv_;
  const asio::any_io_executor ex_;  // the connection's strand; read-only, so usable from any thread
  uint64_t id_ = 0;                 // 0: never admitted, or handed over
  bool reject_ = false;             // over max_connections: answer 503 and close
};

// An upgraded connection (live_session.cc): accepts the WebSocket handshake of `req` on `stream`,
// then sends `feed`'s snapshots until the client or a drain closes it. `from` hands its place over.
// On the connection's strand.
void start_live_session(Server::Impl& srv, beast::tcp_stream&& stream, UpgradeRequest&& req, LiveFeed& feed,
                        SessionBase& from, std::string remote);
void start_live_session(Server::Impl& srv, TlsStream&& stream, UpgradeRequest&& req, LiveFeed& feed,
                        SessionBase& from, std::string remote);

}  // namespace detail
}  // namespace journeyd::http
