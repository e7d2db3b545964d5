#pragma once
// Helpers for the config tests: run a loader, get its errors as strings.
#include <sstream>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"

namespace liqd::config::test {

inline std::vector<std::string> strings(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const ConfigError& e : d.errors()) out.push_back(e.str());
  return out;
}

// Replace 1-based line `n` of `text` (no trailing newline in `with`).
inline std::string with_line(const std::string& text, int n, const std::string& with) {
  std::istringstream in(text);
  std::string line, out;
  int i = 0;
  while (std::getline(in, line)) {
    ++i;
    out += (i == n ? with : line) + "\n";
  }
  return out;
}

// Insert `add` (one or more lines) after 1-based line `n`.
inline std::string insert_after(const std::string& text, int n, const std::string& add) {
  std::istringstream in(text);
  std::string line, out;
  int i = 0;
  while (std::getline(in, line)) {
    ++i;
    out += line + "\n";
    if (i == n) out += add + "\n";
  }
  return out;
}

}  // namespace liqd::config::test
