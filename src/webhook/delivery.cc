#include "webhook/delivery.h"

#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "common/hash.h"
#include "common/json_writer.h"
#include "common/redact.h"
#include "common/time_format.h"
#include "state/keys.h"

namespace journeyd::webhook {
namespace {

constexpr uint8_t kVersion = 1;

void put_bytes(std::string& out, std::string_view s) {
  state::put_varint(out, s.size());
  out += s;
}

bool get_bytes(std::string_view in, size_t& pos, std::string& out) {
  uint64_t n = 0;
  if (!state::get_varint(in, pos, n) || n > in.size() - pos) return false;
  out.assign(in.substr(pos, n));
  pos += n;
  return true;
}

}  // namespace

const char* to_string(Event e) {
  return e == Event::alert ? "alert" : "action";
}

std::string delivery_key(uint64_t seq, std::string_view endpoint) {
  std::string k;
  k.reserve(8 + endpoint.size());
  state::put_be64(k, seq);
  k += endpoint;
  return k;
}

std::string encode_delivery(const Delivery& d) {
  std::string v;
  v.reserve(32 + d.id.size() + d.last_error.size() + d.body.size());
  v.push_back(static_cast<char>(kVersion));
  v.push_back(static_cast<char>(d.event));
  state::put_varint(v, d.attempts);
  state::put_svarint(v, d.first_at);
  state::put_svarint(v, d.next_at);
  state::put_varint(v, static_cast<uint64_t>(std::max(d.last_status, 0)));
  put_bytes(v, d.id);
  put_bytes(v, d.last_error);
  v += d.body;
  return v;
}

Result<Delivery> decode_delivery(std::string_view key, std::string_view value) {
  auto bad = [&](const char* what) {
    return fail(Errc::corrupt,
                fmt::format("undecodable webhook delivery ({}, key of {} bytes)", what, key.size()));
  };
  if (key.size() <= 8) return bad("key");
  Delivery d;
  d.seq = state::get_be64(key, 0);
  d.endpoint.assign(key.substr(8));
  if (value.size() < 2 || static_cast<uint8_t>(value[0]) != kVersion || static_cast<uint8_t>(value[1]) > 1)
    return bad("header");
  d.event = static_cast<Event>(value[1]);
  size_t pos = 2;
  uint64_t attempts = 0, status = 0;
  if (!state::get_varint(value, pos, attempts) || !state::get_svarint(value, pos, d.first_at) ||
      !state::get_svarint(value, pos, d.next_at) || !state::get_varint(value, pos, status) ||
      !get_bytes(value, pos, d.id) || !get_bytes(value, pos, d.last_error) || attempts > UINT32_MAX ||
      status > 999)
    return bad("fields");
  d.attempts = static_cast<uint32_t>(attempts);
  d.last_status = static_cast<int>(status);
  d.body.assign(value.substr(pos));
  return d;
}

void put_delivery(state::Batch& batch, const Delivery& d) {
  batch.put(state::Cf::webhooks, delivery_key(d.seq, d.endpoint), encode_delivery(d));
}

void delete_delivery(state::Batch& batch, uint64_t seq, std::string_view endpoint) {
  batch.del(state::Cf::webhooks, delivery_key(seq, endpoint));
}

namespace {

// Visits every stored delivery until fn returns false.
template <class Fn>
Result<void> scan_all(const state::Store& store, Fn&& fn) {
  std::optional<Error> corrupt;
  auto r = store.scan(state::Cf::webhooks, std::string(), std::string(9, '\xff'),
                      [&](std::string_view k, std::string_view v) {
                        auto d = decode_delivery(k, v);
                        if (!d) {  // never written by journeyd: skipped (it must not stop a start-up)
                          if (!corrupt)
                            spdlog::warn("webhooks: an unreadable delivery record is skipped: {}",
                                         d.error().message);
                          corrupt = d.error();
                          return true;
                        }
                        return fn(std::move(d.value()));
                      });
  if (!r) return r.error();
  return outcome::success();
}

}  // namespace

Result<std::vector<Delivery>> load_deliveries(const state::Store& store) {
  std::vector<Delivery> out;
  auto r = scan_all(store, [&](Delivery d) {
    out.push_back(std::move(d));
    return true;
  });
  if (!r) return r.error();
  return out;
}

std::optional<RecordFields> read_record_fields(std::string_view json) {
  thread_local simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return std::nullopt;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return std::nullopt;
  RecordFields f;
  bool has_journey = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    std::string* slot = nullptr;
    if (key == "journey")
      slot = &f.journey, has_journey = true;
    else if (key == "type")
      slot = &f.type;
    else if (key == "action_id" || key == "alert_id")
      slot = &f.id;
    else if (key == "customer")
      slot = &f.customer;
    if (slot == nullptr) continue;  // skipped by the iterator
    std::string_view v;
    if (field.value().get_string().get(v)) {
      if (key == "journey") return std::nullopt;
      continue;
    }
    slot->assign(v);
  }
  if (!has_journey) return std::nullopt;
  return f;
}

std::string delivery_id(std::string_view endpoint, const RecordFields& f, std::string_view body) {
  return to_hex(stable_hash({endpoint, f.id.empty() ? body : std::string_view(f.id)}));
}

Result<std::vector<std::string>> erase_deliveries(const state::Store& store, state::Batch& batch,
                                                  const std::vector<uint64_t>& seqs,
                                                  const std::vector<std::string>& customers) {
  std::vector<std::string> erased;
  auto r = scan_all(store, [&](Delivery d) {
    bool gone = std::find(seqs.begin(), seqs.end(), d.seq) != seqs.end();
    if (!gone && !customers.empty()) {
      auto f = read_record_fields(d.body);
      gone = f && std::find(customers.begin(), customers.end(), f->customer) != customers.end();
    }
    if (gone) {
      erased.push_back(delivery_key(d.seq, d.endpoint));
      batch.del(state::Cf::webhooks, erased.back());
    }
    return true;
  });
  if (!r) return r.error();
  return erased;
}

std::string dead_letter_record(const Delivery& d, const DeadLetterInfo& info) {
  std::string out;
  out.reserve(256 + d.body.size() + d.last_error.size());
  JsonWriter w(out);
  w.begin_object()
      .field("endpoint", d.endpoint)
      .field("url", redact::url(info.url))  // user info and query values may be credentials
      .field("delivery_id", d.id)
      .field("event", to_string(d.event))
      .field("attempts", static_cast<int64_t>(d.attempts))
      .field("first_attempt_at", format_iso8601(d.first_at))
      .field("last_attempt_at", format_iso8601(info.last_attempt_at))
      .field("last_error", d.last_error);
  if (d.last_status > 0) w.field("last_status", d.last_status);
  // The record is JSON journeyd wrote itself; anything else (a corrupted store) is kept as a string.
  if (read_record_fields(d.body))
    w.key("record").raw(d.body);
  else
    w.field("record", d.body);
  w.end_object();
  return out;
}

}  // namespace journeyd::webhook
