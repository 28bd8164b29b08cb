// A WebSocket connection of a live route (server.h, live.h): accepts the
// handshake of the request the HTTP session handed over, subscribes to the
// feed, writes each snapshot as one text frame, and discards whatever the
// client sends (pings and pongs are Beast's business). One frame is written at
// a time; while it is, the newest snapshot waits in one slot, replacing any
// older one, so a client that does not read costs at most two frames.
//
// Threading: everything runs on the connection's strand; the feed reaches it
// through a Tap, which holds the session weakly and posts through the Gate.
#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>

#include "http/server_impl.h"

namespace journeyd::http::detail {
namespace {

namespace websocket = beast::websocket;

// Clients send nothing we use; anything bigger than this closes the connection.
constexpr size_t kMaxClientMessage = 4096;

class LiveSessionBase : public SessionBase {
 public:
  using SessionBase::SessionBase;
  // On the strand.
  virtual void on_frame(LiveFramePtr frame) = 0;
};

// The feed's handle on a session: tiny, so the feed may drop it on any thread.
class Tap final : public LiveSink {
 public:
  Tap(std::shared_ptr<Gate> gate, std::weak_ptr<LiveSessionBase> session, asio::any_io_executor ex)
      : gate_(std::move(gate)), session_(std::move(session)), ex_(std::move(ex)) {}
  void deliver(LiveFramePtr frame) override {
    std::lock_guard g(gate_->mu);
    if (!gate_->open) return;
    if (auto s = session_.lock())
      asio::post(ex_, [s, frame = std::move(frame)]() mutable { s->on_frame(std::move(frame)); });
  }

 private:
  const std::shared_ptr<Gate> gate_;
  const std::weak_ptr<LiveSessionBase> session_;
  const asio::any_io_executor ex_;
};

template <class Stream>
class LiveSession final : public LiveSessionBase {
 public:
  LiveSession(Server::Impl& srv, Stream&& stream, LiveFeed& feed, std::string remote)
      : LiveSessionBase(srv, stream.get_executor()),
        ws_(std::in_place, std::move(stream)),
        feed_(feed),
        remote_(std::move(remote)),
        kill_(ex_) {}

  // On the strand, right after the hand-over.
  void open(UpgradeRequest req) {
    const auto& o = srv_.opts;
    beast::get_lowest_layer(*ws_).expires_never();  // Beast's websocket timeouts take over
    auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
    t.handshake_timeout = ms(o.read_timeout_ms);
    t.idle_timeout = ms(o.idle_timeout_ms);  // a ping at half of it; no answer: closed
    t.keep_alive_pings = true;
    ws_->set_option(t);
    ws_->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "journeyd"); }));
    ws_->read_message_max(kMaxClientMessage);
    ws_->text(true);
    ws_->auto_fragment(false);  // one frame per snapshot
    ws_->async_accept(req, [self = self()](beast::error_code ec) {
      if (ec) {
        spdlog::debug("http: {} WebSocket handshake failed: {}", self->remote_, ec.message());
        return self->ended();
      }
      self->on_open();
    });
  }

  void start() override {}
  void begin_drain() override {
    asio::post(ex_, [self = self()] {
      if (self->open_) self->close();
    });
  }
  void post_answer(uint64_t, Response) override {}
  void release() override {}

  void on_frame(LiveFramePtr frame) override {
    if (!open_ || closing_ || frame->seq <= last_seq_) return;  // a frame may overtake an older one
    last_seq_ = frame->seq;
    if (!writing_) return write(std::move(frame));
    if (pending_) feed_.count_superseded();
    pending_ = std::move(frame);
  }

 private:
  std::shared_ptr<LiveSession> self() { return std::static_pointer_cast<LiveSession>(shared_from_this()); }

  void on_open() {
    open_ = true;
    if (srv_.draining.load()) return close();  // the drain began during the handshake
    tap_ = std::make_shared<Tap>(srv_.gate, std::static_pointer_cast<LiveSessionBase>(self()), ex_);
    feed_.subscribe(tap_);  // the last snapshot arrives through on_frame
    read();
  }

  void read() {
    if (!ws_) return;  // discarded while a frame was coming in
    ws_->async_read(in_, [self = self()](beast::error_code ec, size_t) {
      if (ec) {
        if (ec != websocket::error::closed)
          spdlog::debug("http: {} WebSocket ended: {}", self->remote_, ec.message());
        return self->ended();
      }
      self->in_.consume(self->in_.size());
      self->read();
    });
  }

  void write(LiveFramePtr frame) {
    writing_ = std::move(frame);
    ws_->async_write(asio::buffer(writing_->text), [self = self()](beast::error_code ec, size_t) {
      self->writing_.reset();
      if (ec) return self->ended();
      if (self->closing_ || !self->pending_) return;
      self->write(std::exchange(self->pending_, nullptr));
    });
  }

  // A drain: close frame 1001. Beast waits for a write in progress and bounds the close handshake by
  // handshake_timeout; kill_ bounds it too, for a write that never finishes (a client not reading).
  void close() {
    if (closing_) return;
    closing_ = true;
    pending_.reset();
    feed_.unsubscribe(tap_.get());
    kill_.expires_after(ms(srv_.opts.read_timeout_ms));
    kill_.async_wait([self = self()](beast::error_code ec) {
      if (!ec) self->discard_stream();
    });
    ws_->async_close(websocket::close_reason(websocket::close_code::going_away, "journeyd is stopping"),
                     [self = self()](beast::error_code ec) {
                       if (ec) spdlog::debug("http: {} WebSocket close: {}", self->remote_, ec.message());
                       asio::post(self->ex_, [self] { self->discard_stream(); });
                     });
  }

  // After the close (or kill_): when async_close fails, Beast 1.74 can leave the pending async_read
  // suspended for good (boostorg/beast#1714), and with it this session. Destroying the stream
  // destroys such operations (their handlers are never called) and closes the socket.
  void discard_stream() {
    ended();
    ws_.reset();
  }

  // The connection is over (the last pending operation lets go of the session).
  void ended() {
    open_ = false;
    pending_.reset();
    if (tap_) feed_.unsubscribe(tap_.get());
    kill_.cancel();
  }

  std::optional<websocket::stream<Stream>> ws_;  // reset by discard_stream(), after which no operation starts
  LiveFeed& feed_;
  const std::string remote_;
  asio::steady_timer kill_;
  std::shared_ptr<Tap> tap_;
  beast::flat_buffer in_;
  LiveFramePtr writing_, pending_;  // the frame being written; the newest one waiting
  uint64_t last_seq_ = 0;
  bool open_ = false, closing_ = false;
};

template <class Stream>
void start(Server::Impl& srv, Stream&& stream, UpgradeRequest&& req, LiveFeed& feed, SessionBase& from,
           std::string remote) {
  auto s = std::make_shared<LiveSession<Stream>>(srv, std::move(stream), feed, std::move(remote));
  from.hand_over(*s);
  s->open(std::move(req));
}

}  // namespace

void start_live_session(Server::Impl& srv, beast::tcp_stream&& stream, UpgradeRequest&& req, LiveFeed& feed,
                        SessionBase& from, std::string remote) {
  start(srv, std::move(stream), std::move(req), feed, from, std::move(remote));
}

void start_live_session(Server::Impl& srv, TlsStream&& stream, UpgradeRequest&& req, LiveFeed& feed,
                        SessionBase& from, std::string remote) {
  start(srv, std::move(stream), std::move(req), feed, from, std::move(remote));
}

}  // namespace journeyd::http::detail
