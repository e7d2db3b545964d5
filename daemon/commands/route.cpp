#include <cstdio>

#include "daemon/commands/commands.hpp"

namespace liqd::cmd {

// Placeholder until its issue lands.
void add_route(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("route", "not built yet");
  sub->callback([&exit_code] {
    std::fprintf(stderr, "liqd route: not built yet\n");
    exit_code = 1;
  });
}

}  // namespace liqd::cmd
