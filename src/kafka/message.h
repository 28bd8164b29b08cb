// A consumed Kafka message. Owns the underlying librdkafka message and frees
// it on destruction; payload and key views stay valid while it lives.
// It must be destroyed before the Consumer it came from: librdkafka's destroy
// waits for every outstanding message.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/types.h"

namespace journeyd::kafka {

class Message {
 public:
  Message() = default;
  explicit Message(void* rd_message);  // takes ownership of an rd_kafka_message_t*
  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;
  ~Message();

  std::string_view payload() const;
  std::string_view key() const;
  Partition partition() const;
  Offset offset() const;
  // Message timestamp (CreateTime or LogAppendTime) in ms, or -1.
  int64_t timestamp_ms() const;

 private:
  void* msg_ = nullptr;
};

}  // namespace journeyd::kafka
