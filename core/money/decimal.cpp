#include "core/money/decimal.hpp"

#include <cstring>

namespace liqd {

const char* to_string(DecimalError e) {
  switch (e) {
    case DecimalError::Ok: return "ok";
    case DecimalError::Empty: return "empty number";
    case DecimalError::BadChar: return "not a decimal number";
    case DecimalError::Exponent: return "exponent notation is not accepted";
    case DecimalError::TooPrecise: return "more decimal places than the scale allows";
    case DecimalError::Overflow: return "number out of range";
  }
  return "?";
}

namespace {

struct Split {
  bool neg = false;
  std::string_view int_part;
  std::string_view frac_part;
};

DecimalError split(std::string_view s, Split& out) {
  if (s.empty()) return DecimalError::Empty;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') { out.neg = s[0] == '-'; i = 1; }
  size_t int_begin = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  out.int_part = s.substr(int_begin, i - int_begin);
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac_begin = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    out.frac_part = s.substr(frac_begin, i - frac_begin);
  }
  if (i != s.size()) return (s[i] == 'e' || s[i] == 'E') ? DecimalError::Exponent : DecimalError::BadChar;
  if (out.int_part.empty() && out.frac_part.empty()) return DecimalError::Empty;
  return DecimalError::Ok;
}

constexpr i128 kI64Max = static_cast<i128>(INT64_MAX);

}  // namespace

DecimalError parse_decimal_rounded(std::string_view s, int dp, Round mode, int64_t& out) {
  Split sp;
  if (auto e = split(s, sp); e != DecimalError::Ok) return e;
  i128 v = 0;
  for (char c : sp.int_part) {
    v = v * 10 + (c - '0');
    if (v > kI64Max) return DecimalError::Overflow;
  }
  // Fractional digits inside the scale.
  size_t keep = sp.frac_part.size() < static_cast<size_t>(dp) ? sp.frac_part.size() : static_cast<size_t>(dp);
  for (size_t k = 0; k < keep; ++k) v = v * 10 + (sp.frac_part[k] - '0');
  for (size_t k = keep; k < static_cast<size_t>(dp); ++k) {
    v *= 10;
    if (v > kI64Max * 10) return DecimalError::Overflow;
  }
  if (v > kI64Max) return DecimalError::Overflow;
  // Digits beyond the scale: round on the magnitude, then apply the sign.
  bool rest_nonzero = false;
  bool first_ge5 = false, rest_after_first = false;
  for (size_t k = keep; k < sp.frac_part.size(); ++k) {
    char c = sp.frac_part[k];
    if (c != '0') rest_nonzero = true;
    if (k == keep) first_ge5 = c >= '5';
    else if (c != '0') rest_after_first = true;
  }
  (void)rest_after_first;
  if (rest_nonzero) {
    bool up = false;  // away from zero on the magnitude
    switch (mode) {
      case Round::TowardZero: up = false; break;
      case Round::HalfAwayFromZero: up = first_ge5; break;
      case Round::Floor: up = sp.neg; break;
      case Round::Ceil: up = !sp.neg; break;
    }
    if (up) ++v;
    if (v > kI64Max) return DecimalError::Overflow;
  }
  out = static_cast<int64_t>(sp.neg ? -v : v);
  return DecimalError::Ok;
}

DecimalError parse_decimal(std::string_view s, int dp, int64_t& out) {
  Split sp;
  if (auto e = split(s, sp); e != DecimalError::Ok) return e;
  for (size_t k = static_cast<size_t>(dp); k < sp.frac_part.size(); ++k)
    if (sp.frac_part[k] != '0') return DecimalError::TooPrecise;
  return parse_decimal_rounded(s, dp, Round::TowardZero, out);
}

DecimalError decimal_places(std::string_view s, int& dp) {
  Split sp;
  if (auto e = split(s, sp); e != DecimalError::Ok) return e;
  size_t n = sp.frac_part.size();
  while (n > 0 && sp.frac_part[n - 1] == '0') --n;
  dp = static_cast<int>(n);
  return DecimalError::Ok;
}

int format_decimal(i128 units, int dp, char* buf) {
  char tmp[48];
  int n = 0;
  bool neg = units < 0;
  u128 mag = neg ? static_cast<u128>(-(units + 1)) + 1 : static_cast<u128>(units);
  do {
    tmp[n++] = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag != 0);
  while (n <= dp) tmp[n++] = '0';  // at least one integer digit
  // tmp holds digits least significant first; trim trailing fractional zeros.
  int frac_start = 0;
  while (frac_start < dp && tmp[frac_start] == '0') ++frac_start;
  int len = 0;
  if (neg) buf[len++] = '-';
  for (int k = n - 1; k >= dp; --k) buf[len++] = tmp[k];
  if (frac_start < dp) {
    buf[len++] = '.';
    for (int k = dp - 1; k >= frac_start; --k) buf[len++] = tmp[k];
  }
  buf[len] = '\0';
  return len;
}

std::string format_decimal(i128 units, int dp) {
  char buf[64];
  int n = format_decimal(units, dp, buf);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace liqd
