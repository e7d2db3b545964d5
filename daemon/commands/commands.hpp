#pragma once
// Every `liqd` subcommand registers itself on the CLI11 app through one of these
// functions (one file each in daemon/commands/). A command's callback stores its
// process exit code in `exit_code`: 0 success, 1 failure, 2 bad input.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <string>

namespace liqd::cmd {

void add_risk(CLI::App& app, int& exit_code);          // what-if margin tool (issue 3)
void add_parse(CLI::App& app, int& exit_code);         // raw feed messages -> events (issue 6)
void add_route(CLI::App& app, int& exit_code);         // smart order routing decision (issue 7)
void add_explain(CLI::App& app, int& exit_code);       // journal -> readable trace per account (issue 8)

// The trace `liqd explain` prints, written to `out`; returns the exit code.
int explain(const std::string& journal_dir, uint64_t account, FILE* out);
// `liqd explain --summary`: the whole journal as one JSON object.
int explain_summary(const std::string& journal_dir, FILE* out);
int explain_market(const std::string& journal_dir, const std::string& market, FILE* out);
void add_gen_accounts(CLI::App& app, int& exit_code);  // synthetic account population (issue 5)
void add_replay(CLI::App& app, int& exit_code);        // crash-day replay over a population (issue 5)

// The top-level `liqd --config F [--check-config]` (daemon and config check).
struct TopLevel {
  std::string config;
  bool check_config = false;
  bool dry_run = false;
  bool version = false;
};
int run_top_level(const TopLevel& opts);

}  // namespace liqd::cmd
