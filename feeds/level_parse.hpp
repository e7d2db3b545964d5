#pragma once
// Parsing of L2 level lists into the handler's scratch array of LevelUpdate.
// Nothing is applied here: a message is parsed whole first, so a bad field
// leaves the book untouched.
#include <cstdint>

#include "feeds/events.hpp"
#include "feeds/json_fields.hpp"

namespace liqd::feeds {

struct LevelSink {
  LevelUpdate* out;
  uint32_t cap;
  uint32_t n = 0;
  int price_dp;
  int qty_dp;
  Status push(Side side, int64_t px, int64_t qty, const char* where) {
    if (n >= cap) return {FeedError::TooManyLevels, where};
    out[n++] = LevelUpdate{px, qty, side};
    return kOk;
  }
};

// [["price","qty", ...], ...]: extra elements (OKX's liquidated-orders count,
// order count) are ignored.
Status parse_pair_levels(od::value v, Side side, LevelSink& sink, const char* where);
// [{"price": "...", "size": "..."}, ...] with the given key names (dYdX snapshot,
// Hyperliquid {"px","sz","n"}).
Status parse_object_levels(od::value v, Side side, std::string_view px_key, std::string_view qty_key,
                           LevelSink& sink, const char* where);

}  // namespace liqd::feeds
