// Prometheus client: Registry of metric Families, serialized in the text
// exposition format 0.0.4 (see README.md for why this is hand-written).
//
// Lifecycle: a Registry lives for the process (or a test); declare every family
// at start-up, once per module (a `metrics.h` probe), and keep the returned
// references: Family and metric references stay valid until the Registry dies.
// Threading: everything is thread-safe. Registration and serialize() take a
// mutex; Family::with() takes a shared lock (cache the reference on hot paths);
// Family::get() and metric updates are lock-free. Scrapes run one at a time.
// Ownership: the Registry owns its families, a family its series.
// Errors: invalid or conflicting declarations throw std::invalid_argument
// (programmer error, start-up only); nothing throws on the update path except
// with() given the wrong number of label values.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric.h"

namespace journeyd::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  virtual ~FamilyBase();
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  MetricType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }  // histograms only

 protected:
  FamilyBase(MetricType type, std::string name, std::string help, std::vector<std::string> label_names,
             std::vector<double> bounds);

 private:
  friend class Registry;
  // Appends # HELP, # TYPE and the samples; nothing while a labelled family has no series.
  virtual void write(std::string& out) const = 0;

  MetricType type_;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
};

// M is Counter, Gauge or Histogram. Series are kept sorted by label values.
template <class M>
class Family final : public FamilyBase {
 public:
  ~Family() override;

  // The series for these label values, created on first use. Throws
  // std::invalid_argument unless label_values.size() == label_names().size().
  M& with(std::initializer_list<std::string_view> label_values);
  // The only series of a family without labels (throws for a labelled family).
  M& get();
  // Drops a series (e.g. a partition no longer owned). References to it dangle: only for series
  // whose users look them up with with() each time.
  void remove(std::initializer_list<std::string_view> label_values);

 private:
  friend class Registry;
  Family(MetricType type, std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds);
  void write(std::string& out) const override;

  struct Series;  // mutex + map from label values to M
  std::unique_ptr<Series> series_;
  M* single_ = nullptr;  // the series of a family without labels
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Declaring a name again with the same type, help, label names (and bounds)
  // returns the existing family; anything else about it differing throws, as do
  // invalid names, a counter name without the _total suffix, duplicate label
  // names, a histogram label "le", and sample names clashing with another
  // family's (a histogram h owns h_bucket, h_sum and h_count).
  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  // bounds: finite, strictly increasing; a trailing +Inf is dropped (the +Inf bucket is implicit).
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                               std::vector<double> bounds);

  // fn runs at the start of every serialize(), e.g. to refresh gauges from other
  // sources. Callbacks never run concurrently with each other; they must not
  // call serialize() or throw.
  void on_collect(std::function<void()> fn);

  // All families with at least one series, sorted by name, in text format 0.0.4.
  std::string serialize();
  // Every family declared (also those without series yet) as a Markdown table: name, type, labels,
  // help. docs/metrics.md is generated from it.
  std::string markdown_reference() const;

 private:
  template <class M>
  Family<M>& add(MetricType type, std::string name, std::string help, std::vector<std::string> label_names,
                 std::vector<double> bounds);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeyd::metrics
