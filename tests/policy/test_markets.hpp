#pragma once
// Small market definitions shared by the policy tests.
#include <fstream>
#include <sstream>
#include <string>

#include "core/margin/margin.hpp"

namespace liqd::policy::test {

// Price 2 dp (0.01), size 4 dp (0.0001), quote 6 dp (USDC). One unbounded tier.
// (price_dp + qty_dp ≥ quote_dp, as config requires.)
inline MarketRisk one_tier_market(int64_t mmr, int64_t imr, int64_t fee = 0) {
  MarketRisk m{};
  m.scale = Scale{2, 4, 6};
  m.tick = Price(1);
  m.lot = Qty(1);
  m.n_tiers = 1;
  m.tiers[0].mmr = Ratio(mmr);
  m.tiers[0].imr = Ratio(imr);
  m.liquidation_fee = Ratio(fee);
  return m;
}

// Binance USD-M BTCUSDT's first tiers (published leverage brackets: notional
// 0–50k 0.4 % MMR / 125x, 50k–250k 0.5 % / 100x, 250k–3M 1 % / 50x, then 2.5 %
// / 20x, unbounded here), deductions derived. Price 2 dp, size 4 dp, quote 6 dp.
inline MarketRisk btc_tiered_market() {
  MarketRisk m{};
  m.scale = Scale{2, 4, 6};
  m.tick = Price(10);
  m.lot = Qty(1);
  m.n_tiers = 4;
  const int64_t bounds[4] = {50'000'000'000, 250'000'000'000, 3'000'000'000'000, INT64_MAX};
  const int64_t mmr[4] = {400'000, 500'000, 1'000'000, 2'500'000};
  const int64_t imr[4] = {800'000, 1'000'000, 2'000'000, 5'000'000};
  for (int i = 0; i < 4; ++i) {
    m.tiers[i].max_notional = Quote(bounds[i]);
    m.tiers[i].mmr = Ratio(mmr[i]);
    m.tiers[i].imr = Ratio(imr[i]);
  }
  derive_deductions(m, nullptr, nullptr);
  m.liquidation_fee = Ratio(500'000);  // 0.5 %
  return m;
}

inline std::string read_test_file(const std::string& rel) {
  std::ifstream f(std::string(LIQD_TEST_DATA_DIR) + "/" + rel);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Value of "key":"digits" inside `s` after position `from` (test-only helper).
inline int64_t json_int_field(const std::string& s, const std::string& key, size_t from = 0) {
  size_t k = s.find("\"" + key + "\":", from);
  if (k == std::string::npos) return -1;
  k += key.size() + 3;
  if (s[k] == '"') ++k;
  return std::stoll(s.substr(k));
}

}  // namespace liqd::policy::test
