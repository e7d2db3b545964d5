// `tiers:` of a market file. Margin of a position of notional N in tier n is
// N × ratio_n − deduction_n. The health index needs margin continuous in N, so an
// omitted deduction is derived (derive_deductions) and an explicit one must give
// no jump at any tier boundary (mm_jump_at_boundary / im_jump_at_boundary).
#include <string>

#include "config/market_parts.hpp"
#include "core/money/decimal.hpp"

namespace liqd::config::detail {

namespace {

struct TierNodes {
  YAML::Node mm_deduction;  // undefined when derived
  YAML::Node im_deduction;
  int line = 0;
};

std::string tier_path(size_t i) { return "tiers[" + std::to_string(i) + "]"; }

// A deduction in quote units, stored at the wide scale (quote_dp + kRatioDp).
bool read_deduction(const Ctx& ctx, const YAML::Node& n, const std::string& key, size_t tier, int quote_dp,
                    i128& out_w) {
  int64_t v = 0;
  if (!read_decimal(ctx, n, key, quote_dp, v)) return false;
  if (v < 0) {
    ctx.error(n, key, "must not be negative, got " + n.Scalar());
    return false;
  }
  if (tier == 0 && v != 0) {
    ctx.error(n, key, "must be 0 in the first tier (margin is 0 at zero notional), got " + n.Scalar());
    return false;
  }
  out_w = static_cast<i128>(v) * kRatioOne;
  return true;
}

// Ratios must not fall as notional grows: a bigger position is never safer.
void check_not_falling(const Ctx& ctx, const YAML::Node& n, const std::string& key, Ratio r, Ratio prev,
                       const char* name) {
  if (r < prev)
    ctx.error(n, key,
              n.Scalar() + " is below the previous tier's " + name + " " + format_decimal(prev.v, kRatioDp) +
                  " (ratios must not fall as notional grows)");
}

void check_continuity(const Ctx& ctx, const MarketRisk& m, const TierNodes* nodes, bool maintenance) {
  const int wide_dp = m.scale.quote_dp + kRatioDp;
  for (int i = 0; i + 1 < m.n_tiers; ++i) {
    i128 jump = maintenance ? mm_jump_at_boundary(m, i) : im_jump_at_boundary(m, i);
    if (jump == 0) continue;
    // A derived deduction is continuous with its predecessor by construction, so a
    // jump at boundary i comes from tier i+1's explicit deduction.
    const MarginTier& next = m.tiers[i + 1];
    i128 given = maintenance ? next.mm_deduction_w : next.im_deduction_w;
    i128 needed = given + jump;
    const YAML::Node& at = maintenance ? nodes[i + 1].mm_deduction : nodes[i + 1].im_deduction;
    std::string key = tier_path(static_cast<size_t>(i) + 1) +
                      (maintenance ? ".maintenance_deduction" : ".initial_deduction");
    std::string reason = std::string(maintenance ? "maintenance" : "initial") + " margin " +
                         (jump > 0 ? "jumps up by " : "drops by ") + format_decimal(jump > 0 ? jump : -jump, wide_dp) +
                         " at notional " +
                         format_decimal(m.tiers[i].max_notional.v, m.scale.quote_dp) +
                         " (margin must be continuous); a continuous deduction here is " +
                         format_decimal(needed, wide_dp);
    if (at.IsDefined())
      ctx.error(at, key, reason);
    else
      ctx.error_line(nodes[i + 1].line, key, reason);
  }
}

}  // namespace

bool read_tiers(const Ctx& ctx, const YAML::Node& n, MarketConfig& mc) {
  if (!expect_sequence(ctx, n, "tiers", false)) return false;
  if (n.size() > static_cast<size_t>(kMaxTiers)) {
    ctx.error(n, "tiers",
              std::to_string(n.size()) + " tiers, at most " + std::to_string(kMaxTiers) + " are supported");
    return false;
  }
  const int quote_dp = mc.risk.scale.quote_dp;
  MarketRisk& m = mc.risk;
  TierNodes nodes[kMaxTiers];
  bool ok = true;
  const size_t count = n.size();
  for (size_t i = 0; i < count; ++i) {
    const std::string path = tier_path(i);
    MapReader t(ctx, n[i], path);
    if (!t.valid()) {
      ok = false;
      continue;
    }
    MarginTier& tier = m.tiers[i];
    nodes[i].line = t.line();
    const bool last = i + 1 == count;

    // Bound: required except on the last tier (omitted = unbounded).
    YAML::Node bound = t.get("max_notional");
    if (!bound.IsDefined() && !last) {
      ctx.error_line(t.line(), t.key_path("max_notional"), "missing field (only the last tier may omit it)");
      ok = false;
    } else if (bound.IsDefined()) {
      int64_t v = 0;
      if (!read_decimal(ctx, bound, t.key_path("max_notional"), quote_dp, v)) {
        ok = false;
      } else if (v <= 0) {
        ctx.error(bound, t.key_path("max_notional"), "must be positive, got " + bound.Scalar());
        ok = false;
      } else if (v == INT64_MAX) {  // the unbounded sentinel
        ctx.error(bound, t.key_path("max_notional"), "'" + bound.Scalar() + "' is out of range");
        ok = false;
      } else {
        tier.max_notional = Quote(v);
        if (i > 0 && !m.tiers[i - 1].unbounded() && v <= m.tiers[i - 1].max_notional.v) {
          ctx.error(bound, t.key_path("max_notional"),
                    bound.Scalar() + " is not above the previous tier's " +
                        format_decimal(m.tiers[i - 1].max_notional.v, quote_dp) + " (bounds must increase)");
          ok = false;
        }
      }
    }

    YAML::Node imr = t.require("imr");
    YAML::Node mmr = t.require("mmr");
    bool imr_ok = read_ratio(ctx, imr, t.key_path("imr"), 0, true, kRatioOne, false, tier.imr);
    bool mmr_ok = read_ratio(ctx, mmr, t.key_path("mmr"), 0, true, kRatioOne, false, tier.mmr);
    ok = ok && imr_ok && mmr_ok;
    if (imr_ok && mmr_ok && tier.imr < tier.mmr) {
      ctx.error(imr, t.key_path("imr"), imr.Scalar() + " is below mmr " + mmr.Scalar());
      ok = false;
    }
    if (i > 0) {
      size_t before = ctx.diag.size();
      if (mmr_ok) check_not_falling(ctx, mmr, t.key_path("mmr"), tier.mmr, m.tiers[i - 1].mmr, "mmr");
      if (imr_ok) check_not_falling(ctx, imr, t.key_path("imr"), tier.imr, m.tiers[i - 1].imr, "imr");
      if (ctx.diag.size() != before) ok = false;
    }

    if (YAML::Node d = t.get("maintenance_deduction"); d.IsDefined()) {
      nodes[i].mm_deduction = d;
      mc.explicit_mm[i] = true;
      if (!read_deduction(ctx, d, t.key_path("maintenance_deduction"), i, quote_dp, tier.mm_deduction_w)) ok = false;
    }
    if (YAML::Node d = t.get("initial_deduction"); d.IsDefined()) {
      nodes[i].im_deduction = d;
      mc.explicit_im[i] = true;
      if (!read_deduction(ctx, d, t.key_path("initial_deduction"), i, quote_dp, tier.im_deduction_w)) ok = false;
    }
    t.finish();
  }
  if (!ok) return false;

  m.n_tiers = static_cast<uint8_t>(count);
  derive_deductions(m, mc.explicit_mm.data(), mc.explicit_im.data());
  const size_t before = ctx.diag.size();
  check_continuity(ctx, m, nodes, true);
  check_continuity(ctx, m, nodes, false);
  return ctx.diag.size() == before;
}

}  // namespace liqd::config::detail
