// The live feed: LiveFeed and LivePublisher on their own, then WebSocket
// sessions of a real server on an ephemeral port, driven by a Beast websocket
// client (plain and TLS): the last snapshot first, published frames, a client
// that does not read (bounded), auth on the handshake, 426, the connection cap
// and the drain's close frame. Waits are on conditions with deadlines.
#include "http/live.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <thread>

#include "http/dashboard.h"
#include "http/server.h"
#include "unit/http/client_fixture.h"
#include "unit/temp_dir.h"

namespace journeyd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using testing::TestClient;
using testing::wait_until;

class RecordingSink final : public LiveSink {
 public:
  void deliver(LiveFramePtr f) override {
    std::lock_guard g(mu);
    frames.push_back(f->text);
  }
  std::vector<std::string> got() {
    std::lock_guard g(mu);
    return frames;
  }
  std::mutex mu;
  std::vector<std::string> frames;
};

TEST(LiveFeed, NewSubscribersGetTheLastSnapshotThenEveryPublish) {
  LiveFeed feed;
  auto a = std::make_shared<RecordingSink>();
  feed.subscribe(a);
  EXPECT_TRUE(a->got().empty());  // nothing published yet
  feed.publish("one");
  auto b = std::make_shared<RecordingSink>();
  feed.subscribe(b);
  feed.publish("two");
  EXPECT_EQ(a->got(), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(b->got(), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(feed.subscribers(), 2u);
  feed.unsubscribe(a.get());
  b.reset();  // held weakly: gone with its owner
  EXPECT_EQ(feed.subscribers(), 0u);
  feed.publish("three");
  EXPECT_EQ(a->got().size(), 2u);
  EXPECT_EQ(feed.last()->text, "three");
  EXPECT_EQ(feed.published(), 3u);
}

// A source the test answers by hand (or at once).
struct Source {
  std::mutex mu;
  std::vector<Respond> asked;
  int status = 200;
  bool answer_at_once = true;
  int n = 0;
  void operator()(Respond r) {
    std::lock_guard g(mu);
    if (answer_at_once) return r({status, "application/json", "snap " + std::to_string(++n)});
    asked.push_back(std::move(r));
  }
  size_t count() {
    std::lock_guard g(mu);
    return answer_at_once ? static_cast<size_t>(n) : asked.size();
  }
};

TEST(LivePublisher, AsksOnlyWhileSomebodyWatchesAndPublishesTheAnswer) {
  LiveFeed feed;
  Source src;
  LivePublisher pub(feed, [&](Respond r) { src(std::move(r)); }, {.interval = 10ms});
  std::this_thread::sleep_for(50ms);  // several intervals with nobody watching (not a synchronisation)
  EXPECT_EQ(src.count(), 0u);
  auto sink = std::make_shared<RecordingSink>();
  feed.subscribe(sink);
  ASSERT_TRUE(wait_until([&] { return sink->got().size() >= 3; }));
  EXPECT_EQ(sink->got()[0], "snap 1");
  feed.unsubscribe(sink.get());
  pub.stop();
  const auto asked = src.count();
  feed.subscribe(sink);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(src.count(), asked);  // stopped
}

TEST(LivePublisher, OneRequestAtATimeErrorsAreNotPublishedLateAnswersAfterStopAreDropped) {
  LiveFeed feed;
  Source src;
  src.answer_at_once = false;
  auto pub = std::make_unique<LivePublisher>(
      feed, [&](Respond r) { src(std::move(r)); },
      LivePublisherOptions{.interval = 5ms, .fetch_timeout = 10s});
  auto sink = std::make_shared<RecordingSink>();
  feed.subscribe(sink);
  ASSERT_TRUE(wait_until([&] { return src.count() == 1; }));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(src.count(), 1u);  // unanswered: no second request
  Respond first;
  {
    std::lock_guard g(src.mu);
    first = src.asked[0];
  }
  first({503, "application/json", "stopping"});
  ASSERT_TRUE(wait_until([&] { return src.count() == 2; }));
  EXPECT_TRUE(sink->got().empty());  // a 503 is not a snapshot
  Respond second;
  {
    std::lock_guard g(src.mu);
    second = src.asked[1];
  }
  pub.reset();
  second({200, "application/json", "late"});
  EXPECT_TRUE(sink->got().empty());
}

// A blocking Beast websocket client; every read has a deadline (SO_RCVTIMEO), so a hung server fails the
// test instead of hanging it. Stream: tcp::socket or an ssl::stream of one.
template <class Stream>
class Ws {
 public:
  template <class... Args>
  explicit Ws(Args&&... args) : ws_(ioc_, std::forward<Args>(args)...) {}

  // The handshake's error; `res` gets the server's answer.
  beast::error_code open(uint16_t port, const std::string& target, const std::string& bearer = "",
                         int rcvbuf = 0) {
    beast::error_code ec;
    auto& sock = beast::get_lowest_layer(ws_);
    sock.open(tcp::v4(), ec);
    if (rcvbuf) ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval tv{10, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return ec;
    if constexpr (!std::is_same_v<Stream, tcp::socket>) {
      ws_.next_layer().handshake(asio::ssl::stream_base::client, ec);
      if (ec) return ec;
    }
    if (!bearer.empty())
      ws_.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& req) {
        req.set(beast::http::field::authorization, "Bearer " + bearer);
      }));
    ws_.handshake(res, "127.0.0.1", target, ec);
    return ec;
  }
  // The next text frame, or nullopt (error in ec()).
  std::optional<std::string> read() {
    buf_.clear();
    ws_.read(buf_, ec_);
    if (ec_) return std::nullopt;
    return beast::buffers_to_string(buf_.data());
  }
  const beast::error_code& ec() const { return ec_; }
  websocket::close_reason reason() const { return ws_.reason(); }

  websocket::response_type res;

 private:
  asio::io_context ioc_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
  beast::error_code ec_;
};
using PlainWs = Ws<tcp::socket>;

