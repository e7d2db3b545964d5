#pragma once
// `liqd risk` input as read from JSON, before scales are applied: the raw text of
// every number and where it was. risk_read.cpp fills it (simdjson On-Demand, one
// pass); risk_input.cpp converts and validates it. Internal to daemon/commands.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/commands/risk_input.hpp"

namespace liqd::cmd::risk_detail {

inline constexpr size_t kMaxPositions = 1000;

// Raw text of one number field and where it came from.
struct Num {
  bool present = false;
  std::string_view text;
};

struct RawTier {
  Num max_notional, imr, mmr, maintenance_deduction, initial_deduction;
};

struct RawMarket {
  std::string name;
  Num mark_price, tick_size, lot_size, quote_scale, liquidation_fee, bankruptcy_adjustment, spread_to_mmr;
  bool has_tiers = false;
  std::vector<RawTier> tiers;
};

struct RawPosition {
  bool has_market = false;
  std::string market;
  Num size, entry_price, isolated_margin;
};

struct RawInput {
  bool has_markets = false, has_account = false, has_positions = false;
  std::vector<RawMarket> markets;
  Num collateral;
  std::vector<RawPosition> positions;
  bool has_liquidation = false;
  bool has_liq_position = false;
  uint64_t liq_position = 0;
  Num liq_size, liq_fill_price;
};

// A failed step: sets the error once and unwinds through `false` returns.
class Errors {
 public:
  explicit Errors(RiskInputError& e) : e_(e) {}
  bool fail(std::string field, std::string reason) {
    e_.field = std::move(field);
    e_.reason = std::move(reason);
    return false;
  }
  bool json(const std::string& field, simdjson::error_code code) {
    return fail(field.empty() ? "(document)" : field, std::string("invalid JSON: ") + simdjson::error_message(code));
  }

 private:
  RiskInputError& e_;
};


inline std::string idx(const std::string& base, size_t i) { return base + "[" + std::to_string(i) + "]"; }

// Reads the whole document into `in`; `buf` and `parser` must outlive `in` (its
// string views point into them).
bool read_document(std::string_view json, simdjson::ondemand::parser& parser, simdjson::padded_string& buf,
                   RawInput& in, Errors& e);

}  // namespace liqd::cmd::risk_detail
