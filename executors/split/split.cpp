#include "executors/split/split.hpp"

#include <cassert>

#include "executors/router/fraction.hpp"

namespace liqd::exec {

namespace {

int64_t gcd64(int64_t a, int64_t b) {
  while (b != 0) { int64_t t = a % b; a = b; b = t; }
  return a;
}

bool better(Qty f1, i128 o1, Qty f2, i128 o2) { return f1 > f2 || (f1 == f2 && o1 < o2); }

// The one lot every usable venue of a side shares, none with a minimum above it:
// that side's cost is then convex on multiples of it (router README). 0: no usable
// venue; -1: mixed lots or a larger minimum.
int64_t side_lot(std::span<const VenueInput> side) {
  int64_t lot = 0;
  for (const VenueInput& v : side) {
    if (!v.healthy || v.levels.empty()) continue;
    if (lot == 0) lot = v.lot.v;
    if (v.lot.v != lot || v.min_qty.v > lot) return -1;
  }
  return lot;
}

// Whether the search's T is convex on its grid. Each side has one lot; the split
// point moves on multiples of the coarser one (the finer divides it), so the other
// side's quantity, qty minus a multiple of the coarser lot, stays on multiples of
// the finer one when qty does: both costs are convex along the grid, so their sum is.
bool convex_split(const SplitInput& in) {
  const int64_t lo = side_lot(in.own), le = side_lot(in.external);
  if (lo < 0 || le < 0) return false;
  if (lo == 0 || le == 0 || lo == le) return true;
  const int64_t fine = lo < le ? lo : le, coarse = lo < le ? le : lo;
  return coarse % fine == 0 && in.order.qty.v % fine == 0;
}

// The gcd of a side's usable lots (0: none).
int64_t lots_gcd(std::span<const VenueInput> side) {
  int64_t g = 0;
  for (const VenueInput& v : side)
    if (v.healthy && !v.levels.empty()) g = g == 0 ? v.lot.v : gcd64(g, v.lot.v);
  return g;
}

}  // namespace

RouteError SplitPlanner::eval_own(const SplitInput& in, int64_t q, RoutePlan& p) {
  p = RoutePlan{};
  p.exact = true;   // nothing to place: trivially optimal
  if (q <= 0 || in.own.empty()) return RouteError::Ok;
  RouteOrder o = in.order;
  o.qty = Qty(q);
  ++calls_;
  return router_.route(o, in.own, p);
}

RouteError SplitPlanner::eval_hedge(const SplitInput& in, int64_t q, RoutePlan& p, i128& charge) {
  p = RoutePlan{};
  p.exact = true;
  charge = 0;
  if (!in.vault.available) return RouteError::Ok;
  if (q > in.vault.max_qty.v) q = in.vault.max_qty.v;
  if (q <= 0 || n_ext_ == 0) return RouteError::Ok;
  RouteOrder o = in.order;
  o.qty = Qty(q);
  ++calls_;
  RouteError e = router_.route(o, std::span<const VenueInput>(ext_, static_cast<size_t>(n_ext_)), p);
  if (e != RouteError::Ok) return e;
  // The router saw fee + charge; report venue fees and the vault's charge apart.
  p.fees = 0;
  for (int k = 0; k < p.n_children; ++k) {
    Child& c = p.children[k];
    c.fee = c.notional * in.external[c.venue].taker_fee.v;
    p.fees += c.fee;
    charge += c.notional * in.vault.charge.v;
  }
  p.objective -= charge;   // sell: -n(1e8-f-c) = -n(1e8-f) + n c; buy: n(1e8+f+c) = n(1e8+f) + n c
  return RouteError::Ok;
}

RouteError SplitPlanner::eval(const SplitInput& in, int64_t a, Side2& r) {
  RoutePlan p;
  i128 charge = 0;
  RouteError e = eval_own(in, a, p);
  if (e != RouteError::Ok) return e;
  r.filled = p.filled;
  r.objective = p.objective;
  e = eval_hedge(in, in.order.qty.v - p.filled.v, p, charge);
  if (e != RouteError::Ok) return e;
  r.filled += p.filled;
  r.objective += p.objective + charge;
  return RouteError::Ok;
}

RouteError SplitPlanner::plan(const SplitInput& in, SplitPlan& out) {
  out = SplitPlan{};
  calls_ = 0;
  const int64_t Q = in.order.qty.v;
  if (Q <= 0 || in.order.limit.v <= 0) return RouteError::BadOrder;
  if (in.external.size() > static_cast<size_t>(kMaxVenues) || in.own.size() > static_cast<size_t>(kMaxVenues))
    return RouteError::TooManyVenues;
  if (in.vault.max_qty.v < 0 || in.vault.charge.v < 0) return RouteError::BadVenue;
  n_ext_ = static_cast<int>(in.external.size());
  for (int i = 0; i < n_ext_; ++i) {
    ext_[i] = in.external[static_cast<size_t>(i)];
    if (ext_[i].taker_fee.v < 0) return RouteError::BadVenue;
    ext_[i].taker_fee = Ratio(ext_[i].taker_fee.v + in.vault.charge.v);   // >= 1e8 is refused by the router
  }

  // The alternative: own venues only. It also bounds what the own side can take.
  RouteError e = eval_own(in, Q, out.own);
  if (e != RouteError::Ok) return e;
  out.own_only_filled = out.own.filled;
  out.own_only_objective = out.own.objective;
  const int64_t own_cap = out.own.filled.v;
  i128 charge = 0;
  e = eval_hedge(in, Q, out.hedge, charge);
  if (e != RouteError::Ok) return e;
  const int64_t ext_cap = out.hedge.filled.v;

  int64_t a = own_cap;   // everything usable fits: take all of both sides
  const int64_t ext_step = lots_gcd(in.external);
  int64_t own_step = 0;
  for (const VenueInput& v : in.own) own_step = own_step == 0 ? v.lot.v : gcd64(own_step, v.lot.v);
  if (own_step <= 0) own_step = 1;
  if (own_cap + ext_cap > Q && ext_step > own_step && ext_step % own_step == 0) {
    // The hedge's lots are the coarser (the demo's own book 0.00001, Binance 0.001):
    // the split point moves on hedge quantities h, multiples of its lot, the own book
    // taking the rest. On own quantities instead, every a leaving the hedge off its
    // lot loses fill (T jumps there), and the slope search lands anywhere.
    int64_t lo = Q - own_cap > 0 ? Q - own_cap : 0;
    lo = (lo + ext_step - 1) / ext_step * ext_step;
    int64_t hi = (ext_cap < Q ? ext_cap : Q) / ext_step * ext_step;
    if (lo > hi) lo = hi;
    // Smallest k with T(lo + (k+1) step) not better than T(lo + k step): ties -> less hedge.
    int64_t kl = 0, kh = (hi - lo) / ext_step;
    while (kl < kh) {
      const int64_t m = kl + (kh - kl) / 2;
      Side2 e1, e2;
      if ((e = eval(in, Q - (lo + m * ext_step), e1)) != RouteError::Ok) return e;
      if ((e = eval(in, Q - (lo + (m + 1) * ext_step), e2)) != RouteError::Ok) return e;
      if (better(e2.filled, e2.objective, e1.filled, e1.objective)) kl = m + 1;
      else kh = m;
    }
    a = Q - (lo + kl * ext_step);
  } else if (own_cap + ext_cap > Q) {
    // The own side's quantities move in steps of its lots' gcd.
    const int64_t step = own_step;
    int64_t lo = Q - ext_cap > 0 ? Q - ext_cap : 0;
    lo = (lo + step - 1) / step * step;
    int64_t hi = own_cap / step * step;
    if (lo > hi) lo = hi;
    // Smallest k with T(lo + (k+1) step) not better than T(lo + k step); ties -> more own.
    int64_t kl = 0, kh = (hi - lo) / step;
    while (kl < kh) {
      const int64_t m = kl + (kh - kl) / 2;
      Side2 e1, e2;
      if ((e = eval(in, lo + m * step, e1)) != RouteError::Ok) return e;
      if ((e = eval(in, lo + (m + 1) * step, e2)) != RouteError::Ok) return e;
      if (better(e1.filled, e1.objective, e2.filled, e2.objective)) kh = m;
      else kl = m + 1;
    }
    a = lo + kl * step;
  }

  if ((e = eval_own(in, a, out.own)) != RouteError::Ok) return e;
  if ((e = eval_hedge(in, Q - out.own.filled.v, out.hedge, out.vault_charge)) != RouteError::Ok) return e;
  out.own_qty = out.own.filled;
  out.transfer_qty = out.hedge.filled;
  out.unfilled = Qty(Q - out.own_qty.v - out.transfer_qty.v);
  out.objective = out.own.objective + out.hedge.objective + out.vault_charge;
  if (out.transfer_qty.v > 0) {
    const bool sell = in.order.side == Side::Sell;
    const i128 gross = out.hedge.notional * kRatioOne;
    const i128 net = sell ? gross - out.hedge.fees - out.vault_charge : gross + out.hedge.fees + out.vault_charge;
    const i128 den = static_cast<i128>(out.transfer_qty.v) * kRatioOne;
    int64_t px = static_cast<int64_t>(div_round(net, den, sell ? Round::Floor : Round::Ceil));
    if (sell ? px < in.order.limit.v : px > in.order.limit.v) px = in.order.limit.v;   // inside the fillable bound
    out.transfer_price = Price(px);
  }
  out.exact = convex_split(in) && out.own.exact && out.hedge.exact;
  out.evaluations = calls_;
  assert(out.unfilled.v >= 0);
  return RouteError::Ok;
}

}  // namespace liqd::exec
