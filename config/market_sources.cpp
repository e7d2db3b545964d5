// `oracles:` and `venues:` of a market file: where the market's prices come from
// and where its liquidations and hedges can execute.
#include <string>

#include "config/market_parts.hpp"
#include "core/money/decimal.hpp"

namespace liqd::config::detail {

namespace {

std::string item_path(const char* list, size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; }

template <size_t N>
bool read_kind(const Ctx& ctx, const YAML::Node& n, const std::string& key, const std::array<const char*, N>& kinds,
               std::string& out) {
  if (!n.IsDefined()) return false;
  std::string words;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) words += (i + 1 == N) ? " or " : ", ";
    words += kinds[i];
  }
  if (!n.IsScalar()) {
    ctx.error(n, key, "expected one of " + words + ", got " + node_kind(n));
    return false;
  }
  for (const char* k : kinds) {
    if (n.Scalar() == k) {
      out = n.Scalar();
      return true;
    }
  }
  ctx.error(n, key, "'" + n.Scalar() + "' is not one of " + words);
  return false;
}

// Names are unique within their list: they label logs, metrics and admin calls.
template <class T>
bool unique_name(const Ctx& ctx, const YAML::Node& n, const std::string& key, const std::vector<T>& seen,
                 const std::vector<int>& lines, const std::string& name) {
  for (size_t j = 0; j < seen.size(); ++j) {
    if (seen[j].name == name) {
      ctx.error(n, key, "duplicate name '" + name + "' (first on line " + std::to_string(lines[j]) + ")");
      return false;
    }
  }
  return true;
}

// A quantity at the market's qty scale, positive (or >= 0 when `allow_zero`).
bool read_qty(const Ctx& ctx, const YAML::Node& n, const std::string& key, int qty_dp, bool allow_zero, Qty& out) {
  int64_t v = 0;
  if (!read_decimal(ctx, n, key, qty_dp, v)) return false;
  if (allow_zero ? v < 0 : v <= 0) {
    ctx.error(n, key, std::string("must be ") + (allow_zero ? "non-negative" : "positive") + ", got " + n.Scalar());
    return false;
  }
  out = Qty(v);
  return true;
}

bool multiple_of(const Ctx& ctx, const YAML::Node& n, const std::string& key, Qty q, Qty step, const char* what,
                 int qty_dp) {
  if (step.v > 0 && q.v % step.v != 0) {
    ctx.error(n, key, n.Scalar() + " is not a multiple of the " + what + " " + format_decimal(step.v, qty_dp));
    return false;
  }
  return true;
}

}  // namespace

bool read_oracles(const Ctx& ctx, const YAML::Node& n, MarketConfig& mc) {
  if (!expect_sequence(ctx, n, "oracles", false)) return false;
  const size_t before = ctx.diag.size();
  std::vector<int> lines;
  for (size_t i = 0; i < n.size(); ++i) {
    MapReader o(ctx, n[i], item_path("oracles", i));
    if (!o.valid()) continue;
    OracleSource src;
    YAML::Node name = o.require("name");
    if (read_string(ctx, name, o.key_path("name"), src.name))
      unique_name(ctx, name, o.key_path("name"), mc.oracles, lines, src.name);
    read_kind(ctx, o.require("kind"), o.key_path("kind"), kOracleKinds, src.kind);
    read_string(ctx, o.require("id"), o.key_path("id"), src.id);
    read_int(ctx, o.require("max_staleness_ms"), o.key_path("max_staleness_ms"), 1, 3'600'000, src.max_staleness_ms);
    read_ratio(ctx, o.require("max_deviation"), o.key_path("max_deviation"), 0, true, kRatioOne, false,
               src.max_deviation);
    o.finish();
    mc.oracles.push_back(std::move(src));
    lines.push_back(o.line());
  }
  return ctx.diag.size() == before;
}

