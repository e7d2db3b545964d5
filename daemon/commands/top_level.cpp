#include <cstdio>
#include <fstream>
#include <sstream>

#include "config/daemon_config.hpp"
#include "config/summary.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/admin/auth.hpp"
#include "daemon/service/service.hpp"
#include "feeds/transport/rest_client.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>
#include "daemon/version.hpp"

namespace liqd::cmd {

namespace {

// The daemon file and its markets, or every error on stderr as file:line: key:
// reason and a last line "liqd: N errors in F<consequence>".
std::optional<config::Config> load_or_report(const std::string& path, const char* consequence) {
  config::Diagnostics diag;
  std::optional<config::Config> cfg = config::load_config(path, diag);
  if (!cfg) {
    for (const config::ConfigError& e : diag.errors()) std::fprintf(stderr, "%s\n", e.str().c_str());
    std::fprintf(stderr, "liqd: %zu error%s in %s%s\n", diag.size(), diag.size() == 1 ? "" : "s", path.c_str(), consequence);
  }
  return cfg;
}

// `liqd --config F --check-config`: every error of every file on stderr, exit 1;
// or the summary on stdout, exit 0.
int check_config(const std::string& path) {
  std::optional<config::Config> cfg = load_or_report(path, " and its market files");
  if (!cfg) return 1;
  std::fputs(config::describe(*cfg).c_str(), stdout);
  return 0;
}

// `liqd --check-config --dry-run --config F`: F validated as above, then each of
// its market files is sent to the running instance named by F's admin.listen
// (POST /v1/dry-run/{symbol}), whose core counts, exactly and against live
// positions and marks, the accounts that file would make liquidatable at once.
// Nothing is applied. Exit 0 when every market was answered, 1 otherwise.
int dry_run(const std::string& path) {
  std::optional<config::Config> cfg = load_or_report(path, "; nothing to compare");
  if (!cfg) return 1;
  std::string token, err;
  if (!admin::load_token_file(cfg->daemon.admin.token_file, token, err)) {
    std::fprintf(stderr, "admin.token_file: %s\n", err.c_str());
    return 1;
  }
  const config::ListenAddress& at = cfg->daemon.admin.listen;
  const std::string base = "http://" + (at.host == "localhost" ? std::string("127.0.0.1") : at.host) + ":" + std::to_string(at.port);
  feeds::RestOptions ro;
  ro.timeout_ms = 10'000;
  const feeds::RestClient client(ro);
  int failures = 0;
  uint64_t total = 0;
  for (const config::MarketConfig& m : cfg->markets) {
    std::ifstream in(m.file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const feeds::RestResult r = client.request("POST", base + "/v1/dry-run/" + m.symbol, text.str(), token);
    if (!r.ok()) {
      ++failures;
      std::fprintf(stderr, "%s: %s: %s\n", m.file.c_str(), m.symbol.c_str(),
                   r.error.empty() ? (std::to_string(r.status) + " " + r.body).c_str() : (r.error + " (is liqd running at " + base + "?)").c_str());
      continue;
    }
    // {"market":"X","would_become_liquidatable":N,"first_accounts":[...]}: shown as is, with the count up front.
    simdjson::ondemand::parser parser;
    const simdjson::padded_string body(r.body);
    uint64_t n = 0;
    simdjson::ondemand::document doc;
    if (parser.iterate(body).get(doc) || doc["would_become_liquidatable"].get_uint64().get(n)) {
      ++failures;
      std::fprintf(stderr, "%s: unexpected answer: %s\n", m.symbol.c_str(), r.body.c_str());
      continue;
    }
    total += n;
    std::printf("%s: %llu account%s would become liquidatable at once  %s\n", m.symbol.c_str(),
                static_cast<unsigned long long>(n), n == 1 ? "" : "s", r.body.c_str());
  }
  std::printf("dry run against %s: %llu account%s in total; nothing was applied (send SIGHUP to apply; changes that flag accounts are ramped)\n",
              base.c_str(), static_cast<unsigned long long>(total), total == 1 ? "" : "s");
  return failures == 0 ? 0 : 1;
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
  if (opts.check_config && opts.dry_run) return dry_run(opts.config);
  if (opts.check_config) return check_config(opts.config);
  if (opts.dry_run) {
    std::fprintf(stderr, "liqd: --dry-run goes with --check-config\n");
    return 2;
  }
  std::optional<config::Config> cfg = load_or_report(opts.config, "; not starting");
  if (!cfg) return 1;
  spdlog::set_level(spdlog::level::from_str(cfg->daemon.logging.level));
  spdlog::set_pattern(cfg->daemon.logging.format == "json"
                          ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%v"})"
                          : "%Y-%m-%d %H:%M:%S.%f %l %v");
  return service::run_service(*cfg, opts.config, service::ServiceOptions{});
}

}  // namespace liqd::cmd
