// What the split tests (core_split_test, core_stage_split_test) build their books
// from: a venue's trading terms and a depth page stored into a seqlock slot.
#pragma once

#include <initializer_list>

#include "executors/router/types.hpp"
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

}  // namespace liqd::service::test
