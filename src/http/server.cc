// Server internals: the Impl's members (listen, accept, drain) and
// Session<Stream>, one per HTTP connection, templated on plain TCP or TLS. A
// request that upgrades to a WebSocket (answered 101 by the Handler, on a path
// given to add_live_route) moves its stream to a live session (live_session.cc).
//
// Ownership: a Session keeps itself alive through the handlers of its pending
// async operations, and through hold_ while a Handler owns its request (no
// operation is pending then). A Respond holds only a weak_ptr to its Session
// and reaches it through the Gate (server_impl.h).
#include "http/server.h"

#include <openssl/ssl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <limits>
#include <type_traits>

#include "http/server_impl.h"

namespace journeyd::http {

using namespace detail;
namespace bhttp = boost::beast::http;

namespace {

// How long a closing connection's unread input is discarded, so the client
// reads our last answer instead of a reset (a "lingering close").
constexpr auto kLinger = std::chrono::seconds(1);
// Turned-away connections being answered 503 at once; beyond, they are just closed.
constexpr size_t kMaxRejecting = 64;
constexpr size_t kReadChunk = 4096;
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

// The path of a request target, without the query (which may carry a token).
std::string_view path_of(beast::string_view target) {
  const std::string_view t = sv(target);
  return t.substr(0, t.find('?'));
}

// The state shared by every copy of one Respond.
struct Answer {
  std::shared_ptr<Gate> gate;
  std::weak_ptr<SessionBase> session;
  uint64_t seq = 0;
  std::atomic<bool> done{false};

  void send(Response r) {
    if (done.exchange(true)) {
      spdlog::warn("http: a request was answered twice; the second answer is dropped");
      return;
    }
    std::lock_guard g(gate->mu);
    if (!gate->open) return;
    if (auto s = session.lock()) s->post_answer(seq, std::move(r));
  }
  ~Answer() {
    if (done.load()) return;
    spdlog::error("http: a handler dropped its request without answering");
    send(json_error(500, "internal", "the request was dropped without an answer"));
  }
};

template <class Stream>
class Session final : public SessionBase {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class Phase { starting, idle, reading, handling, writing, closing };

