#include "kafka/consumer.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "kafka/conf.h"

namespace journeyd::kafka {

struct Consumer::Impl {
  rd_kafka_t* rk = nullptr;
  ConsumerOptions opts;
  std::vector<Partition> assigned;
  std::vector<Partition> revoked_in_poll;  // filled by the rebalance callback, drained by poll_batch
  bool closed = false;
  bool paused = false;

  ~Impl() {
    if (rk) rd_kafka_destroy(rk);
  }

  void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    std::vector<Partition> ps;
    ps.reserve(static_cast<size_t>(parts->cnt));
    for (int i = 0; i < parts->cnt; ++i) ps.emplace_back(parts->elems[i].partition);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      auto starts = opts.on_assign ? opts.on_assign(ps) : std::map<int32_t, int64_t>{};
      for (int i = 0; i < parts->cnt; ++i) {
        auto it = starts.find(parts->elems[i].partition);
        parts->elems[i].offset = it == starts.end() ? RD_KAFKA_OFFSET_BEGINNING : it->second;
      }
      if (rd_kafka_rebalance_protocol(rk) &&
          std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE") {
        if (auto* e = rd_kafka_incremental_assign(rk, parts)) {
          spdlog::error("kafka incremental assign: {}", rd_kafka_error_string(e));
          rd_kafka_error_destroy(e);
        }
        assigned.insert(assigned.end(), ps.begin(), ps.end());
      } else {
        rd_kafka_assign(rk, parts);
        assigned = ps;
      }
      // A partition paused before a revocation may keep its pause flag: set it either way.
      if (paused)
        rd_kafka_pause_partitions(rk, parts);
      else
        rd_kafka_resume_partitions(rk, parts);
      spdlog::info("kafka: assigned {} partition(s) of {}{}", ps.size(), opts.topic,
                   paused ? " (paused)" : "");
    } else {
      revoked_in_poll.insert(revoked_in_poll.end(), ps.begin(), ps.end());
      if (opts.on_revoke) opts.on_revoke(ps);
      if (rd_kafka_rebalance_protocol(rk) &&
          std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE") {
        if (auto* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
        std::erase_if(assigned, [&](Partition p) { return std::find(ps.begin(), ps.end(), p) != ps.end(); });
      } else {
        rd_kafka_assign(rk, nullptr);
        assigned.clear();
      }
      spdlog::info("kafka: revoked {} partition(s) of {}", ps.size(), opts.topic);
    }
  }
};

namespace {
void rebalance_cb(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                  void* opaque) {
  static_cast<Consumer::Impl*>(opaque)->rebalance(err, parts);
}
// Health hooks (installed only when ConsumerOptions::health is set).
void error_cb(rd_kafka_t*, int err, const char* reason, void* opaque) {
  static_cast<Consumer::Impl*>(opaque)->opts.health->on_error(err, reason);
}
int stats_cb(rd_kafka_t*, char* json, size_t len, void* opaque) {
  static_cast<Consumer::Impl*>(opaque)->opts.health->on_stats({json, len});
  return 0;  // librdkafka frees json
}
void commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void* opaque) {
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
    static_cast<Consumer::Impl*>(opaque)->opts.health->on_failure(
        fmt::format("offset commit: {}", rd_kafka_err2str(err)));
}
}  // namespace

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() {
  close();
}

Result<std::unique_ptr<Consumer>> Consumer::create(ConsumerOptions opts) {
  auto impl = std::make_unique<Impl>();
  impl->opts = std::move(opts);
  Properties props = merge({{"enable.auto.commit", "false"},
                            {"enable.auto.offset.store", "false"},
                            {"auto.offset.reset", "earliest"},
                            {"enable.partition.eof", "false"}},
                           impl->opts.properties);
  if (impl->opts.health) props = with_health_properties(props);
  auto conf = make_conf(props);
  if (!conf) return conf.error();
  rd_kafka_conf_set_opaque(conf.value(), impl.get());
  rd_kafka_conf_set_rebalance_cb(conf.value(), rebalance_cb);
  if (impl->opts.health) {
    rd_kafka_conf_set_error_cb(conf.value(), error_cb);
    rd_kafka_conf_set_stats_cb(conf.value(), stats_cb);
    rd_kafka_conf_set_offset_commit_cb(conf.value(), commit_cb);
  }
  char errstr[512];
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.value(), errstr, sizeof errstr);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf.value());
    return fail(Errc::kafka, fmt::format("consumer: {}", errstr));
  }
  rd_kafka_poll_set_consumer(impl->rk);
  auto* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, impl->opts.topic.c_str(), RD_KAFKA_PARTITION_UA);
  auto err = rd_kafka_subscribe(impl->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) return fail(Errc::kafka, fmt::format("subscribe {}: {}", impl->opts.topic, rd_kafka_err2str(err)));
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

