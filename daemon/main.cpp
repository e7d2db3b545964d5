// liqd: the liquidation daemon and its tools. `liqd --config F` runs the service;
// subcommands are what-if and inspection tools that share its code.
#include <cstdio>

#include "daemon/commands/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"liqd: low-latency liquidation daemon for a perpetual-futures venue"};
  app.require_subcommand(0, 1);
  liqd::cmd::TopLevel top;
  app.add_option("--config", top.config, "daemon YAML (config/liqd.yaml)");
  app.add_flag("--check-config", top.check_config, "validate the config, print every error, exit 1 if any");
  app.add_flag("--dry-run", top.dry_run, "with --check-config: list what a change would make liquidatable");
  app.add_flag("--version", top.version, "print the version and exit");

  int exit_code = 0;
  liqd::cmd::add_risk(app, exit_code);
  liqd::cmd::add_parse(app, exit_code);
  liqd::cmd::add_route(app, exit_code);
  liqd::cmd::add_explain(app, exit_code);
  liqd::cmd::add_gen_accounts(app, exit_code);
  liqd::cmd::add_replay(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (app.get_subcommands().empty()) return liqd::cmd::run_top_level(top);
  return exit_code;
}
