// Validation of `liqd risk` input: scales from tick, lot and quote_scale, then every
// number converted exactly and every rule of the schema checked, each refusal naming
// its field. The JSON itself is read by risk_read.cpp.
#include <map>

#include "core/money/decimal.hpp"
#include "daemon/commands/risk_raw.hpp"

namespace liqd::cmd {

using namespace risk_detail;

namespace {

// ---- conversion with scales ----

bool to_units(const Num& n, int dp, const std::string& field, int64_t& out, Errors& e) {
  DecimalError de = parse_decimal(n.text, dp, out);
  if (de == DecimalError::TooPrecise)
    return e.fail(field, "'" + std::string(n.text) + "' has more than " + std::to_string(dp) + " decimal places");
  if (de != DecimalError::Ok) return e.fail(field, "'" + std::string(n.text) + "': " + to_string(de));
  return true;
}

// Decimal places of a scale-defining field (tick_size, lot_size, quote_scale);
// the value must be > 0. `power_of_ten` additionally requires 10^-dp exactly.
bool scale_dp(const Num& n, int fallback, const std::string& field, int max_dp, bool power_of_ten, int& dp,
              int64_t& units, Errors& e) {
  if (!n.present) {
    dp = fallback;
    units = 1;
    return true;
  }
  DecimalError de = decimal_places(n.text, dp);
  if (de != DecimalError::Ok) return e.fail(field, "'" + std::string(n.text) + "': " + to_string(de));
  if (dp > max_dp) return e.fail(field, "at most " + std::to_string(max_dp) + " decimal places");
  if (!to_units(n, dp, field, units, e)) return false;
  if (units <= 0) return e.fail(field, "must be > 0");
  if (power_of_ten && units != 1) return e.fail(field, "must be a power of ten such as 0.000001");
  return true;
}

bool ratio(const Num& n, const std::string& field, Ratio& out, Errors& e) {
  int64_t v = 0;
  if (!to_units(n, kRatioDp, field, v, e)) return false;
  out = Ratio(v);
  return true;
}

// A deduction at quote_dp + 8 decimals (MarginTier's wide scale).
bool deduction(const Num& n, int quote_dp, const std::string& field, i128& out, Errors& e) {
  int dp = 0;
  DecimalError de = decimal_places(n.text, dp);
  if (de != DecimalError::Ok) return e.fail(field, "'" + std::string(n.text) + "': " + to_string(de));
  const int wide = quote_dp + kRatioDp;
  if (dp > wide) return e.fail(field, "more than " + std::to_string(wide) + " decimal places");
  int64_t v = 0;
  if (!to_units(n, dp, field, v, e)) return false;
  if (v < 0) return e.fail(field, "must be >= 0");
  if (__builtin_mul_overflow(static_cast<i128>(v), pow10_i128(wide - dp), &out) || out > pow10_i128(36))
    return e.fail(field, "out of range");
  return true;
}

std::string fmt(i128 units, int dp) { return format_decimal(units, dp); }

bool build_market(const RawMarket& raw, RiskInput& out, int& quote_dp_seen, std::string& quote_owner, Errors& e) {
  const std::string f = "markets." + raw.name;
  MarketRisk m{};
  int price_dp = 0, qty_dp = 0, quote_dp = 0;
  int64_t tick = 0, lot = 0, qs = 0;
  if (!scale_dp(raw.tick_size, 8, f + ".tick_size", 18, false, price_dp, tick, e)) return false;
  if (!scale_dp(raw.lot_size, 8, f + ".lot_size", 18, false, qty_dp, lot, e)) return false;
  const int lot_dp = qty_dp;
  if (!scale_dp(raw.quote_scale, 6, f + ".quote_scale", 18, true, quote_dp, qs, e)) return false;
  // The engine needs price_dp + qty_dp >= quote_dp (a tier bound in quote units is
  // exact at product scale). A coarse market (tick 0.01, lot 0.001: 5 < 6) carries
  // sizes at finer decimals than its lot; prices keep the tick's decimals.
  if (price_dp + qty_dp < quote_dp) qty_dp = quote_dp - price_dp;
  if (price_dp + qty_dp > kEquityDp)
    return e.fail(f + ".tick_size", "tick_size and lot_size together have more than " + std::to_string(kEquityDp) +
                                        " decimal places");
  if (quote_dp_seen >= 0 && quote_dp != quote_dp_seen)
    return e.fail(f + ".quote_scale", "differs from markets." + quote_owner + " (all markets share one quote asset)");
  quote_dp_seen = quote_dp;
  quote_owner = raw.name;
  m.scale = Scale{static_cast<int8_t>(price_dp), static_cast<int8_t>(qty_dp), static_cast<int8_t>(quote_dp)};
  m.tick = Price(tick);
  m.lot = Qty(lot * static_cast<int64_t>(pow10_i128(qty_dp - lot_dp)));

  if (!raw.mark_price.present) return e.fail(f + ".mark_price", "required");
  int64_t mark = 0;
  if (!to_units(raw.mark_price, price_dp, f + ".mark_price", mark, e)) return false;
  if (mark <= 0) return e.fail(f + ".mark_price", "must be > 0");

  if (!raw.has_tiers || raw.tiers.empty()) return e.fail(f + ".tiers", "required: at least one tier");
  if (raw.tiers.size() > static_cast<size_t>(kMaxTiers))
    return e.fail(f + ".tiers", "at most " + std::to_string(kMaxTiers) + " tiers");
  m.n_tiers = static_cast<uint8_t>(raw.tiers.size());
  bool explicit_mm[kMaxTiers] = {}, explicit_im[kMaxTiers] = {};
  for (size_t i = 0; i < raw.tiers.size(); ++i) {
    const RawTier& rt = raw.tiers[i];
    const std::string tf = idx(f + ".tiers", i);
    MarginTier& t = m.tiers[i];
    const bool last = i + 1 == raw.tiers.size();
    if (rt.max_notional.present) {
      int64_t v = 0;
      if (!to_units(rt.max_notional, quote_dp, tf + ".max_notional", v, e)) return false;
      if (v <= 0) return e.fail(tf + ".max_notional", "must be > 0");
      if (v == INT64_MAX) return e.fail(tf + ".max_notional", "out of range");
      if (i > 0 && v <= m.tiers[i - 1].max_notional.v)
        return e.fail(tf + ".max_notional", "must be greater than tiers[" + std::to_string(i - 1) + "].max_notional");
      t.max_notional = Quote(v);
    } else if (!last) {
      return e.fail(tf + ".max_notional", "required on every tier but the last");
    }
    if (!rt.imr.present) return e.fail(tf + ".imr", "required");
    if (!rt.mmr.present) return e.fail(tf + ".mmr", "required");
    if (!ratio(rt.imr, tf + ".imr", t.imr, e) || !ratio(rt.mmr, tf + ".mmr", t.mmr, e)) return false;
    if (t.mmr.v <= 0 || t.mmr.v > kRatioOne) return e.fail(tf + ".mmr", "must be in (0, 1]");
    if (t.imr.v <= 0 || t.imr.v > kRatioOne) return e.fail(tf + ".imr", "must be in (0, 1]");
    if (t.imr < t.mmr) return e.fail(tf + ".imr", "must not be below mmr");
    if (rt.maintenance_deduction.present) {
      if (!deduction(rt.maintenance_deduction, quote_dp, tf + ".maintenance_deduction", t.mm_deduction_w, e)) return false;
      explicit_mm[i] = true;
    }
    if (rt.initial_deduction.present) {
      if (!deduction(rt.initial_deduction, quote_dp, tf + ".initial_deduction", t.im_deduction_w, e)) return false;
      explicit_im[i] = true;
    }
  }
  if (m.tiers[0].mm_deduction_w != 0)
    return e.fail(f + ".tiers[0].maintenance_deduction", "must be 0 (margin is 0 at zero notional)");
  if (m.tiers[0].im_deduction_w != 0)
    return e.fail(f + ".tiers[0].initial_deduction", "must be 0 (margin is 0 at zero notional)");
  derive_deductions(m, explicit_mm, explicit_im);
  // Continuity: the health index and the liquidation-price solve rely on it.
  for (int i = 0; i + 1 < m.n_tiers; ++i) {
    const std::string tf = idx(f + ".tiers", static_cast<size_t>(i + 1));
    const int wide = quote_dp + kRatioDp;
    const i128 bound = m.tiers[static_cast<size_t>(i)].max_notional.v;
    if (i128 jump = mm_jump_at_boundary(m, i); jump != 0) {
      const MarginTier& a = m.tiers[static_cast<size_t>(i)];
      const MarginTier& b = m.tiers[static_cast<size_t>(i + 1)];
      i128 want = bound * (b.mmr.v - a.mmr.v) + a.mm_deduction_w;
      return e.fail(tf + ".maintenance_deduction",
                    "maintenance margin jumps by " + fmt(jump, wide) + " at notional " + fmt(bound, quote_dp) +
                        " (continuous margin needs " + fmt(want, wide) + ")");
    }
    if (i128 jump = im_jump_at_boundary(m, i); jump != 0) {
      const MarginTier& a = m.tiers[static_cast<size_t>(i)];
      const MarginTier& b = m.tiers[static_cast<size_t>(i + 1)];
      i128 want = bound * (b.imr.v - a.imr.v) + a.im_deduction_w;
      return e.fail(tf + ".initial_deduction",
                    "initial margin jumps by " + fmt(jump, wide) + " at notional " + fmt(bound, quote_dp) +
                        " (continuous margin needs " + fmt(want, wide) + ")");
    }
  }

  if (raw.liquidation_fee.present) {
    if (!ratio(raw.liquidation_fee, f + ".liquidation_fee", m.liquidation_fee, e)) return false;
    if (m.liquidation_fee.v < 0 || m.liquidation_fee.v > kRatioOne)
      return e.fail(f + ".liquidation_fee", "must be in [0, 1]");
  }
  if (raw.bankruptcy_adjustment.present != raw.spread_to_mmr.present)
    return e.fail(f + (raw.bankruptcy_adjustment.present ? ".spread_to_mmr" : ".bankruptcy_adjustment"),
                  "required with " + std::string(raw.bankruptcy_adjustment.present ? "bankruptcy_adjustment" : "spread_to_mmr") +
                      " (the fillable-price pair)");
  if (raw.bankruptcy_adjustment.present) {
    m.has_fillable = true;
    if (!ratio(raw.bankruptcy_adjustment, f + ".bankruptcy_adjustment", m.bankruptcy_adjustment, e)) return false;
    if (m.bankruptcy_adjustment.v < 0) return e.fail(f + ".bankruptcy_adjustment", "must be >= 0");
    if (!ratio(raw.spread_to_mmr, f + ".spread_to_mmr", m.spread_to_mmr, e)) return false;
    if (m.spread_to_mmr.v < 0 || m.spread_to_mmr.v > kRatioOne) return e.fail(f + ".spread_to_mmr", "must be in [0, 1]");
  }
  out.market_names.push_back(raw.name);
  out.markets.push_back(m);
  out.marks.push_back(Price(mark));
  return true;
}

// Every money magnitude must stay far from i128's limit once carried at the
// engine's exact decimals: |x| (quote units) × 10^(exact_dp − quote_dp) <= 10^35.
i128 money_limit(int exact_dp, int quote_dp) { return pow10_i128(35 - (exact_dp - quote_dp)); }

bool within(i128 quote_units_abs, i128 limit, const std::string& field, int quote_dp, Errors& e) {
  if (quote_units_abs > limit) return e.fail(field, "out of range (magnitudes up to " + fmt(limit, quote_dp) + ")");
  return true;
}

i128 iabs(i128 v) { return v < 0 ? -v : v; }

// |size| × price in quote units, rounded up (for range checks).
i128 quote_of(const MarketRisk& m, int64_t size, int64_t price) {
  i128 prod = iabs(static_cast<i128>(size)) * iabs(static_cast<i128>(price));
  return div_round(prod, pow10_i128(m.scale.product_dp() - m.scale.quote_dp), Round::Ceil);
}

}  // namespace

bool parse_risk_input(std::string_view json, RiskInput& out, RiskInputError& err) {
  Errors e(err);
  simdjson::ondemand::parser parser;
  simdjson::padded_string buf;
  RawInput raw;
  if (!read_document(json, parser, buf, raw, e)) return false;

  if (!raw.has_markets) return e.fail("markets", "required");
  if (!raw.has_account) return e.fail("account", "required");
  int quote_dp = -1;
  std::string quote_owner;
  for (const RawMarket& rm : raw.markets)
    if (!build_market(rm, out, quote_dp, quote_owner, e)) return false;
  if (quote_dp < 0) quote_dp = 6;
  const int xdp = exact_dp_for(out.markets);
  const i128 limit = money_limit(xdp, quote_dp);

  // Limits on tier bounds: a bound beyond the money limit could not be reached.
  for (size_t k = 0; k < out.markets.size(); ++k)
    for (int t = 0; t < out.markets[k].n_tiers; ++t) {
      const MarginTier& tier = out.markets[k].tiers[static_cast<size_t>(t)];
      if (!tier.unbounded() &&
          !within(tier.max_notional.v, limit, idx("markets." + out.market_names[k] + ".tiers", static_cast<size_t>(t)) + ".max_notional",
                  quote_dp, e))
        return false;
    }

  if (!raw.collateral.present) return e.fail("account.collateral", "required");
  int64_t collateral = 0;
  if (!to_units(raw.collateral, quote_dp, "account.collateral", collateral, e)) return false;
  if (!within(iabs(collateral), limit, "account.collateral", quote_dp, e)) return false;
  out.collateral = Quote(collateral);
  if (!raw.has_positions) return e.fail("account.positions", "required (may be empty)");

  std::map<std::pair<uint32_t, bool>, size_t> seen;  // (market, isolated) -> position index
  for (size_t i = 0; i < raw.positions.size(); ++i) {
    const RawPosition& rp = raw.positions[i];
    const std::string pf = idx("account.positions", i);
    if (!rp.has_market) return e.fail(pf + ".market", "required");
    uint32_t mi = 0;
    bool found = false;
    for (size_t k = 0; k < out.market_names.size(); ++k)
      if (out.market_names[k] == rp.market) { mi = static_cast<uint32_t>(k); found = true; }
    if (!found) return e.fail(pf + ".market", "'" + rp.market + "' is not a key of markets");
    const MarketRisk& m = out.markets[mi];
    Position p{};
    p.market = mi;
    if (!rp.size.present) return e.fail(pf + ".size", "required");
    if (!to_units(rp.size, m.scale.qty_dp, pf + ".size", p.size.v, e)) return false;
    if (p.size.v == 0) return e.fail(pf + ".size", "must not be 0");
    if (rp.entry_price.present) {
      if (!to_units(rp.entry_price, m.scale.price_dp, pf + ".entry_price", p.entry.v, e)) return false;
      if (p.entry.v < 0) return e.fail(pf + ".entry_price", "must be >= 0");
    }
    if (rp.isolated_margin.present) {
      p.isolated = true;
      if (!to_units(rp.isolated_margin, quote_dp, pf + ".isolated_margin", p.isolated_margin.v, e)) return false;
      if (p.isolated_margin.v < 0) return e.fail(pf + ".isolated_margin", "must be >= 0");
      if (!within(p.isolated_margin.v, limit, pf + ".isolated_margin", quote_dp, e)) return false;
    }
    auto [it, inserted] = seen.emplace(std::make_pair(mi, p.isolated), i);
    if (!inserted)
      return e.fail(pf, std::string("a second ") + (p.isolated ? "isolated" : "cross") + " position in " + rp.market +
                            " (account.positions[" + std::to_string(it->second) + "]); at most one of each mode per market");
    const Price mark = out.marks[mi];
    if (!within(quote_of(m, p.size.v, mark.v), limit, pf + ".size", quote_dp, e)) return false;
    if (!within(quote_of(m, p.size.v, p.entry.v), limit, pf + ".entry_price", quote_dp, e)) return false;
    const int tier = tier_index(m, notional_exact(p.size, mark));
    if (tier >= m.n_tiers)
      return e.fail(pf + ".size", "notional " + fmt(quote_of(m, p.size.v, mark.v), quote_dp) + " exceeds the last tier's max_notional " +
                                      fmt(m.tiers[m.n_tiers - 1u].max_notional.v, quote_dp) + " of " + rp.market);
    out.positions.push_back(p);
  }

  if (raw.has_liquidation) {
    if (!raw.has_liq_position) return e.fail("liquidation.position", "required");
    if (raw.liq_position >= out.positions.size())
      return e.fail("liquidation.position", "no such position (the account has " + std::to_string(out.positions.size()) + ")");
    RiskInput::Liquidation l;
    l.position = static_cast<size_t>(raw.liq_position);
    const Position& p = out.positions[l.position];
    const MarketRisk& m = out.markets[p.market];
    if (!raw.liq_size.present) return e.fail("liquidation.size", "required");
    if (!to_units(raw.liq_size, m.scale.qty_dp, "liquidation.size", l.size.v, e)) return false;
    if (l.size.v == 0) return e.fail("liquidation.size", "must not be 0");
    if ((l.size.v > 0) == (p.size.v > 0))
      return e.fail("liquidation.size", "must have the opposite sign of the position's size (a liquidation closes)");
    if (iabs(l.size.v) > iabs(p.size.v)) return e.fail("liquidation.size", "exceeds the position's size");
    if (!raw.liq_fill_price.present) return e.fail("liquidation.fill_price", "required");
    if (!to_units(raw.liq_fill_price, m.scale.price_dp, "liquidation.fill_price", l.fill_price.v, e)) return false;
    if (l.fill_price.v <= 0) return e.fail("liquidation.fill_price", "must be > 0");
    if (!within(quote_of(m, l.size.v, l.fill_price.v), limit, "liquidation.fill_price", quote_dp, e)) return false;
    out.liquidation = l;
  }
  return true;
}

}  // namespace liqd::cmd
