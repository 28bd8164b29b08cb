#include "state/store.h"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <array>
#include <atomic>

#include "state/counters.h"
#include "state/keys.h"

namespace journeyd::state {
namespace {

constexpr std::array<const char*, kCfCount> kCfNames = {"customers", "instances", "timers",  "offsets",
                                                        "outbox",    "meta",      "dedup",   "identity",
                                                        "history",   "funnel",    "webhooks"};

auto io_error(const rocksdb::Status& s, std::string_view what) {
  return fail(Errc::io, fmt::format("rocksdb {}: {}", what, s.ToString()));
}

// Drops records (value: svarint event time first) older than a threshold the engine moves.
class ExpiryFilter : public rocksdb::CompactionFilter {
 public:
  explicit ExpiryFilter(const std::atomic<int64_t>& before) : before_(before) {}
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*, bool*) const override {
    const int64_t before = before_.load(std::memory_order_relaxed);
    size_t pos = 0;
    int64_t t = 0;
    return before != INT64_MIN && get_svarint(std::string_view(value.data(), value.size()), pos, t) &&
           t < before;
  }
  const char* Name() const override { return "journeyd.ExpiryFilter"; }

 private:
  const std::atomic<int64_t>& before_;
};

// funnel: drops the counters of minutes older than a threshold (the minute is in the key), values
// and merge operands alike.
class FunnelExpiryFilter : public rocksdb::CompactionFilter {
 public:
  explicit FunnelExpiryFilter(const std::atomic<int64_t>& before) : before_(before) {}
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice&, std::string*, bool*) const override {
    return expired(key);
  }
  bool FilterMergeOperand(int, const rocksdb::Slice& key, const rocksdb::Slice&) const override {
    return expired(key);
  }
  const char* Name() const override { return "journeyd.FunnelExpiryFilter"; }

 private:
  bool expired(const rocksdb::Slice& key) const {
    const int64_t before = before_.load(std::memory_order_relaxed);
    if (before == INT64_MIN) return false;
    auto k = decode_funnel_key(std::string_view(key.data(), key.size()));
    return k && k->minute_ms < before;
  }
  const std::atomic<int64_t>& before_;
};

// funnel: counters add up. An operand that does not decode (never written by journeyd) is skipped
// rather than failing the read or the compaction.
class CountersAddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    Counters sum;
    if (existing) (void)sum.add_encoded(std::string_view(existing->data(), existing->size()));
    (void)sum.add_encoded(std::string_view(value.data(), value.size()));
    *new_value = sum.encode();
    return true;
  }
  const char* Name() const override { return "journeyd.CountersAdd"; }
};

}  // namespace

const char* to_string(Cf cf) {
  return kCfNames[static_cast<size_t>(cf)];
}

struct Batch::Impl {
  rocksdb::WriteBatch wb;
  const std::array<rocksdb::ColumnFamilyHandle*, kCfCount>* cfs = nullptr;
};

struct Store::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, kCfCount> cfs{};
  rocksdb::ColumnFamilyHandle* default_cf = nullptr;
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::Statistics> statistics;
  std::atomic<int64_t> dedup_before{INT64_MIN};
  std::atomic<int64_t> history_before{INT64_MIN};
  std::atomic<int64_t> funnel_before{INT64_MIN};
  // Must outlive db (declared before it, so destroyed after it).
  std::unique_ptr<ExpiryFilter> dedup_filter;
  std::unique_ptr<ExpiryFilter> history_filter;
  std::unique_ptr<FunnelExpiryFilter> funnel_filter;

  ~Impl() {
    if (!db) return;
    for (auto* h : cfs)
      if (h) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    if (default_cf) db->DestroyColumnFamilyHandle(default_cf).PermitUncheckedError();
    db->Close().PermitUncheckedError();
  }
};

Batch::Batch(const Store& store) : impl_(std::make_unique<Impl>()) {
  impl_->cfs = &store.impl_->cfs;
}
Batch::~Batch() = default;

