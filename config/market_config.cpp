// A market file's top level: symbol, the scale (tick, lot, quote), fees and the
// fillable-price pair. Tiers, oracles and venues have their own files.
#include "config/market_config.hpp"

#include "config/market_parts.hpp"
#include "core/margin/margin.hpp"
#include "core/money/decimal.hpp"

namespace liqd::config {

namespace {

// Deepest decimals a tick or lot may have (10^18 still fits int64).
constexpr int kMaxStepDp = 18;

bool valid_symbol(const std::string& s) {
  if (s.size() > 32) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// A tick or lot size: its decimals define the scale, its units the step.
bool read_step(const Ctx& ctx, const YAML::Node& n, const std::string& key, int& dp, int64_t& units) {
  std::string s;
  if (!n.IsDefined()) return false;
  if (!n.IsScalar()) {
    ctx.error(n, key, std::string("expected a decimal number, got ") + node_kind(n));
    return false;
  }
  s = n.Scalar();
  DecimalError e = decimal_places(s, dp);
  if (e == DecimalError::Ok && dp > kMaxStepDp) {
    ctx.error(n, key, "'" + s + "' has more than " + std::to_string(kMaxStepDp) + " decimal places");
    return false;
  }
  if (e == DecimalError::Ok) e = parse_decimal(s, dp, units);
  if (e == DecimalError::Exponent) {
    ctx.error(n, key, "'" + s + "': exponent notation is not accepted (write the digits)");
    return false;
  }
  if (e == DecimalError::Overflow) {
    ctx.error(n, key, "'" + s + "' is out of range");
    return false;
  }
  if (e != DecimalError::Ok) {
    ctx.error(n, key, "expected a decimal number, got '" + s + "'");
    return false;
  }
  if (units <= 0) {
    ctx.error(n, key, "must be positive, got '" + s + "'");
    return false;
  }
  return true;
}

}  // namespace

std::optional<int> scale_decimals(const std::string& unit) {
  int dp = 0;
  if (decimal_places(unit, dp) != DecimalError::Ok || dp > kMaxStepDp) return std::nullopt;
  int64_t v = 0;
  if (parse_decimal(unit, dp, v) != DecimalError::Ok || v != 1) return std::nullopt;
  return dp;
}

namespace detail {

bool read_ratio(const Ctx& ctx, const YAML::Node& n, const std::string& key, int64_t lo, bool lo_open,
                int64_t hi, bool hi_open, Ratio& out) {
  int64_t v = 0;
  if (!read_decimal(ctx, n, key, kRatioDp, v)) return false;
  bool below = lo_open ? v <= lo : v < lo;
  bool above = hi_open ? v >= hi : v > hi;
  if (below || above) {
    ctx.error(n, key,
              n.Scalar() + " is outside " + (lo_open ? "(" : "[") + format_decimal(lo, kRatioDp) + ", " +
                  format_decimal(hi, kRatioDp) + (hi_open ? ")" : "]"));
    return false;
  }
  out = Ratio(v);
  return true;
}

}  // namespace detail

bool detail::load_market_partial(const YAML::Node& doc, const std::string& name, const MarketDefaults& defaults,
                                 Diagnostics& diag, MarketConfig& mc) {
  const size_t errors_before = diag.size();
  Ctx ctx{name, diag};
  MapReader root(ctx, doc, "");
  mc.file = name;
  if (!root.valid()) return false;

  if (YAML::Node n = root.require("symbol"); read_string(ctx, n, "symbol", mc.symbol)) {
    mc.line = line_of(n);
    if (!valid_symbol(mc.symbol))
      ctx.error(n, "symbol", "'" + mc.symbol + "' must be 1-32 letters, digits, '-', '_' or '.'");
  }

  // The scale: everything priced or sized below depends on it.
  int price_dp = 0, qty_dp = 0;
  int64_t tick = 0, lot = 0;
  bool tick_ok = read_step(ctx, root.require("tick_size"), "tick_size", price_dp, tick);
  bool lot_ok = read_step(ctx, root.require("lot_size"), "lot_size", qty_dp, lot);

  std::optional<int> quote_dp = defaults.quote_dp;
  bool quote_ok = true;
  if (YAML::Node n = root.get("quote_scale"); n.IsDefined()) {
    std::string s;
    if (read_scalar(ctx, n, "quote_scale", s)) {
      std::optional<int> dp = scale_decimals(s);
      if (!dp) {
        ctx.error(n, "quote_scale", "'" + s + "' must be a power of ten such as 0.000001");
        quote_ok = false;
      } else if (defaults.quote_dp && *defaults.quote_dp != *dp) {
        ctx.error(n, "quote_scale",
                  "'" + s + "' differs from the daemon's quote scale (" + std::to_string(*defaults.quote_dp) +
                      " decimals): all markets share one quote asset");
        quote_ok = false;
      } else {
        quote_dp = dp;
      }
    } else {
      quote_ok = false;
    }
  } else if (!quote_dp) {
    ctx.error_line(root.line(), "quote_scale", "missing field (the daemon file sets no quote.scale)");
    quote_ok = false;
  }

  bool scale_ok = tick_ok && lot_ok && quote_ok;
  if (tick_ok && lot_ok && price_dp + qty_dp > kEquityDp) {
    ctx.error_line(root.line_of_key("lot_size"), "lot_size",
                   "tick decimals (" + std::to_string(price_dp) + ") + lot decimals (" + std::to_string(qty_dp) +
                       ") = " + std::to_string(price_dp + qty_dp) + " exceed " + std::to_string(kEquityDp));
    scale_ok = false;
  }
  if (tick_ok && lot_ok && quote_ok && quote_dp && *quote_dp > price_dp + qty_dp) {
    ctx.error_line(root.line_of_key("lot_size"), "lot_size",
                   "tick decimals (" + std::to_string(price_dp) + ") + lot decimals (" + std::to_string(qty_dp) +
                       ") = " + std::to_string(price_dp + qty_dp) + " are fewer than the quote scale's " +
                       std::to_string(*quote_dp) + ": use a finer tick or lot");
    scale_ok = false;
  }
  // Without a valid scale, parse at a plausible one so the rest of the file is
  // still checked for keys, types and ranges.
  mc.risk.scale.price_dp = static_cast<int8_t>(tick_ok ? price_dp : 8);
  mc.risk.scale.qty_dp = static_cast<int8_t>(lot_ok ? qty_dp : 8);
  mc.risk.scale.quote_dp = static_cast<int8_t>(quote_dp.value_or(6));
  mc.risk.tick = Price(tick_ok ? tick : 1);
  mc.risk.lot = Qty(lot_ok ? lot : 1);

  if (YAML::Node n = root.get("liquidation_fee"); n.IsDefined())
    detail::read_ratio(ctx, n, "liquidation_fee", 0, false, kRatioOne, true, mc.risk.liquidation_fee);

  if (YAML::Node n = root.get("fillable_price"); n.IsDefined()) {
    MapReader fp(ctx, n, "fillable_price");
    if (fp.valid()) {
      bool a = detail::read_ratio(ctx, fp.require("bankruptcy_adjustment"), fp.key_path("bankruptcy_adjustment"),
                                  0, true, 100 * kRatioOne, false, mc.risk.bankruptcy_adjustment);
      bool b = detail::read_ratio(ctx, fp.require("spread_to_mmr"), fp.key_path("spread_to_mmr"), 0, true,
                                  100 * kRatioOne, false, mc.risk.spread_to_mmr);
      mc.risk.has_fillable = a && b;
      fp.finish();
    }
  }

  detail::read_tiers(ctx, root.require("tiers"), mc);
  detail::read_oracles(ctx, root.require("oracles"), mc);
  detail::read_venues(ctx, root.require("venues"), scale_ok, mc);
  root.finish();

  return diag.size() == errors_before;
}

std::optional<MarketConfig> load_market_node(const YAML::Node& doc, const std::string& name,
                                             const MarketDefaults& defaults, Diagnostics& diag) {
  MarketConfig mc;
  if (!detail::load_market_partial(doc, name, defaults, diag, mc)) return std::nullopt;
  return mc;
}

std::optional<MarketConfig> load_market_file(const std::string& path, const MarketDefaults& defaults,
                                             Diagnostics& diag) {
  std::optional<YAML::Node> doc = load_yaml_file(path, diag);
  if (!doc) return std::nullopt;
  return load_market_node(*doc, path, defaults, diag);
}

std::optional<MarketConfig> load_market_string(const std::string& text, const std::string& name,
                                               const MarketDefaults& defaults, Diagnostics& diag) {
  std::optional<YAML::Node> doc = load_yaml_string(text, name, diag);
  if (!doc) return std::nullopt;
  return load_market_node(*doc, name, defaults, diag);
}

}  // namespace liqd::config