 public:
  template <class... Args>
  Session(Server::Impl& srv, tcp::socket&& socket, Args&... args)
      : SessionBase(srv, socket.get_executor()), stream_(std::move(socket), args...), read_timer_(ex_) {
    beast::error_code ec;
    const auto ep = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void start() override {
    asio::dispatch(ex_, [self = self()] { self->on_start(); });
  }

  void begin_drain() override {
    asio::post(ex_, [self = self()] {
      if (self->phase_ == Phase::starting || self->phase_ == Phase::idle) self->close_now();
    });
  }

  void post_answer(uint64_t seq, Response r) override {
    asio::post(ex_, [self = self(), seq, r = std::move(r)]() mutable { self->on_answer(seq, std::move(r)); });
  }

  void release() override { hold_.reset(); }

 private:
  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const ServerOptions& opts() const { return srv_.opts; }
  // Once drain() began, every response says Connection: close.
  bool draining() const { return srv_.draining.load(); }

  void on_start() {
    if (draining()) return close_now();
    if constexpr (kTls) {
      lowest().expires_after(ms(opts().read_timeout_ms));
      stream_.async_handshake(asio::ssl::stream_base::server, [self = self()](beast::error_code ec) {
        if (ec) return self->close_now();
        self->next_request();
      });
    } else {
      next_request();
    }
  }

  // Waits for the first byte of a request: read_timeout_ms on a new connection,
  // idle_timeout_ms between keep-alive requests. Expiry closes silently.
  void next_request() {
    if (reject_)
      return own(json_error(503, "too_many_connections", "the server is at its connection limit"), true);
    if (draining()) return finish();
    if (buf_.size() > 0) return read_request();  // pipelined
    phase_ = Phase::idle;
    lowest().expires_after(ms(first_ ? opts().read_timeout_ms : opts().idle_timeout_ms));
    stream_.async_read_some(buf_.prepare(kReadChunk), [self = self()](beast::error_code ec, size_t n) {
      if (ec) return self->close_now();
      self->buf_.commit(n);
      self->read_request();
    });
  }

  // Reads one request; the whole of it must arrive within read_timeout_ms.
  void read_request() {
    phase_ = Phase::reading;
    timed_out_ = false;
    head_ = false;
    lowest().expires_never();
    parser_.emplace();
    limit_parser(*parser_, opts());
    read_timer_.expires_after(ms(opts().read_timeout_ms));
    read_timer_.async_wait([self = self(), gen = ++read_gen_](beast::error_code ec) {
      if (ec || gen != self->read_gen_ || self->phase_ != Phase::reading) return;
      self->timed_out_ = true;
      self->lowest().cancel();  // the pending read completes with operation_aborted
    });
    bhttp::async_read_header(stream_, buf_, *parser_, [self = self()](beast::error_code ec, size_t) {
      if (ec || self->timed_out_) return self->on_read_error(ec);
      if (beast::iequals(self->parser_->get()[bhttp::field::expect], "100-continue")) {
        self->continue_ = {bhttp::status::continue_, self->parser_->get().version()};
        return bhttp::async_write(self->stream_, self->continue_, [self](beast::error_code ec, size_t) {
          if (ec || self->timed_out_) return self->on_read_error(ec);
          self->read_body();
        });
      }
      self->read_body();
    });
  }

  void read_body() {
    bhttp::async_read(stream_, buf_, *parser_, [self = self()](beast::error_code ec, size_t) {
      if (ec || self->timed_out_) return self->on_read_error(ec);
      self->stop_read_timer();
      self->handle(self->parser_->release());
    });
  }

  void stop_read_timer() {
    ++read_gen_;
    read_timer_.cancel();
  }

  void on_read_error(beast::error_code ec) {
    spdlog::debug("http: {} read ended: {}", remote_, timed_out_ ? "timed out" : ec.message());
    stop_read_timer();
    if (parser_->is_header_done()) {
      version_ = parser_->get().version();
      head_ = parser_->get().method() == bhttp::verb::head;
    }
    if (timed_out_)
      return own(json_error(408, "request_timeout", "the request did not arrive in time"), true);
    if (ec == bhttp::error::body_limit)
      return own(json_error(413, "payload_too_large",
                            "the body exceeds " + std::to_string(opts().max_body_bytes) + " bytes"),
                 true);
    if (ec == bhttp::error::header_limit)
      return own(json_error(431, "request_header_fields_too_large",
                            "the headers exceed " + std::to_string(opts().max_header_bytes) + " bytes"),
                 true);
    // A client gone mid-request, a socket or TLS error, a drain: nobody to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category())
      return close_now();
    own(json_error(400, "bad_request", "malformed request: " + ec.message()), true);
  }

  void handle(bhttp::request<bhttp::string_body> req) {
    phase_ = Phase::handling;
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    upgrade_.reset();
    if (beast::websocket::is_upgrade(req)) upgrade_.emplace(req.base());  // the handshake needs the headers
    Request r;
    if (!to_request(req, remote_, r))
      return own(json_error(400, "bad_request", "malformed request target"), false);
    if (upgrade_) upgrade_path_ = r.path;

    hold_ = self();
    auto answer = std::make_shared<Answer>();
    answer->gate = srv_.gate;
    answer->session = weak_from_this();
    answer->seq = ++seq_;
    Respond respond = [answer](Response res) { answer->send(std::move(res)); };
    try {
      srv_.handler(std::move(r), respond);
    } catch (const std::exception& e) {
      // The path only: the query may carry a token (?token= of the dashboard).
      spdlog::error("http: handler for {} {} threw: {}", sv(req.method_string()), path_of(req.target()),
                    e.what());
      if (!answer->done.load()) respond(json_error(500, "internal", "internal error"));
    } catch (...) {
      spdlog::error("http: handler for {} {} threw a non-std exception", sv(req.method_string()),
                    path_of(req.target()));
      if (!answer->done.load()) respond(json_error(500, "internal", "internal error"));
    }
  }

  void on_answer(uint64_t seq, Response r) {
    if (seq != seq_ || phase_ != Phase::handling) return;  // stale, or the connection is closing
    hold_.reset();                                         // the posted handler still owns us
    if (r.status == 101) return upgrade();
    write(std::move(r), false);
  }

  // The Handler accepted a WebSocket upgrade: the stream moves to a live session, and this
  // Session ends (no operation is pending on it).
  void upgrade() {
    if (!upgrade_)  // e.g. HTTP/1.0, or no Sec-WebSocket-Key
      return write(json_error(426, "upgrade_required", "not a valid WebSocket upgrade request"), false);
    LiveFeed* feed = srv_.live_feed(upgrade_path_);
    if (!feed) {
      spdlog::error("http: a handler answered 101 on {}, which is not a live route", upgrade_path_);
      return write(json_error(500, "internal", "internal error"), false);
    }
    if (draining()) return write(json_error(503, "shutting_down", "journeyd is stopping"), true);
    phase_ = Phase::closing;
    stop_read_timer();
    start_live_session(srv_, std::move(stream_), std::move(*upgrade_), *feed, *this, remote_);
  }

  // An answer of the server's own (no handler ran): counted, then written.
  void own(Response r, bool close) {
    if (opts().on_own_answer) opts().on_own_answer(r.status);
    write(std::move(r), close);
  }

  void write(Response r, bool close) {
    phase_ = Phase::writing;
    close_after_ = close || draining() || !keep_alive_;
    if (r.status < 200 || r.status > 599) {
      spdlog::error("http: a handler answered status {}; sending 500", r.status);
      r = json_error(500, "internal", "internal error");
    }
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(r.status));
    for (auto& [name, value] : r.headers) {
      if (name.find_first_of("\r\n:") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos) {
        spdlog::error("http: dropped a response header with a line break or colon in it: {}", name);
        continue;
      }
      res_.insert(name, value);
    }
    res_.set(bhttp::field::server, "journeyd");
    if (r.status == 204 || r.status == 304) {
      res_.erase(bhttp::field::content_type);
    } else {
      if (!r.content_type.empty()) res_.set(bhttp::field::content_type, r.content_type);
      res_.body() = std::move(r.body);
      res_.prepare_payload();
      if (head_) res_.body().clear();  // Content-Length stays: it describes what GET would send
    }
    if (close_after_)
      res_.set(bhttp::field::connection, "close");
    else if (version_ == 10)
      res_.set(bhttp::field::connection, "keep-alive");
    else
      res_.erase(bhttp::field::connection);
    lowest().expires_after(ms(opts().idle_timeout_ms));
    bhttp::async_write(stream_, res_, [self = self()](beast::error_code ec, size_t) {
      if (ec) {
        spdlog::debug("http: {} write failed: {}", self->remote_, ec.message());
        return self->close_now();
      }
      if (self->close_after_ || self->draining()) return self->finish();
      self->first_ = false;
      self->next_request();
    });
  }