void Batch::put(Cf cf, std::string_view key, std::string_view value) {
  impl_->wb.Put((*impl_->cfs)[static_cast<size_t>(cf)], key, value)
      .PermitUncheckedError();  // in-memory append
}
void Batch::del_range(Cf cf, std::string_view begin, std::string_view end) {
  impl_->wb.DeleteRange((*impl_->cfs)[static_cast<size_t>(cf)], begin, end).PermitUncheckedError();
}

void Batch::merge(Cf cf, std::string_view key, std::string_view operand) {
  impl_->wb.Merge((*impl_->cfs)[static_cast<size_t>(cf)], key, operand).PermitUncheckedError();
}

void Batch::del(Cf cf, std::string_view key) {
  impl_->wb.Delete((*impl_->cfs)[static_cast<size_t>(cf)], key).PermitUncheckedError();  // in-memory append
}
size_t Batch::count() const {
  return impl_->wb.Count();
}
size_t Batch::bytes() const {
  return impl_->wb.GetDataSize();
}
void Batch::clear() {
  impl_->wb.Clear();
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& opts) {
  auto impl = std::make_unique<Impl>();
  impl->cache = rocksdb::NewLRUCache(opts.block_cache_bytes);

  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(opts.write_buffer_bytes, impl->cache);
  dbo.max_background_jobs = 2;
  dbo.bytes_per_sync = 1 << 20;
  // Block-cache hit and miss tickers for /metrics; timers stay off (they cost on every operation).
  impl->statistics = rocksdb::CreateDBStatistics();
  impl->statistics->set_stats_level(rocksdb::StatsLevel::kExceptTimers);
  dbo.statistics = impl->statistics;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = impl->cache;
  table.cache_index_and_filter_blocks = true;
  // Most point lookups miss (new customers, messageIds, identity links): a Bloom filter answers them
  // without reading a block.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cfo;
  cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cfo.compression = rocksdb::kLZ4Compression;
  cfo.write_buffer_size = std::max<size_t>(opts.write_buffer_bytes / 4, 4u << 20);

  // dedup and history: records expire through a compaction filter; a daily periodic compaction
  // bounds how long an expired record can survive in a file nothing else rewrites.
  impl->dedup_filter = std::make_unique<ExpiryFilter>(impl->dedup_before);
  impl->history_filter = std::make_unique<ExpiryFilter>(impl->history_before);
  auto expiring = [&](const ExpiryFilter* f) {
    rocksdb::ColumnFamilyOptions o = cfo;
    o.compaction_filter = f;
    o.periodic_compaction_seconds = 24 * 3600;
    return o;
  };

  impl->funnel_filter = std::make_unique<FunnelExpiryFilter>(impl->funnel_before);
  rocksdb::ColumnFamilyOptions funnel = expiring(nullptr);
  funnel.compaction_filter = impl->funnel_filter.get();
  funnel.merge_operator = std::make_shared<CountersAddOperator>();

  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  descs.emplace_back(rocksdb::kDefaultColumnFamilyName, cfo);
  for (size_t i = 0; i < kCfCount; ++i) {
    const auto cf = static_cast<Cf>(i);
    descs.emplace_back(kCfNames[i], cf == Cf::dedup     ? expiring(impl->dedup_filter.get())
                                    : cf == Cf::history ? expiring(impl->history_filter.get())
                                    : cf == Cf::funnel  ? funnel
                                                        : cfo);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(dbo, opts.dir, descs, &handles, &raw);
  if (!s.ok()) return io_error(s, fmt::format("open {}", opts.dir));
  impl->db.reset(raw);
  impl->default_cf = handles[0];
  for (size_t i = 0; i < kCfCount; ++i) impl->cfs[i] = handles[i + 1];
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<std::optional<std::string>> Store::get(Cf cf, std::string_view key) const {
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cfs[static_cast<size_t>(cf)], key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return io_error(s, "get");
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<std::optional<std::string>>> Store::multi_get(Cf cf,
                                                                 const std::vector<std::string>& keys) const {
  std::vector<std::optional<std::string>> out(keys.size());
  if (keys.empty()) return out;
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->cfs[static_cast<size_t>(cf)], keys.size(), slices.data(),
                      values.data(), statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].ok())
      out[i] = values[i].ToString();
    else if (!statuses[i].IsNotFound())
      return io_error(statuses[i], "multi_get");
  }
  return out;
}

