#include "backtest/backtest.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "event/decoder.h"
#include "event/dlq.h"
#include "journey/engine.h"
#include "state/keys.h"
#include "state/outbox.h"
#include "state/store.h"

namespace journeyd::backtest {
namespace {

constexpr Partition kPartition{0};
// "Every timer": far enough to fire anything, far from overflow.
constexpr int64_t kDrainClock = INT64_MAX / 4;

const char* sink_name(state::Sink s) {
  switch (s) {
    case state::Sink::actions:
      return "action";
    case state::Sink::alerts:
      return "alert";
    case state::Sink::dlq:
      return "dlq";
    case state::Sink::suppressed:
      return "suppressed";
    case state::Sink::webhook_dlq:  // the backtest has no webhooks
      return "webhook_dlq";
  }
  return "unknown";
}

// The last minute that counted something for any journey of `defs` (kNoTime: none).
Result<int64_t> last_funnel_minute(const state::Store& store, const std::vector<journey::Definition>& defs,
                                   int64_t upto) {
  int64_t last = kNoTime;
  for (const auto& d : defs) {
    if (!d.journey()) continue;
    auto k = store.last_key(state::Cf::funnel, state::funnel_key(d.id, kNoTime, ""),
                            state::funnel_key(d.id, upto, ""));
    if (!k) return k.error();
    if (!k.value()) continue;
    if (auto fk = state::decode_funnel_key(*k.value())) last = std::max(last, fk->minute_ms);
  }
  return last;
}

// A temporary state folder, removed with the object.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/journeyd-backtest-XXXXXX";
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Runner {
 public:
  Runner(state::Store& store, state::Outbox& outbox, journey::Engine& engine, Summary& out)
      : store_(store), outbox_(outbox), engine_(engine), out_(out) {}

  // One engine batch: the events (may be none), then the timers due at `clock`.
  Result<size_t> batch(std::vector<std::string>& lines, int64_t clock_override = kNoTime) {
    state::Batch batch(store_);
    engine_.begin(batch);
    for (uint64_t seq : acked_) outbox_.ack(batch, seq);
    acked_.clear();
    std::vector<event::Decoded> decoded;
    decoded.reserve(lines.size());
    std::vector<journey::EventRef> refs;
    for (const auto& l : lines) {
      decoded.push_back(decoder_.decode(l, clock_ == kNoTime ? 0 : clock_));
      if (auto* tp = std::get_if<event::Touchpoint>(&decoded.back())) refs.push_back({kPartition, tp});
    }
    if (auto r = engine_.prefetch(refs); !r) return r.error();
    uint64_t rejected = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      const uint64_t offset = out_.lines++;
      std::optional<event::Rejection> rejection;
      if (auto* tp = std::get_if<event::Touchpoint>(&decoded[i])) {
        auto r = engine_.on_event(kPartition, *tp);
        if (!r) return r.error();
        rejection = r.value();
        if (!rejection) {
          clock_ = std::max(clock_, tp->timestamp.value());
          first_ = std::min(first_, tp->timestamp.value());
        }
      } else {
        rejection = std::get<event::Rejection>(decoded[i]);
      }
      if (rejection) {
        ++rejected;
        outbox_.append(
            batch, state::Sink::dlq, "",
            event::make_dlq_record(*rejection, {"backtest", kPartition, Offset{static_cast<int64_t>(offset)}},
                                   lines[i], clock_ == kNoTime ? 0 : clock_));
      }
    }
    const int64_t clock = clock_override != kNoTime ? clock_override : clock_;
    auto fired = engine_.fire_timers(kPartition, clock);
    if (!fired) return fired.error();
    // As the pipeline does, at the event clock (the latest event time, not a clock set by --until): the
    // aggregate alerts judged (once per minute), and the batch's input counted (their DLQ rate).
    if (auto r = engine_.evaluate_alerts(clock_); !r) return r.error();
    engine_.note_input(clock_, lines.size() - rejected, rejected);
    engine_.finish();
    if (batch.count() > 0) {
      if (auto r = store_.write(batch); !r) return r.error();
    }
    for (auto& rec : outbox_.take_pending()) {
      acked_.push_back(rec.seq);
      if (rec.sink == state::Sink::dlq) ++out_.rejected;
      out_.records.push_back({sink_name(rec.sink), std::move(rec.value)});
    }
    return fired.value();
  }