  // Graceful close: TLS close_notify, or half-close and discard input until
  // the client closes (at most kLinger).
  void finish() {
    phase_ = Phase::closing;
    lowest().expires_after(kLinger);
    if constexpr (kTls) {
      stream_.async_shutdown([self = self()](beast::error_code) { self->close_now(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return close_now();
      linger();
    }
  }

  void linger() {
    lowest().async_read_some(asio::buffer(discard_), [self = self()](beast::error_code ec, size_t) {
      if (ec) return self->close_now();
      self->linger();
    });
  }

  void close_now() {
    phase_ = Phase::closing;
    stop_read_timer();
    hold_.reset();  // callers are handlers that own a reference
    lowest().close();
  }

  Stream stream_;
  asio::steady_timer read_timer_;
  uint64_t read_gen_ = 0;  // invalidates a read timer that fired after its read completed
  beast::flat_buffer buf_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<UpgradeRequest> upgrade_;  // the request's headers, when it asks for a WebSocket
  std::string upgrade_path_;
  bhttp::response<bhttp::empty_body> continue_;
  bhttp::response<bhttp::string_body> res_;
  std::array<char, kReadChunk> discard_;
  std::string remote_;
  std::shared_ptr<Session> hold_;  // set while a Handler owns the request
  Phase phase_ = Phase::starting;
  uint64_t seq_ = 0;  // number of the request being handled
  unsigned version_ = 11;
  bool first_ = true, keep_alive_ = true, head_ = false, close_after_ = false, timed_out_ = false;
};

}  // namespace

void detail::limit_parser(bhttp::request_parser<bhttp::string_body>& parser, const ServerOptions& opts) {
  parser.header_limit(static_cast<uint32_t>(opts.max_header_bytes));
  parser.body_limit(opts.max_body_bytes);
}

bool detail::to_request(UpgradeRequest& req, std::string remote, Request& r) {
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  if (!parse_target(r.target, r.path, r.query)) return false;
  r.headers.reserve(std::distance(req.begin(), req.end()));
  for (const auto& f : req) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  r.body = std::move(req.body());
  r.remote = std::move(remote);
  return true;
}

SessionBase::~SessionBase() {
  {
    std::lock_guard g(srv_.mu);
    if (id_ != 0) {
      srv_.sessions.erase(id_);
      --(reject_ ? srv_.rejecting : srv_.counted);
    }
  }
  srv_.cv.notify_all();
}

void SessionBase::hand_over(SessionBase& next) {
  std::lock_guard g(srv_.mu);
  if (id_ == 0) return;
  next.id_ = std::exchange(id_, 0);
  next.reject_ = reject_;
  srv_.sessions[next.id_] = next.weak_from_this();
}

LiveFeed* Server::Impl::live_feed(const std::string& path) const {
  std::lock_guard g(live_mu);
  const auto it = live_routes.find(path);
  return it == live_routes.end() ? nullptr : it->second;
}

Result<void> Server::Impl::listen() {
  beast::error_code ec;
  if (!opts.tls_cert_file.empty()) {
    tls.emplace(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::single_dh_use, ec);
    if (!ec) tls->use_certificate_chain_file(opts.tls_cert_file, ec);
    if (ec) return fail(Errc::io, "http: TLS certificate " + opts.tls_cert_file + ": " + ec.message());
    tls->use_private_key_file(opts.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return fail(Errc::io, "http: TLS key " + opts.tls_key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(tls->native_handle()) != 1)
      return fail(Errc::invalid_argument,
                  "http: TLS key " + opts.tls_key_file + " does not match the certificate");
  }
  const auto address = asio::ip::make_address(opts.address, ec);
  if (ec) return fail(Errc::invalid_argument, "http: bad listen address '" + opts.address + "'");
  const tcp::endpoint ep(address, opts.port);
  const std::string where = opts.address + ":" + std::to_string(opts.port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(Errc::io, "http: cannot listen on " + where + ": " + ec.message());
  port = acceptor.local_endpoint(ec).port();
  if (ec) return fail(Errc::io, "http: " + ec.message());
  return outcome::success();
}

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Server::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {  // e.g. out of file descriptors: back off instead of spinning
    spdlog::warn("http: accept failed: {}", ec.message());
    accept_backoff.expires_after(kAcceptBackoff);
    accept_backoff.async_wait([this](beast::error_code ec) {
      if (!ec && acceptor.is_open()) accept();
    });
    return;
  }
  accept();
  std::shared_ptr<SessionBase> s;
  try {
    s = make_session(std::move(socket));
  } catch (const std::exception& e) {
    spdlog::error("http: cannot set up a connection: {}", e.what());
    return;
  }
  {
    std::lock_guard g(mu);
    if (draining) return;
    const bool reject = counted >= opts.max_connections;
    if (reject && rejecting >= kMaxRejecting) return;
    s->admit(++next_id, reject);
    ++(reject ? rejecting : counted);
    sessions.emplace(next_id, s);
  }
  s->start();
}

std::shared_ptr<SessionBase> Server::Impl::make_session(tcp::socket&& socket) {
  if (tls)
    return std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls);
  return std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket));
}

void Server::Impl::run_thread() {
  pthread_setname_np(pthread_self(), "jd:http");  // visible in top -H, perf, gdb
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: io thread caught: {}", e.what());
    } catch (...) {
      spdlog::error("http: io thread caught a non-std exception");
    }
  }
}

