#include "sim/wire/formats.hpp"

#include <algorithm>

#include "core/money/decimal.hpp"
#include "sim/util/fixed_format.hpp"
#include "sim/util/rng.hpp"

namespace liqd::sim::wire {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

namespace {

void num(std::string& o, int64_t v) { o += std::to_string(v); }
void unum(std::string& o, uint64_t v) { o += std::to_string(v); }

void quoted_fixed(std::string& o, int64_t units, int dp) {
  o.push_back('"');
  append_fixed(o, units, dp);
  o.push_back('"');
}

void levels_array(std::string& o, const MarketSpec& m, const std::vector<Level>& lv, size_t limit) {
  o.push_back('[');
  for (size_t i = 0; i < lv.size() && i < limit; ++i) {
    if (i) o.push_back(',');
    o.push_back('[');
    quoted_fixed(o, lv[i].px.v, m.scale.price_dp);
    o.push_back(',');
    quoted_fixed(o, lv[i].qty.v, m.scale.qty_dp);
    o.push_back(']');
  }
  o.push_back(']');
}

void envelope_open(std::string& o, const MarketSpec& m, const char* chan) {
  o += "{\"stream\":\"";
  o += lower(m.symbol);
  o += chan;
  o += "\",\"data\":";
}

}  // namespace

std::string binance_depth_update(const MarketSpec& m, const DepthEvent& e) {
  std::string o;
  o.reserve(256 + 32 * (e.bids->size() + e.asks->size()));
  envelope_open(o, m, "@depth@100ms");
  o += "{\"e\":\"depthUpdate\",\"E\":"; num(o, e.event_ms);
  o += ",\"T\":"; num(o, e.tx_ms);
  o += ",\"s\":\""; o += m.symbol;
  o += "\",\"U\":"; unum(o, e.first_id);
  o += ",\"u\":"; unum(o, e.last_id);
  o += ",\"pu\":"; unum(o, e.prev_last_id);
  o += ",\"b\":"; levels_array(o, m, *e.bids, e.bids->size());
  o += ",\"a\":"; levels_array(o, m, *e.asks, e.asks->size());
  o += "}}";
  return o;
}

std::string binance_book_ticker(const MarketSpec& m, uint64_t update_id, const Level& bid, const Level& ask,
                                int64_t tx_ms, int64_t event_ms) {
  std::string o;
  envelope_open(o, m, "@bookTicker");
  o += "{\"e\":\"bookTicker\",\"u\":"; unum(o, update_id);
  o += ",\"s\":\""; o += m.symbol;
  o += "\",\"b\":"; quoted_fixed(o, bid.px.v, m.scale.price_dp);
  o += ",\"B\":"; quoted_fixed(o, bid.qty.v, m.scale.qty_dp);
  o += ",\"a\":"; quoted_fixed(o, ask.px.v, m.scale.price_dp);
  o += ",\"A\":"; quoted_fixed(o, ask.qty.v, m.scale.qty_dp);
  o += ",\"T\":"; num(o, tx_ms);
  o += ",\"E\":"; num(o, event_ms);
  o += "}}";
  return o;
}

std::string binance_mark_price(const MarketSpec& m, int64_t event_ms, Price mark, Price index,
                               int64_t next_funding_ms) {
  std::string o;
  envelope_open(o, m, "@markPrice@1s");
  const int up = 8 - m.scale.price_dp;  // price_dp <= 8 (market spec)
  const int64_t f = static_cast<int64_t>(pow10_i128(up));
  o += "{\"e\":\"markPriceUpdate\",\"E\":"; num(o, event_ms);
  o += ",\"s\":\""; o += m.symbol;
  o += "\",\"p\":"; quoted_fixed(o, mark.v * f, 8);
  o += ",\"i\":"; quoted_fixed(o, index.v * f, 8);
  o += ",\"P\":"; quoted_fixed(o, index.v * f, 8);
  o += ",\"r\":\"0.00010000\",\"T\":"; num(o, next_funding_ms);
  o += "}}";
  return o;
}

std::string binance_agg_trade(const MarketSpec& m, int64_t event_ms, uint64_t agg_id, Price px, Qty qty,
                              uint64_t first_trade, uint64_t last_trade, int64_t trade_ms, bool buyer_is_maker) {
  std::string o;
  envelope_open(o, m, "@aggTrade");
  o += "{\"e\":\"aggTrade\",\"E\":"; num(o, event_ms);
  o += ",\"a\":"; unum(o, agg_id);
  o += ",\"s\":\""; o += m.symbol;
  o += "\",\"p\":"; quoted_fixed(o, px.v, m.scale.price_dp);
  o += ",\"q\":"; quoted_fixed(o, qty.v, m.scale.qty_dp);
  o += ",\"f\":"; unum(o, first_trade);
  o += ",\"l\":"; unum(o, last_trade);
  o += ",\"T\":"; num(o, trade_ms);
  o += ",\"m\":"; o += buyer_is_maker ? "true" : "false";
  o += "}}";
  return o;
}

std::string binance_depth_snapshot(const MarketSpec& m, uint64_t last_update_id, int64_t event_ms, int64_t tx_ms,
                                   const BookSides& book, int limit) {
  std::string o;
  o += "{\"lastUpdateId\":"; unum(o, last_update_id);
  o += ",\"E\":"; num(o, event_ms);
  o += ",\"T\":"; num(o, tx_ms);
  o += ",\"bids\":"; levels_array(o, m, book.bids, static_cast<size_t>(std::max(0, limit)));
  o += ",\"asks\":"; levels_array(o, m, book.asks, static_cast<size_t>(std::max(0, limit)));
  o += "}";
  return o;
}

namespace {

void hl_levels(std::string& o, const MarketSpec& m, const std::vector<Level>& lv, uint64_t seed, uint64_t step,
               int side, int max_levels) {
  char buf[48];
  o.push_back('[');
  for (size_t i = 0; i < lv.size() && i < static_cast<size_t>(max_levels); ++i) {
    if (i) o.push_back(',');
    o += "{\"px\":\"";
    o.append(buf, static_cast<size_t>(format_decimal(lv[i].px.v, m.scale.price_dp, buf)));
    o += "\",\"sz\":\"";
    o.append(buf, static_cast<size_t>(format_decimal(lv[i].qty.v, m.scale.qty_dp, buf)));
    o += "\",\"n\":";
    o += std::to_string(1 + mix(seed, step, static_cast<uint64_t>(side) + 7, i) % 5);
    o.push_back('}');
  }
  o.push_back(']');
}

}  // namespace

std::string hyperliquid_l2book(const MarketSpec& m, int64_t time_ms, const BookSides& book, uint64_t seed,
                               uint64_t step, int max_levels) {
  std::string o;
  o.reserve(2048);
  o += "{\"channel\":\"l2Book\",\"data\":{\"coin\":\"";
  o += m.coin;
  o += "\",\"time\":"; num(o, time_ms);
  o += ",\"levels\":[";
  hl_levels(o, m, book.bids, seed, step, 0, max_levels);
  o.push_back(',');
  hl_levels(o, m, book.asks, seed, step, 1, max_levels);
  o += "]}}";
  return o;
}

std::string hyperliquid_all_mids(const std::vector<const MarketSpec*>& markets, const std::vector<Price>& mids) {
  std::string o = "{\"channel\":\"allMids\",\"data\":{\"mids\":{";
  char buf[48];
  for (size_t i = 0; i < markets.size(); ++i) {
    if (i) o.push_back(',');
    o += "\""; o += markets[i]->coin; o += "\":\"";
    o.append(buf, static_cast<size_t>(format_decimal(mids[i].v, markets[i]->scale.price_dp, buf)));
    o += "\"";
  }
  o += "}}}";
  return o;
}

namespace {

void pyth_price(std::string& o, const PythPrice& p) {
  o += "{\"price\":\""; num(o, p.price);
  o += "\",\"conf\":\""; unum(o, p.conf);
  o += "\",\"expo\":"; num(o, p.expo);
  o += ",\"publish_time\":"; num(o, p.publish_time);
  o += "}";
}

}  // namespace

std::string pyth_price_update(const std::string& id, const PythPrice& price, const PythPrice& ema) {
  std::string o = "{\"type\":\"price_update\",\"price_feed\":{\"id\":\"";
  o += id;
  o += "\",\"price\":";
  pyth_price(o, price);
  o += ",\"ema_price\":";
  pyth_price(o, ema);
  o += "}}";
  return o;
}

}  // namespace liqd::sim::wire
