#include "daemon/metrics/registry.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace liqd::metrics {

namespace {

bool valid_name(const std::string& n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool ends_with(const std::string& s, const char* suffix) {
  std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "metrics registry: %s\n", what.c_str());
  std::abort();
}

std::string render_labels(const Labels& labels, const char* extra_key = nullptr, const std::string& extra_val = {}) {
  if (labels.empty() && !extra_key) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label_value(v) + '"';
  }
  if (extra_key) {
    if (!first) out += ',';
    out += std::string(extra_key) + "=\"" + extra_val + '"';
  }
  return out + "}";
}

}  // namespace

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    // Shortest of %.15g/%.16g/%.17g that reads back as the same double.
    for (int prec = 15; prec <= 17; ++prec) {
      std::snprintf(buf, sizeof buf, "%.*g", prec, v);
      if (std::strtod(buf, nullptr) == v) break;
    }
  }
  return buf;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Registry::Family& Registry::family(const std::string& name, const std::string& help, Kind kind) {
  if (!valid_name(name) || name.rfind("liqd_", 0) != 0) die("bad metric name '" + name + "' (must start with liqd_)");
  if (kind == Kind::Counter && !ends_with(name, "_total")) die("counter '" + name + "' must end in _total");
  if (kind != Kind::Counter && ends_with(name, "_total")) die("only counters may end in _total: '" + name + "'");
  auto it = by_name_.find(name);
  if (it != by_name_.end()) {
    Family& f = families_[it->second];
    if (f.kind != kind) die("metric '" + name + "' registered with two types");
    return f;
  }
  by_name_[name] = families_.size();
  families_.push_back(Family{name, help, kind, {}});
  return families_.back();
}

const void* Registry::find(Family& f, const Labels& labels) {
  for (const Series& s : f.series)
    if (s.labels == labels) return s.metric;
  for (const auto& [k, v] : labels)
    if (!valid_name(k) || k.rfind("__", 0) == 0 || k == "le") die("bad label name '" + k + "' on " + f.name);
  return nullptr;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  Family& f = family(name, help, Kind::Counter);
  if (const void* m = find(f, labels)) return *const_cast<Counter*>(static_cast<const Counter*>(m));
  Counter& c = counters_.emplace_back();
  f.series.push_back(Series{labels, &c});
  return c;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  Family& f = family(name, help, Kind::Gauge);
  if (const void* m = find(f, labels)) return *const_cast<Gauge*>(static_cast<const Gauge*>(m));
  Gauge& g = gauges_.emplace_back();
  f.series.push_back(Series{labels, &g});
  return g;
}

Registry::Family& Registry::histogram_family(const std::string& name, const std::string& help) {
  if (!ends_with(name, "_seconds")) die("histogram '" + name + "' must be in seconds and end in _seconds");
  return family(name, help, Kind::Histogram);
}

LatencyHistogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels) {
  Family& f = histogram_family(name, help);
  if (const void* m = find(f, labels)) return *const_cast<LatencyHistogram*>(static_cast<const LatencyHistogram*>(m));
  LatencyHistogram& h = histograms_.emplace_back();
  f.series.push_back(Series{labels, &h});
  return h;
}

void Registry::histogram_view(const std::string& name, const std::string& help, const LatencyHistogram& h,
                              const Labels& labels) {
  Family& f = histogram_family(name, help);
  if (find(f, labels)) die("histogram '" + name + "' already has a series with these labels");
  f.series.push_back(Series{labels, &h});
}

std::string Registry::render() const {
  std::string out;
  out.reserve(16384);
  for (const Family& f : families_) {
    out += "# HELP " + f.name + ' ' + f.help + '\n';
    out += "# TYPE " + f.name + ' ' + (f.kind == Kind::Counter ? "counter" : f.kind == Kind::Gauge ? "gauge" : "histogram") + '\n';
    for (const Series& s : f.series) {
      if (f.kind == Kind::Counter) {
        out += f.name + render_labels(s.labels) + ' ' + format_value(static_cast<const Counter*>(s.metric)->value()) + '\n';
      } else if (f.kind == Kind::Gauge) {
        out += f.name + render_labels(s.labels) + ' ' + format_value(static_cast<const Gauge*>(s.metric)->value()) + '\n';
      } else {
        const auto* h = static_cast<const LatencyHistogram*>(s.metric);
        uint64_t cum = 0;
        for (size_t i = 0; i < LatencyHistogram::kBoundsNs.size(); ++i) {
          cum += h->coarse(i);
          out += f.name + "_bucket" + render_labels(s.labels, "le", format_value(static_cast<double>(LatencyHistogram::kBoundsNs[i]) / 1e9)) + ' ' + std::to_string(cum) + '\n';
        }
        cum += h->coarse(LatencyHistogram::kBoundsNs.size());
        out += f.name + "_bucket" + render_labels(s.labels, "le", "+Inf") + ' ' + std::to_string(cum) + '\n';
        out += f.name + "_sum" + render_labels(s.labels) + ' ' + format_value(static_cast<double>(h->sum_ns()) / 1e9) + '\n';
        out += f.name + "_count" + render_labels(s.labels) + ' ' + std::to_string(cum) + '\n';
      }
    }
  }
  return out;
}

}  // namespace liqd::metrics
