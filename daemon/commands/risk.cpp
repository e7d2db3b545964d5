#include <cstdio>

#include "daemon/commands/commands.hpp"

namespace liqd::cmd {

// Placeholder until its issue lands.
void add_risk(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("risk", "not built yet");
  sub->callback([&exit_code] {
    std::fprintf(stderr, "liqd risk: not built yet\n");
    exit_code = 1;
  });
}

}  // namespace liqd::cmd
