#include "core/policy/planner/planner.hpp"

#include <algorithm>
#include <cassert>

#include "core/policy/prices/liquidation_prices.hpp"

namespace liqd::policy {

const char* to_string(PlanWhy w) {
  switch (w) {
    case PlanWhy::Healthy: return "healthy";
    case PlanWhy::LeftLiquidationMode: return "left_liquidation_mode";
    case PlanWhy::RestingOrders: return "cancel_resting_orders";
    case PlanWhy::Partial: return "partial";
    case PlanWhy::FullSmallAccount: return "full_small_account";
    case PlanWhy::FullDeepUnderwater: return "full_deep_underwater";
    case PlanWhy::FullTargetUnreachable: return "full_target_unreachable";
    case PlanWhy::BackstopEquity: return "backstop_equity_below_threshold";
    case PlanWhy::BackstopNoLiquidity: return "backstop_no_liquidity";
    case PlanWhy::WaitInFlight: return "wait_in_flight";
    case PlanWhy::WaitCooldown: return "wait_cooldown";
    case PlanWhy::WaitMarketPaused: return "wait_market_paused";
    case PlanWhy::WaitMarketCapacity: return "wait_market_capacity";
    case PlanWhy::WaitGlobalCap: return "wait_global_cap";
    case PlanWhy::WaitNoFillBackoff: return "wait_no_fill_backoff";
    case PlanWhy::SplitTransfer: return "split_transfer_and_hedge";
  }
  return "?";
}

Qty synthetix_window_capacity(Ratio maker_fee, Ratio taker_fee, Qty skew_scale, Ratio limit_scalar) {
  const i128 v = (static_cast<i128>(maker_fee.v) + taker_fee.v) * skew_scale.v * limit_scalar.v;
  return Qty(static_cast<int64_t>(div_round(v, static_cast<i128>(kRatioOne) * kRatioOne, Round::Floor)));
}

namespace {

// equity ≥ mm × (1 + buffer), exactly.
bool meets(i128 equity, i128 mm, Ratio buffer) {
  return equity * kRatioOne >= mm * (kRatioOne + buffer.v);
}

inline i128 shift_pow(const MarketRisk& m) { return pow10_i128(m.scale.product_dp() - m.scale.quote_dp); }

// Quote value of q × |price difference| or q × price, rounded up (a cost).
inline i128 quote_ceil(const MarketRisk& m, i128 qty_times_price) {
  return div_round(qty_times_price, shift_pow(m), Round::Ceil);
}

// Largest size whose notional at `price` fits `notional` (quote), in whole lots.
inline int64_t qty_for_notional(const MarketRisk& m, i128 notional, Price price) {
  if (notional <= 0 || price.v <= 0) return 0;
  i128 q = notional * shift_pow(m) / price.v;
  if (q > INT64_MAX) q = INT64_MAX;
  return floor_to_lot(Qty(static_cast<int64_t>(q)), m.lot).v;
}

bool in_flight_blocks(const AccountLiqState& st, uint32_t market, TimeMs now, TimeMs timeout) {
  for (const InFlightOrder& f : st.in_flight)
    if (f.active && f.market == market && now - f.sent_ms <= timeout) return true;
  return false;
}

bool no_fill_blocks(const AccountLiqState& st, uint32_t market, TimeMs now) {
  for (const NoFillBackoff& b : st.no_fill)
    if (b.streak > 0 && b.market == market) return now < b.until;
  return false;
}

// An IOC in `market` ended: an empty one lengthens the back-off, a fill clears it.
void note_no_fill(AccountLiqState& st, uint32_t market, bool empty, TimeMs now, TimeMs base, TimeMs cap) {
  NoFillBackoff* slot = nullptr;
  for (NoFillBackoff& b : st.no_fill)
    if (b.streak > 0 && b.market == market) slot = &b;
  if (!empty) {
    if (slot) *slot = NoFillBackoff{};
    return;
  }
  if (base <= 0) return;
  if (!slot) {  // a free slot, else the one whose wait ends first
    slot = &st.no_fill[0];
    for (NoFillBackoff& b : st.no_fill) {
      if (b.streak == 0) { slot = &b; break; }
      if (b.until < slot->until) slot = &b;
    }
    *slot = NoFillBackoff{market, 0, 0};
  }
  if (slot->streak < 32) ++slot->streak;
  TimeMs wait = base;
  for (uint32_t i = 1; i < slot->streak && wait < cap; ++i) wait *= 2;
  slot->until = now + std::min(wait, std::max(cap, base));
}

}  // namespace

Planner::Planner(const PlannerConfig& cfg, std::span<const MarketLiqConfig> markets, const BackstopConfig* backstop)
    : cfg_(cfg), mcfg_(markets.begin(), markets.end()), backstop_(backstop) {
  assert(markets.size() <= kMaxPlannerMarkets);
  window_.reserve(markets.size());
  for (const MarketLiqConfig& m : markets) window_.emplace_back(m.window_ms);
}

Plan Planner::plan(const AccountView& a, AccountLiqState& st, const MarketsView& mv, TimeMs now) const {
  Plan p{};
  const MarginSummary s = cross_margin(a.collateral, a.positions, mv.risk, mv.marks);
  p.equity = s.equity;
  p.mm = s.mm;
  if (s.open_positions == 0) {
    st.in_mode = false;
    return p;
  }
  // 1. Liquidation mode with hysteresis.
  if (!st.in_mode) {
    if (!s.liquidatable()) return p;
    st.in_mode = true;
    p.entered_mode = true;
  } else if (meets(s.equity.v, s.mm.v, cfg_.target_buffer)) {
    st.in_mode = false;
    p.action = PlanAction::ExitMode;
    p.why = PlanWhy::LeftLiquidationMode;
    return p;
  }
  // 2. Resting orders first.
  if (a.resting_orders > 0) {
    p.action = PlanAction::CancelOrders;
    p.why = PlanWhy::RestingOrders;
    return p;
  }

  // Positions riskiest first: largest maintenance margin, then market index.
  std::array<int, kMaxAccountPositions> idx{};
  std::array<Quote, kMaxAccountPositions> pmm{};
  int n = 0;
  i128 total_notional = 0;
  for (int i = 0; i < static_cast<int>(a.positions.size()); ++i) {
    const Position& pos = a.positions[i];
    if (pos.isolated || pos.size.v == 0) continue;
    assert(n < kMaxAccountPositions && pos.market < mv.risk.size());
    const PositionMargin pm = position_margin(mv.risk[pos.market], pos.size, mv.marks[pos.market]);
    total_notional += pm.notional.v;
    int j = n++;
    while (j > 0) {
      const int prev = idx[j - 1];
      const bool before = pmm[j - 1] < pm.mm ||
                          (pmm[j - 1] == pm.mm && a.positions[prev].market > pos.market);
      if (!before) break;
      idx[j] = idx[j - 1];
      pmm[j] = pmm[j - 1];
      --j;
    }
    idx[j] = i;
    pmm[j] = pm.mm;
  }

  const AccountRisk ar{s.equity, s.mm};
  const bool small = total_notional <= cfg_.small_account_notional.v;
  const bool deep = cfg_.deep_underwater_fraction.v > 0
                        ? static_cast<i128>(s.equity.v) * kRatioOne <
                              static_cast<i128>(s.mm.v) * cfg_.deep_underwater_fraction.v
                        : s.equity.v < 0;
  const bool large = total_notional > cfg_.large_account_notional.v;
  const bool backstop_equity =
      backstop_ && backstop_due(s.equity, s.mm, *backstop_, false) == BackstopWhy::EquityBelowThreshold;

  i128 proj_e = s.equity.v;
  i128 proj_mm = s.mm.v;
  i128 global_left = cfg_.global_cap_per_minute.v == INT64_MAX
                         ? static_cast<i128>(INT64_MAX)
                         : static_cast<i128>(cfg_.global_cap_per_minute.v) - global_.total(now);
  bool any_wait = false;
  PlanWhy wait = PlanWhy::WaitInFlight;
  auto note_wait = [&](PlanWhy w) {
    if (!any_wait) {
      wait = w;
      any_wait = true;
    }
  };

  for (int k = 0; k < n && p.n_orders < kMaxPlanOrders; ++k) {
    const Position& pos = a.positions[idx[k]];
    const uint32_t mk = pos.market;
    const MarketRisk& m = mv.risk[mk];
    const Price mark = mv.marks[mk];
    const BreakerEffects eff = mk < mv.effects.size() ? mv.effects[mk] : BreakerEffects{};
    const MarketLiqConfig mc = mk < mcfg_.size() ? mcfg_[mk] : MarketLiqConfig{};
    const Quote pm = pmm[k];
    if (!eff.may_liquidate) { note_wait(PlanWhy::WaitMarketPaused); continue; }
    if (in_flight_blocks(st, mk, now, cfg_.order_timeout_ms)) { note_wait(PlanWhy::WaitInFlight); continue; }

    const bool lng = pos.size.v > 0;
    const Qty abs_size(lng ? pos.size.v : -pos.size.v);
    const Price bp = bankruptcy_price(m, pos.size, mark, pm, ar);

    // 3. Backstop transfer at the bankruptcy price.
    const bool no_liq = (st.no_liquidity_mask >> mk) & 1u;
    const bool refused = (st.backstop_refused_mask >> mk) & 1u;
    const bool vault_market = backstop_ && mk < backstop_->max_notional.size() && backstop_->max_notional[mk].v > 0;
    if (vault_market && !refused && (backstop_equity || no_liq)) {
      LiqOrder o{};
      o.market = mk;
      o.kind = OrderKind::BackstopTransfer;
      o.close_long = lng;
      o.ioc = false;
      o.full_close = true;
      o.qty = abs_size;
      o.limit = bp;
      o.bankruptcy = bp;
      o.notional = Quote(static_cast<int64_t>(quote_ceil(m, static_cast<i128>(abs_size.v) * bp.v)));
      o.why = backstop_equity ? PlanWhy::BackstopEquity : PlanWhy::BackstopNoLiquidity;
      p.orders[p.n_orders++] = o;
      // The position leaves with its share of the equity (TNC × PMMR / TMMR).
      if (s.mm.v > 0) proj_e -= div_round(static_cast<i128>(s.equity.v) * pm.v, s.mm.v, Round::Floor);
      proj_mm -= pm.v;
      continue;
    }
    // 8. Back off after empty IOCs in this market.
    if (no_fill_blocks(st, mk, now)) { note_wait(PlanWhy::WaitNoFillBackoff); continue; }
    // Earlier orders in this plan already restore the target.
    if (!small && !deep && meets(proj_e, proj_mm, cfg_.target_buffer)) break;
    // Large accounts: cooldown between chunks.
    if (large && now - st.last_chunk_ms < cfg_.cooldown_ms * eff.cooldown_mult) {
      note_wait(PlanWhy::WaitCooldown);
      break;
    }

    const Price fp = fillable_price(m, pos.size, mark, pm, ar);
    const i128 slip_per_unit = lng ? static_cast<i128>(mark.v) - fp.v : static_cast<i128>(fp.v) - mark.v;
    // Projected target after closing q at the fillable price, paying the full fee.
    auto reaches_target = [&](int64_t q) {
      const Qty rest(lng ? pos.size.v - q : pos.size.v + q);
      const i128 pm_rest = rest.v == 0 ? 0 : position_margin(m, rest, mark).mm.v;
      const i128 slip = slip_per_unit > 0 ? quote_ceil(m, static_cast<i128>(q) * slip_per_unit) : 0;
      const i128 fee = div_round(quote_ceil(m, static_cast<i128>(q) * fp.v) * m.liquidation_fee.v, kRatioOne,
                                 Round::Ceil);
      return meets(proj_e - slip - fee, proj_mm - pm.v + pm_rest, cfg_.target_buffer);
    };

    // 4. Full or partial.
    int64_t want = abs_size.v;
    PlanWhy why = PlanWhy::Partial;
    if (small) {
      why = PlanWhy::FullSmallAccount;
    } else if (deep) {
      why = PlanWhy::FullDeepUnderwater;
    } else if (!reaches_target(abs_size.v)) {
      why = PlanWhy::FullTargetUnreachable;
    } else {
      const int64_t lot = m.lot.v > 0 ? m.lot.v : 1;
      int64_t lo = 1, hi = abs_size.v / lot;  // smallest number of lots that reaches the target
      if (hi >= 1 && reaches_target(hi * lot)) {
        while (lo < hi) {
          const int64_t mid = lo + (hi - lo) / 2;
          if (reaches_target(mid * lot)) hi = mid;
          else lo = mid + 1;
        }
        want = lo * lot;
      }
    }

    // 6. Bounds.
    int64_t cap = want;
    PlanWhy bound = PlanWhy::WaitMarketCapacity;
    const i128 max_n = div_round(static_cast<i128>(mc.max_order_notional.v) * eff.chunk_scale.v, kRatioOne, Round::Floor);
    cap = std::min<int64_t>(cap, qty_for_notional(m, max_n, fp.v > 0 ? fp : mark));
    if (large) {
      int64_t frac = floor_to_lot(Qty(static_cast<int64_t>(
                                      div_round(static_cast<i128>(abs_size.v) * cfg_.large_chunk_fraction.v,
                                                kRatioOne, Round::Floor))),
                                  m.lot).v;
      if (frac < m.lot.v) frac = m.lot.v;
      cap = std::min(cap, frac);
    }
    if (mc.window_capacity.v > 0) {
      const int64_t left = mc.window_capacity.v - window_[mk].total(now);
      cap = std::min(cap, left > 0 ? floor_to_lot(Qty(left), m.lot).v : 0);
    }
    if (global_left != INT64_MAX) {
      const int64_t g = qty_for_notional(m, global_left, fp.v > 0 ? fp : mark);
      if (g < cap) {
        cap = g;
        bound = PlanWhy::WaitGlobalCap;
      }
    }
    int64_t q = cap >= want ? want : floor_to_lot(Qty(cap), m.lot).v;
    if (q <= 0) {
      note_wait(bound);
      continue;
    }

    LiqOrder o{};
    o.market = mk;
    o.kind = OrderKind::Ioc;
    o.close_long = lng;
    o.full_close = q == abs_size.v;
    o.qty = Qty(q);
    o.limit = fp;
    o.bankruptcy = bp;
    o.notional = Quote(static_cast<int64_t>(quote_ceil(m, static_cast<i128>(q) * fp.v)));
    o.why = why;
    p.orders[p.n_orders++] = o;

    // Project the state after this order for the next position.
    const Qty rest(lng ? pos.size.v - q : pos.size.v + q);
    const i128 pm_rest = rest.v == 0 ? 0 : position_margin(m, rest, mark).mm.v;
    const i128 slip = slip_per_unit > 0 ? quote_ceil(m, static_cast<i128>(q) * slip_per_unit) : 0;
    proj_e -= slip + div_round(static_cast<i128>(o.notional.v) * m.liquidation_fee.v, kRatioOne, Round::Ceil);
    proj_mm -= pm.v - pm_rest;
    global_left -= o.notional.v;
  }

  if (p.n_orders > 0) {
    p.action = PlanAction::Orders;
    p.why = p.orders[0].why;
  } else {
    p.action = PlanAction::Wait;
    p.why = wait;
  }
  return p;
}

bool Planner::revalidate(LiqOrder& o, const AccountView& a, AccountLiqState& st, const MarketsView& mv,
                         TimeMs now) const {
  const Plan p = plan(a, st, mv, now);
  if (p.action != PlanAction::Orders) return false;
  for (int i = 0; i < p.n_orders; ++i) {
    const LiqOrder& f = p.orders[i];
    if (f.market != o.market || f.kind != o.kind || f.close_long != o.close_long) continue;
    if (f.qty < o.qty) {
      o.qty = f.qty;
      o.notional = f.notional;
    }
    o.full_close = f.full_close && o.qty == f.qty;
    o.limit = f.limit;
    o.bankruptcy = f.bankruptcy;
    return true;
  }
  return false;
}

void Planner::on_dispatched(AccountLiqState& st, const LiqOrder& o, TimeMs now) {
  InFlightOrder* slot = nullptr;
  for (InFlightOrder& f : st.in_flight) {
    // A timed-out one of the same kind is replaced; an IOC and a transfer of one
    // split (own book + vault) are in flight side by side.
    if (f.active && f.market == o.market && f.kind == o.kind) { slot = &f; break; }
    if (!f.active && !slot) slot = &f;
  }
  assert(slot && "more in-flight orders than kMaxInFlight");
  if (!slot) return;
  *slot = InFlightOrder{true, o.market, o.kind, o.qty, o.limit, o.notional, now};
  if (o.kind == OrderKind::Ioc) {
    if (o.market < window_.size()) window_[o.market].add(now, o.qty.v);
    global_.add(now, o.notional.v);
  }
  st.last_chunk_ms = now;
}

void Planner::on_order_end(AccountLiqState& st, uint32_t market, Qty filled, TimeMs now) {
  end_order(st, market, nullptr, filled, now);
}

void Planner::on_order_end(AccountLiqState& st, uint32_t market, OrderKind kind, Qty filled, TimeMs now) {
  end_order(st, market, &kind, filled, now);
}

void Planner::end_order(AccountLiqState& st, uint32_t market, const OrderKind* kind, Qty filled, TimeMs now) {
  for (InFlightOrder& f : st.in_flight) {
    if (!f.active || f.market != market || (kind && f.kind != *kind)) continue;
    f.active = false;
    const int64_t unfilled = f.qty.v - filled.v;
    const uint64_t bit = uint64_t{1} << market;
    if (f.kind == OrderKind::Ioc) {
      if (unfilled > 0) {  // credit back what was not liquidated
        if (market < window_.size()) window_[market].add(f.sent_ms, -unfilled);
        const int64_t credit = static_cast<int64_t>(static_cast<i128>(f.notional.v) * unfilled / f.qty.v);
        global_.add(f.sent_ms, -credit);
      }
      if (filled.v == 0) st.no_liquidity_mask |= bit;
      else st.no_liquidity_mask &= ~bit;
      note_no_fill(st, market, filled.v == 0, now, cfg_.no_fill_backoff_ms, cfg_.no_fill_backoff_max_ms);
    } else {
      if (filled < f.qty) st.backstop_refused_mask |= bit;
      st.no_liquidity_mask &= ~bit;
    }
    if (now > st.last_chunk_ms) st.last_chunk_ms = now;
    return;
  }
}

}  // namespace liqd::policy