std::vector<std::shared_ptr<SessionBase>> Server::Impl::snapshot() {
  std::vector<std::shared_ptr<SessionBase>> out;
  std::lock_guard g(mu);
  for (const auto& [id, weak] : sessions)
    if (auto s = weak.lock()) out.push_back(std::move(s));
  return out;
}

void Server::Impl::drain() {
  std::lock_guard dg(drain_mu);
  if (drained) return;
  drained = true;
  {
    std::lock_guard g(mu);
    draining = true;  // on_accept turns away whatever it accepts from now on
  }
  asio::post(acceptor.get_executor(), [this] {
    beast::error_code ec;
    acceptor.close(ec);
    accept_backoff.cancel();
  });
  for (auto& s : snapshot()) s->begin_drain();
  {
    std::unique_lock l(mu);
    if (!cv.wait_for(l, ms(opts.drain_timeout_ms), [&] { return sessions.empty(); }))
      spdlog::warn("http: drain timed out with {} connection(s) still open", sessions.size());
  }
  {
    std::lock_guard g(gate->mu);
    gate->open = false;
  }
  work.reset();
  ioc.stop();
  for (auto& t : threads)
    if (t.joinable()) t.join();
  // Requests whose answer never came; the rest go with the io_context.
  for (auto& s : snapshot()) s->release();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_) impl_->drain();
}

