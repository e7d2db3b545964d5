#pragma once
// Exact decimal string -> fixed point, fast path for feed numbers. Plain
// [-]digits[.digits] with at most 18 digits once scaled is parsed with 64-bit
// arithmetic; anything else (a '+' sign, exponent, very long numbers, too many
// decimals, junk) goes to core/money parse_decimal, which decides and reports.
// Same results as parse_decimal for every input (tests/feeds/fast_decimal_test.cpp).
#include <cstdint>
#include <string_view>

#include "core/money/decimal.hpp"

namespace liqd::feeds {

inline DecimalError fast_decimal(std::string_view s, int dp, int64_t& out) {
  const char* p = s.data();
  const char* const e = p + s.size();
  bool neg = false;
  if (p < e && *p == '-') { neg = true; ++p; }
  uint64_t v = 0;
  int digits = 0;
  const char* const int_start = p;
  while (p < e && static_cast<unsigned>(*p - '0') < 10u) {
    v = v * 10 + static_cast<unsigned>(*p - '0');
    ++p;
    if (++digits > 18) return parse_decimal(s, dp, out);
  }
  const bool has_int = p != int_start;
  int frac = 0;
  bool has_frac = false;
  if (p < e && *p == '.') {
    ++p;
    while (p < e && static_cast<unsigned>(*p - '0') < 10u) {
      has_frac = true;
      if (frac < dp) {
        v = v * 10 + static_cast<unsigned>(*p - '0');
        ++frac;
        if (++digits > 18) return parse_decimal(s, dp, out);
      } else if (*p != '0') {
        return parse_decimal(s, dp, out);  // TooPrecise: let the reference say so
      }
      ++p;
    }
  }
  if (p != e || (!has_int && !has_frac)) return parse_decimal(s, dp, out);
  if (digits + (dp - frac) > 18) return parse_decimal(s, dp, out);
  for (; frac < dp; ++frac) v *= 10;
  out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return DecimalError::Ok;
}

}  // namespace liqd::feeds
