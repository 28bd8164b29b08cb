// Family<M>: the series of one metric name, keyed by label values.
#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <type_traits>

#include "metrics/registry.h"
#include "metrics/text_format.h"

namespace journeyd::metrics {

namespace detail {

// Orders label-value tuples; transparent so with() looks up without allocating.
struct LabelValuesLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](const auto& x, const auto& y) { return std::string_view(x) < std::string_view(y); });
  }
};

}  // namespace detail

namespace {

// {a="x",b="y",le="0.5"}; nothing at all when there are no labels.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    text::append_label_value(out, values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;  // a formatted number: nothing to escape
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, const std::string& name, std::string_view suffix,
                   const std::vector<std::string>& names, const std::vector<std::string>& values,
                   double value, std::string_view extra_name = {}, std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  append_labels(out, names, values, extra_name, extra_value);
  out += ' ';
  text::append_number(out, value);
  out += '\n';
}

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

FamilyBase::FamilyBase(MetricType type, std::string name, std::string help,
                       std::vector<std::string> label_names, std::vector<double> bounds)
    : type_(type),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

FamilyBase::~FamilyBase() = default;

template <class M>
struct Family<M>::Series {
  mutable std::shared_mutex mu;
  std::map<std::vector<std::string>, std::unique_ptr<M>, detail::LabelValuesLess> map;
};

template <class M>
Family<M>::Family(MetricType type, std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
    : FamilyBase(type, std::move(name), std::move(help), std::move(label_names), std::move(bounds)),
      series_(std::make_unique<Series>()) {
  if (this->label_names().empty()) single_ = &with({});
}

template <class M>
Family<M>::~Family() = default;

template <class M>
M& Family<M>::with(std::initializer_list<std::string_view> label_values) {
  if (label_values.size() != label_names().size()) {
    throw std::invalid_argument(name() + ": expected " + std::to_string(label_names().size()) +
                                " label values, got " + std::to_string(label_values.size()));
  }
  {
    std::shared_lock lock(series_->mu);
    auto it = series_->map.find(label_values);
    if (it != series_->map.end()) return *it->second;
  }
  std::unique_lock lock(series_->mu);
  auto it = series_->map.lower_bound(label_values);
  if (it != series_->map.end() && !series_->map.key_comp()(label_values, it->first)) return *it->second;
  std::unique_ptr<M> m;
  if constexpr (std::is_same_v<M, Histogram>) {
    m = std::make_unique<Histogram>(bounds());
  } else {
    m = std::make_unique<M>();
  }
  std::vector<std::string> key(label_values.begin(), label_values.end());
  return *series_->map.emplace_hint(it, std::move(key), std::move(m))->second;
}

template <class M>
void Family<M>::remove(std::initializer_list<std::string_view> label_values) {
  std::unique_lock lock(series_->mu);
  if (auto it = series_->map.find(label_values); it != series_->map.end()) series_->map.erase(it);
}

template <class M>
M& Family<M>::get() {
  if (single_ == nullptr) throw std::invalid_argument(name() + ": get() on a family with labels");
  return *single_;
}

template <class M>
void Family<M>::write(std::string& out) const {
  std::shared_lock lock(series_->mu);
  if (series_->map.empty()) return;
  out += "# HELP ";
  out += name();
  out += ' ';
  text::append_help(out, help());
  out += "\n# TYPE ";
  out += name();
  out += ' ';
  out += type_name(type());
  out += '\n';
  const auto& names = label_names();
  for (const auto& [values, m] : series_->map) {
    if constexpr (std::is_same_v<M, Histogram>) {
      const Histogram::Snapshot s = m->snapshot();
      for (size_t i = 0; i < bounds().size(); ++i) {
        append_sample(out, name(), "_bucket", names, values, static_cast<double>(s.cumulative[i]), "le",
                      text::format_number(bounds()[i]));
      }
      append_sample(out, name(), "_bucket", names, values, static_cast<double>(s.count), "le", "+Inf");
      append_sample(out, name(), "_sum", names, values, s.sum);
      append_sample(out, name(), "_count", names, values, static_cast<double>(s.count));
    } else {
      append_sample(out, name(), "", names, values, m->value());
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

}  // namespace journeyd::metrics
