#include "common/histogram.h"

#include <algorithm>
#include <bit>

namespace journeyd {

int Histogram::bucket(uint64_t v) {
  if (v < kSub) return static_cast<int>(v);
  const int msb = 63 - std::countl_zero(v);  // ≥ 5
  const int shift = msb - 5;
  const int sub = static_cast<int>((v >> shift) & (kSub - 1));
  return std::min((shift + 1) * kSub + sub, kBuckets - 1);
}

int64_t Histogram::upper(int b) {
  if (b < kSub) return b;
  const int shift = b / kSub - 1;
  const int sub = b % kSub;
  return static_cast<int64_t>(((static_cast<uint64_t>(kSub + sub) + 1) << shift) - 1);
}

void Histogram::record(int64_t value) {
  const uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
  ++counts_[bucket(v)];
  ++count_;
  max_ = std::max<int64_t>(max_, static_cast<int64_t>(v));
}

void Histogram::merge(const Histogram& o) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  max_ = std::max(max_, o.max_);
}

int64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  const auto target = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= target) return std::min(upper(i), max_);
  }
  return max_;
}

}  // namespace journeyd
