// Strong types for the ids and quantities that cross subsystem boundaries.
// A Partition can't be passed where an Offset is expected, and an EventTime is
// always milliseconds since the Unix epoch (UTC).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace journeyd {

template <class T, class Tag>
class NamedType {
 public:
  using value_type = T;
  constexpr NamedType() = default;
  constexpr explicit NamedType(T v) : v_(std::move(v)) {}
  constexpr const T& value() const { return v_; }
  constexpr T& value() { return v_; }
  friend constexpr auto operator<=>(const NamedType&, const NamedType&) = default;
  friend constexpr bool operator==(const NamedType&, const NamedType&) = default;

 private:
  T v_{};
};

using Partition = NamedType<int32_t, struct PartitionTag>;
using Offset = NamedType<int64_t, struct OffsetTag>;
using CustomerId = NamedType<std::string, struct CustomerIdTag>;
using JourneyId = NamedType<std::string, struct JourneyIdTag>;

// Milliseconds since the Unix epoch, UTC. Event time unless a name says otherwise.
using EventTime = NamedType<int64_t, struct EventTimeTag>;
// A span of time in milliseconds.
using DurationMs = NamedType<int64_t, struct DurationTag>;

inline constexpr int64_t kNoTime = INT64_MIN;

}  // namespace journeyd

template <class T, class Tag>
struct std::hash<journeyd::NamedType<T, Tag>> {
  size_t operator()(const journeyd::NamedType<T, Tag>& v) const noexcept { return std::hash<T>{}(v.value()); }
};
