#pragma once
// Exact conversion between decimal strings and fixed-point integers.
// "12.345" with dp=4 -> 123450. Never goes through double. Errors are codes,
// not exceptions, so feed parsers can use these on the hot path.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/money/int128.hpp"

namespace liqd {

enum class DecimalError : uint8_t {
  Ok = 0,
  Empty,          // "" or "-"
  BadChar,        // anything but [-+]?digits[.digits]
  Exponent,       // 1e5: refused, exponents hide precision
  TooPrecise,     // more significant fractional digits than the scale holds
  Overflow,       // does not fit int64 at this scale
};

const char* to_string(DecimalError e);

// Parse `s` into units of 10^-dp. Exact: trailing fractional zeros beyond dp are
// accepted, any other extra digit is TooPrecise.
DecimalError parse_decimal(std::string_view s, int dp, int64_t& out);

// Same, but digits beyond dp are rounded as asked instead of refused.
DecimalError parse_decimal_rounded(std::string_view s, int dp, Round mode, int64_t& out);

// Number of decimal places a decimal string needs ("0.010" -> 2, "5" -> 0, "1e-8" not accepted).
DecimalError decimal_places(std::string_view s, int& dp);

// Print units of 10^-dp as a minimal decimal string ("123450", dp 4 -> "12.345").
// Trailing fractional zeros are trimmed; an integer prints without a point.
std::string format_decimal(i128 units, int dp);

// Allocation-free variant: writes into buf (at least 48 bytes), returns length.
int format_decimal(i128 units, int dp, char* buf);

}  // namespace liqd
