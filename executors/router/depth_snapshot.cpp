#include "executors/router/depth_snapshot.hpp"

#include <simdjson.h>

#include "core/money/decimal.hpp"

namespace liqd::exec {
namespace {

bool parse_side(simdjson::ondemand::array arr, int pdp, int qdp, std::vector<Level>& out, const char* name,
                std::string& error) {
  size_t i = 0;
  for (auto lv : arr) {
    simdjson::ondemand::array pair;
    if (std::move(lv).get_array().get(pair)) { error = std::string(name) + "[" + std::to_string(i) + "]: expected [price, qty]"; return false; }
    std::string_view txt[2];
    int k = 0;
    for (auto x : pair) {
      if (k < 2 && std::move(x).get_string().get(txt[k])) { error = std::string(name) + ": expected strings"; return false; }
      ++k;
    }
    if (k != 2) { error = std::string(name) + "[" + std::to_string(i) + "]: expected [price, qty]"; return false; }
    int64_t px = 0, q = 0;
    if (parse_decimal(txt[0], pdp, px) != DecimalError::Ok || parse_decimal(txt[1], qdp, q) != DecimalError::Ok) {
      error = std::string(name) + "[" + std::to_string(i) + "]: bad decimal";
      return false;
    }
    if (q > 0) out.push_back(Level{Price(px), Qty(q)});
    ++i;
  }
  return true;
}

}  // namespace

bool parse_depth_snapshot(std::string_view json, int price_dp, int qty_dp, DepthSnapshot& out, std::string& error) {
  simdjson::padded_string buf(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(buf).get(doc)) { error = "not JSON"; return false; }
  out = DepthSnapshot{};
  simdjson::ondemand::array a;
  if (doc["bids"].get_array().get(a)) { error = "bids: missing"; return false; }
  if (!parse_side(a, price_dp, qty_dp, out.bids, "bids", error)) return false;
  if (doc["asks"].get_array().get(a)) { error = "asks: missing"; return false; }
  return parse_side(a, price_dp, qty_dp, out.asks, "asks", error);
}

Price snapshot_mid(const DepthSnapshot& s) {
  if (s.bids.empty() || s.asks.empty()) return Price(0);
  return Price((s.bids[0].px.v + s.asks[0].px.v) / 2);
}

DepthSnapshot rescale_to_mid(const DepthSnapshot& s, Price mid) {
  DepthSnapshot r;
  const Price own = snapshot_mid(s);
  if (own.v <= 0) return r;
  auto one = [&](const std::vector<Level>& in, std::vector<Level>& out) {
    for (const Level& l : in) {
      int64_t px = static_cast<int64_t>(div_round(static_cast<i128>(l.px.v) * mid.v, own.v, Round::HalfAwayFromZero));
      int64_t q = static_cast<int64_t>(div_round(static_cast<i128>(l.qty.v) * own.v, mid.v, Round::HalfAwayFromZero));
      if (q <= 0 || px <= 0) continue;
      if (!out.empty() && out.back().px.v == px) out.back().qty.v += q;
      else out.push_back(Level{Price(px), Qty(q)});
    }
  };
  one(s.bids, r.bids);
  one(s.asks, r.asks);
  return r;
}

}  // namespace liqd::exec
