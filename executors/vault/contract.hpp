#pragma once
// What one perpetual contract is, and exact conversions between contracts of
// different kinds (the "basis" between contracts of issue 7):
//
//   Linear  (Binance USDT-M BTCUSDT, OKX BTC-USDT-SWAP): a contract is a fixed
//           amount of base, `multiplier` base per contract (1 when the venue
//           counts in base, 0.01 BTC for OKX's ctVal); margined and settled in
//           the quote asset. Value of q contracts at price p: q*m*p quote.
//   Inverse (Binance COIN-M BTCUSD_PERP: 100 USD, BitMEX XBTUSD: 1 USD): a
//           contract is a fixed amount of quote, `multiplier` quote per
//           contract; margined and settled in base. Base exposure of q
//           contracts at price p: q*m/p.
//
// Quantities are the venue's own units (Qty, 10^-qty_dp contracts), prices its
// own (Price, 10^-price_dp quote per base). Every conversion is one exact
// rational expression with a single rounding the caller names; intermediate
// products are checked for 128-bit overflow (false = does not fit).
#include <cstdint>
#include <string>

#include "core/money/fixed.hpp"
#include "core/money/int128.hpp"

namespace liqd::exec::vault {

enum class ContractKind : uint8_t { Linear, Inverse };

// Base exposures are aggregated across venues in 10^-kBaseDp base (satoshis for BTC).
inline constexpr int kBaseDp = 8;

struct ContractSpec {
  std::string venue;          // labels (metrics), not used on the fill path
  std::string market;
  std::string base;           // "BTC"
  std::string quote;          // "USDT", "USD"
  ContractKind kind = ContractKind::Linear;
  int64_t multiplier = 1;     // 10^-multiplier_dp base (linear) or quote (inverse) per contract
  int multiplier_dp = 0;
  int price_dp = 2;
  int qty_dp = 3;
  int settle_dp = 8;          // decimals of the settlement asset's amounts (quote if linear, base if inverse)
  const std::string& settle_asset() const { return kind == ContractKind::Linear ? quote : base; }
};

// num * 10^exp10 / den, rounded as asked; den != 0. false on 128-bit overflow.
bool mul_pow10_div(i128 num, int exp10, i128 den, Round mode, i128& out);

// Base exposure of `q` contracts at `px` (used only by inverse contracts), in
// 10^-kBaseDp base. Linear: q*m; inverse: q*m/px.
bool base_exposure(const ContractSpec& c, Qty q, Price px, Round mode, i128& base_units);

// Contracts of `to` carrying the same base exposure as `q` contracts of `from`,
// in one rational step (no intermediate rounding). `from_px` is used when
// `from` is inverse, `to_px` when `to` is inverse. E.g. 0.5 BTC of a linear
// USDT contract at 50'000 = 250 inverse 100-USD contracts.
bool convert_contracts(const ContractSpec& from, Qty q, Price from_px, const ContractSpec& to, Price to_px,
                       Round mode, Qty& out);

// Value of q contracts at px in the settlement asset (10^-settle_dp): linear
// q*m*px (quote); inverse -q*m/px (base: a long inverse position gains base as
// the price rises, so its value is minus the base it is short). The difference
// of two values at two prices is the PnL.
bool settle_value(const ContractSpec& c, Qty q, Price px, Round mode, i128& out);

// (px / ref_px - 1) in 10^-8, both prices rescaled to a common number of
// decimals; the contracts' quote assets are taken at par (USD = USDT).
bool basis_ratio(const ContractSpec& c, Price px, const ContractSpec& ref, Price ref_px, Round mode, Ratio& out);

}  // namespace liqd::exec::vault
