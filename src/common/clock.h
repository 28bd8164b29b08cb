// Wall-clock source. Everything that reads the wall clock takes a Clock& so
// tests can inject a ManualClock. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace journeyd {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
  static SystemClock& instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_(start_ms) {}
  int64_t now_ms() const override { return now_.load(); }
  void set(int64_t ms) { now_.store(ms); }
  void advance(int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_;
};

// Monotonic nanoseconds, for measuring latencies (never for event time).
int64_t monotonic_ns();

}  // namespace journeyd
