#pragma once
// Why a feed message could not be used. Codes, not exceptions: handlers run on
// the feed thread's hot path. Every code is counted per handler.
#include <cstdint>

#include "core/money/decimal.hpp"

namespace liqd::feeds {

enum class FeedError : uint8_t {
  Ok = 0,
  Empty,            // nothing but whitespace
  TooLarge,         // longer than the handler's max message size
  NotUtf8,          // invalid UTF-8
  Malformed,        // not JSON (syntax), or truncated
  TrailingGarbage,  // content after a complete document
  NotObject,        // root (or a payload) has the wrong JSON kind
  MissingField,     // a required field is absent
  WrongType,        // a field has the wrong JSON type
  BadNumber,        // an integer field is not an integer in range
  BadDecimal,       // a decimal string is not a plain decimal
  TooPrecise,       // more decimals than the market's scale holds
  OutOfRange,       // does not fit the market's fixed-point range
  NegativeQty,      // a size below zero
  UnknownMarket,    // symbol not configured (and auto-registration off)
  TooManyLevels,    // more levels in one message than the scratch holds
  NeedsMarket,      // a REST snapshot line without --market / snapshot symbol
  Gap,              // sequence gap: book dropped, resync requested
  ChecksumMismatch, // venue checksum disagrees with our book: resync requested
  Crossed,          // best bid >= best ask after applying: resync requested
  VenueError,       // the venue sent an error message
  kCount
};
inline constexpr int kFeedErrorCount = static_cast<int>(FeedError::kCount);

const char* to_string(FeedError e);
FeedError from_decimal_error(DecimalError e);

// A result with the field or stage it concerns (a static string).
struct Status {
  FeedError code = FeedError::Ok;
  const char* where = "";
  constexpr bool ok() const { return code == FeedError::Ok; }
};
inline constexpr Status kOk{};

}  // namespace liqd::feeds
