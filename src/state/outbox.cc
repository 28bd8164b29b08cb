#include "state/outbox.h"

#include "state/keys.h"

namespace journeyd::state {
namespace {

std::string seq_key(uint64_t seq) {
  std::string k;
  put_be64(k, seq);
  return k;
}

std::string encode(const OutboxRecord& r) {
  std::string v;
  v.reserve(r.key.size() + r.value.size() + 4);
  v.push_back(static_cast<char>(r.sink));
  put_varint(v, r.key.size());
  v += r.key;
  v += r.value;
  return v;
}

}  // namespace

Result<Outbox> Outbox::open(Store& store) {
  const std::string lo(8, '\0'), hi(8, '\xff');
  auto last = store.last_key(Cf::outbox, lo, hi);
  if (!last) return last.error();
  // A sequence number only needs to be unique among the records still in the
  // outbox (delivery reports of an earlier process never reach this one), so
  // continuing after the last stored key is enough; nothing else is persisted.
  uint64_t next = 0;
  if (last.value()) next = get_be64(*last.value(), 0) + 1;
  return Outbox(store, next);
}

uint64_t Outbox::append(Batch& batch, Sink sink, std::string key, std::string value) {
  OutboxRecord r{next_++, sink, std::move(key), std::move(value)};
  batch.put(Cf::outbox, seq_key(r.seq), encode(r));
  pending_.push_back(std::move(r));
  return next_ - 1;
}

std::vector<OutboxRecord> Outbox::take_pending() {
  return std::exchange(pending_, {});
}

void Outbox::ack(Batch& batch, uint64_t seq) const {
  batch.del(Cf::outbox, seq_key(seq));
}

Result<std::vector<OutboxRecord>> Outbox::load_all() const {
  std::vector<OutboxRecord> out;
  bool corrupt = false;
  auto r = store_->scan(
      Cf::outbox, std::string(8, '\0'), std::string(9, '\xff'), [&](std::string_view k, std::string_view v) {
        size_t pos = 1;
        uint64_t klen = 0;
        if (k.size() != 8 || v.empty() || static_cast<uint8_t>(v[0]) >= kSinkCount ||
            !get_varint(v, pos, klen) || pos + klen > v.size()) {
          corrupt = true;
          return false;
        }
        out.push_back({get_be64(k, 0), static_cast<Sink>(v[0]), std::string(v.substr(pos, klen)),
                       std::string(v.substr(pos + klen))});
        return true;
      });
  if (!r) return r.error();
  if (corrupt) return fail(Errc::corrupt, "undecodable outbox record");
  return out;
}

}  // namespace journeyd::state
