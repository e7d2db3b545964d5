#pragma once
// Inputs and outputs of the smart order router. Everything is fixed-point in one
// market Scale shared by every venue of that market (the feeds normalise venue
// books to it). Spans point into caller-owned memory: the router copies nothing.
#include <cstdint>
#include <span>

#include "core/money/fixed.hpp"
#include "core/money/int128.hpp"

namespace liqd::exec {

// Side of the taker order we send. A liquidation of a long sells into bids.
enum class Side : uint8_t { Buy, Sell };

// How soon the remainder must be gone. Decides what becomes of what cannot be
// placed now: time slices for low/normal/high, backstop transfer for immediate.
enum class Urgency : uint8_t { Low, Normal, High, Immediate };

// One price level of the side we take: bids for a sell (best = highest first),
// asks for a buy (best = lowest first). Levels must be strictly ordered best first.
struct Level {
  Price px;
  Qty qty;
};

// One venue as the router sees it for one decision.
struct VenueInput {
  Ratio taker_fee{0};        // 10^-8; 0.0004 = 40'000
  Qty lot{1};                // order quantity must be a multiple of this (> 0)
  Qty min_qty{0};            // smallest accepted order (rounded up to a lot)
  Qty max_qty{INT64_MAX};    // largest accepted order (rounded down to a lot)
  bool healthy = true;       // false: connection down, rate-limited, halted
  std::span<const Level> levels;  // the side we take, best first
};

struct RouteOrder {
  Side side = Side::Sell;
  Qty qty{0};                // > 0
  Price limit{0};            // raw price bound: sell >= limit, buy <= limit
  Urgency urgency = Urgency::Normal;
};

// One child order, at most one per venue.
struct Child {
  uint16_t venue = 0;        // index into the venues span
  Qty qty{0};
  Price limit_price{0};      // worst level taken there
  Price avg_price{0};        // notional / qty, rounded against us
  i128 notional = 0;         // sum px*qty, units 10^-(price_dp+qty_dp)
  i128 fee = 0;              // notional*fee, units 10^-(price_dp+qty_dp+8)
};

// What happens to the quantity that could not be placed now.
enum class RemainderAction : uint8_t {
  None,       // everything placed
  Twap,       // time slices, each at most a participation cap of visible depth
  Retry,      // nothing visible within the limit (or venues down): look again later
  Backstop,   // transfer to the backstop vault inside the fillable bound
};

struct RemainderPlan {
  RemainderAction action = RemainderAction::None;
  Qty qty{0};               // the unplaced quantity this plan covers
  Qty slice_qty{0};         // Twap: quantity per slice
  uint32_t slices = 0;      // Twap: number of slices
  uint32_t interval_ms = 0; // Twap: time between slices; Retry: wait before retrying
};

inline constexpr int kMaxVenues = 16;

struct RoutePlan {
  Child children[kMaxVenues];
  int n_children = 0;
  Qty filled{0};
  Qty unfilled{0};
  i128 notional = 0;         // units 10^-(price_dp+qty_dp)
  i128 fees = 0;             // units 10^-(price_dp+qty_dp+8)
  // What the router minimised once the fill was maximal, in units
  // 10^-(price_dp+qty_dp+8): buy  sum px*q*(1+fee), sell -sum px*q*(1-fee).
  i128 objective = 0;
  Price best_px{0};          // best raw price of the consolidated book (0 if empty)
  bool exact = false;        // true when the allocation is provably optimal
  uint32_t steps = 0;        // greedy picks made (diagnostics, benchmarks)
  RemainderPlan remainder;
};

enum class RouteError : uint8_t {
  Ok = 0,
  BadOrder,        // qty <= 0 or limit <= 0
  TooManyVenues,   // more than kMaxVenues
  BadVenue,        // lot <= 0, negative fee/min/max, unordered levels
};

const char* to_string(RouteError e);

}  // namespace liqd::exec