  int64_t clock() const { return clock_; }
  // The earliest time of an applied event (kNoTime: none).
  int64_t first() const { return first_ == INT64_MAX ? kNoTime : first_; }

 private:
  state::Store& store_;
  state::Outbox& outbox_;
  journey::Engine& engine_;
  Summary& out_;
  event::Decoder decoder_;
  int64_t clock_ = kNoTime;
  int64_t first_ = INT64_MAX;
  std::vector<uint64_t> acked_;
};

}  // namespace

Result<Summary> run(const std::vector<journey::Definition>& defs, std::istream& events, const Options& opts) {
  TempDir tmp;
  const std::string dir = opts.state_dir.empty() ? tmp.path() : opts.state_dir;
  if (dir.empty()) return fail(Errc::io, "cannot create a temporary state folder");
  auto store = state::Store::open({dir, size_t{64} << 20, size_t{64} << 20});
  if (!store) return store.error();
  auto outbox = state::Outbox::open(*store.value());
  if (!outbox) return outbox.error();
  journey::EngineOptions eo;
  eo.grace_ms = opts.grace_ms;
  eo.dedup_horizon_ms = opts.dedup_horizon_ms;
  eo.cache_customers = 1'000'000;
  auto engine = journey::Engine::create(defs, eo, *store.value(), outbox.value());
  if (!engine) return engine.error();
  engine.value()->assign(std::span(&kPartition, 1));

  Summary out;
  Runner runner(*store.value(), outbox.value(), *engine.value(), out);
  std::vector<std::string> lines;
  std::string line;
  uint64_t bytes = 0;
  const size_t per_batch = std::max<size_t>(opts.batch_events, 1);
  auto flush = [&]() -> Result<void> {
    auto r = runner.batch(lines);
    if (!r) return r.error();
    lines.clear();
    if (opts.progress) opts.progress(bytes);
    return outcome::success();
  };
  while (std::getline(events, line)) {
    bytes += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    lines.push_back(std::move(line));
    if (lines.size() >= per_batch) {
      if (auto r = flush(); !r) return r.error();
    }
  }
  if (!lines.empty()) {
    if (auto r = flush(); !r) return r.error();
  }
  // The end of the history: fire what the chosen clock makes due, in as many batches as it takes
  // (a batch takes a bounded number of timers, and a timer may schedule another).
  int64_t until = runner.clock();
  if (opts.until == Until::drain) until = kDrainClock;
  if (opts.until == Until::time) until = opts.until_ms;
  if (until != kNoTime) {
    for (;;) {
      auto fired = runner.batch(lines, until);
      if (!fired) return fired.error();
      if (fired.value() == 0) break;
    }
  }
  out.events = engine.value()->stats().events;
  out.duplicates = engine.value()->stats().duplicates;

  // The funnels over everything the run counted: from the earliest applied event to the final clock
  // (drain: to the last minute a drop-off was counted at).
  int64_t last = until == kDrainClock ? runner.clock() : std::max(until, runner.clock());
  if (until == kDrainClock) {
    auto counted = last_funnel_minute(*store.value(), defs, kDrainClock);
    if (!counted) return counted.error();
    last = std::max(last, counted.value());
  }
  const int64_t from = opts.funnel_from.value_or(runner.first());
  const int64_t to =
      opts.funnel_to.value_or(last == kNoTime ? kNoTime : journey::minute_of(last) + journey::kMinuteMs);
  if (from != kNoTime && to != kNoTime) {
    auto reports = engine.value()->funnel_reports(from, to);
    if (!reports) return reports.error();
    out.funnels = std::move(reports.value());
  }
  return out;
}

}  // namespace journeyd::backtest