// The headers of a WebSocket opening handshake (RFC 6455 §4.1), for the raw HTTP client.
constexpr std::string_view kHandshake =
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n";

class LiveServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}, std::vector<Token> tokens = {}) {
    auth = std::make_unique<TokenAuth>(std::move(tokens));
    register_dashboard_routes(router, *auth);
    o.address = "127.0.0.1";
    auto s = Server::start(std::move(o), router.as_handler());
    ASSERT_TRUE(s) << s.error().message;
    server = std::move(s.value());
    server->add_live_route(std::string(kLivePath), feed);
  }

  LiveFeed feed;  // outlives the server
  std::unique_ptr<TokenAuth> auth;
  Router router;
  std::unique_ptr<Server> server;
};

TEST_F(LiveServerTest, FirstFrameIsTheLastSnapshotThenPublishedOnes) {
  start();
  feed.publish(R"({"type":"snapshot","n":1})");
  PlainWs c;
  ASSERT_FALSE(c.open(server->port(), "/v1/live")) << c.res;
  EXPECT_EQ(c.res.result_int(), 101);
  EXPECT_EQ(c.res[beast::http::field::server], "journeyd");
  EXPECT_EQ(c.read(), R"({"type":"snapshot","n":1})");
  ASSERT_TRUE(wait_until([&] { return feed.subscribers() == 1; }));
  feed.publish(R"({"type":"snapshot","n":2})");
  EXPECT_EQ(c.read(), R"({"type":"snapshot","n":2})");
  feed.publish(R"({"type":"snapshot","n":3})");  // (published together, 2 could be dropped for 3)
  EXPECT_EQ(c.read(), R"({"type":"snapshot","n":3})");
  EXPECT_EQ(server->connections(), 1u);  // the upgraded connection keeps its place
}

