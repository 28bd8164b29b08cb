// The live feed behind the WebSocket route GET /v1/live (design §7): a
// broadcaster of JSON snapshots, and the publisher that fetches one per second
// from the Backend while anybody is watching. No Beast here: the server's
// WebSocket sessions (server.cc) are LiveSinks.
//
// LiveFeed — Lifecycle: build before the Server (Server::add_live_route) and
// destroy after it. Threading: every member is thread-safe. Ownership: sinks
// are held weakly; a sink that is gone is dropped at the next publish.
// Slow clients: a frame is shared by every sink (one copy), and each sink keeps
// at most the frame it is writing and the newest one waiting; an older waiting
// frame is replaced (counted in superseded()), so memory never grows with a
// client that does not read.
//
// LivePublisher — Lifecycle: start after the feed and the backend exist, stop
// (or destroy) before either goes. Threading: its own thread "jd:live".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/backend.h"
#include "http/message.h"

namespace journeyd::http {

// One published snapshot; seq grows by one per publish, so a sink can drop a
// frame that reaches it after a newer one.
struct LiveFrame {
  uint64_t seq = 0;
  std::string text;
};
using LiveFramePtr = std::shared_ptr<const LiveFrame>;

class LiveSink {
 public:
  virtual ~LiveSink() = default;
  // Any thread; must not block. Called with the feed's lock not held.
  virtual void deliver(LiveFramePtr frame) = 0;
};

class LiveFeed {
 public:
  // Sends `text` to every sink; new sinks get it first (until the next publish).
  void publish(std::string text);
  // Adds the sink (held weakly) and delivers the last snapshot to it, if any.
  void subscribe(const std::shared_ptr<LiveSink>& sink);
  void unsubscribe(const LiveSink* sink);
  size_t subscribers() const;
  LiveFramePtr last() const;
  // Runs after each subscribe() (outside the lock), e.g. to fetch a fresh snapshot at once.
  void set_on_subscribe(std::function<void()> fn);

  // Counters: snapshots published; frames a sink dropped for a newer one before sending them.
  uint64_t published() const { return published_.load(); }
  uint64_t superseded() const { return superseded_.load(); }
  void count_superseded() { superseded_.fetch_add(1); }

 private:
  mutable std::mutex mu_;
  std::vector<std::weak_ptr<LiveSink>> sinks_;  // guarded by mu_
  LiveFramePtr last_;                           // guarded by mu_
  uint64_t seq_ = 0;                            // guarded by mu_
  std::function<void()> on_subscribe_;          // guarded by mu_
  std::atomic<uint64_t> published_{0}, superseded_{0};
};

struct LivePublisherOptions {
  // Time between two snapshots.
  // Default: 1 s
  std::chrono::milliseconds interval{1000};
  // A fetch not answered within this long is given up (a later answer is dropped) and a new one
  // may start.
  // Default: 10 s
  std::chrono::milliseconds fetch_timeout{10'000};
};

class LivePublisher {
 public:
  // Answers one snapshot (200 and a JSON body); any other status is not published.
  using Source = std::function<void(Respond)>;

  LivePublisher(LiveFeed& feed, Source source, LivePublisherOptions opts = {});
  // Fetches with backend.live(); the backend must outlive the publisher.
  LivePublisher(LiveFeed& feed, Backend& backend, LivePublisherOptions opts = {});
  ~LivePublisher();
  LivePublisher(const LivePublisher&) = delete;
  LivePublisher& operator=(const LivePublisher&) = delete;

  // Stops the thread; an answer arriving later is dropped. Idempotent.
  void stop();

  struct State;  // shared with the answers in flight (live.cc)

 private:
  void run();

  LiveFeed& feed_;
  Source source_;
  const LivePublisherOptions opts_;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace journeyd::http
