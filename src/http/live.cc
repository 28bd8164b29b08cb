// LiveFeed and LivePublisher (live.h).
//
// Why the publisher has its own thread rather than a timer on the server's
// io_context: the io_context is private to server.cc (server.h stays free of
// Asio), the publisher is a client of the Backend and not of any connection,
// and a thread sleeping on a condition variable stops at once and never holds
// an io thread while the Backend is slow. It wakes once per interval (or when a
// first client joins after an idle spell) and asks for a snapshot only when
// somebody is connected and no earlier request is still unanswered.
#include "http/live.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>

namespace journeyd::http {

void LiveFeed::publish(std::string text) {
  std::vector<std::shared_ptr<LiveSink>> to;
  LiveFramePtr frame;
  {
    std::lock_guard g(mu_);
    frame = std::make_shared<const LiveFrame>(LiveFrame{++seq_, std::move(text)});
    last_ = frame;
    std::erase_if(sinks_, [](const auto& w) { return w.expired(); });
    to.reserve(sinks_.size());
    for (const auto& w : sinks_)
      if (auto s = w.lock()) to.push_back(std::move(s));
  }
  published_.fetch_add(1);
  for (const auto& s : to) s->deliver(frame);
}

void LiveFeed::subscribe(const std::shared_ptr<LiveSink>& sink) {
  LiveFramePtr last;
  std::function<void()> hook;
  {
    std::lock_guard g(mu_);
    sinks_.push_back(sink);
    last = last_;
    hook = on_subscribe_;
  }
  if (last) sink->deliver(std::move(last));
  if (hook) hook();
}

void LiveFeed::unsubscribe(const LiveSink* sink) {
  if (!sink) return;
  std::lock_guard g(mu_);
  std::erase_if(sinks_, [sink](const auto& w) {
    auto s = w.lock();
    return !s || s.get() == sink;
  });
}

size_t LiveFeed::subscribers() const {
  std::lock_guard g(mu_);
  return static_cast<size_t>(
      std::count_if(sinks_.begin(), sinks_.end(), [](const auto& w) { return !w.expired(); }));
}

LiveFramePtr LiveFeed::last() const {
  std::lock_guard g(mu_);
  return last_;
}

void LiveFeed::set_on_subscribe(std::function<void()> fn) {
  std::lock_guard g(mu_);
  on_subscribe_ = std::move(fn);
}

// Shared by the publisher and the answers it waits for, which may come after it is gone.
struct LivePublisher::State {
  std::mutex mu;
  std::condition_variable cv;
  LiveFeed* feed = nullptr;
  bool stopping = false;  // guarded by mu: the thread ends, answers are dropped
  bool kicked = false;    // guarded by mu: a client joined
  bool in_flight = false;
  uint64_t fetch_gen = 0, answered_gen = 0;  // guarded by mu
  std::chrono::steady_clock::time_point fetch_started;

  void answer(uint64_t gen, Response r) {
    std::lock_guard g(mu);  // held while publishing: after stop() returns, nothing is published
    if (stopping || gen <= answered_gen) return;  // an answer given up on, and overtaken
    answered_gen = gen;
    if (gen == fetch_gen) in_flight = false;
    if (r.status != 200) {
      spdlog::debug("live: no snapshot (status {}): {}", r.status, r.body);
      return;
    }
    feed->publish(std::move(r.body));
  }
};

LivePublisher::LivePublisher(LiveFeed& feed, Source source, LivePublisherOptions opts)
    : feed_(feed), source_(std::move(source)), opts_(opts), state_(std::make_shared<State>()) {
  state_->feed = &feed_;
  feed_.set_on_subscribe([st = std::weak_ptr<State>(state_)] {
    if (auto s = st.lock()) {
      {
        std::lock_guard g(s->mu);
        s->kicked = true;
      }
      s->cv.notify_all();
    }
  });
  thread_ = std::thread([this] { run(); });
}

LivePublisher::LivePublisher(LiveFeed& feed, Backend& backend, LivePublisherOptions opts)
    : LivePublisher(
          feed, [&backend](Respond respond) { backend.live(std::move(respond)); }, opts) {}

LivePublisher::~LivePublisher() {
  stop();
}

void LivePublisher::stop() {
  {
    std::lock_guard g(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
  feed_.set_on_subscribe(nullptr);
}

void LivePublisher::run() {
  pthread_setname_np(pthread_self(), "jd:live");
  using clock = std::chrono::steady_clock;
  auto& st = *state_;
  auto next = clock::now() + opts_.interval;
  clock::time_point last_fetch{};
  std::unique_lock l(st.mu);
  for (;;) {
    st.cv.wait_until(l, next, [&] { return st.stopping || st.kicked; });
    if (st.stopping) return;
    const auto now = clock::now();
    const bool due = now >= next;
    // A client joining after an idle spell gets a fresh snapshot at once, not a tick later.
    const bool kicked = std::exchange(st.kicked, false) && now - last_fetch >= opts_.interval;
    if (due || kicked) next = now + opts_.interval;
    if ((!due && !kicked) || feed_.subscribers() == 0) continue;
    if (st.in_flight && now - st.fetch_started < opts_.fetch_timeout) continue;
    if (st.in_flight) spdlog::warn("live: a snapshot was not answered in time; asking again");
    st.in_flight = true;
    st.fetch_started = last_fetch = now;
    const uint64_t gen = ++st.fetch_gen;
    l.unlock();  // the source may answer at once, on this thread
    try {
      source_([st = state_, gen](Response r) { st->answer(gen, std::move(r)); });
    } catch (const std::exception& e) {
      spdlog::error("live: asking for a snapshot failed: {}", e.what());
    }
    l.lock();
  }
}

}  // namespace journeyd::http
