#include "daemon/service/policy_from_config.hpp"

#include <algorithm>

#include "daemon/replay/replay_engine.hpp"

namespace liqd::service {

policy::OracleConfig oracle_config_from(const config::MarketConfig& m) {
  policy::OracleConfig o;
  o.n_sources = static_cast<uint8_t>(std::min<std::size_t>(m.oracles.size(), policy::kMaxOracleSources));
  Ratio dev{0};
  for (uint8_t k = 0; k < o.n_sources; ++k) {
    o.max_age_ms[k] = m.oracles[k].max_staleness_ms;
    dev = std::max(dev, m.oracles[k].max_deviation);
  }
  if (dev.v > 0) o.max_deviation = dev;
  // A quorum of three where three or more sources exist (a single source can
  // then never move the index); otherwise every configured source must agree.
  o.min_sources = static_cast<uint8_t>(std::min<int>(3, o.n_sources));
  return o;
}

CoreStageConfig core_config_from(const config::Config& cfg) {
  // Tuning the YAML does not carry yet: the replay's defaults (daemon/replay/README.md),
  // so `liqd replay` and the service decide alike.
  const replay::ReplayOptions d;
  CoreStageConfig c;
  for (const config::MarketConfig& m : cfg.markets) c.markets.push_back(CoreMarket{m.symbol, m.risk, oracle_config_from(m)});
  c.planner = d.planner;
  if (c.planner.global_cap_per_minute.v == 0) c.planner.global_cap_per_minute = Quote(INT64_MAX);
  c.market_liq.assign(cfg.markets.size(), d.market_liq);
  c.breaker = d.breaker;
  c.vol = d.vol;
  c.dynamic_margin = false;
  c.fund_balance = cfg.daemon.insurance_fund.start_balance;
  return c;
}

ExecutorConfig executor_config_from(const config::Config& cfg) {
  ExecutorConfig e;
  for (const config::MarketConfig& m : cfg.markets) {
    ExecMarket x;
    x.symbol = m.symbol;
    x.venue_symbol = m.symbol;
    for (const config::VenueConfig& v : m.venues)
      if (v.kind == "own-clob" && !v.symbol.empty()) x.venue_symbol = v.symbol;
    x.price_dp = m.risk.scale.price_dp;
    x.qty_dp = m.risk.scale.qty_dp;
    x.quote_dp = m.risk.scale.quote_dp;
    e.markets.push_back(x);
  }
  if (cfg.daemon.venue) {
    e.venue_host = cfg.daemon.venue->order_entry.host == "localhost" ? "127.0.0.1" : cfg.daemon.venue->order_entry.host;
    e.venue_port = static_cast<uint16_t>(cfg.daemon.venue->order_entry.port);
  }
  e.journal.dir = cfg.daemon.journal.dir;
  switch (cfg.daemon.journal.fsync) {
    case config::FsyncPolicy::Always:
    case config::FsyncPolicy::Batch: e.journal.fsync = journal::FsyncPolicy::Always; break;  // one fsync per group commit
    case config::FsyncPolicy::Interval:
      e.journal.fsync = journal::FsyncPolicy::Interval;
      e.journal.fsync_interval_ms = static_cast<uint64_t>(cfg.daemon.journal.fsync_interval_ms);
      break;
    case config::FsyncPolicy::Never: e.journal.fsync = journal::FsyncPolicy::Never; break;
  }
  e.journal.segment_bytes = static_cast<uint64_t>(cfg.daemon.journal.segment_mb) << 20;
  return e;
}

}  // namespace liqd::service