Result<std::unique_ptr<Server>> Server::start(ServerOptions opts, Handler handler) {
  if (!handler) return fail(Errc::invalid_argument, "http: no handler");
  if (opts.threads < 1 || opts.max_connections < 1 || opts.read_timeout_ms <= 0 ||
      opts.idle_timeout_ms <= 0 || opts.drain_timeout_ms < 0 || opts.max_header_bytes == 0 ||
      opts.max_header_bytes > std::numeric_limits<uint32_t>::max())
    return fail(Errc::invalid_argument,
                "http: threads, max_connections, timeouts and limits must be positive");
  if (opts.tls_cert_file.empty() != opts.tls_key_file.empty())
    return fail(Errc::invalid_argument, "http: set both tls_cert_file and tls_key_file, or neither");
  try {
    auto impl = std::make_unique<Impl>(std::move(opts), std::move(handler));
    if (auto r = impl->listen(); !r) return outcome::failure(r.error());
    impl->accept();
    std::unique_ptr<Server> server(new Server(std::move(impl)));
    for (int i = 0; i < server->impl_->opts.threads; ++i)
      server->impl_->threads.emplace_back([p = server->impl_.get()] { p->run_thread(); });
    spdlog::info("http: listening on {}:{}{}", server->impl_->opts.address, server->impl_->port,
                 server->impl_->tls ? " (TLS)" : "");
    return server;
  } catch (const std::exception& e) {  // only resource exhaustion gets here
    return fail(Errc::internal, std::string("http: cannot start: ") + e.what());
  }
}

uint16_t Server::port() const {
  return impl_->port;
}

void Server::drain() {
  impl_->drain();
}

void Server::add_live_route(std::string path, LiveFeed& feed) {
  std::lock_guard g(impl_->live_mu);
  impl_->live_routes[std::move(path)] = &feed;
}

size_t Server::connections() const {
  std::lock_guard g(impl_->mu);
  return impl_->counted;
}

}  // namespace journeyd::http
