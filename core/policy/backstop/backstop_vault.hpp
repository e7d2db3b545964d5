#pragma once
// Backstop vault (issue 5, item 3): the last resort before the fund and ADL see
// a position. A position is transferred to a configured backstop account at its
// bankruptcy price when
//   * it cannot be sold inside its bounds (an IOC at the fillable price found no
//     liquidity), or
//   * the account's equity is below trigger_fraction × MM (Hyperliquid transfers
//     at 2/3 of maintenance margin: "backstop liquidation", hyperliquid.gitbook.io).
// The vault takes only what its own limits allow: a notional cap per market, a total
// notional cap, and its own margin (equity ≥ MM × (1 + buffer) after the transfer).
// What it cannot take stays with the liquidation engine (fund, then ADL).
//
// The vault's positions use the entry-0 convention of core/margin (collateral
// nets the cost), so a transfer is exact: collateral −= Δsize × price (the vault's
// cost rounded up against the vault), size += Δsize.
#include <cstdint>
#include <span>
#include <vector>

#include "core/margin/margin.hpp"
#include "core/policy/common.hpp"

namespace liqd::policy {

struct BackstopConfig {
  uint64_t account = 0;
  Ratio trigger_fraction{66'666'667};     // equity < 2/3 × MM → transfer
  std::vector<Quote> max_notional;        // per market (index = market); 0 = market not backstopped
  Quote max_total_notional{INT64_MAX};
  Ratio margin_buffer{10'000'000};        // vault keeps equity ≥ MM × 1.1
};

enum class BackstopWhy : uint8_t { None, NoLiquidity, EquityBelowThreshold };
const char* to_string(BackstopWhy w);

// Should this account's positions go to the vault? `no_liquidity`: the last IOC at
// the fillable price filled nothing.
BackstopWhy backstop_due(Quote equity, Quote mm, const BackstopConfig& cfg, bool no_liquidity);

struct BackstopVault {
  Quote collateral;
  std::vector<Position> positions;  // index = market, entry 0; size 0 = flat
};

// Largest lot-multiple part of `size` (the liquidated position, signed) the vault
// can take at `price` in `market` within its limits; 0 if none. Each probe
// applies the transfer to `v` and undoes it exactly: `v` is unchanged on return
// (no copy, no allocation when v.positions already has a slot per market).
Qty backstop_capacity(BackstopVault& v, const BackstopConfig& cfg, std::span<const MarketRisk> markets,
                      std::span<const Price> marks, uint32_t market, Qty size, Price price);

// Moves `size` (signed, the liquidated position's side) into the vault at `price`.
void backstop_apply(BackstopVault& v, const MarketRisk& m, uint32_t market, Qty size, Price price);

}  // namespace liqd::policy
