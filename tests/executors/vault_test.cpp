// The backstop vault's books (executors/vault): exact conversions between linear
// and inverse contracts, inventory and PnL from fills, collateral, basis.
// Every expectation is worked out by hand in its comment.
#include <gtest/gtest.h>

#include "executors/vault/vault_book.hpp"

namespace liqd::exec::vault {
namespace {

constexpr i128 E8 = 100'000'000;

// Binance USD-M BTCUSDT: linear, quantity in BTC (0.001), price 0.1 USDT, settled in USDT.
ContractSpec linear_usdt() {
  ContractSpec c;
  c.venue = "binance"; c.market = "BTCUSDT"; c.base = "BTC"; c.quote = "USDT";
  c.kind = ContractKind::Linear; c.multiplier = 1; c.multiplier_dp = 0;
  c.price_dp = 1; c.qty_dp = 3; c.settle_dp = 8;
  return c;
}
// Binance COIN-M BTCUSD_PERP: inverse, 100 USD per contract, whole contracts, settled in BTC.
ContractSpec inverse_usd() {
  ContractSpec c;
  c.venue = "binance_coinm"; c.market = "BTCUSD_PERP"; c.base = "BTC"; c.quote = "USD";
  c.kind = ContractKind::Inverse; c.multiplier = 100; c.multiplier_dp = 0;
  c.price_dp = 1; c.qty_dp = 0; c.settle_dp = 8;
  return c;
}
// OKX BTC-USDT-SWAP: linear, ctVal 0.01 BTC per contract, whole contracts.
ContractSpec okx_swap() {
  ContractSpec c = linear_usdt();
  c.venue = "okx"; c.market = "BTC-USDT-SWAP"; c.multiplier = 1; c.multiplier_dp = 2; c.qty_dp = 0;
  return c;
}
// BitMEX XBTUSD: inverse, 1 USD per contract.
ContractSpec bitmex() {
  ContractSpec c = inverse_usd();
  c.venue = "bitmex"; c.market = "XBTUSD"; c.multiplier = 1;
  return c;
}

TEST(Contracts, ConvertBetweenLinearAndInverseExactly) {
  Qty out{0};
  // 0.5 BTC of BTCUSDT at 50'000 is 25'000 USD = 250 contracts of 100 USD.
  ASSERT_TRUE(convert_contracts(linear_usdt(), Qty(500), Price(0), inverse_usd(), Price(500'000), Round::TowardZero, out));
  EXPECT_EQ(out, Qty(250));
  // And back: 250 x 100 USD / 50'000 = 0.5 BTC.
  ASSERT_TRUE(convert_contracts(inverse_usd(), Qty(250), Price(500'000), linear_usdt(), Price(0), Round::TowardZero, out));
  EXPECT_EQ(out, Qty(500));
  // At 50'123.4: 0.5 x 50'123.4 / 100 = 250.617 contracts -> 250 toward zero, 251 up; short side too.
  ASSERT_TRUE(convert_contracts(linear_usdt(), Qty(500), Price(0), inverse_usd(), Price(501'234), Round::TowardZero, out));
  EXPECT_EQ(out, Qty(250));
  ASSERT_TRUE(convert_contracts(linear_usdt(), Qty(500), Price(0), inverse_usd(), Price(501'234), Round::Ceil, out));
  EXPECT_EQ(out, Qty(251));
  ASSERT_TRUE(convert_contracts(linear_usdt(), Qty(-500), Price(0), inverse_usd(), Price(501'234), Round::TowardZero, out));
  EXPECT_EQ(out, Qty(-250));
  // Multipliers: 0.505 BTC = 50.5 OKX contracts of 0.01 BTC -> 50.
  ASSERT_TRUE(convert_contracts(linear_usdt(), Qty(505), Price(0), okx_swap(), Price(0), Round::TowardZero, out));
  EXPECT_EQ(out, Qty(50));
  // 250 x 100 USD at 50'000 on COIN-M = 0.5 BTC = 25'000 XBTUSD contracts of 1 USD at 50'000 ...
  ASSERT_TRUE(convert_contracts(inverse_usd(), Qty(250), Price(500'000), bitmex(), Price(500'000), Round::TowardZero, out));
  EXPECT_EQ(out, Qty(25'000));
  // ... and 27'500 of them when BitMEX trades at 55'000 (the same 0.5 BTC).
  ASSERT_TRUE(convert_contracts(inverse_usd(), Qty(250), Price(500'000), bitmex(), Price(550'000), Round::TowardZero, out));
  EXPECT_EQ(out, Qty(27'500));
  // An inverse contract needs a price.
  EXPECT_FALSE(convert_contracts(linear_usdt(), Qty(500), Price(0), inverse_usd(), Price(0), Round::TowardZero, out));

  i128 base = 0;
  ASSERT_TRUE(base_exposure(inverse_usd(), Qty(250), Price(500'000), Round::TowardZero, base));
  EXPECT_EQ(base, 50'000'000);   // 0.5 BTC
  ASSERT_TRUE(base_exposure(okx_swap(), Qty(-3), Price(0), Round::TowardZero, base));
  EXPECT_EQ(base, -3'000'000);   // -0.03 BTC
}

TEST(VaultBook, LinearInventoryEntryAndRealisedPnl) {
  VaultBook vb;
  const int lin = vb.add_contract(linear_usdt());
  vb.set_collateral("binance", "USDT", 8, 100'000 * E8);
  // Buy 0.2 @ 50'000 (fee 4 USDT), buy 0.2 @ 51'000: long 0.4, entry value 20'200 -> avg 50'500.
  ASSERT_EQ(vb.on_fill(lin, Side::Buy, Qty(200), Price(500'000), 4 * E8), VaultError::Ok);
  ASSERT_EQ(vb.on_fill(lin, Side::Buy, Qty(200), Price(510'000), 0), VaultError::Ok);
  EXPECT_EQ(vb.position(lin), Qty(400));
  EXPECT_EQ(vb.figures().positions[0].entry_price, Price(505'000));
  // Sell 0.1 @ 52'000: realises 0.1 x (52'000 - 50'500) = 150 USDT.
  ASSERT_EQ(vb.on_fill(lin, Side::Sell, Qty(100), Price(520'000), 0), VaultError::Ok);
  EXPECT_EQ(vb.figures().positions[0].realized, 150 * E8);
  // Sell 0.5 @ 49'000: closes 0.3 (realises 0.3 x (49'000 - 50'500) = -450) and opens a 0.2 short at 49'000.
  ASSERT_EQ(vb.on_fill(lin, Side::Sell, Qty(500), Price(490'000), 0), VaultError::Ok);
  EXPECT_EQ(vb.position(lin), Qty(-200));
  VaultFigures f = vb.figures();
  EXPECT_EQ(f.positions[0].realized, -300 * E8);
  EXPECT_EQ(f.positions[0].entry_price, Price(490'000));
  EXPECT_EQ(f.positions[0].fills, 4u);
  // Collateral: 100'000 - 4 (fee) - 300 (realised).
  EXPECT_EQ(vb.collateral("binance", "USDT"), (100'000 - 4 - 300) * E8);
  // Mark 48'000: the 0.2 short gains 0.2 x 1'000 = 200 unrealised; base exposure -0.2 BTC.
  vb.set_mark(lin, Price(480'000));
  f = vb.figures();
  EXPECT_EQ(f.positions[0].unrealized, 200 * E8);
  EXPECT_EQ(f.positions[0].base_units, -20'000'000);
  // Bad input is refused and changes nothing.
  EXPECT_EQ(vb.on_fill(lin, Side::Buy, Qty(0), Price(1), 0), VaultError::BadFill);
  EXPECT_EQ(vb.on_fill(7, Side::Buy, Qty(1), Price(1), 0), VaultError::UnknownContract);
  EXPECT_EQ(vb.position(lin), Qty(-200));
}

TEST(VaultBook, InversePnlIsInBase) {
  VaultBook vb;
  const int inv = vb.add_contract(inverse_usd());
  vb.set_collateral("binance_coinm", "BTC", 8, 3 * E8);
  // Buy 200 contracts (20'000 USD) @ 10'000: entry value -2 BTC; avg entry 10'000.
  ASSERT_EQ(vb.on_fill(inv, Side::Buy, Qty(200), Price(100'000), 0), VaultError::Ok);
  EXPECT_EQ(vb.figures().positions[0].entry_price, Price(100'000));
  EXPECT_EQ(vb.figures().positions[0].base_units, 2 * E8);   // at the entry price (no mark yet)
  // Sell them @ 20'000 as the tracker reports it, fee 0.05 %: realises
  // 20'000 x (1/10'000 - 1/20'000) = 1 BTC; the fee is 0.05 % of 1 BTC = 0.0005 BTC.
  FillReport fr;
  fr.side = Side::Sell;
  fr.qty = Qty(200);
  fr.price = Price(200'000);
  ASSERT_EQ(vb.on_fill(inv, fr, Ratio(50'000)), VaultError::Ok);
  EXPECT_EQ(vb.position(inv), Qty(0));
  EXPECT_EQ(vb.figures().positions[0].realized, 1 * E8);
  EXPECT_EQ(vb.collateral("binance_coinm", "BTC"), 3 * E8 + 1 * E8 - 50'000);
  // Collateral is per (venue, settlement asset): the inverse contract never touched USDT.
  EXPECT_EQ(vb.collateral("binance_coinm", "USDT"), 0);
}

TEST(VaultBook, HedgeAcrossContractKindsAndNetExposure) {
  VaultBook vb;
  const int lin = vb.add_contract(linear_usdt());
  const int inv = vb.add_contract(inverse_usd());
  vb.set_reference(lin);
  // A liquidated short is transferred to the vault: it is now long 0.5 BTC on BTCUSDT.
  ASSERT_EQ(vb.on_fill(lin, Side::Buy, Qty(500), Price(500'000), 0), VaultError::Ok);
  vb.set_mark(lin, Price(500'000));
  vb.set_mark(inv, Price(500'500));
  // Hedge on COIN-M at 50'050: -0.5 x 50'050 / 100 = -250.25 -> -250 contracts (never over-hedge).
  Qty h{0};
  ASSERT_EQ(vb.hedge_qty(lin, inv, h), VaultError::Ok);
  EXPECT_EQ(h, Qty(-250));
  ASSERT_EQ(vb.on_fill(inv, Side::Sell, Qty(250), Price(500'500), 0), VaultError::Ok);
  VaultFigures f = vb.figures();
  ASSERT_EQ(f.positions.size(), 2u);
  // Inverse short: -250 x 100 / 50'050 = -0.49950049... BTC -> -49'950'049 (toward zero).
  EXPECT_EQ(f.positions[1].base_units, -49'950'049);
  ASSERT_EQ(f.net_base.size(), 1u);
  EXPECT_EQ(f.net_base[0].first, "BTC");
  EXPECT_EQ(f.net_base[0].second, 50'000'000 - 49'950'049);
  // Basis of the inverse contract against BTCUSDT: 50'050 / 50'000 - 1 = 0.1 %.
  EXPECT_EQ(f.positions[1].basis, Ratio(100'000));
  EXPECT_EQ(f.positions[0].basis, Ratio(0));
  // Collateral rows exist per venue and settlement asset.
  ASSERT_EQ(f.collateral.size(), 2u);
  EXPECT_EQ(f.collateral[0].asset, "USDT");
  EXPECT_EQ(f.collateral[1].asset, "BTC");
  // BTC falls to 40'000 on both: the inverse short is now -25'000/40'000 = -0.625 BTC
  // against +0.5 BTC: the hedge ratio of an inverse contract moves with the price.
  vb.set_mark(lin, Price(400'000));
  vb.set_mark(inv, Price(400'000));
  f = vb.figures();
  EXPECT_EQ(f.net_base[0].second, 50'000'000 - 62'500'000);
  ASSERT_EQ(vb.hedge_qty(lin, inv, h), VaultError::Ok);
  EXPECT_EQ(h, Qty(-200));   // what 0.5 BTC needs at 40'000 (the vault holds -250: over-hedged by 50)
}

}  // namespace
}  // namespace liqd::exec::vault
