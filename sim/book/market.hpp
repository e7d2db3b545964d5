#pragma once
// One simulated market: its symbol in each wire format, its fixed-point scale, and the
// synthetic depth profile around the mid.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/money/fixed.hpp"

namespace liqd::sim {

struct DepthProfile {
  int levels = 20;              // per side
  int spread_ticks = 0;         // 0: derived from spread_bps at the reference price
  int level_step_ticks = 0;     // 0: derived from step_bps at the reference price
  int spread_bps_x100 = 100;    // 1 bp (in 1/100 bp)
  int step_bps_x100 = 200;      // 2 bp between levels
  int64_t top_notional = 50'000;// quote (whole units) at the best level
  int growth_pct = 25;          // each deeper level holds this much more
  int jitter_pct = 20;          // ± deterministic noise per level and step
};

struct MarketSpec {
  std::string symbol;           // Binance form, upper case: BTCUSDT
  std::string coin;             // Hyperliquid form: BTC
  std::string pyth_id;          // 64 hex digits, no 0x
  Scale scale;                  // price_dp, qty_dp, quote_dp
  int64_t tick = 1;             // price units per tick
  int64_t lot = 1;              // qty units per lot
  Price ref;                    // price of the path's first open for this market; 0 = path's own
  DepthProfile depth;
};

// "SYMBOL[:ref=P][:tick=T][:lot=L]", e.g. "BTCUSDT:tick=0.1:lot=0.001" or
// "ETHUSDT:ref=190:tick=0.01:lot=0.001". Defaults: tick 0.1, lot 0.001, ref = path's price.
// Returns "" or an error naming the part.
std::string parse_market_spec(std::string_view text, MarketSpec& out);

// The real Pyth price feed ids for BTC, ETH, SOL /USD; other coins get a deterministic
// made-up id (marked by its "51a1" prefix, "sim").
std::string pyth_feed_id(std::string_view coin);

}  // namespace liqd::sim
