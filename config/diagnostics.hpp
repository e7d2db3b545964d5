#pragma once
// Config errors, collected rather than thrown: `liqd --check-config` must list every
// problem in one run, each as `file:line: key: reason`, so an operator fixes a broken
// file in one edit instead of one error per restart.
#include <string>
#include <vector>

namespace liqd::config {

struct ConfigError {
  std::string file;    // as the user named it (or as resolved from the daemon file)
  int line = 0;        // 1-based; 0 when there is no line (file missing)
  std::string key;     // dotted path inside the file: "tiers[2].mmr", "admin.listen"
  std::string reason;
  std::string str() const;  // "file:line: key: reason"
};

class Diagnostics {
 public:
  void add(std::string file, int line, std::string key, std::string reason);
  const std::vector<ConfigError>& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  // Files keep the order in which they were first reported; errors inside one
  // file are ordered by line (stable, so one line's errors keep their order).
  void sort();

 private:
  std::vector<ConfigError> errors_;
};

}  // namespace liqd::config
