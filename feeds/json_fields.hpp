#pragma once
// Small helpers over simdjson On-Demand (error-code API, no exceptions) that
// turn JSON fields into fixed-point numbers and report which field failed.
#include <cstdint>
#include <string_view>

#include <simdjson.h>

#include "core/money/decimal.hpp"
#include "feeds/fast_decimal.hpp"
#include "feeds/feed_error.hpp"

namespace liqd::feeds {

namespace od = simdjson::ondemand;

inline Status json_status(simdjson::error_code e, const char* where) {
  switch (e) {
    case simdjson::SUCCESS: return kOk;
    case simdjson::NO_SUCH_FIELD: return {FeedError::MissingField, where};
    case simdjson::INCORRECT_TYPE: return {FeedError::WrongType, where};
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE: return {FeedError::BadNumber, where};
    case simdjson::UTF8_ERROR: return {FeedError::NotUtf8, where};
    case simdjson::CAPACITY: return {FeedError::TooLarge, where};
    case simdjson::EMPTY: return {FeedError::Empty, where};
    default: return {FeedError::Malformed, where};
  }
}

// Decimal string -> units of 10^-dp, exactly.
inline Status decimal(std::string_view s, int dp, int64_t& out, const char* where) {
  DecimalError e = fast_decimal(s, dp, out);
  if (e != DecimalError::Ok) return {from_decimal_error(e), where};
  return kOk;
}

// The string's bytes straight from the input, without unescaping: a decimal has
// no escapes, and one written with them ("\u0031") is refused as BadDecimal.
inline Status raw_string(od::value v, std::string_view& out, const char* where) {
  od::raw_json_string r;
  if (auto e = v.get_raw_json_string().get(r)) return json_status(e, where);
  const char* b = r.raw();
  const char* p = b;
  while (*p != '"') {  // stage 1 saw the closing quote; the buffer is padded
    if (*p == '\\') return {FeedError::BadDecimal, where};
    ++p;
  }
  out = std::string_view(b, static_cast<size_t>(p - b));
  return kOk;
}

inline Status dec_value(od::value v, int dp, int64_t& out, const char* where) {
  std::string_view s;
  if (Status st = raw_string(v, s, where); !st.ok()) return st;
  return decimal(s, dp, out, where);
}

inline Status qty_value(od::value v, int dp, int64_t& out, const char* where) {
  Status st = dec_value(v, dp, out, where);
  if (st.ok() && out < 0) return {FeedError::NegativeQty, where};
  return st;
}

inline Status dec_field(od::object& o, std::string_view key, int dp, int64_t& out, const char* where) {
  od::value v;
  if (auto e = o.find_field_unordered(key).get(v)) return json_status(e, where);
  return dec_value(v, dp, out, where);
}

inline Status str_field(od::object& o, std::string_view key, std::string_view& out, const char* where) {
  if (auto e = o.find_field_unordered(key).get_string().get(out)) return json_status(e, where);
  return kOk;
}

inline Status u64_field(od::object& o, std::string_view key, uint64_t& out, const char* where) {
  if (auto e = o.find_field_unordered(key).get_uint64().get(out)) return json_status(e, where);
  return kOk;
}

inline Status i64_field(od::object& o, std::string_view key, int64_t& out, const char* where) {
  if (auto e = o.find_field_unordered(key).get_int64().get(out)) return json_status(e, where);
  return kOk;
}

// Non-negative integer written as a string ("1646003667640"), as OKX does.
inline Status u64_from_string(std::string_view s, uint64_t& out, const char* where) {
  if (s.empty() || s.size() > 19) return {FeedError::BadNumber, where};
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return {FeedError::BadNumber, where};
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return kOk;
}

inline Status u64_str_field(od::object& o, std::string_view key, uint64_t& out, const char* where) {
  std::string_view s;
  if (auto e = o.find_field_unordered(key).get_string().get(s)) return json_status(e, where);
  return u64_from_string(s, out, where);
}

inline int64_t ms_to_ns(uint64_t ms) {
  return ms > static_cast<uint64_t>(INT64_MAX / 1'000'000) ? INT64_MAX : static_cast<int64_t>(ms) * 1'000'000;
}

}  // namespace liqd::feeds