bool read_venues(const Ctx& ctx, const YAML::Node& n, bool scale_ok, MarketConfig& mc) {
  if (!expect_sequence(ctx, n, "venues", false)) return false;
  const size_t before = ctx.diag.size();
  const int qty_dp = mc.risk.scale.qty_dp;
  std::vector<int> lines;
  for (size_t i = 0; i < n.size(); ++i) {
    MapReader v(ctx, n[i], item_path("venues", i));
    if (!v.valid()) continue;
    VenueConfig venue;
    YAML::Node name = v.require("name");
    if (read_string(ctx, name, v.key_path("name"), venue.name))
      unique_name(ctx, name, v.key_path("name"), mc.venues, lines, venue.name);
    read_kind(ctx, v.require("kind"), v.key_path("kind"), kVenueKinds, venue.kind);
    venue.symbol = mc.symbol;
    if (YAML::Node s = v.get("symbol"); s.IsDefined()) read_string(ctx, s, v.key_path("symbol"), venue.symbol);
    read_ratio(ctx, v.require("taker_fee"), v.key_path("taker_fee"), 0, false, kRatioOne, true, venue.taker_fee);

    YAML::Node lot = v.require("lot_size");
    bool lot_ok = read_qty(ctx, lot, v.key_path("lot_size"), qty_dp, false, venue.lot);
    if (lot_ok && scale_ok) lot_ok = multiple_of(ctx, lot, v.key_path("lot_size"), venue.lot, mc.risk.lot,
                                                 "market's lot_size", qty_dp);
    venue.min_qty = venue.lot;
    YAML::Node min_q = v.get("min_qty");
    bool min_ok = true;
    if (min_q.IsDefined()) {
      min_ok = read_qty(ctx, min_q, v.key_path("min_qty"), qty_dp, false, venue.min_qty);
      if (min_ok && lot_ok) min_ok = multiple_of(ctx, min_q, v.key_path("min_qty"), venue.min_qty, venue.lot,
                                                 "venue's lot_size", qty_dp);
    }
    if (YAML::Node max_q = v.get("max_qty"); max_q.IsDefined()) {
      Qty q;
      if (read_qty(ctx, max_q, v.key_path("max_qty"), qty_dp, false, q)) {
        bool ok = true;
        if (lot_ok) ok = multiple_of(ctx, max_q, v.key_path("max_qty"), q, venue.lot, "venue's lot_size", qty_dp);
        if (ok && min_ok && q < venue.min_qty) {
          ctx.error(max_q, v.key_path("max_qty"),
                    max_q.Scalar() + " is below min_qty " + format_decimal(venue.min_qty.v, qty_dp));
          ok = false;
        }
        if (ok) venue.max_qty = q;
      }
    }
    if (YAML::Node c = v.get("contract"); c.IsDefined())
      read_kind(ctx, c, v.key_path("contract"), kContractKinds, venue.contract);
    if (YAML::Node mul = v.get("multiplier"); mul.IsDefined()) {
      // Up to 8 decimals, kept at the fewest that hold it (0.01 -> 1 x 10^-2).
      int64_t x = 0;
      if (read_decimal(ctx, mul, v.key_path("multiplier"), 8, x)) {
        if (x <= 0) {
          ctx.error(mul, v.key_path("multiplier"), "must be positive, got " + mul.Scalar());
        } else {
          int dp = 8;
          while (dp > 0 && x % 10 == 0) { x /= 10; --dp; }
          venue.multiplier = x;
          venue.multiplier_dp = dp;
        }
      }
    }
    if (YAML::Node oe = v.get("order_entry"); oe.IsDefined()) {
      OrderEntryConfig o;
      if (read_order_entry(ctx, oe, v.key_path("order_entry"), venue.kind, o)) venue.order_entry = std::move(o);
      // USD-M orders are in base units: the hedge's contracts are then the market's quantities.
      if (venue.order_entry && (venue.contract != "linear" || venue.multiplier != 1 || venue.multiplier_dp != 0)) {
        ctx.error(oe, v.key_path("order_entry"), "binance-rest trades USD-M contracts counted in base: contract must be linear, multiplier 1");
        venue.order_entry.reset();
      }
    }
    v.finish();
    mc.venues.push_back(std::move(venue));
    lines.push_back(v.line());
  }
  return ctx.diag.size() == before;
}

}  // namespace liqd::config::detail
