#pragma once
// `liqd risk`: the JSON document on stdin, parsed and validated into the margin
// engine's types. Every refusal names the field ("account.positions[1].size: must
// not be 0"). Schema: core/margin/README.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/margin/margin.hpp"

namespace liqd::cmd {

struct RiskInput {
  std::vector<std::string> market_names;  // index = Position::market
  std::vector<MarketRisk> markets;
  std::vector<Price> marks;
  Quote collateral;
  std::vector<Position> positions;
  struct Liquidation {
    size_t position = 0;
    Qty size;
    Price fill_price;
  };
  std::optional<Liquidation> liquidation;
};

struct RiskInputError {
  std::string field;   // "account.positions[1].size"
  std::string reason;  // "must not be 0"
};

// Parses and validates; on failure returns false and fills `err`.
bool parse_risk_input(std::string_view json, RiskInput& out, RiskInputError& err);

// The output document (pretty-printed JSON, trailing newline) for a valid input.
std::string risk_report_json(const RiskInput& in);

}  // namespace liqd::cmd
