#pragma once
// `promtool check metrics` on an exposition text, for the metrics tests.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace liqd::test {

// Runs promtool on `text`; returns its exit status, its findings in `output`.
inline int promtool_check(const std::string& text, std::string& output, const std::string& file = "metrics.prom") {
  const std::string path = ::testing::TempDir() + "/" + file;
  std::ofstream(path) << text;
  FILE* p = popen(("promtool check metrics < " + path + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) output += buf;
  return pclose(p);
}

}  // namespace liqd::test
