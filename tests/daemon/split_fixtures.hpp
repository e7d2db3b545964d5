// What the split tests (core_split_test, core_stage_split_test) build their books
// from: a venue's trading terms and a depth page stored into a seqlock slot; and
// their reference, SplitPlanner itself on the bids those slots hold.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <span>

#include "executors/router/types.hpp"
#include "executors/split/split.hpp"
#include "executors/vault/hedge_depth.hpp"

namespace liqd::service::test {

inline exec::VenueInput venue(int64_t fee, int64_t lot, int64_t min_qty) {
  exec::VenueInput v;
  v.taker_fee = Ratio(fee);
  v.lot = Qty(lot);
  v.min_qty = Qty(min_qty);
  return v;
}

inline void store_bids(exec::vault::DepthSlot& slot, std::initializer_list<exec::Level> bids) {
  exec::vault::DepthPage p;
  for (const exec::Level& l : bids) p.bids[p.n_bids++] = l;
  p.updates = 1;
  slot.store(p);
}

// SplitPlanner on a sell of `qty` down to `limit`: own venue `o` on market 0 of
// `own`, hedge venue `h` on market 0 of `hedge`, the vault's room and charge.
inline exec::SplitPlan planner_on_slots(const exec::vault::DepthBoard& own, const exec::vault::DepthBoard& hedge,
                                        exec::VenueInput o, exec::VenueInput h, Qty qty, Price limit, Qty vault_max,
                                        Ratio charge) {
  exec::vault::DepthPage op, hp;
  EXPECT_TRUE(own.slot(0).load(op));
  EXPECT_TRUE(hedge.slot(0).load(hp));
  o.levels = std::span<const exec::Level>(op.bids.data(), op.n_bids);
  h.levels = std::span<const exec::Level>(hp.bids.data(), hp.n_bids);
  exec::SplitInput in;
  in.order = exec::RouteOrder{exec::Side::Sell, qty, limit, exec::Urgency::High};
  in.own = std::span<const exec::VenueInput>(&o, 1);
  in.external = std::span<const exec::VenueInput>(&h, 1);
  in.vault = exec::VaultLimits{true, vault_max, charge};
  exec::SplitPlanner planner;
  exec::SplitPlan out;
  EXPECT_EQ(planner.plan(in, out), exec::RouteError::Ok);
  return out;
}

}  // namespace liqd::service::test
