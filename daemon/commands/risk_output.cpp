// The `liqd risk` output document. Every key is always present; a value that does
// not exist is null (schema in core/margin/README.md).
#include <string>

#include "core/margin/big_int.hpp"
#include "core/margin/liquidation.hpp"
#include "core/money/decimal.hpp"
#include "daemon/commands/risk_input.hpp"

namespace liqd::cmd {

namespace {

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string num(i128 units, int dp) { return quoted(format_decimal(units, dp)); }

std::string price(const MaybePrice& p, int dp) { return p.exists ? num(p.units, dp) : "null"; }

const char* boolean(bool b) { return b ? "true" : "false"; }

// MM / equity at 1e-8, rounded up (the riskier side); null when equity <= 0.
std::string margin_ratio(const MarginSummary& s) {
  if (s.equity_x <= 0) return "null";
  bool fits = false;
  i128 r = div_round(BigInt(s.mm_x) * BigInt(kRatioOne), BigInt(s.equity_x), Round::Ceil, fits);
  return fits ? num(r, kRatioDp) : "null";
}

}  // namespace

std::string risk_report_json(const RiskInput& in) {
  const int qd = in.markets.empty() ? 6 : in.markets[0].scale.quote_dp;
  const AccountView view{in.collateral, in.positions, in.markets, in.marks};
  const MarginSummary cross = cross_margin(in.collateral, in.positions, in.markets, in.marks);

  std::string o = "{\n";
  o += "  \"equity\": " + num(cross.equity.v, qd) + ",\n";
  o += "  \"maintenance_margin\": " + num(cross.mm.v, qd) + ",\n";
  o += "  \"initial_margin\": " + num(cross.im.v, qd) + ",\n";
  o += "  \"free_collateral\": " + num(static_cast<i128>(cross.equity.v) - cross.im.v, qd) + ",\n";
  o += "  \"margin_ratio\": " + margin_ratio(cross) + ",\n";
  o += std::string("  \"liquidatable\": ") + boolean(cross.liquidatable()) + ",\n";
  o += "  \"positions\": [";
  for (size_t i = 0; i < in.positions.size(); ++i) {
    const Position& p = in.positions[i];
    const MarketRisk& m = in.markets[p.market];
    const int pdp = m.scale.price_dp;
    const PositionMargin pm = position_margin(m, p.size, in.marks[p.market]);
    MarginSummary own = p.isolated ? isolated_margin(p, m, in.marks[p.market]) : cross;
    o += i == 0 ? "\n" : ",\n";
    o += "    {\"market\": " + quoted(in.market_names[p.market]);
    o += ", \"notional\": " + num(pm.notional.v, qd);
    o += ", \"maintenance_margin\": " + num(pm.mm.v, qd);
    o += ", \"initial_margin\": " + num(pm.im.v, qd);
    o += ", \"equity\": " + (p.isolated ? num(own.equity.v, qd) : std::string("null"));
    o += std::string(", \"liquidatable\": ") + boolean(own.liquidatable());
    o += ", \"liquidation_price\": " + price(liquidation_price(view, i), pdp);
    o += ", \"bankruptcy_price\": " + price(bankruptcy_price(view, i, Qty(-p.size.v)), pdp);
    o += ", \"fillable_price\": " + price(fillable_price(view, i), pdp);
    o += "}";
  }
  o += in.positions.empty() ? "],\n" : "\n  ],\n";
  if (in.liquidation) {
    const auto& l = *in.liquidation;
    const MarketRisk& m = in.markets[in.positions[l.position].market];
    const FundDelta fd = insurance_fund_delta(view, l.position, l.size, l.fill_price);
    o += "  \"liquidation\": {\"bankruptcy_price\": " + price(fd.bankruptcy, m.scale.price_dp);
    o += ", \"insurance_fund_delta\": " + num(fd.fund_delta.v, qd);
    o += ", \"fee\": " + num(fd.fee.v, qd) + "}\n";
  } else {
    o += "  \"liquidation\": null\n";
  }
  o += "}\n";
  return o;
}

}  // namespace liqd::cmd
