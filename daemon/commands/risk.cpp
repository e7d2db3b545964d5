// `liqd risk`: what-if margin tool. One JSON document on stdin (an account and the
// markets it trades), one JSON document on stdout (equity, margins, liquidation,
// bankruptcy and fillable prices, optionally a liquidation fill's insurance-fund
// delta). Exit 0 on success, 2 on bad input with a message naming the field.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "daemon/commands/commands.hpp"
#include "daemon/commands/risk_input.hpp"

namespace liqd::cmd {

namespace {

int run_risk() {
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  RiskInput in;
  RiskInputError err;
  if (!parse_risk_input(input, in, err)) {
    std::fprintf(stderr, "liqd risk: %s: %s\n", err.field.c_str(), err.reason.c_str());
    return 2;
  }
  std::string out = risk_report_json(in);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void add_risk(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "risk",
      "what-if margin tool: reads an account and its markets as JSON on stdin, prints equity, margins, "
      "liquidation/bankruptcy/fillable prices as JSON (schema: core/margin/README.md); exit 2 on bad input");
  sub->callback([&exit_code] { exit_code = run_risk(); });
}

}  // namespace liqd::cmd