size_t Consumer::poll_batch(std::vector<Message>& out, size_t max, int timeout_ms) {
  const size_t start = out.size();
  int wait = timeout_ms;
  while (out.size() - start < max) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk, wait);
    if (!impl_->revoked_in_poll.empty()) {
      // A rebalance was served inside that call: what we hold of the revoked
      // partitions came from the old assignment. (m, if any, is from the new one.)
      const auto& gone = impl_->revoked_in_poll;
      auto first = out.begin() + static_cast<std::ptrdiff_t>(start);
      out.erase(std::remove_if(first, out.end(),
                               [&](const Message& msg) {
                                 return std::find(gone.begin(), gone.end(), msg.partition()) != gone.end();
                               }),
                out.end());
      impl_->revoked_in_poll.clear();
    }
    if (!m) break;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("kafka consume: {}", rd_kafka_message_errstr(m));
        if (impl_->opts.health) impl_->opts.health->on_failure(rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    out.emplace_back(m);
    wait = 0;
  }
  return out.size() - start;
}

int64_t Consumer::query_high_watermark(Partition p, int timeout_ms) const {
  int64_t lo = -1, hi = -1;
  if (rd_kafka_query_watermark_offsets(impl_->rk, impl_->opts.topic.c_str(), p.value(), &lo, &hi,
                                       timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return -1;
  return hi;
}

int64_t Consumer::position(Partition p) const {
  auto* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, impl_->opts.topic.c_str(), p.value());
  int64_t off = -1;
  if (rd_kafka_position(impl_->rk, list) == RD_KAFKA_RESP_ERR_NO_ERROR && list->elems[0].offset >= 0)
    off = list->elems[0].offset;
  rd_kafka_topic_partition_list_destroy(list);
  return off;
}

int64_t Consumer::high_watermark(Partition p) const {
  int64_t lo = -1, hi = -1;
  if (rd_kafka_get_watermark_offsets(impl_->rk, impl_->opts.topic.c_str(), p.value(), &lo, &hi) !=
      RD_KAFKA_RESP_ERR_NO_ERROR)
    return -1;
  return hi;
}

const std::vector<Partition>& Consumer::assignment() const {
  return impl_->assigned;
}

void Consumer::set_paused(bool paused) {
  if (paused == impl_->paused || impl_->closed) return;
  impl_->paused = paused;
  if (impl_->assigned.empty()) return;
  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(impl_->assigned.size()));
  for (Partition p : impl_->assigned)
    rd_kafka_topic_partition_list_add(list, impl_->opts.topic.c_str(), p.value());
  const auto err =
      paused ? rd_kafka_pause_partitions(impl_->rk, list) : rd_kafka_resume_partitions(impl_->rk, list);
  if (err) spdlog::error("kafka: {} partitions: {}", paused ? "pausing" : "resuming", rd_kafka_err2str(err));
  rd_kafka_topic_partition_list_destroy(list);
}

bool Consumer::paused() const {
  return impl_->paused;
}

void Consumer::commit_async(const std::map<int32_t, int64_t>& next_offsets) {
  if (next_offsets.empty()) return;
  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size()));
  for (const auto& [p, off] : next_offsets)
    rd_kafka_topic_partition_list_add(list, impl_->opts.topic.c_str(), p)->offset = off;
  rd_kafka_commit(impl_->rk, list, 1);
  rd_kafka_topic_partition_list_destroy(list);
}

void Consumer::close() {
  if (impl_->closed || !impl_->rk) return;
  impl_->closed = true;
  rd_kafka_consumer_close(impl_->rk);
}

}  // namespace journeyd::kafka
