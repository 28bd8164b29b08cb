// Metric values: Counter, Gauge, Histogram, and default histogram buckets.
// Lifecycle: normally created and owned by a Family (registry.h); references
// handed out stay valid for the Registry's lifetime. Threading: every method is
// lock-free and safe from any thread. Updates use relaxed atomics, so a scrape
// sees each value but not one consistent instant across values (a histogram's
// _sum may run ahead of its _count by an in-flight observation).
// Ownership: not copyable or movable (addresses are handed out).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace journeyd::metrics {

static_assert(std::atomic<double>::is_always_lock_free);

// Monotonic: only goes up. Prometheus requires the family name to end in _total.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds v. A negative or NaN v is ignored: a counter never goes down.
  void inc(double v = 1) {
    if (v >= 0) value_.fetch_add(v, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down; often set by an on_collect callback at scrape time.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Fixed upper bounds; an observation v lands in the first bucket with v <= bound,
// else (and NaN) in the implicit +Inf bucket.
class Histogram {
 public:
  // bounds: finite and strictly increasing (the Registry checks this).
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // bounds().size() + 1 entries, the last is +Inf
    double sum = 0;
    uint64_t count = 0;  // == cumulative.back()
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0};
};

// 0.0005 s … 10 s, 1-2.5-5 steps: request and processing latencies.
std::vector<double> latency_buckets_seconds();
// start, start*factor, …: count bounds. Requires start > 0, factor > 1, count >= 1.
std::vector<double> exponential_buckets(double start, double factor, int count);
// start, start+width, …: count bounds. Requires width > 0, count >= 1.
std::vector<double> linear_buckets(double start, double width, int count);

}  // namespace journeyd::metrics
