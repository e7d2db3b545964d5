#include <cstdio>

#include "config/daemon_config.hpp"
#include "config/summary.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/service/service.hpp"

#include <spdlog/spdlog.h>
#include "daemon/version.hpp"

namespace liqd::cmd {

namespace {

// `liqd --config F --check-config`: every error of every file on stderr, exit 1;
// or the summary on stdout, exit 0.
int check_config(const std::string& path) {
  config::Diagnostics diag;
  std::optional<config::Config> cfg = config::load_config(path, diag);
  if (!cfg) {
    for (const config::ConfigError& e : diag.errors()) std::fprintf(stderr, "%s\n", e.str().c_str());
    std::fprintf(stderr, "liqd: %zu error%s in %s and its market files\n", diag.size(), diag.size() == 1 ? "" : "s", path.c_str());
    return 1;
  }
  std::fputs(config::describe(*cfg).c_str(), stdout);
  return 0;
}

}  // namespace

int run_top_level(const TopLevel& opts) {
  if (opts.version) {
    std::printf("liqd %s\n", kVersion);
    return 0;
  }
  if (opts.config.empty()) {
    std::fprintf(stderr, "liqd: --config FILE is required (see liqd --help)\n");
    return 2;
  }
  if (opts.check_config) return check_config(opts.config);
  config::Diagnostics diag;
  std::optional<config::Config> cfg = config::load_config(opts.config, diag);
  if (!cfg) {
    for (const config::ConfigError& e : diag.errors()) std::fprintf(stderr, "%s\n", e.str().c_str());
    std::fprintf(stderr, "liqd: %zu error%s in %s; not starting\n", diag.size(), diag.size() == 1 ? "" : "s", opts.config.c_str());
    return 1;
  }
  spdlog::set_level(spdlog::level::from_str(cfg->daemon.logging.level));
  spdlog::set_pattern(cfg->daemon.logging.format == "json"
                          ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%v"})"
                          : "%Y-%m-%d %H:%M:%S.%f %l %v");
  return service::run_service(*cfg, opts.config, service::ServiceOptions{});
}

}  // namespace liqd::cmd