Result<void> Store::write(Batch& batch) {
  auto& wb = batch.impl_->wb;
  rocksdb::WriteOptions wo;  // WAL on, no fsync per batch: a process crash loses nothing
  auto s = impl_->db->Write(wo, &wb);
  if (!s.ok()) return io_error(s, "write");
  batch.clear();
  return outcome::success();
}

Result<void> Store::scan(Cf cf, std::string_view begin, std::string_view end, const ScanFn& fn) const {
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cfs[static_cast<size_t>(cf)]));
  for (it->Seek(begin); it->Valid(); it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size())))
      break;
  }
  if (!it->status().ok()) return io_error(it->status(), "scan");
  return outcome::success();
}

Result<void> Store::scan_reverse(Cf cf, std::string_view begin, std::string_view end,
                                 const ScanFn& fn) const {
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower(begin);
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cfs[static_cast<size_t>(cf)]));
  it->SeekForPrev(end);
  if (it->Valid() && it->key().compare(end) >= 0) it->Prev();
  for (; it->Valid(); it->Prev()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size())))
      break;
  }
  if (!it->status().ok()) return io_error(it->status(), "scan_reverse");
  return outcome::success();
}

Result<std::optional<std::string>> Store::last_key(Cf cf, std::string_view begin,
                                                   std::string_view end) const {
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower(begin);
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cfs[static_cast<size_t>(cf)]));
  it->SeekForPrev(end);
  if (it->Valid() && it->key().compare(end) >= 0) it->Prev();
  if (!it->status().ok()) return io_error(it->status(), "last_key");
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

Result<void> Store::flush() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(impl_->cfs.begin(), impl_->cfs.end());
  auto s = impl_->db->Flush(rocksdb::FlushOptions(), all);
  if (!s.ok()) return io_error(s, "flush");
  return outcome::success();
}

uint64_t Store::approximate_bytes() const {
  uint64_t total = 0;
  for (auto* h : impl_->cfs) {
    uint64_t v = 0;
    impl_->db->GetIntProperty(h, rocksdb::DB::Properties::kTotalSstFilesSize, &v);
    total += v;
    impl_->db->GetIntProperty(h, rocksdb::DB::Properties::kCurSizeAllMemTables, &v);
    total += v;
  }
  return total;
}

std::string Store::stats() const {
  std::string s;
  impl_->db->GetProperty(rocksdb::DB::Properties::kStats, &s);
  return s;
}

void Store::expire_before(Cf cf, int64_t event_time) {
  auto* before = cf == Cf::dedup     ? &impl_->dedup_before
                 : cf == Cf::history ? &impl_->history_before
                 : cf == Cf::funnel  ? &impl_->funnel_before
                                     : nullptr;
  if (!before) return;
  int64_t cur = before->load(std::memory_order_relaxed);
  while (event_time > cur && !before->compare_exchange_weak(cur, event_time)) {
  }
}

Store::Figures Store::figures() const {
  Figures f;
  for (auto* h : impl_->cfs) {
    uint64_t v = 0;
    if (impl_->db->GetIntProperty(h, rocksdb::DB::Properties::kTotalSstFilesSize, &v)) f.sst_bytes += v;
    if (impl_->db->GetIntProperty(h, rocksdb::DB::Properties::kCurSizeAllMemTables, &v))
      f.memtable_bytes += v;
    if (impl_->db->GetIntProperty(h, rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &v))
      f.pending_compaction_bytes += v;
  }
  impl_->db->GetIntProperty(impl_->cfs[static_cast<size_t>(Cf::timers)],
                            rocksdb::DB::Properties::kEstimateNumKeys, &f.timers_estimate);
  f.block_cache_usage_bytes = impl_->cache->GetUsage();
  f.block_cache_hits = impl_->statistics->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  f.block_cache_misses = impl_->statistics->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  return f;
}

Result<void> Store::compact(Cf cf) {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  auto s = impl_->db->CompactRange(o, impl_->cfs[static_cast<size_t>(cf)], nullptr, nullptr);
  if (!s.ok()) return io_error(s, fmt::format("compact {}", to_string(cf)));
  return outcome::success();
}

}  // namespace journeyd::state
