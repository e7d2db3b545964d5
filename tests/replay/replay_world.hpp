#pragma once
// The replay tests' world: the three shipped real crash paths (tests/data/crash_days,
// see PROVENANCE.md there) and a generated population over the daemon's configured
// markets (config/liqd.yaml), as `liqd gen-accounts` writes it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/policy/population/population.hpp"
#include "daemon/replay/price_path.hpp"
#include "daemon/replay/replay_engine.hpp"
#include "daemon/replay/replay_setup.hpp"

namespace liqd::replay {

inline constexpr const char* kPaths[3] = {
    "binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv",
    "binance_usdm_BTCUSDT_1m_2021-05-19T1055Z_1523Z.csv",
    "binance_usdm_BTCUSDT_1m_2022-11-08T1816Z_2028Z.csv",
};

struct World {
  ReplaySetup setup;
  std::vector<ReplayAccount> accounts;
};

// The daemon's markets at the path's own first open for BTC (so BTC follows the real
// prices) and round references for ETH and DOGE; `n` accounts of seed `seed`, the
// same population `liqd gen-accounts` writes for these arguments (15 % of the
// single-market accounts isolated, its default).
inline World make_world(const std::vector<Bar>& bars, int n, uint64_t seed, Ratio isolated = Ratio(15'000'000)) {
  World w;
  std::string err;
  const std::string btc = "BTC-USD=" + std::to_string(bars.front().open / 100'000'000) + "." +
                          std::to_string(bars.front().open / 1'000'000 % 100 + 100).substr(1);
  EXPECT_TRUE(load_replay_setup(std::string(LIQD_CONFIG_DIR) + "/liqd.yaml", {btc, "ETH-USD=3000", "DOGE-USD=0.15"},
                                w.setup, err))
      << err;
  std::vector<policy::PopulationMarket> pm;
  for (const ReplayMarket& m : w.setup.markets) pm.push_back(policy::PopulationMarket{m.symbol, m.reference, m.risk});
  policy::PopulationConfig pc{};
  pc.seed = seed;
  pc.isolated_fraction = isolated;
  for (int i = 0; i < n; ++i) {
    const policy::GenAccount g = policy::generate_account(static_cast<uint64_t>(i), pm, pc);
    ReplayAccount a;
    a.id = g.id;
    a.collateral = g.collateral;
    for (int k = 0; k < g.n_positions; ++k) {
      Position p;
      p.market = g.pos[static_cast<size_t>(k)].market;
      p.size = g.pos[static_cast<size_t>(k)].size;
      p.entry = g.pos[static_cast<size_t>(k)].entry;
      p.isolated = g.pos[static_cast<size_t>(k)].isolated;
      p.isolated_margin = g.pos[static_cast<size_t>(k)].isolated_margin;
      a.positions.push_back(p);
    }
    w.accounts.push_back(a);
  }
  return w;
}

inline std::vector<Bar> path(const char* f) {
  std::vector<Bar> bars;
  std::string err;
  EXPECT_TRUE(load_price_path(std::string(LIQD_TEST_DATA_DIR) + "/crash_days/" + f, bars, err)) << err;
  return bars;
}

}  // namespace liqd::replay
