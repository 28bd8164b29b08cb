#include "metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "metrics/text_format.h"

namespace journeyd::metrics {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& why) {
  throw std::invalid_argument("metric " + name + ": " + why);
}

void check_names(MetricType type, const std::string& name, const std::vector<std::string>& labels) {
  if (!text::is_metric_name(name)) fail(name, "invalid metric name");
  if (type == MetricType::kCounter && !name.ends_with("_total"))
    fail(name, "a counter name must end in _total");
  std::set<std::string_view> seen;
  for (const auto& l : labels) {
    if (!text::is_label_name(l)) fail(name, "invalid label name '" + l + "'");
    if (type == MetricType::kHistogram && l == "le")
      fail(name, "label 'le' is reserved for histogram buckets");
    if (!seen.insert(l).second) fail(name, "duplicate label name '" + l + "'");
  }
}

void check_bounds(const std::string& name, std::vector<double>& bounds) {
  if (!bounds.empty() && bounds.back() == INFINITY) bounds.pop_back();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) fail(name, "bucket bounds must be finite");
    if (i > 0 && !(bounds[i - 1] < bounds[i])) fail(name, "bucket bounds must be strictly increasing");
  }
}

// The sample names a family writes.
std::vector<std::string> sample_names(MetricType type, const std::string& name) {
  if (type != MetricType::kHistogram) return {name};
  return {name, name + "_bucket", name + "_sum", name + "_count"};
}

}  // namespace

struct Registry::Impl {
  std::mutex mu;  // guards families and callbacks
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> families;
  std::vector<std::function<void()>> callbacks;
  std::mutex scrape_mu;  // one serialize() at a time
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

template <class M>
Family<M>& Registry::add(MetricType type, std::string name, std::string help,
                         std::vector<std::string> label_names, std::vector<double> bounds) {
  check_names(type, name, label_names);
  if (type == MetricType::kHistogram) check_bounds(name, bounds);
  std::lock_guard lock(impl_->mu);
  if (auto it = impl_->families.find(name); it != impl_->families.end()) {
    FamilyBase& f = *it->second;
    if (f.type() != type) fail(name, "already registered with another type");
    if (f.label_names() != label_names) fail(name, "already registered with other label names");
    if (f.bounds() != bounds) fail(name, "already registered with other bucket bounds");
    if (f.help() != help) fail(name, "already registered with another help text");
    return static_cast<Family<M>&>(f);
  }
  const auto mine = sample_names(type, name);
  for (const auto& [other_name, other] : impl_->families) {
    for (const auto& s : sample_names(other->type(), other_name)) {
      if (std::find(mine.begin(), mine.end(), s) != mine.end()) {
        fail(name, "sample name " + s + " clashes with metric " + other_name);
      }
    }
  }
  auto* f = new Family<M>(type, name, std::move(help), std::move(label_names), std::move(bounds));
  impl_->families.emplace(std::move(name), std::unique_ptr<FamilyBase>(f));
  return *f;
}

Family<Counter>& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  return add<Counter>(MetricType::kCounter, std::move(name), std::move(help), std::move(label_names), {});
}

Family<Gauge>& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return add<Gauge>(MetricType::kGauge, std::move(name), std::move(help), std::move(label_names), {});
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<std::string> label_names, std::vector<double> bounds) {
  return add<Histogram>(MetricType::kHistogram, std::move(name), std::move(help), std::move(label_names),
                        std::move(bounds));
}

void Registry::on_collect(std::function<void()> fn) {
  std::lock_guard lock(impl_->mu);
  impl_->callbacks.push_back(std::move(fn));
}

std::string Registry::markdown_reference() const {
  std::string out = "| metric | type | labels | meaning |\n|---|---|---|---|\n";
  std::lock_guard lock(impl_->mu);
  for (const auto& [name, f] : impl_->families) {
    const char* type = f->type() == MetricType::kCounter ? "counter"
                       : f->type() == MetricType::kGauge ? "gauge"
                                                         : "histogram";
    std::string labels;
    for (const auto& l : f->label_names()) labels += (labels.empty() ? "`" : ", `") + l + "`";
    out += "| `" + name + "` | " + type + " | " + labels + " | " + f->help() + " |\n";
  }
  return out;
}

std::string Registry::serialize() {
  std::lock_guard scrape(impl_->scrape_mu);
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(impl_->mu);
    callbacks = impl_->callbacks;
  }
  for (const auto& fn : callbacks) fn();  // without mu: a callback may use families
  std::string out;
  std::lock_guard lock(impl_->mu);
  for (const auto& [name, family] : impl_->families) family->write(out);
  return out;
}

}  // namespace journeyd::metrics
