#include "daemon/service/metrics_vault.hpp"

#include <cmath>
#include <cstring>
#include <map>
#include <string>

namespace liqd::service {

namespace {

std::string label(const VaultLabel& l) { return std::string(l.data(), ::strnlen(l.data(), l.size())); }
double units(int64_t v, int dp) { return static_cast<double>(v) / std::pow(10.0, dp); }
constexpr int kBaseDp = 8;   // exec::vault::kBaseDp: base exposures are in 10^-8 base
constexpr const char* kOutcomes[kVaultHedgeOutcomes] = {"sent", "filled", "partial", "no_fill", "refused"};

}  // namespace

void add_vault_metrics(metrics::Registry& r, const VaultSnapshot& v) {
  if (!v.enabled) return;
  std::map<std::string, int64_t> net_base;                        // base -> 10^-8
  std::map<std::string, std::array<uint64_t, kVaultHedgeOutcomes>> hedges;  // venue -> by outcome
  for (std::size_t i = 0; i < v.n_contracts && i < v.contracts.size(); ++i) {
    const VaultContractRow& c = v.contracts[i];
    const std::string venue = label(c.venue), market = label(c.market), base = label(c.base), settle = label(c.settle);
    const metrics::Labels vm{{"venue", venue}, {"market", market}};
    const metrics::Labels vma{{"venue", venue}, {"market", market}, {"asset", settle}};
    r.gauge("liqd_vault_inventory_contracts", "The backstop vault's position per venue contract (signed, in contracts).", vm)
        .set(units(c.contracts, c.qty_dp));
    r.gauge("liqd_vault_inventory_base", "The backstop vault's position per venue contract as base exposure at the mark (signed).",
            {{"venue", venue}, {"market", market}, {"base", base}})
        .set(units(c.base_units, kBaseDp));
    r.gauge("liqd_vault_entry_price", "Average entry price of the vault's position per venue contract (0 when flat).", vm)
        .set(units(c.entry_price, c.price_dp));
    r.gauge("liqd_vault_realized_pnl", "PnL the vault realised per venue contract since start, in the settlement asset.", vma)
        .set(units(c.realized, c.settle_dp));
    r.gauge("liqd_vault_unrealized_pnl", "PnL of the vault's open position per venue contract at the mark, in the settlement asset.", vma)
        .set(units(c.unrealized, c.settle_dp));
    r.gauge("liqd_vault_basis_ratio", "A hedge venue's price against this venue's mark for the same market, minus 1 (0 for this venue).", vm)
        .set(units(c.basis, 8));
    r.counter("liqd_vault_fills_total", "Fills booked by the vault per venue contract (transfers on this venue, hedges elsewhere).", vm)
        .inc(static_cast<double>(c.fills));
    net_base[base] += c.base_units;
    if (c.hedge) {
      auto& h = hedges[venue];
      for (std::size_t o = 0; o < kVaultHedgeOutcomes; ++o) h[o] += c.hedge_orders[o];
    }
  }
  for (const auto& [base, u] : net_base)
    r.gauge("liqd_vault_net_base_exposure", "The vault's base exposure summed over every venue's contracts (0 when fully hedged).",
            {{"base", base}})
        .set(units(u, kBaseDp));
  for (std::size_t i = 0; i < v.n_collateral && i < v.collateral.size(); ++i) {
    const VaultCollateralRow& c = v.collateral[i];
    r.gauge("liqd_vault_collateral", "Collateral the vault holds per venue and asset.",
            {{"venue", label(c.venue)}, {"asset", label(c.asset)}})
        .set(units(c.amount, c.dp));
  }
  for (const auto& [venue, by] : hedges)
    for (std::size_t o = 0; o < kVaultHedgeOutcomes; ++o)
      r.counter("liqd_vault_hedge_orders_total",
                "Vault hedge orders per venue: sent, and how each ended (filled, partial, no_fill); refused: not sent.",
                {{"venue", venue}, {"outcome", kOutcomes[o]}})
          .inc(static_cast<double>(by[o]));
  r.gauge("liqd_vault_hedges_open", "Vault hedge orders not yet ended.").set(v.open_hedges);
  r.counter("liqd_vault_transfer_fills_total", "Backstop transfer fills booked into the vault by the executor.")
      .inc(static_cast<double>(v.transfer_fills));
  r.counter("liqd_vault_errors_total", "Vault fills the books refused or conversions that did not fit (must stay 0).")
      .inc(static_cast<double>(v.errors));
}

}  // namespace liqd::service
