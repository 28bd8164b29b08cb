// AppBackend::live(): the dashboard's snapshot (docs/api.md, "Dashboard and live feed"). The lag and
// the event rate are read on the caller's thread; the funnels over funnel.window (event time), the
// recent alerts and actions on the processing thread.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "app/backend.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "journey/engine.h"

namespace journeyd::app {
namespace {

constexpr size_t kLiveAlerts = 20;
constexpr std::string_view kLagSeries = "journeyd_consumer_lag_messages{partition=\"";

struct PartitionLag {
  long partition = 0;
  int64_t lag = 0;
};

// The lag per partition as the last batch left it. The pipeline keeps it only in the registry's
// journeyd_consumer_lag_messages{partition}, so it is read back from the text exposition.
std::vector<PartitionLag> lag_of(std::string_view text) {
  std::vector<PartitionLag> out;
  for (size_t pos = 0; (pos = text.find(kLagSeries, pos)) != std::string_view::npos;) {
    const bool line_start = pos == 0 || text[pos - 1] == '\n';
    const auto end = std::min(text.find('\n', pos), text.size());
    const std::string line(text.substr(pos + kLagSeries.size(), end - pos - kLagSeries.size()));
    pos = end;
    const auto space = line.rfind(' ');
    if (!line_start || space == std::string::npos) continue;
    out.push_back({std::strtol(line.c_str(), nullptr, 10),
                   static_cast<int64_t>(std::strtod(line.c_str() + space + 1, nullptr))});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return out;
}

// The array of an {"alerts":[…]} body.
std::string_view array_of(std::string_view body) {
  const auto b = body.find('['), e = body.rfind(']');
  return b == std::string_view::npos || e == std::string_view::npos ? "[]" : body.substr(b, e - b + 1);
}

}  // namespace

void AppBackend::live(http::Respond respond) {
  auto lag = lag_of(registry_.serialize());
  const uint64_t consumed = pipeline_.stats().consumed.load();
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  double rate = -1;  // unknown: the first snapshot, or the first after 10 s without one
  {
    std::lock_guard g(live_mu_);
    if (live_at_ms_ > 0 && now > live_at_ms_ && now - live_at_ms_ <= 10'000)
      rate = static_cast<double>(consumed - live_consumed_) * 1000.0 / static_cast<double>(now - live_at_ms_);
    live_consumed_ = consumed;
    live_at_ms_ = now;
  }
  on_pipeline(respond, [lag = std::move(lag), rate, window = funnel_window_ms_](Services& s) {
    auto alerts = s.engine.alerts_json("", kLiveAlerts);
    if (!alerts) spdlog::warn("live: alerts: {}", alerts.error().message);
    auto funnels = funnels_json(s, window);
    if (!funnels) spdlog::warn("live: funnels: {}", funnels.error().message);
    std::string body;
    JsonWriter w(body);
    w.begin_object().field("type", "snapshot").field("at", format_iso8601(s.clock.now_ms()));
    w.field("window", format_duration(window)).field("clock", format_iso8601(funnel_now(s)));
    w.key("funnels").raw(funnels ? std::string_view(funnels.value()) : "[]");
    w.key("alerts").raw(alerts ? array_of(alerts.value()) : "[]");
    w.key("actions").raw(s.engine.recent_actions_json(kLiveAlerts));
    int64_t total = 0;
    for (const auto& p : lag) total += p.lag;
    w.key("lag").begin_object().field("total", total).key("partitions").begin_array();
    for (const auto& p : lag)
      w.begin_object().field("partition", static_cast<int64_t>(p.partition)).field("lag", p.lag).end_object();
    w.end_array().end_object().key("events_per_second");
    if (rate >= 0)
      w.number(rate);
    else
      w.null();
    w.end_object();
    http::Response r;
    r.body = std::move(body);
    return r;
  });
}

}  // namespace journeyd::app
