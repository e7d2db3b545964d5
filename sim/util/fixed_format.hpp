#pragma once
// Decimal text of fixed-point units with a fixed number of decimals, the way
// Binance prints prices and quantities ("57.270", "0.00"): every value of a symbol
// carries the same number of decimals.
#include <cstdint>
#include <string>

namespace liqd::sim {

inline void append_fixed(std::string& out, int64_t units, int dp) {
  char buf[48];
  int n = 0;
  bool neg = units < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  int digits = 0;
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
    ++digits;
    if (digits == dp) buf[n++] = '.';
  } while (u != 0 || digits < dp + 1);
  if (neg) out.push_back('-');
  if (dp == 0 && n > 0 && buf[n - 1] == '.') --n;
  while (n > 0) out.push_back(buf[--n]);
}

inline std::string fixed_string(int64_t units, int dp) {
  std::string s;
  append_fixed(s, units, dp);
  return s;
}

}  // namespace liqd::sim
