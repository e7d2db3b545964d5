#include "config/diagnostics.hpp"

#include <algorithm>
#include <map>

namespace liqd::config {

std::string ConfigError::str() const {
  std::string s = file;
  s += ':';
  s += std::to_string(line);
  s += ": ";
  s += key;
  s += ": ";
  s += reason;
  return s;
}

void Diagnostics::add(std::string file, int line, std::string key, std::string reason) {
  errors_.push_back(ConfigError{std::move(file), line, std::move(key), std::move(reason)});
}

void Diagnostics::sort() {
  std::map<std::string, size_t> first_seen;
  for (const ConfigError& e : errors_) first_seen.emplace(e.file, first_seen.size());
  std::stable_sort(errors_.begin(), errors_.end(), [&](const ConfigError& a, const ConfigError& b) {
    size_t fa = first_seen[a.file], fb = first_seen[b.file];
    if (fa != fb) return fa < fb;
    return a.line < b.line;
  });
}

}  // namespace liqd::config
