#pragma once
// Builders for margin tests: markets and accounts from decimal strings, so each
// worked example reads like its source.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "core/margin/liquidation.hpp"
#include "core/money/decimal.hpp"

namespace liqd::test {

inline int64_t units(std::string_view s, int dp) {
  int64_t v = 0;
  EXPECT_EQ(parse_decimal(s, dp, v), DecimalError::Ok) << s << " at dp " << dp;
  return v;
}

struct TierSpec {
  const char* max_notional;  // nullptr: unbounded
  const char* imr;
  const char* mmr;
};

struct MarketSpec {
  int price_dp = 8, qty_dp = 8, quote_dp = 6;
  const char* liquidation_fee = "0";
  const char* bankruptcy_adjustment = nullptr;  // with spread_to_mmr: dYdX fillable price
  const char* spread_to_mmr = nullptr;
};

inline MarketRisk market(std::initializer_list<TierSpec> tiers, MarketSpec s = {}) {
  MarketRisk m{};
  m.scale = Scale{static_cast<int8_t>(s.price_dp), static_cast<int8_t>(s.qty_dp), static_cast<int8_t>(s.quote_dp)};
  for (const TierSpec& t : tiers) {
    MarginTier& mt = m.tiers[m.n_tiers++];
    mt.max_notional = t.max_notional ? Quote(units(t.max_notional, s.quote_dp)) : Quote(INT64_MAX);
    mt.imr = Ratio(units(t.imr, kRatioDp));
    mt.mmr = Ratio(units(t.mmr, kRatioDp));
  }
  derive_deductions(m, nullptr, nullptr);
  m.liquidation_fee = Ratio(units(s.liquidation_fee, kRatioDp));
  if (s.bankruptcy_adjustment) {
    m.has_fillable = true;
    m.bankruptcy_adjustment = Ratio(units(s.bankruptcy_adjustment, kRatioDp));
    m.spread_to_mmr = Ratio(units(s.spread_to_mmr, kRatioDp));
  }
  return m;
}

// An account over a fixed set of markets; positions reference markets by index.
struct Account {
  std::vector<MarketRisk> markets;
  std::vector<Price> marks;
  Quote collateral;
  std::vector<Position> positions;

  void set_mark(uint32_t k, const char* p) { marks[k] = Price(units(p, markets[k].scale.price_dp)); }
  Price price(uint32_t k, const char* p) const { return Price(units(p, markets[k].scale.price_dp)); }
  Qty qty(uint32_t k, const char* q) const { return Qty(units(q, markets[k].scale.qty_dp)); }
  Quote quote(const char* q) const { return Quote(units(q, markets[0].scale.quote_dp)); }

  size_t cross(uint32_t k, const char* size, const char* entry = "0") {
    positions.push_back(Position{.size = qty(k, size), .entry = price(k, entry), .isolated_margin = Quote(0), .market = k, .isolated = false});
    return positions.size() - 1;
  }
  size_t isolated(uint32_t k, const char* size, const char* entry, const char* margin) {
    positions.push_back(Position{.size = qty(k, size), .entry = price(k, entry), .isolated_margin = quote(margin), .market = k, .isolated = true});
    return positions.size() - 1;
  }
  AccountView view() const { return AccountView{collateral, positions, markets, marks}; }
  MarginSummary cross_summary() const { return cross_margin(collateral, positions, markets, marks); }
  MarginSummary summary_of(size_t i) const {
    const Position& p = positions[i];
    return p.isolated ? isolated_margin(p, markets[p.market], marks[p.market]) : cross_summary();
  }
};

inline std::string money(Quote q, const MarketRisk& m) { return format_decimal(q.v, m.scale.quote_dp); }
inline std::string price_str(const MaybePrice& p, const MarketRisk& m) {
  return p.exists ? format_decimal(p.units, m.scale.price_dp) : std::string("null");
}
// A price rounded half away from zero to cents, as venues display it.
inline std::string cents(const MaybePrice& p, const MarketRisk& m) {
  if (!p.exists) return "null";
  return format_decimal(div_round(p.units, pow10_i128(m.scale.price_dp - 2), Round::HalfAwayFromZero), 2);
}

}  // namespace liqd::test
