#include "daemon/service/vault_snapshot.hpp"

#include <cstring>

namespace liqd::service {

namespace {

void copy_label(const std::string& s, VaultLabel& out) {
  const std::size_t n = s.size() < out.size() - 1 ? s.size() : out.size() - 1;
  std::memcpy(out.data(), s.data(), n);
  out[n] = 0;
}

// Display figures only: a value past int64 (it cannot be a real balance) shows as the bound.
int64_t saturate(i128 v) {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(v);
}

}  // namespace

void fill_vault_snapshot(const exec::vault::VaultDesk& desk, VaultSnapshot& out) {
  namespace v = exec::vault;
  const v::VaultBook& book = desk.book();
  out.enabled = true;
  out.open_hedges = desk.open_hedges();
  out.transfer_fills = desk.transfer_fills();
  out.errors = desk.errors();
  const std::size_t markets = desk.config().markets.size();
  std::size_t n = 0;
  for (int c = 0; c < book.contracts() && n < out.contracts.size(); ++c, ++n) {
    const v::PositionFigures f = book.position_figures(c);
    const v::ContractSpec& s = *f.spec;
    VaultContractRow& r = out.contracts[n];
    r = VaultContractRow{};
    copy_label(s.venue, r.venue);
    copy_label(s.market, r.market);
    copy_label(s.base, r.base);
    copy_label(s.settle_asset(), r.settle);
    r.qty_dp = static_cast<int8_t>(s.qty_dp);
    r.price_dp = static_cast<int8_t>(s.price_dp);
    r.settle_dp = static_cast<int8_t>(s.settle_dp);
    r.contracts = f.contracts.v;
    r.base_units = saturate(f.base_units);
    r.entry_price = f.entry_price.v;
    r.mark = f.mark.v;
    r.realized = saturate(f.realized);
    r.unrealized = saturate(f.unrealized);
    r.fills = f.fills;
    // Contracts are added markets first (the own contracts), then the hedge venues.
    if (static_cast<std::size_t>(c) >= markets) {
      const std::size_t h = static_cast<std::size_t>(c) - markets;
      r.hedge = true;
      for (int o = 0; o < v::kHedgeOutcomes; ++o)
        r.hedge_orders[static_cast<std::size_t>(o)] = desk.hedge_orders(h, static_cast<v::HedgeOutcome>(o));
      // Basis against the own contract of the market it hedges.
      const int own = desk.own_contract(desk.config().hedges[h].market);
      Ratio b{0};
      if (v::basis_ratio(s, f.mark, book.spec(own), book.mark(own), Round::HalfAwayFromZero, b)) r.basis = b.v;
    }
  }
  out.n_contracts = static_cast<uint8_t>(n);
  std::size_t k = 0;
  for (int i = 0; i < book.collaterals() && k < out.collateral.size(); ++i, ++k) {
    const v::VaultBook::CollateralView cv = book.collateral_at(i);
    VaultCollateralRow& r = out.collateral[k];
    r = VaultCollateralRow{};
    copy_label(*cv.venue, r.venue);
    copy_label(*cv.asset, r.asset);
    r.dp = static_cast<int8_t>(cv.dp);
    r.amount = saturate(cv.amount);
  }
  out.n_collateral = static_cast<uint8_t>(k);
}

}  // namespace liqd::service
