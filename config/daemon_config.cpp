// load_config: the daemon file, then every market file it names, then the rules
// that span files (one quote scale, unique symbols).
#include "config/daemon_config.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "config/daemon_sections.hpp"
#include "config/market_parts.hpp"

namespace liqd::config {

namespace fs = std::filesystem;

const char* to_string(FsyncPolicy p) {
  switch (p) {
    case FsyncPolicy::Always: return "always";
    case FsyncPolicy::Batch: return "batch";
    case FsyncPolicy::Interval: return "interval";
    case FsyncPolicy::Never: return "never";
  }
  return "?";
}

std::string ListenAddress::str() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

std::string resolve(const fs::path& base, const std::string& p) {
  fs::path path(p);
  if (path.is_relative()) path = base / path;
  return path.lexically_normal().string();
}

bool is_yaml(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

// The market files the daemon file names, resolved, in a deterministic order.
std::vector<std::string> market_files(const Ctx& ctx, const YAML::Node& doc, const DaemonConfig& dc) {
  std::vector<std::string> out;
  const fs::path base = fs::path(dc.file).parent_path();
  const YAML::Node section = doc.IsMap() ? doc["markets"] : YAML::Node();
  if (!dc.markets.dir.empty()) {
    const std::string dir = resolve(base, dc.markets.dir);
    YAML::Node at = section["dir"];
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      ctx.error(at, "markets.dir", "'" + dir + "' is not a directory");
      return out;
    }
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file(ec) && is_yaml(e.path())) out.push_back(e.path().lexically_normal().string());
    std::sort(out.begin(), out.end());
    if (out.empty()) ctx.error(at, "markets.dir", "no *.yaml files in '" + dir + "'");
    return out;
  }
  for (size_t i = 0; i < dc.markets.files.size(); ++i) {
    const std::string f = resolve(base, dc.markets.files[i]);
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) {
      ctx.error(section["files"][i], "markets.files[" + std::to_string(i) + "]", "'" + f + "' does not exist");
      continue;
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace

std::optional<DaemonConfig> load_daemon_string(const std::string& text, const std::string& name, Diagnostics& diag) {
  const size_t before = diag.size();
  std::optional<YAML::Node> doc = load_yaml_string(text, name, diag);
  if (!doc) return std::nullopt;
  DaemonConfig dc;
  dc.file = name;
  bool quote_ok = false;
  detail::read_daemon(Ctx{name, diag}, *doc, dc, quote_ok);
  if (diag.size() != before) return std::nullopt;
  return dc;
}

std::optional<Config> load_config(const std::string& path, Diagnostics& diag) {
  const size_t before = diag.size();
  std::optional<YAML::Node> doc = load_yaml_file(path, diag);
  if (!doc) {
    diag.sort();
    return std::nullopt;
  }
  Config cfg;
  cfg.daemon.file = path;
  Ctx ctx{path, diag};
  bool quote_ok = false;
  detail::read_daemon(ctx, *doc, cfg.daemon, quote_ok);

  MarketDefaults defaults;
  if (quote_ok) defaults.quote_dp = cfg.daemon.quote.quote_dp;
  std::map<std::string, const MarketConfig*> by_symbol;
  std::vector<MarketConfig> all;  // every market read, with or without errors
  cfg.market_files = market_files(ctx, *doc, cfg.daemon);
  all.reserve(cfg.market_files.size());
  std::vector<bool> good;
  for (const std::string& f : cfg.market_files) {
    std::optional<YAML::Node> mdoc = load_yaml_file(f, diag);
    if (!mdoc) continue;
    MarketConfig mc;
    // Without a usable daemon quote scale, a market file would report its absence
    // again; let it fall back to its own quote_scale or 6 quietly.
    MarketDefaults d = defaults;
    if (!quote_ok) d.quote_dp = cfg.daemon.quote.quote_dp;
    good.push_back(detail::load_market_partial(*mdoc, f, d, diag, mc));
    all.push_back(std::move(mc));
  }
  for (size_t i = 0; i < all.size(); ++i) {
    const MarketConfig& m = all[i];
    if (m.symbol.empty()) continue;
    auto [it, inserted] = by_symbol.emplace(m.symbol, &m);
    if (!inserted) {
      diag.add(m.file, m.line, "symbol",
               "duplicate market '" + m.symbol + "' (also in " + it->second->file + ":" +
                   std::to_string(it->second->line) + ")");
      good[i] = false;
    }
  }
  for (size_t i = 0; i < all.size(); ++i)
    if (good[i]) cfg.markets.push_back(std::move(all[i]));

  diag.sort();
  if (diag.size() != before) return std::nullopt;
  return cfg;
}

}  // namespace liqd::config
