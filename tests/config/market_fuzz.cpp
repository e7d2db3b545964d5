// Fuzz target: any bytes as a market file. The loader must never throw or crash,
// every error must carry a key and a reason, and whatever it accepts must satisfy
// the invariants the margin engine and the health index rely on.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/market_config.hpp"
#include "core/margin/margin.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liqd;
  std::string text(reinterpret_cast<const char*>(data), size);
  config::Diagnostics diag;
  std::optional<config::MarketConfig> m = config::load_market_string(text, "fuzz.yaml", config::MarketDefaults{6}, diag);
  require(m.has_value() == diag.ok());
  for (const config::ConfigError& e : diag.errors()) require(e.line >= 0 && !e.key.empty() && !e.reason.empty());
  if (!m) return 0;
  const MarketRisk& r = m->risk;
  require(r.n_tiers >= 1 && r.n_tiers <= kMaxTiers);
  require(r.scale.price_dp + r.scale.qty_dp <= kEquityDp);
  require(r.scale.quote_dp <= r.scale.product_dp());
  require(r.tick.v > 0 && r.lot.v > 0);
  for (int i = 0; i < r.n_tiers; ++i) {
    const MarginTier& t = r.tiers[i];
    require(t.mmr.v > 0 && t.mmr <= t.imr && t.imr.v <= kRatioOne);
    if (i + 1 < r.n_tiers) {
      require(!t.unbounded() && t.max_notional < r.tiers[i + 1].max_notional);
      require(mm_jump_at_boundary(r, i) == 0 && im_jump_at_boundary(r, i) == 0);
    }
  }
  return 0;
}
