#include "common/tz.h"

#include <date/tz.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace journeyd {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 86'400'000;

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

date::sys_seconds to_sys(int64_t utc_ms) {
  return date::sys_seconds{std::chrono::seconds{floor_div(utc_ms, 1000)}};
}

int64_t to_ms(date::sys_seconds t) {
  return static_cast<int64_t>(t.time_since_epoch().count()) * 1000;
}

int64_t offset_ms(const date::time_zone& z, int64_t utc_ms) {
  return static_cast<int64_t>(z.get_info(to_sys(utc_ms)).offset.count()) * 1000;
}

// The OS database, read once (date::get_tzdb() is itself initialised once and
// thread-safely). Its zones are sorted by name. A zone's file is read lazily by
// date on first use and may fail then (a truncated file): `checked` remembers,
// per zone, whether that first use succeeded, so later calls never throw.
class Database {
 public:
  static const Database& get() {
    static const Database db;
    return db;
  }

  const date::time_zone* find(std::string_view name) const {
    if (zones_ == nullptr || name.empty() || name == "localtime") return nullptr;  // host-dependent link
    const auto it =
        std::lower_bound(zones_->begin(), zones_->end(), name,
                         [](const date::time_zone& z, std::string_view n) { return z.name() < n; });
    if (it == zones_->end() || it->name() != name) return nullptr;
    auto& state = checked_[static_cast<size_t>(it - zones_->begin())];
    uint8_t s = state.load(std::memory_order_acquire);
    if (s == kUnchecked) {
      try {
        (void)it->get_info(date::sys_seconds{});  // loads the zone file
        s = kUsable;
      } catch (const std::exception& e) {
        spdlog::warn("time zone {}: {}", name, e.what());
        s = kBroken;
      }
      state.store(s, std::memory_order_release);
    }
    return s == kUsable ? &*it : nullptr;
  }

 private:
  static constexpr uint8_t kUnchecked = 0, kUsable = 1, kBroken = 2;

  Database() {
    try {
      zones_ = &date::get_tzdb().zones;
      checked_ = std::make_unique<std::atomic<uint8_t>[]>(zones_->size());
    } catch (const std::exception& e) {
      spdlog::error("time zone database unavailable (is tzdata installed?): {}", e.what());
      zones_ = nullptr;
    }
  }

  const std::vector<date::time_zone>* zones_ = nullptr;
  std::unique_ptr<std::atomic<uint8_t>[]> checked_;
};

}  // namespace

std::optional<TimeZone> TimeZone::find(std::string_view iana_name) {
  if (const date::time_zone* z = Database::get().find(iana_name)) return TimeZone(z);
  return std::nullopt;
}

const std::string& TimeZone::name() const {
  return zone_->name();
}

int TimeZone::local_minute_of_day(int64_t utc_ms) const {
  const int64_t local_ms = utc_ms + offset_ms(*zone_, utc_ms);
  return static_cast<int>((local_ms - floor_div(local_ms, kDayMs) * kDayMs) / kMinuteMs);
}

int64_t TimeZone::next_local_time(int64_t after_ms, int minute_of_day) const {
  assert(minute_of_day >= 0 && minute_of_day < 1440);
  const int64_t today = floor_div(after_ms + offset_ms(*zone_, after_ms), kDayMs);
  int64_t best = std::numeric_limits<int64_t>::max();
  const auto consider = [&](int64_t t) {
    if (t > after_ms && t < best) best = t;
  };
  // The wall time on the local days around after_ms; the day before counts
  // when the offset moved back since. Each day yields one instant, two in an
  // overlap, or the end of the gap when it falls in a gap.
  for (int64_t day = today - 1; day <= today + 2; ++day) {
    const int64_t local_ms = day * kDayMs + minute_of_day * kMinuteMs;
    const date::local_seconds local{std::chrono::seconds{local_ms / 1000}};
    const date::local_info li = zone_->get_info(local);
    switch (li.result) {
      case date::local_info::unique:
        consider(local_ms - li.first.offset.count() * int64_t{1000});
        break;
      case date::local_info::ambiguous:
        consider(local_ms - li.first.offset.count() * int64_t{1000});
        consider(local_ms - li.second.offset.count() * int64_t{1000});
        break;
      case date::local_info::nonexistent:
        consider(to_ms(li.second.begin));
        break;
    }
  }
  return best;
}

std::optional<int64_t> quiet_until(const TimeZone& tz, int64_t utc_ms, int from_minute, int to_minute) {
  if (from_minute == to_minute) return std::nullopt;
  const int m = tz.local_minute_of_day(utc_ms);
  const bool quiet =
      from_minute < to_minute ? (m >= from_minute && m < to_minute) : (m >= from_minute || m < to_minute);
  if (!quiet) return std::nullopt;
  return tz.next_local_time(utc_ms, to_minute);
}

}  // namespace journeyd
