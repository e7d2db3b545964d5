#pragma once
// Synthetic account populations for replays and benchmarks (`liqd gen-accounts`).
//
// Each account is generated from (seed, index) alone (splitmix64), so account i is
// the same whatever n is, and a population can be produced lazily. Only integer
// arithmetic and self-written transforms are used for the decisions (no
// std::*_distribution, whose output is implementation-defined), so one seed gives
// the same population on every build.
//
// Realistic shape (assumptions, not a measured data set; they follow the leverage
// choices venues offer and retail uses: round numbers, median 10x, a tail to 100x+):
//   * leverage (notional / collateral) drawn from {1:5, 2:8, 3:10, 5:15, 10:22,
//     20:15, 25:8, 50:8, 75:3, 100:4, 125:2} % and capped at 1 / imr of the tier
//     the notional falls in (no account starts beyond its initial margin);
//   * notional log-uniform per account between min_notional and max_notional
//     (equal mass per decade: many small accounts, a few whales);
//   * 55 % long; 25 % of accounts also hold a second market;
//   * optionally (isolated_fraction, 0 by default) a share of the single-market
//     accounts in isolated margin: the whole deposit posted to the position, the
//     wallet left at 0 (as liqd-sim's population does). Drawn from its own stream,
//     so the same seed gives the same accounts whatever the share; only their
//     margin mode differs;
//   * entry within ±entry_spread of the reference price (unrealized PnL both ways);
//     an account whose equity at the reference price would be below its initial
//     margin gets entry = reference instead (a population starts healthy).
#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "core/margin/margin.hpp"
#include "core/policy/common.hpp"

namespace liqd::policy {

struct PopulationMarket {
  std::string symbol;
  Price reference_price;
  MarketRisk risk;
};

struct PopulationConfig {
  uint64_t seed = 1;
  Ratio long_fraction{55'000'000};
  Ratio second_market_fraction{25'000'000};
  Ratio entry_spread{3'000'000};              // ±3 %
  Quote min_notional{50'000'000};             // 50 USDC
  Quote max_notional{5'000'000'000'000};      // 5M USDC
  Ratio isolated_fraction{0};                 // of the single-market accounts
};

struct GenPosition {
  uint32_t market = 0;
  Qty size;
  Price entry;
  bool isolated = false;
  Quote isolated_margin;  // when isolated: the deposit posted to it
};

struct GenAccount {
  uint64_t id = 0;
  Quote collateral;       // the cross wallet (0 for an isolated account: all posted)
  uint8_t n_positions = 0;
  std::array<GenPosition, 2> pos{};
  uint32_t leverage = 0;  // the drawn leverage after the cap
};

// The leverage table (value, weight in ‰), for tests and docs.
inline constexpr std::array<std::pair<uint32_t, uint32_t>, 11> kLeverageWeights = {{
    {1, 50}, {2, 80}, {3, 100}, {5, 150}, {10, 220}, {20, 150},
    {25, 80}, {50, 80}, {75, 30}, {100, 40}, {125, 20}}};

GenAccount generate_account(uint64_t index, std::span<const PopulationMarket> markets, const PopulationConfig& cfg);

// One `liqd risk` account object plus "id", as one JSON line (no newline):
// {"id":7,"collateral":"123.45","positions":[{"market":"BTC-USD","size":"0.01","entry_price":"50000"}]}
// an isolated position carries "isolated_margin" (the `liqd risk` key).
std::string account_json(const GenAccount& a, std::span<const PopulationMarket> markets);

}  // namespace liqd::policy
