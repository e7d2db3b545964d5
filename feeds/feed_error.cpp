#include "feeds/feed_error.hpp"

#include "feeds/events.hpp"

namespace liqd::feeds {

const char* to_string(FeedError e) {
  switch (e) {
    case FeedError::Ok: return "ok";
    case FeedError::Empty: return "empty message";
    case FeedError::TooLarge: return "message too large";
    case FeedError::NotUtf8: return "invalid UTF-8";
    case FeedError::Malformed: return "malformed JSON";
    case FeedError::TrailingGarbage: return "trailing content after the JSON document";
    case FeedError::NotObject: return "wrong JSON kind";
    case FeedError::MissingField: return "missing field";
    case FeedError::WrongType: return "wrong type";
    case FeedError::BadNumber: return "not an integer in range";
    case FeedError::BadDecimal: return "not a decimal number";
    case FeedError::TooPrecise: return "more decimals than the market scale";
    case FeedError::OutOfRange: return "number out of range for the market scale";
    case FeedError::NegativeQty: return "negative quantity";
    case FeedError::UnknownMarket: return "unknown market";
    case FeedError::TooManyLevels: return "too many levels in one message";
    case FeedError::NeedsMarket: return "REST snapshot needs --market";
    case FeedError::Gap: return "sequence gap, resync requested";
    case FeedError::ChecksumMismatch: return "checksum mismatch, resync requested";
    case FeedError::Crossed: return "crossed book, resync requested";
    case FeedError::VenueError: return "venue error message";
    case FeedError::kCount: break;
  }
  return "?";
}

FeedError from_decimal_error(DecimalError e) {
  switch (e) {
    case DecimalError::Ok: return FeedError::Ok;
    case DecimalError::TooPrecise: return FeedError::TooPrecise;
    case DecimalError::Overflow: return FeedError::OutOfRange;
    case DecimalError::Empty:
    case DecimalError::BadChar:
    case DecimalError::Exponent: return FeedError::BadDecimal;
  }
  return FeedError::BadDecimal;
}

const char* venue_name(Venue v) {
  switch (v) {
    case Venue::BinanceUsdm: return "binance-usdm";
    case Venue::BybitV5: return "bybit-v5";
    case Venue::OkxV5: return "okx-v5";
    case Venue::DydxV4: return "dydx-v4";
    case Venue::Hyperliquid: return "hyperliquid";
    case Venue::PythHermes: return "pyth-hermes";
    case Venue::Own: return "own";
  }
  return "?";
}

const char* price_source_name(PriceSource s) {
  switch (s) {
    case PriceSource::Mark: return "mark";
    case PriceSource::Index: return "index";
    case PriceSource::Oracle: return "oracle";
    case PriceSource::OracleEma: return "oracle_ema";
    case PriceSource::Mid: return "mid";
    case PriceSource::EstimatedSettle: return "estimated_settle";
  }
  return "?";
}

const char* resync_reason_name(ResyncReason r) {
  switch (r) {
    case ResyncReason::Gap: return "gap";
    case ResyncReason::Checksum: return "checksum";
    case ResyncReason::Crossed: return "crossed";
    case ResyncReason::BadDelta: return "bad_delta";
    case ResyncReason::BufferOverflow: return "buffer_overflow";
  }
  return "?";
}

}  // namespace liqd::feeds
