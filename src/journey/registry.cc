#include "journey/registry.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "journey/loader.h"
#include "state/keys.h"

namespace journeyd::journey {
namespace {

constexpr std::string_view kPrefix = "def/";

std::string def_key(std::string_view id, uint32_t version) {
  std::string k(kPrefix);
  state::put_str(k, id);
  state::put_be32(k, version);
  return k;
}

std::string prefix_end() {
  std::string e(kPrefix);
  e.back() = static_cast<char>(e.back() + 1);
  return e;
}

}  // namespace

Result<void> Registry::load_stored() {
  if (loaded_) return outcome::success();
  std::vector<std::string> sources;
  auto r = store_.scan(state::Cf::meta, kPrefix, prefix_end(), [&](std::string_view, std::string_view v) {
    sources.emplace_back(v);
    return true;
  });
  if (!r) return r.error();
  for (const auto& src : sources) {
    auto loaded = load_text(src, "stored definition");
    if (!loaded.ok() || loaded.definitions.size() != 1) {
      // Written by an older journeyd whose language this one no longer reads.
      spdlog::warn("ignoring a stored definition that no longer loads: {}",
                   loaded.errors.empty() ? "no definition" : loaded.errors.front());
      continue;
    }
    auto def = std::make_shared<Definition>(std::move(loaded.definitions.front()));
    versions_[{def->id, def->version}] = std::move(def);
  }
  loaded_ = true;
  return outcome::success();
}

Result<void> Registry::update(std::vector<Definition> current) {
  if (auto r = load_stored(); !r) return r;
  std::vector<std::string> problems;
  for (const auto& d : current) {
    auto it = versions_.find({d.id, d.version});
    if (it != versions_.end() && !d.source.empty() && it->second->source != d.source)
      problems.push_back(
          fmt::format("{}: {} '{}' version {} changed since journeyd first ran it; bump its version", d.file,
                      to_string(d.kind), d.id, d.version));
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
    return fail(Errc::invalid_argument, all);
  }
  state::Batch batch(store_);
  std::vector<DefinitionPtr> slots;
  std::unordered_map<std::string, size_t> slot_of;
  for (auto& d : current) {
    auto key = std::make_pair(d.id, d.version);
    auto it = versions_.find(key);
    DefinitionPtr ptr;
    if (it != versions_.end() && !d.source.empty()) {
      ptr = it->second;  // identical content: keep the shared instance
    } else {
      if (!d.source.empty()) batch.put(state::Cf::meta, def_key(d.id, d.version), d.source);
      ptr = std::make_shared<Definition>(std::move(d));
      versions_[key] = ptr;
    }
    slot_of[ptr->id] = slots.size();
    slots.push_back(ptr);
  }
  if (batch.count() > 0) {
    if (auto r = store_.write(batch); !r) return r;
  }
  slots_ = std::move(slots);
  slot_of_ = std::move(slot_of);
  return outcome::success();
}

const Definition* Registry::version(size_t slot, uint32_t version) const {
  const auto& cur = *slots_[slot];
  if (cur.version == version) return &cur;
  auto it = versions_.find({cur.id, version});
  return it == versions_.end() ? nullptr : it->second.get();
}

std::optional<size_t> Registry::slot(std::string_view id) const {
  auto it = slot_of_.find(std::string(id));
  if (it == slot_of_.end()) return std::nullopt;
  return it->second;
}

std::vector<const Definition*> Registry::versions_of(size_t slot) const {
  std::vector<const Definition*> out;
  const auto& id = slots_[slot]->id;
  for (auto it = versions_.lower_bound({id, 0}); it != versions_.end() && it->first.first == id; ++it)
    out.push_back(it->second.get());
  return out;
}

int64_t Registry::max_grace(int64_t fallback) const {
  int64_t g = fallback;
  for (const auto& d : slots_)
    if (d->grace_ms) g = std::max(g, *d->grace_ms);
  return g;
}

}  // namespace journeyd::journey
