#include "kafka/producer.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include "kafka/conf.h"

namespace journeyd::kafka {

struct Producer::Impl {
  rd_kafka_t* rk = nullptr;
  ProducerOptions opts;
  ~Impl() {
    if (rk) rd_kafka_destroy(rk);
  }
};

namespace {
Failure classify(rd_kafka_t* rk, rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Failure::none;
    case RD_KAFKA_RESP_ERR__FATAL:
      return Failure::fatal;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
      return Failure::permanent;
    default: {
      char buf[256];
      if (rd_kafka_fatal_error(rk, buf, sizeof buf) != RD_KAFKA_RESP_ERR_NO_ERROR) return Failure::fatal;
      return Failure::retriable;
    }
  }
}

void dr_cb(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
  auto* impl = static_cast<Producer::Impl*>(opaque);
  if (m->err && impl->opts.health)
    impl->opts.health->on_failure(fmt::format("delivery: {}", rd_kafka_err2str(m->err)));
  if (!impl->opts.on_delivery) return;
  const auto id = reinterpret_cast<uintptr_t>(m->_private);
  impl->opts.on_delivery({id, classify(rk, m->err), m->err ? rd_kafka_err2str(m->err) : std::string_view()});
}
// Health hooks (installed only when ProducerOptions::health is set).
void error_cb(rd_kafka_t*, int err, const char* reason, void* opaque) {
  static_cast<Producer::Impl*>(opaque)->opts.health->on_error(err, reason);
}
int stats_cb(rd_kafka_t*, char* json, size_t len, void* opaque) {
  static_cast<Producer::Impl*>(opaque)->opts.health->on_stats({json, len});
  return 0;  // librdkafka frees json
}
}  // namespace

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

Result<std::unique_ptr<Producer>> Producer::create(ProducerOptions opts) {
  auto impl = std::make_unique<Impl>();
  impl->opts = std::move(opts);
  Properties props = merge({{"enable.idempotence", "true"}, {"linger.ms", "5"}, {"compression.type", "lz4"}},
                           impl->opts.properties);
  if (impl->opts.health) props = with_health_properties(props);
  auto conf = make_conf(props);
  if (!conf) return conf.error();
  rd_kafka_conf_set_opaque(conf.value(), impl.get());
  rd_kafka_conf_set_dr_msg_cb(conf.value(), dr_cb);
  if (impl->opts.health) {
    rd_kafka_conf_set_error_cb(conf.value(), error_cb);
    rd_kafka_conf_set_stats_cb(conf.value(), stats_cb);
  }
  char errstr[512];
  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.value(), errstr, sizeof errstr);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf.value());
    return fail(Errc::kafka, fmt::format("producer: {}", errstr));
  }
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Result<ProduceStatus> Producer::produce(const std::string& topic, std::string_view key,
                                        std::string_view value, uint64_t opaque) {
  auto err = rd_kafka_producev(
      impl_->rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(opaque))), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ProduceStatus::queued;
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return ProduceStatus::queue_full;
  switch (classify(impl_->rk, err)) {
    case Failure::permanent:
      return ProduceStatus::too_large;
    case Failure::fatal:
      return fail(Errc::kafka, fmt::format("produce to {}: {}", topic, rd_kafka_err2str(err)));
    default:
      return ProduceStatus::retry_later;
  }
}

void Producer::poll(int timeout_ms) {
  rd_kafka_poll(impl_->rk, timeout_ms);
}

bool Producer::flush(int timeout_ms) {
  return rd_kafka_flush(impl_->rk, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int Producer::in_flight() const {
  return rd_kafka_outq_len(impl_->rk);
}

}  // namespace journeyd::kafka
