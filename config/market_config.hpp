#pragma once
// One market's YAML (config/markets/*.yaml) turned into a MarketConfig whose
// MarketRisk is complete: scale from tick and lot decimals, tiers with every
// deduction (explicit or derived so margin is continuous), fees, fillable pair.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.hpp"
#include "core/margin/market_risk.hpp"

namespace liqd::config {

// An oracle price source that feeds this market's index/mark price.
struct OracleSource {
  std::string name;          // unique within the market; used in logs and metrics
  std::string kind;          // one of kOracleKinds
  std::string id;            // the source's own identifier (Pyth feed id, venue symbol, ...)
  int64_t max_staleness_ms = 0;  // older than this: the source is dropped from the index
  Ratio max_deviation;       // further than this from the median of the others: dropped
};

// How liqd sends orders to an external (hedge) venue: the backstop vault's
// hedges go there (executors/vault/vault_desk.hpp). Only `binance-rest` exists
// (executors/adapters/binance/rest_adapter.hpp: Binance USD-M POST
// /fapi/v1/order, HMAC-SHA256 signed). The key files are read when liqd starts
// (mode 0600, executors/adapters/secret_file.hpp), never by --check-config.
struct OrderEntryConfig {
  std::string type;            // "binance-rest"
  std::string host;            // DNS name or IP literal (also the TLS server name)
  int port = 0;
  bool tls = false;            // base_url https://
  std::string ca_file;         // https: extra PEM CA file, resolved against the market file's folder
  std::string api_key_file;    // resolved against the market file's folder
  std::string secret_file;
  int64_t recv_window_ms = 5'000;      // Binance: at most 60000
  int64_t request_timeout_ms = 2'000;  // no answer by then: the order's state is unknown (queried)
  int line = 0;                // of `order_entry:` (errors at start name it)
};

// A venue where this market's liquidation orders or hedges can execute.
struct VenueConfig {
  std::string name;          // unique within the market
  std::string kind;          // one of kVenueKinds
  std::string symbol;        // the venue's instrument name (default: the market symbol)
  Ratio taker_fee;
  Qty lot;                   // venue's lot, a multiple of the market's lot
  Qty min_qty;               // smallest order (default: one venue lot)
  std::optional<Qty> max_qty;  // largest single order; none = no limit
  // The venue's contract, for the backstop vault's books and hedge sizes
  // (executors/vault/contract.hpp): linear (multiplier base per contract) or
  // inverse (multiplier quote per contract). lot/min/max stay in the market's
  // base units: the router compares venues in them.
  std::string contract = "linear";
  int64_t multiplier = 1;    // 10^-multiplier_dp
  int multiplier_dp = 0;
  std::optional<OrderEntryConfig> order_entry;  // none: books and metrics only, never hedged on
};

struct MarketConfig {
  std::string symbol;
  std::string file;          // where it was loaded from
  int line = 0;              // line of `symbol:` (for duplicate-symbol errors)
  MarketRisk risk;           // complete: scale, tick, lot, tiers with deductions
  std::array<bool, kMaxTiers> explicit_mm{};  // which tiers gave maintenance_deduction
  std::array<bool, kMaxTiers> explicit_im{};  // which tiers gave initial_deduction
  std::vector<OracleSource> oracles;
  std::vector<VenueConfig> venues;
};

inline constexpr std::array<const char*, 8> kOracleKinds = {
    "pyth", "chainlink", "binance-mark", "binance-index", "bybit-index",
    "okx-index", "hyperliquid-oracle", "dydx-oracle"};
inline constexpr std::array<const char*, 2> kContractKinds = {"linear", "inverse"};
inline constexpr std::array<const char*, 7> kVenueKinds = {
    "own-clob", "backstop-vault", "binance-usdm", "bybit-linear", "okx-swap",
    "hyperliquid", "dydx-v4"};

// Decimals of the quote asset's smallest unit, from the daemon file (quote.scale).
// std::nullopt: the market file must give quote_scale itself.
struct MarketDefaults {
  std::optional<int> quote_dp;
};

// Load and validate one market file. Returns the market when the file has no
// error; every error found is added to `diag` either way.
std::optional<MarketConfig> load_market_file(const std::string& path, const MarketDefaults& defaults,
                                             Diagnostics& diag);
// Same, from text already in memory (`name` is used in messages).
std::optional<MarketConfig> load_market_string(const std::string& text, const std::string& name,
                                               const MarketDefaults& defaults, Diagnostics& diag);
// Same, from a parsed document.
std::optional<MarketConfig> load_market_node(const YAML::Node& doc, const std::string& name,
                                             const MarketDefaults& defaults, Diagnostics& diag);

// Parse a scale given as the smallest unit ("0.000001" -> 6). Only powers of ten.
std::optional<int> scale_decimals(const std::string& unit);

}  // namespace liqd::config
