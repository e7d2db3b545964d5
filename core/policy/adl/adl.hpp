#pragma once
// Auto-deleveraging (issue 5, item 4): the last absorber, used only when the
// insurance fund cannot pay a shortfall.
//
// Ranking (BitMEX "Auto Deleveraging", bitmex.com/app/autoDeleveraging; Binance
// and MEXC publish the same):
//   Ranking = PNL% × Effective Leverage   if PNL% > 0
//           = PNL% / Effective Leverage   if PNL% < 0
//   Effective Leverage = |Mark Value| / (Mark Value − Bankrupt Value)
//   PNL%               = (Mark Value − Avg Entry Value) / |Avg Entry Value|
// Values are size × price, so size cancels: for a position of sign σ,
//   PNL% = σ (mark − entry) / entry,   leverage = mark / |mark − bankruptcy|.
// Positions are split by side and ranked highest first; ties go to the lower account id.
// Scores are integers: PNL% at 1e-12 and leverage at 1e-6 (saturated at 10^12 and
// 10^6 × 10^6), so the order is deterministic and needs no floating point.
//
// ADL quantile (1–5, 5 = first in line): BitMEX's 20 % lights, by cumulative size
// in ranking order: quantile = 6 − ceil(5 × cumulative size incl. this one / total).
//
// Deleveraging: the bankrupt position's remaining size is closed against the
// profitable opposite-side positions in ranking order at the bankrupt position's
// bankruptcy price, so its loss stops at zero and the counterparties give up the
// difference between mark and that price on the deleveraged size.
#include <cstdint>
#include <span>
#include <vector>

#include "core/policy/common.hpp"

namespace liqd::policy {

struct AdlPosition {
  uint64_t account = 0;
  Qty size;          // signed, != 0
  Price entry;       // > 0
  Price bankruptcy;  // of this position (liquidation_prices.hpp)
};

// BitMEX ranking score at scale 1e-18 (see above). Higher = deleveraged first.
i128 adl_score(const AdlPosition& p, Price mark);

struct AdlRanked {
  uint32_t index = 0;   // into the positions span
  i128 score = 0;
  uint8_t quantile = 0; // 1..5
  bool profitable = false;
};

// Ranks the positions of one side (all of them must have the same sign).
std::vector<AdlRanked> adl_rank(std::span<const AdlPosition> side, Price mark);

struct AdlFill {
  uint64_t account = 0;
  uint32_t index = 0;   // into the positions span
  Qty qty;              // > 0, reduced from that position
  Price price;          // the bankrupt position's bankruptcy price
};

struct AdlResult {
  std::vector<AdlFill> fills;
  Qty unfilled;         // > 0 when profitable counterparties ran out (bad debt)
};

// Closes `qty` (> 0, lot multiple) of a bankrupt position of sign `bankrupt_long`
// at `bankruptcy` against `opposite` (positions of the other sign), in ranking order,
// profitable ones only. Each fill is a whole number of lots.
AdlResult adl_allocate(std::span<const AdlPosition> opposite, Price mark, bool bankrupt_long, Qty qty,
                       Price bankruptcy, Qty lot);

// How much of a chunk the fund can carry: closing `qty` at an expected `fill`
// below (long) / above (short) `bankruptcy` costs (|bankruptcy − fill|) per unit;
// the fund's `available` pays for `market` lots, the rest goes to ADL.
struct FundSplit {
  Qty market;  // sold in the market, the fund pays its shortfall
  Qty adl;     // closed by ADL at the bankruptcy price
};
FundSplit split_for_fund(Qty qty, Price fill, Price bankruptcy, bool long_side, Quote available,
                         const Scale& s, Qty lot);

}  // namespace liqd::policy
