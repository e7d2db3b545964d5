#pragma once
// Prometheus metrics: a registry of counters, gauges and latency histograms and
// their text exposition (format 0.0.4), validated in tests with `promtool check
// metrics`. Series are created at start-up (allocation allowed there); updates
// are relaxed atomic stores by the one thread that owns each series, reads come
// from the HTTP thread. There is no Prometheus client library in Debian.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "daemon/metrics/histogram.hpp"

namespace liqd::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Monotonic counter. Names end in _total (checked at registration).
class Counter {
 public:
  void inc(double by = 1) { v_.store(v_.load(std::memory_order_relaxed) + by, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }
 private:
  std::atomic<double> v_{0};  // one writer: load+store is enough
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double by) { v_.store(v_.load(std::memory_order_relaxed) + by, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }
 private:
  std::atomic<double> v_{0};
};

class Registry {
 public:
  // The same (name, labels) returns the same series. Invalid names abort:
  // they are programming errors, found by the first test that registers them.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  LatencyHistogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {});
  // A histogram owned elsewhere (a hot thread's), rendered from its relaxed
  // atomics at scrape time; it must outlive the registry.
  void histogram_view(const std::string& name, const std::string& help, const LatencyHistogram& h,
                      const Labels& labels = {});

  // The whole exposition, families in registration order.
  std::string render() const;

 private:
  enum class Kind { Counter, Gauge, Histogram };
  struct Series {
    Labels labels;
    const void* metric;
  };
  struct Family {
    std::string name, help;
    Kind kind;
    std::vector<Series> series;
  };
  Family& family(const std::string& name, const std::string& help, Kind kind);
  const void* find(Family& f, const Labels& labels);
  Family& histogram_family(const std::string& name, const std::string& help);

  std::vector<Family> families_;
  std::map<std::string, size_t> by_name_;
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<LatencyHistogram> histograms_;
};

// "1.5e-06"-style numbers as Prometheus expects them (+Inf, NaN spelled out).
std::string format_value(double v);
std::string escape_label_value(const std::string& v);

}  // namespace liqd::metrics
