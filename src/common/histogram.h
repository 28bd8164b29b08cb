// Latency histogram with log-linear buckets (≤ 3 % relative error), for
// benchmark figures and, later, metrics. Not thread-safe; merge() to combine.
#pragma once

#include <array>
#include <cstdint>

namespace journeyd {

class Histogram {
 public:
  void record(int64_t value);
  void merge(const Histogram& other);
  uint64_t count() const { return count_; }
  int64_t max() const { return max_; }
  // q in [0, 1]; returns an upper bound of the bucket holding the q-quantile.
  int64_t percentile(double q) const;

 private:
  static constexpr int kSub = 32;  // sub-buckets per power of two
  static constexpr int kBuckets = 64 * kSub;
  static int bucket(uint64_t v);
  static int64_t upper(int b);
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace journeyd
