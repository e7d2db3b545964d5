// Own book vs transfer-to-vault-and-hedge (executors/split). Hand-computed cases,
// each worked out in its comment, and a brute-force reference over every split.
// Units: price_dp = 1, qty_dp = 0 (Price(1000) = 100.0, Qty(5) = 5 units);
// objective units 10^-(1+0+8), fees 10^-8 (100'000 = 0.1 %).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "executors/split/split.hpp"

namespace liqd::exec {
namespace {

constexpr i128 E8 = kRatioOne;

VenueInput venue(const std::vector<Level>& lv, int64_t fee = 0) {
  VenueInput v;
  v.levels = lv;
  v.taker_fee = Ratio(fee);
  return v;
}

// Owns the venue lists the SplitInput's spans point to.
struct Case {
  std::vector<VenueInput> own, ext;
  SplitInput in;
  Case(Side side, int64_t qty, int64_t limit, std::vector<VenueInput> o, std::vector<VenueInput> e, int64_t vault_max,
       int64_t charge)
      : own(std::move(o)), ext(std::move(e)) {
    in.order = RouteOrder{side, Qty(qty), Price(limit), Urgency::Normal};
    in.own = own;
    in.external = ext;
    in.vault.max_qty = Qty(vault_max);
    in.vault.charge = Ratio(charge);
  }
  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;
};

void check_invariants(const SplitInput& in, const SplitPlan& p) {
  EXPECT_EQ(p.own_qty.v + p.transfer_qty.v + p.unfilled.v, in.order.qty.v);
  EXPECT_LE(p.transfer_qty.v, in.vault.available ? in.vault.max_qty.v : 0);
  const bool sell = in.order.side == Side::Sell;
  for (const RoutePlan* rp : {&p.own, &p.hedge})
    for (int k = 0; k < rp->n_children; ++k) {
      const Price lim = rp->children[k].limit_price;
      EXPECT_TRUE(sell ? lim >= in.order.limit : lim <= in.order.limit);   // fillable bound
    }
  if (p.transfer_qty.v > 0) {
    EXPECT_TRUE(sell ? p.transfer_price >= in.order.limit : p.transfer_price <= in.order.limit);
  }
  // Never worse than closing on the own book alone (same or more filled, then cost).
  EXPECT_TRUE(p.own_qty + p.transfer_qty > p.own_only_filled ||
              (p.own_qty + p.transfer_qty == p.own_only_filled && p.objective <= p.own_only_objective));
}

TEST(Split, DeepExternalBookMeansTransferAndHedge) {
  // Sell 10, bound 90.0. Own bids 99.5 x5, 95.0 x10, no fee.
  // External bids 100.0 x100, fee 0.1 %; vault charge 0.1 % -> 100.0 * 0.998 = 99.8 per unit.
  // 99.8 > 99.5 on every unit: all 10 go to the vault, hedged as one child of 10 @ 100.0.
  std::vector<Level> own{{Price(995), Qty(5)}, {Price(950), Qty(10)}};
  std::vector<Level> ext{{Price(1000), Qty(100)}};
  Case c(Side::Sell, 10, 900, {venue(own)}, {venue(ext, 100'000)}, 1000, 100'000);
  SplitInput& in = c.in;
  SplitPlanner sp;
  SplitPlan p;
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.own_qty, Qty(0));
  EXPECT_EQ(p.transfer_qty, Qty(10));
  ASSERT_EQ(p.hedge.n_children, 1);
  EXPECT_EQ(p.hedge.children[0].qty, Qty(10));
  EXPECT_EQ(p.hedge.children[0].limit_price, Price(1000));
  // notional 10 * 1000 = 10000 units of 0.1; fee = charge = 10000 * 100'000.
  EXPECT_EQ(p.hedge.fees, i128{10000} * 100'000);
  EXPECT_EQ(p.vault_charge, i128{10000} * 100'000);
  // Net 1000.0 - 1.0 - 1.0 = 998.0 for 10 units -> transfer at 99.8.
  EXPECT_EQ(p.transfer_price, Price(998));
  EXPECT_EQ(p.objective, -i128{10000} * (E8 - 200'000));
  // Own book alone: 5 x 99.5 + 5 x 95.0 = 972.5.
  EXPECT_EQ(p.own_only_filled, Qty(10));
  EXPECT_EQ(p.own_only_objective, -i128{9725} * E8);
  EXPECT_TRUE(p.exact);
}

TEST(Split, ThinExternalDeepOwnMeansOwnBook) {
  // Sell 10. Own bids 100.0 x100, no fee. External bids 100.1 x1, 95.0 x100, fee 0.04 %,
  // vault charge 0.1 % -> 100.1 * 0.9986 = 99.95986 < 100.0: nothing beats the own book.
  std::vector<Level> own{{Price(1000), Qty(100)}};
  std::vector<Level> ext{{Price(1001), Qty(1)}, {Price(950), Qty(100)}};
  Case c(Side::Sell, 10, 900, {venue(own)}, {venue(ext, 40'000)}, 1000, 100'000);
  SplitInput& in = c.in;
  SplitPlanner sp;
  SplitPlan p;
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.own_qty, Qty(10));
  EXPECT_EQ(p.transfer_qty, Qty(0));
  EXPECT_EQ(p.transfer_price, Price(0));
  EXPECT_EQ(p.hedge.n_children, 0);
  EXPECT_EQ(p.objective, -i128{10000} * E8);
  EXPECT_EQ(p.objective, p.own_only_objective);
  // Without the vault's charge the first external unit is worth 100.1 * 0.9996 = 100.05996 > 100.0:
  // that one unit is transferred and hedged.
  in.vault.charge = Ratio(0);
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.own_qty, Qty(9));
  EXPECT_EQ(p.transfer_qty, Qty(1));
  // Net 100.1 - 0.04004 = 100.05996 -> floor to the tick: 100.0.
  EXPECT_EQ(p.transfer_price, Price(1000));
  EXPECT_EQ(p.objective, -i128{9000} * E8 - i128{1001} * (E8 - 40'000));
}

TEST(Split, MixedBooksSplitAtEqualMarginalPrices) {
  // Sell 10. Own bids 100.0 x3, 99.0 x10 (no fee). External bids 100.0 x4, 98.0 x100,
  // fee 0.05 % -> 99.95 x4, 97.951 x100; no vault charge.
  // Unit by unit: own 100.0 x3, external 99.95 x4, own 99.0 x3 -> own 6, transfer 4.
  std::vector<Level> own{{Price(1000), Qty(3)}, {Price(990), Qty(10)}};
  std::vector<Level> ext{{Price(1000), Qty(4)}, {Price(980), Qty(100)}};
  Case c(Side::Sell, 10, 900, {venue(own)}, {venue(ext, 50'000)}, 1000, 0);
  SplitInput& in = c.in;
  SplitPlanner sp;
  SplitPlan p;
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.own_qty, Qty(6));
  EXPECT_EQ(p.transfer_qty, Qty(4));
  ASSERT_EQ(p.own.n_children, 1);
  EXPECT_EQ(p.own.children[0].limit_price, Price(990));
  ASSERT_EQ(p.hedge.n_children, 1);
  EXPECT_EQ(p.hedge.children[0].limit_price, Price(1000));
  // own: 3 x 100.0 + 3 x 99.0 = 597.0; hedge: 400.0 less 0.05 % = 399.8.
  EXPECT_EQ(p.objective, -i128{5970} * E8 - i128{4000} * (E8 - 50'000));
  // Net hedge 399.8 / 4 = 99.95 -> rounded down to the tick in the vault's favour: 99.9.
  EXPECT_EQ(p.transfer_price, Price(999));
  // Own book alone: 3 x 100.0 + 7 x 99.0 = 993.0, 3.8 less than the split's 597.0 + 399.8 = 996.8.
  EXPECT_EQ(p.own_only_objective, -i128{9930} * E8);
  EXPECT_EQ(p.own_only_objective - p.objective, i128{38} * E8);
}

TEST(Split, BuyToCloseAShortSplitsTheSameWay) {
  // Buy 8, bound 105.0. Own asks 100.0 x2, 102.0 x10. External asks 100.5 x5, 104.0 x50,
  // fee 0.02 %, charge 0.08 % -> 100.5 * 1.001 = 100.6005, 104.104.
  // Unit by unit: own 100.0 x2, external 100.6005 x5, own 102.0 x1 -> own 3, transfer 5.
  std::vector<Level> own{{Price(1000), Qty(2)}, {Price(1020), Qty(10)}};
  std::vector<Level> ext{{Price(1005), Qty(5)}, {Price(1040), Qty(50)}};
  Case c(Side::Buy, 8, 1050, {venue(own)}, {venue(ext, 20'000)}, 1000, 80'000);
  SplitInput& in = c.in;
  SplitPlanner sp;
  SplitPlan p;
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.own_qty, Qty(3));
  EXPECT_EQ(p.transfer_qty, Qty(5));
  // Net cost 502.5 * 1.001 = 503.0025 for 5 units = 100.6005 -> rounded up: 100.7.
  EXPECT_EQ(p.transfer_price, Price(1007));
  EXPECT_EQ(p.objective, i128{3020} * E8 + i128{5025} * (E8 + 100'000));
}

TEST(Split, FillableBoundIsRespected) {
  // Sell 10, bound 99.5. Own bids 100.0 x1, 99.4 x100; external bids 101.0 x2, 99.0 x100.
  // Inside the bound only 100.0 x1 (own) and 101.0 x2 (external): 3 filled, 7 left.
  std::vector<Level> own{{Price(1000), Qty(1)}, {Price(994), Qty(100)}};
  std::vector<Level> ext{{Price(1010), Qty(2)}, {Price(990), Qty(100)}};
  Case c(Side::Sell, 10, 995, {venue(own)}, {venue(ext)}, 1000, 0);
  SplitInput& in = c.in;
  SplitPlanner sp;
  SplitPlan p;
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.own_qty, Qty(1));
  EXPECT_EQ(p.transfer_qty, Qty(2));
  EXPECT_EQ(p.unfilled, Qty(7));
  EXPECT_EQ(p.transfer_price, Price(1010));
  // A 2 % vault charge: 101.0 * 0.98 = 98.98 net, still taken (filling comes first), but
  // the transfer price is held at the bound 99.5.
  in.vault.charge = Ratio(2'000'000);
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.transfer_qty, Qty(2));
  EXPECT_EQ(p.transfer_price, Price(995));
}

TEST(Split, VaultLimitsAreRespected) {
  // As DeepExternalBookMeansTransferAndHedge, but the vault may take only 3 more units:
  // transfer 3, own 7 = 5 x 99.5 + 2 x 95.0.
  std::vector<Level> own{{Price(995), Qty(5)}, {Price(950), Qty(10)}};
  std::vector<Level> ext{{Price(1000), Qty(100)}};
  Case c(Side::Sell, 10, 900, {venue(own)}, {venue(ext, 100'000)}, 3, 100'000);
  SplitInput& in = c.in;
  SplitPlanner sp;
  SplitPlan p;
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.transfer_qty, Qty(3));
  EXPECT_EQ(p.own_qty, Qty(7));
  EXPECT_EQ(p.objective, -i128{4975 + 1900} * E8 - i128{3000} * (E8 - 200'000));
  // The vault's collateral on the external venue allows a hedge of 2 there (its max_qty).
  std::vector<VenueInput> ext_v{venue(ext, 100'000)};
  ext_v[0].max_qty = Qty(2);
  in.external = ext_v;
  in.vault.max_qty = Qty(1000);
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.transfer_qty, Qty(2));
  EXPECT_EQ(p.own_qty, Qty(8));
  // Vault unavailable: the own book alone.
  in.vault.available = false;
  ASSERT_EQ(sp.plan(in, p), RouteError::Ok);
  check_invariants(in, p);
  EXPECT_EQ(p.transfer_qty, Qty(0));
  EXPECT_EQ(p.own_qty, Qty(10));
  EXPECT_EQ(p.objective, p.own_only_objective);
}

TEST(Split, BadInputIsAnError) {
  SplitPlanner sp;
  SplitPlan p;
  std::vector<Level> own{{Price(1000), Qty(1)}};
  Case c1(Side::Sell, 0, 900, {venue(own)}, {}, 10, 0);
  EXPECT_EQ(sp.plan(c1.in, p), RouteError::BadOrder);
  Case c2(Side::Sell, 5, 900, {venue(own)}, {}, -1, 0);
  EXPECT_EQ(sp.plan(c2.in, p), RouteError::BadVenue);
  // A charge that makes fee + charge reach 100 % is refused by the router.
  std::vector<Level> ext{{Price(1000), Qty(1)}};
  Case c3(Side::Sell, 5, 900, {venue(own)}, {venue(ext, 50'000'000)}, 10, 50'000'000);
  EXPECT_EQ(sp.plan(c3.in, p), RouteError::BadVenue);
}

// Brute force: every unit of every level inside the bound, own and external, valued
// at its signed per-unit cost (price x (1e8 -/+ fee [+ charge])); for each split a,
// the a cheapest own units plus the cheapest (qty - a) external units, at most the
// vault's max. Best = most filled, then cheapest.
struct Ref { int64_t filled = 0; i128 objective = 0; };
Ref brute(const SplitInput& in) {
  const bool sell = in.order.side == Side::Sell;
  auto units = [&](std::span<const VenueInput> vs, int64_t extra) {
    std::vector<i128> u;
    for (const VenueInput& v : vs) {
      if (!v.healthy) continue;
      const int64_t f = v.taker_fee.v + extra;
      for (const Level& l : v.levels) {
        if (sell ? l.px < in.order.limit : l.px > in.order.limit) break;
        for (int64_t k = 0; k < l.qty.v; ++k) u.push_back(sell ? -i128{l.px.v} * (E8 - f) : i128{l.px.v} * (E8 + f));
      }
    }
    std::sort(u.begin(), u.end());
    return u;
  };
  const auto own = units(in.own, 0);
  const auto ext = units(in.external, in.vault.charge.v);
  Ref best{-1, 0};
  for (int64_t a = 0; a <= in.order.qty.v; ++a) {
    const int64_t ao = std::min<int64_t>(a, static_cast<int64_t>(own.size()));
    const int64_t h = std::min<int64_t>({in.order.qty.v - ao, in.vault.max_qty.v, static_cast<int64_t>(ext.size())});
    i128 c = 0;
    for (int64_t k = 0; k < ao; ++k) c += own[static_cast<size_t>(k)];
    for (int64_t k = 0; k < h; ++k) c += ext[static_cast<size_t>(k)];
    if (ao + h > best.filled || (ao + h == best.filled && c < best.objective)) best = {ao + h, c};
  }
  return best;
}

TEST(Split, EqualsBruteForceOverEverySplit) {
  std::mt19937_64 rng(7);
  auto book = [&](bool sell, int n) {
    std::vector<Level> lv;
    int64_t px = 1000 + static_cast<int64_t>(rng() % 21) - 10;
    for (int i = 0; i < n; ++i) {
      lv.push_back({Price(px), Qty(1 + static_cast<int64_t>(rng() % 6))});
      px += (sell ? -1 : 1) * (1 + static_cast<int64_t>(rng() % 4));
    }
    return lv;
  };
  int transfers = 0, splits = 0;
  for (int t = 0; t < 2000; ++t) {
    const bool sell = rng() % 2 == 0;
    const int n_own = 1 + static_cast<int>(rng() % 2), n_ext = static_cast<int>(rng() % 4);
    std::vector<std::vector<Level>> books;
    for (int i = 0; i < n_own + n_ext; ++i) books.push_back(book(sell, 1 + static_cast<int>(rng() % 6)));
    std::vector<VenueInput> own, ext;
    for (int i = 0; i < n_own + n_ext; ++i) {
      VenueInput v = venue(books[static_cast<size_t>(i)], static_cast<int64_t>(rng() % 4) * 25'000);
      if (i >= n_own && rng() % 5 == 0) v.max_qty = Qty(static_cast<int64_t>(rng() % 8));
      (i < n_own ? own : ext).push_back(v);
    }
    const int64_t qty = 1 + static_cast<int64_t>(rng() % 40);
    const int64_t limit = sell ? 985 + static_cast<int64_t>(rng() % 10) : 1005 + static_cast<int64_t>(rng() % 10);
    Case cs(sell ? Side::Sell : Side::Buy, qty, limit, own, ext, static_cast<int64_t>(rng() % 30),
                          static_cast<int64_t>(rng() % 3) * 50'000);
    const SplitInput& in = cs.in;
    // External max_qty enters the reference through its unit list: cap it there too.
    std::vector<VenueInput> ext_ref = ext;
    std::vector<std::vector<Level>> capped;
    for (auto& v : ext_ref) {
      std::vector<Level> c;
      int64_t left = v.max_qty.v;
      for (const Level& l : v.levels) {
        if (left <= 0) break;
        c.push_back({l.px, Qty(std::min(l.qty.v, left))});
        left -= c.back().qty.v;
      }
      capped.push_back(c);
    }
    for (size_t i = 0; i < ext_ref.size(); ++i) ext_ref[i].levels = capped[i];
    SplitInput ref_in = in;
    ref_in.external = ext_ref;
    SplitPlanner sp;
    SplitPlan p;
    ASSERT_EQ(sp.plan(in, p), RouteError::Ok) << t;
    check_invariants(in, p);
    const Ref r = brute(ref_in);
    ASSERT_EQ(p.own_qty.v + p.transfer_qty.v, r.filled) << t;
    ASSERT_EQ(p.objective, r.objective) << t;
    EXPECT_TRUE(p.exact);
    transfers += p.transfer_qty.v > 0;
    splits += p.transfer_qty.v > 0 && p.own_qty.v > 0;
  }
  // The random cases exercise all three outcomes.
  EXPECT_GT(transfers, 200);
  EXPECT_GT(splits, 100);
}

// Unequal lots (the demo's own book 0.00001, Binance 0.001: 1 and 100 units here).
// Reference: every own quantity a in own lots, the a cheapest own units (book
// order), then the hedge on what is left rounded down to the hedge lot, within the
// vault's max; one external venue, so its cost is its first h units. Best = most
// filled, then cheapest, then least transferred (ties go to the own book).
struct LotRef { int64_t own = 0, hedge = 0; i128 objective = 0; };
LotRef brute_lots(const SplitInput& in) {
  const bool sell = in.order.side == Side::Sell;
  auto prefix = [&](const VenueInput& v, int64_t extra) {
    std::vector<i128> c{0};
    for (const Level& l : v.levels) {
      if (sell ? l.px < in.order.limit : l.px > in.order.limit) break;
      const int64_t f = v.taker_fee.v + extra;
      for (int64_t k = 0; k < l.qty.v; ++k)
        c.push_back(c.back() + (sell ? -i128{l.px.v} * (E8 - f) : i128{l.px.v} * (E8 + f)));
    }
    return c;
  };
  const VenueInput& ov = in.own[0];
  const VenueInput& ev = in.external[0];
  const auto own = prefix(ov, 0), ext = prefix(ev, in.vault.charge.v);
  const int64_t own_units = static_cast<int64_t>(own.size()) - 1, ext_units = static_cast<int64_t>(ext.size()) - 1;
  const int64_t Q = in.order.qty.v;
  LotRef best{-1, -1, 0};
  for (int64_t a = 0; a <= Q; a += ov.lot.v) {
    const int64_t ao = std::min(a, own_units / ov.lot.v * ov.lot.v);
    int64_t h = std::min({Q - ao, in.vault.max_qty.v, ext_units, ev.max_qty.v});
    h = h / ev.lot.v * ev.lot.v;
    if (h < ev.min_qty.v) h = 0;
    const i128 c = own[static_cast<size_t>(ao)] + ext[static_cast<size_t>(h)];
    const int64_t f = ao + h, bf = best.own + best.hedge;
    if (f > bf || (f == bf && (c < best.objective || (c == best.objective && h < best.hedge)))) best = {ao, h, c};
  }
  return best;
}

TEST(Split, UnequalLotsHandTracedCase) {
  // Sell 0.3 BTC in 0.00001 units (30'000), bound 90.0. Own bids: 99.0 x 0.025, then
  // 94.0 x 1; hedge (lot 0.001, min 0.001) bids 98.0 x 1. No fees, no charge.
  // Best: 0.025 on the own book at 99.0, the other 0.275 hedged at 98.0 (better
  // than 94.0 own); the hedge's 0.275 is a multiple of its lot, so the whole order
  // fills. A search on own quantities in own lots sees T(a) jump at every a that
  // leaves the hedge off its lot (0.27499 fills 0.274), and lands at a = 0.
  const std::vector<Level> own_bids{{Price(990), Qty(2'500)}, {Price(940), Qty(100'000)}};
  const std::vector<Level> ext_bids{{Price(980), Qty(100'000)}};
  VenueInput own = venue(own_bids);
  VenueInput ext = venue(ext_bids);
  ext.lot = Qty(100);
  ext.min_qty = Qty(100);
  Case c(Side::Sell, 30'000, 900, {own}, {ext}, 1'000'000, 0);
  SplitPlanner sp;
  SplitPlan p;
  ASSERT_EQ(sp.plan(c.in, p), RouteError::Ok);
  check_invariants(c.in, p);
  EXPECT_EQ(p.own_qty.v, 2'500);
  EXPECT_EQ(p.transfer_qty.v, 27'500);
  EXPECT_EQ(p.objective, -(i128{990} * 2'500 + i128{980} * 27'500) * E8);
}

TEST(Split, UnequalLotsEqualBruteForce) {
  std::mt19937_64 rng(11);
  auto book = [&](bool sell, int n, int64_t lot) {
    std::vector<Level> lv;
    int64_t px = 1000 + static_cast<int64_t>(rng() % 21) - 10;
    for (int i = 0; i < n; ++i) {
      lv.push_back({Price(px), Qty(lot * (1 + static_cast<int64_t>(rng() % 6)) + static_cast<int64_t>(rng() % 3) * 37)});
      px += (sell ? -1 : 1) * (1 + static_cast<int64_t>(rng() % 4));
    }
    return lv;
  };
  int transfers = 0, splits = 0, exact = 0;
  for (int t = 0; t < 1500; ++t) {
    const bool sell = rng() % 2 == 0;
    // Own lot 1 with hedge lot 100 (the demo's), or the other way round.
    const bool own_fine = t % 3 != 0;
    const int64_t own_lot = own_fine ? 1 : 100, ext_lot = own_fine ? 100 : 1;
    const std::vector<Level> own_book = book(sell, 1 + static_cast<int>(rng() % 6), 100);
    const std::vector<Level> ext_book = book(sell, 1 + static_cast<int>(rng() % 6), 100);
    VenueInput own = venue(own_book, static_cast<int64_t>(rng() % 4) * 25'000);
    own.lot = Qty(own_lot);
    VenueInput ext = venue(ext_book, static_cast<int64_t>(rng() % 4) * 25'000);
    ext.lot = Qty(ext_lot);
    ext.min_qty = Qty(ext_lot);
    const int64_t qty = own_lot * (1 + static_cast<int64_t>(rng() % (own_fine ? 3000 : 30)));
    const int64_t limit = sell ? 985 + static_cast<int64_t>(rng() % 10) : 1005 + static_cast<int64_t>(rng() % 10);
    Case cs(sell ? Side::Sell : Side::Buy, qty, limit, {own}, {ext}, static_cast<int64_t>(rng() % 3000),
            static_cast<int64_t>(rng() % 3) * 50'000);
    SplitPlanner sp;
    SplitPlan p;
    ASSERT_EQ(sp.plan(cs.in, p), RouteError::Ok) << t;
    check_invariants(cs.in, p);
    const LotRef r = brute_lots(cs.in);
    ASSERT_EQ(p.own_qty.v + p.transfer_qty.v, r.own + r.hedge) << t << " own " << p.own_qty.v << " vs " << r.own;
    ASSERT_EQ(p.objective, r.objective) << t << " own " << p.own_qty.v << " vs " << r.own;
    exact += p.exact;
    transfers += p.transfer_qty.v > 0;
    splits += p.transfer_qty.v > 0 && p.own_qty.v > 0;
  }
  EXPECT_EQ(exact, 1500);   // one lot per side, the coarser a multiple of the finer: provably optimal
  EXPECT_GT(transfers, 200);
  EXPECT_GT(splits, 100);
}

}  // namespace
}  // namespace liqd::exec
