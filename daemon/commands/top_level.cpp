#include <cstdio>

#include "daemon/commands/commands.hpp"
#include "daemon/version.hpp"

namespace liqd::cmd {

int run_top_level(const TopLevel& opts) {
  if (opts.version) {
    std::printf("liqd %s\n", kVersion);
    return 0;
  }
  if (opts.config.empty()) {
    std::fprintf(stderr, "liqd: --config FILE is required (see liqd --help)\n");
    return 2;
  }
  std::fprintf(stderr, "liqd: the service is not built yet (issue 8); try --check-config or a subcommand\n");
  return 1;
}

}  // namespace liqd::cmd
