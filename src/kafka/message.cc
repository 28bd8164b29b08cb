#include "kafka/message.h"

#include <librdkafka/rdkafka.h>

#include <utility>

namespace journeyd::kafka {

namespace {
rd_kafka_message_t* m(void* p) {
  return static_cast<rd_kafka_message_t*>(p);
}
}  // namespace

Message::Message(void* rd_message) : msg_(rd_message) {}
Message::Message(Message&& o) noexcept : msg_(std::exchange(o.msg_, nullptr)) {}
Message& Message::operator=(Message&& o) noexcept {
  if (this != &o) {
    if (msg_) rd_kafka_message_destroy(m(msg_));
    msg_ = std::exchange(o.msg_, nullptr);
  }
  return *this;
}
Message::~Message() {
  if (msg_) rd_kafka_message_destroy(m(msg_));
}

std::string_view Message::payload() const {
  return {static_cast<const char*>(m(msg_)->payload), m(msg_)->len};
}
std::string_view Message::key() const {
  return m(msg_)->key ? std::string_view(static_cast<const char*>(m(msg_)->key), m(msg_)->key_len)
                      : std::string_view();
}
Partition Message::partition() const {
  return Partition{m(msg_)->partition};
}
Offset Message::offset() const {
  return Offset{m(msg_)->offset};
}
int64_t Message::timestamp_ms() const {
  rd_kafka_timestamp_type_t type;
  return rd_kafka_message_timestamp(m(msg_), &type);
}

}  // namespace journeyd::kafka