TEST_F(LiveServerTest, PlainGetAndHeadAre426) {
  start();
  TestClient c(server->port());
  auto r = c.request("GET", "/v1/live");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 426);
  EXPECT_EQ(r->header("upgrade"), "websocket");
  EXPECT_NE(r->body.find(R"("code":"upgrade_required")"), std::string::npos) << r->body;
  ASSERT_TRUE(
      c.send("HEAD /v1/live HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
  r = c.read_reply(/*no_body=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 426);
  // Upgrade headers on HTTP/1.0 are no WebSocket handshake either.
  TestClient old(server->port());
  ASSERT_TRUE(old.send("GET /v1/live HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
  r = old.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 426);
}

TEST_F(LiveServerTest, TheHandshakeTakesTheReadScopeFromAHeaderOrTheQuery) {
  start({}, {{"ops", Scope::admin, "adminsecret1"}, {"dash", Scope::read, "readsecret1"}});
  feed.publish("hello");
  // Refused: the handshake's answer is a plain HTTP error (read raw: Beast's client drops it).
  for (const std::string target : {"/v1/live", "/v1/live?token=wrong-token"}) {
    TestClient c(server->port());
    auto r = c.request("GET", target, {}, kHandshake);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 401) << target;
    EXPECT_EQ(r->header("www-authenticate"), "Bearer realm=\"journeyd\"");
    EXPECT_NE(r->body.find(R"("code":"unauthorized")"), std::string::npos) << r->body;
    PlainWs ws;
    EXPECT_EQ(ws.open(server->port(), target), websocket::error::upgrade_declined) << target;
  }
  {
    TestClient c(server->port());  // accepted: 101 with the key's answer (RFC 6455 §1.3's example)
    auto r = c.request("GET", "/v1/live?token=readsecret1", {}, kHandshake);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 101);
    EXPECT_EQ(r->header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }
  for (const auto& [target, bearer] :
       std::vector<std::pair<std::string, std::string>>{{"/v1/live?token=readsecret1", ""},
                                                        {"/v1/live", "readsecret1"},
                                                        {"/v1/live?token=adminsecret1", ""}}) {
    PlainWs c;
    ASSERT_FALSE(c.open(server->port(), target, bearer)) << target << " " << c.res;
    EXPECT_EQ(c.read(), "hello") << target;
  }
  EXPECT_TRUE(wait_until([&] { return server->connections() == 0; }));  // clients gone: sessions gone
}

TEST_F(LiveServerTest, AClientThatDoesNotReadCostsAtMostTwoFrames) {
  start();
  PlainWs c;
  ASSERT_FALSE(c.open(server->port(), "/v1/live", "", 64 << 10));
  ASSERT_TRUE(wait_until([&] { return feed.subscribers() == 1; }));
  // 40 frames of 4 MiB (160 MiB) to a client that reads nothing: the kernel's buffers take a few MiB,
  // the session holds the frame it writes and the newest one; every other frame is dropped unsent.
  constexpr int kFrames = 40;
  const std::string pad(4 << 20, 'x');
  for (int i = 1; i <= kFrames; ++i) feed.publish("#" + std::to_string(i) + pad);
  ASSERT_TRUE(wait_until([&] { return feed.superseded() >= kFrames - 4; })) << feed.superseded();
  int read = 0;
  std::string last;
  while (last.rfind("#" + std::to_string(kFrames) + "x", 0) != 0) {
    auto f = c.read();
    ASSERT_TRUE(f) << c.ec().message();
    last = f->substr(0, 8);
    ++read;
  }
  EXPECT_LE(read, 4) << "frames queued for a slow client";
  EXPECT_EQ(static_cast<int>(feed.superseded()) + read, kFrames);
}

TEST_F(LiveServerTest, ConnectionsCountUnderTheCap) {
  start({.max_connections = 1});
  PlainWs c;
  ASSERT_FALSE(c.open(server->port(), "/v1/live"));
  TestClient other(server->port());
  auto r = other.read_reply();  // turned away at once
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_F(LiveServerTest, DrainClosesWithGoingAway) {
  start();
  feed.publish("s");
  PlainWs c;
  ASSERT_FALSE(c.open(server->port(), "/v1/live"));
  EXPECT_EQ(c.read(), "s");
  std::thread drain([&] { server->drain(); });
  EXPECT_FALSE(c.read());  // the client answers the close frame inside read()
  EXPECT_EQ(c.ec(), websocket::error::closed) << c.ec().message();
  EXPECT_EQ(c.reason().code, websocket::close_code::going_away);
  drain.join();
  EXPECT_EQ(server->connections(), 0u);
  EXPECT_EQ(feed.subscribers(), 0u);
}

TEST_F(LiveServerTest, WorksOverTls) {
  journeyd::testing::TempDir dir;
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout " +
                          dir.file("key.pem") + " -out " + dir.file("cert.pem") + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  start({.tls_cert_file = dir.file("cert.pem"), .tls_key_file = dir.file("key.pem")});
  feed.publish("over tls");
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  Ws<asio::ssl::stream<tcp::socket>> c(ctx);
  ASSERT_FALSE(c.open(server->port(), "/v1/live")) << c.res;
  EXPECT_EQ(c.read(), "over tls");
  std::thread drain([&] { server->drain(); });
  EXPECT_FALSE(c.read());
  EXPECT_EQ(c.reason().code, websocket::close_code::going_away);
  drain.join();
}

}  // namespace
}  // namespace journeyd::http
