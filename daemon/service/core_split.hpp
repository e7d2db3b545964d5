#pragma once
// Own book or transfer-and-hedge, on the core thread (issue 7): once the planner
// has sized a chunk and its fillable bound, CoreSplit reads the own book's depth
// and the vault's hedge venues' depth from their seqlock slots (written by the
// feed thread through a DepthTap, executors/vault/hedge_depth.hpp) and asks
// SplitPlanner how much to close on the own book and how much to transfer to the
// backstop vault, at what price. No allocation after construction, no lock, no
// double: slots are copied into pages sized once, the planner's Router is too.
//
// A hedge venue counts only when its depth is a book other than the own book's
// (`HedgeSource::same_as_own`): the same levels seen twice would be liquidity
// that is not there (liqd-sim serves one book for both, sim/README.md).
#include <cstdint>
#include <vector>

#include "executors/split/split.hpp"
#include "executors/vault/hedge_depth.hpp"

namespace liqd::service {

struct SplitHedgeVenue {
  uint32_t slot = 0;           // index into the hedge DepthBoard (the desk's hedge index)
  exec::VenueInput venue;      // fee, lot, min, max from the market file (levels filled per decision)
};

struct SplitMarket {
  exec::VenueInput own;                 // the own-clob venue: its taker fee, lot, min, max
  std::vector<SplitHedgeVenue> hedges;  // venues whose book is not the own book's
};

struct SplitSettings {
  bool enabled = false;                        // backstop.split, with a vault configured
  Ratio charge{0};                             // backstop.hedge_charge
  std::vector<SplitMarket> markets;            // by market index (empty: no split anywhere)
  const exec::vault::DepthBoard* own = nullptr;    // slot = market index
  const exec::vault::DepthBoard* hedge = nullptr;  // slot = SplitHedgeVenue::slot
};

class CoreSplit {
 public:
  explicit CoreSplit(SplitSettings s);

  // Whether market m can be split at all (enabled, both boards, hedge venues declared).
  bool active(uint32_t m) const;

  // The split of closing `qty` (whole market lots) of a position, long if
  // close_long, inside `limit` (the fillable bound), with the vault taking at most
  // vault_max now. False when no hedge venue has depth on the side taken (the
  // caller sends its IOC as planned); `out` then holds nothing useful.
  bool plan(uint32_t m, bool close_long, Qty qty, Price limit, Qty vault_max, exec::SplitPlan& out);

 private:
  // One slot's page into `page`; false if it was never written or a writer kept it busy.
  static bool read(const exec::vault::DepthSlot& slot, exec::vault::DepthPage& page);

  SplitSettings s_;
  exec::SplitPlanner planner_;
  exec::vault::DepthPage own_page_{};
  exec::vault::DepthPage hedge_pages_[exec::kMaxVenues]{};
  exec::VenueInput own_[1]{};
  exec::VenueInput ext_[exec::kMaxVenues]{};
};

}  // namespace liqd::service
