#pragma once
// The backstop vault's books: inventory per (venue, market) contract, collateral
// per (venue, asset), realised PnL, and the net base exposure across contracts
// of different kinds (linear USDT, inverse USD, multipliers; contract.hpp).
// Updated by fills (each reported once by the OrderTracker); read by the
// daemon's metrics exporter through figures().
//
// Position accounting, per contract: `entry` is the settlement value of the open
// position at its fill prices (settle_value summed over opening fills). A fill
// that reduces the position realises settle_value(closed qty, fill price) minus
// the closed share of `entry`; a fill through zero closes, then opens the rest.
// Fees are paid in the settlement asset out of the venue's collateral; realised
// PnL goes into it. Every division rounds Floor (against the vault's books).
//
// Single-threaded (executor thread); registration allocates, fills do not.
#include <cstdint>
#include <string>
#include <vector>

#include "executors/orders/order_types.hpp"
#include "executors/vault/contract.hpp"

namespace liqd::exec::vault {

enum class VaultError : uint8_t { Ok, UnknownContract, BadFill, Overflow };
const char* to_string(VaultError e);

// Gauges, one row per contract. Suggested Prometheus names (the daemon exports):
//   liqd_vault_inventory_contracts{venue,market}      position, signed, in contracts
//   liqd_vault_inventory_base{venue,market,base}      base exposure at the mark (10^-8 base)
//   liqd_vault_entry_price{venue,market}              average entry price
//   liqd_vault_unrealized_pnl{venue,market,asset}     at the mark, settlement asset
//   liqd_vault_realized_pnl{venue,market,asset}       since start, settlement asset
//   liqd_vault_basis_ratio{venue,market}              mark / reference mark - 1
//   liqd_vault_fills_total{venue,market}              counter
struct PositionFigures {
  const ContractSpec* spec = nullptr;
  Qty contracts{0};           // signed, spec's qty units
  i128 base_units = 0;        // signed base exposure at the mark, 10^-kBaseDp base
  Price entry_price{0};       // average entry (0 if flat)
  Price mark{0};
  i128 unrealized = 0;        // settle units (10^-settle_dp)
  i128 realized = 0;          // settle units
  Ratio basis{0};             // mark vs the reference contract's mark, 10^-8 (0 if either unknown)
  uint64_t fills = 0;
};
//   liqd_vault_collateral{venue,asset}                amount, 10^-dp of the asset
struct CollateralFigures {
  std::string venue, asset;
  int dp = 8;
  i128 amount = 0;
};
//   liqd_vault_net_base_exposure{base}                sum of inventory_base over contracts of that base
struct VaultFigures {
  std::vector<PositionFigures> positions;
  std::vector<CollateralFigures> collateral;
  std::vector<std::pair<std::string, i128>> net_base;   // base asset -> 10^-kBaseDp
};

class VaultBook {
 public:
  // Registration (setup time). Returns the contract's index for fills.
  int add_contract(ContractSpec spec);
  // Sets (or creates) the collateral the vault holds on `venue` in `asset`.
  void set_collateral(const std::string& venue, const std::string& asset, int dp, i128 amount);
  // The contract whose mark the basis is measured against (the venue's own market).
  void set_reference(int contract) { ref_ = contract; }

  // A fill of the vault's own order on contract `c`: buy adds, sell subtracts.
  // `fee` is in the settlement asset's units (10^-settle_dp), paid from collateral.
  VaultError on_fill(int c, Side side, Qty qty, Price px, i128 fee);
  // A fill as the tracker reports it; fee = fee_rate x its settlement value, rounded up.
  VaultError on_fill(int c, const FillReport& f, Ratio fee_rate);
  void set_mark(int c, Price mark);

  // Position in contracts, and what it takes to hedge it on another contract:
  // the opposite signed quantity of `to`, converted exactly (rounded toward zero:
  // never over-hedge), at the marks.
  Qty position(int c) const;
  Price mark(int c) const { return c >= 0 && c < contracts() ? pos_[static_cast<size_t>(c)].mark : Price(0); }
  VaultError hedge_qty(int from, int to, Qty& out) const;
  i128 collateral(const std::string& venue, const std::string& asset) const;

  // A snapshot for the exporter (allocates; not for the fill path). The spec
  // pointers stay valid until the next add_contract().
  VaultFigures figures() const;
  // The same figures one row at a time, without allocating (the executor
  // publishes them into a fixed-size snapshot). Basis is against the reference
  // contract if one is set, else 0.
  PositionFigures position_figures(int c) const;
  int collaterals() const { return static_cast<int>(coll_.size()); }
  struct CollateralView {
    const std::string* venue = nullptr;
    const std::string* asset = nullptr;
    int dp = 8;
    i128 amount = 0;
  };
  CollateralView collateral_at(int i) const;
  int contracts() const { return static_cast<int>(pos_.size()); }
  const ContractSpec& spec(int c) const { return pos_[static_cast<size_t>(c)].spec; }

 private:
  struct Pos {
    ContractSpec spec;
    int collateral = -1;      // index into coll_ of (venue, settle asset)
    Qty qty{0};
    i128 entry = 0;           // settle value of the open position at entry prices
    i128 realized = 0;
    Price mark{0};
    uint64_t fills = 0;
  };
  struct Coll {
    std::string venue, asset;
    int dp = 8;
    i128 amount = 0;
  };
  int collateral_index(const std::string& venue, const std::string& asset, int dp);
  std::vector<Pos> pos_;
  std::vector<Coll> coll_;
  int ref_ = -1;
};

}  // namespace liqd::exec::vault
