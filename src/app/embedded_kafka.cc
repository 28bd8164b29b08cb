#include "app/embedded_kafka.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>

namespace journeyd::app {

Result<void> write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out) return fail(Errc::io, fmt::format("cannot write {}", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(Errc::io, fmt::format("cannot rename {} to {}", tmp, path));
  return outcome::success();
}

Result<std::unique_ptr<kafka::MockCluster>> start_embedded_kafka(const config::Config& cfg,
                                                                 const EmbeddedKafkaOptions& opts) {
  auto cluster = kafka::MockCluster::start({opts.brokers,
                                            {{cfg.topic_touchpoints, opts.partitions},
                                             {cfg.topic_dlq, opts.partitions},
                                             {cfg.topic_actions, opts.partitions},
                                             {cfg.topic_alerts, opts.partitions},
                                             {cfg.topic_suppressed, opts.partitions},
                                             {cfg.topic_webhooks_dlq, opts.partitions}}});
  if (!cluster) return cluster.error();
  const auto& bs = cluster.value()->bootstrap_servers();
  spdlog::info("embedded kafka: {} broker(s), bootstrap.servers={}", opts.brokers, bs);
  if (!opts.bootstrap_file.empty()) {
    if (auto r = write_file_atomically(opts.bootstrap_file, bs + "\n"); !r) return r.error();
  }
  return std::move(cluster.value());
}

}  // namespace journeyd::app
