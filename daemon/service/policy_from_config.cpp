#include "daemon/service/policy_from_config.hpp"

#include <algorithm>
#include <cassert>


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

PolicySettings policy_settings_from(const config::DaemonConfig& d, std::size_t markets) {
  PolicySettings out;
  const config::LiquidationSection& l = d.liquidation;
  policy::PlannerConfig& p = out.planner;
  p.target_buffer = l.target_buffer;
  p.small_account_notional = l.small_account_notional;
  p.deep_underwater_fraction = l.deep_underwater_fraction;
  p.large_account_notional = l.large_account_notional;
  p.large_chunk_fraction = l.large_chunk_fraction;
  p.cooldown_ms = l.cooldown_ms;
  p.global_cap_per_minute = l.global_cap_per_minute;  // 0: none (the service) or derived (replay)
  p.order_timeout_ms = l.order_timeout_ms;
  p.no_fill_backoff_ms = l.no_fill_backoff_ms;
  p.no_fill_backoff_max_ms = l.no_fill_backoff_max_ms;
  out.market_liq.max_order_notional = l.max_order_notional;

  const config::CircuitBreakerSection& b = d.circuit_breaker;
  policy::BreakerConfig& br = out.breaker;
  assert(b.bands.size() <= static_cast<std::size_t>(policy::kMaxBreakerBands));  // the config reader's bound
  br.n_bands = static_cast<uint8_t>(b.bands.size());
  for (std::size_t i = 0; i < b.bands.size(); ++i)
    br.bands[i] = policy::BreakerBand{b.bands[i].window_ms, b.bands[i].throttle_move, b.bands[i].pause_move};
  br.throttle_divergence = b.throttle_divergence;
  br.pause_divergence = b.pause_divergence;
  br.calm_ms = b.calm_ms;
  br.throttle_chunk_scale = b.throttle_chunk_scale;
  br.throttle_cooldown_mult = static_cast<int>(b.throttle_cooldown_mult);

  const config::DynamicMarginSection& v = d.dynamic_margin;
  out.dynamic_margin = v.enabled;
  out.vol.half_life_ms = v.half_life_ms;
  out.vol.horizon_ms = v.horizon_ms;
  out.vol.k = v.k;
  out.vol.interval_ms = v.interval_ms;
  out.vol.max_step = v.max_step;
  out.vol.min_change = v.min_change;
  out.vol.mmr_cap = v.mmr_cap;
  out.vol.min_samples = static_cast<uint32_t>(v.min_samples);

  const config::BackstopSection& bs = d.backstop;
  out.backstop.account = bs.account;
  out.backstop.trigger_fraction = bs.trigger_fraction;
  out.backstop.max_notional.assign(bs.account != 0 ? markets : 0, bs.max_notional_per_market);
  out.backstop.max_total_notional = bs.max_total_notional;
  out.backstop.margin_buffer = bs.margin_buffer;
  return out;
}

CoreStageConfig core_config_from(const config::Config& cfg) {
  const PolicySettings ps = policy_settings_from(cfg.daemon, cfg.markets.size());
  CoreStageConfig c;
  for (const config::MarketConfig& m : cfg.markets) c.markets.push_back(CoreMarket{m.symbol, m.risk, oracle_config_from(m)});
  c.planner = ps.planner;
  if (c.planner.global_cap_per_minute.v == 0) c.planner.global_cap_per_minute = Quote(INT64_MAX);
  c.market_liq.assign(cfg.markets.size(), ps.market_liq);
  c.breaker = ps.breaker;
  c.vol = ps.vol;
  c.dynamic_margin = ps.dynamic_margin;
  c.backstop = ps.backstop;
  c.fund_balance = cfg.daemon.insurance_fund.start_balance;
  return c;
}

namespace {

// The base asset of a market symbol: what precedes '-', '_' or '/' ("BTC-USD" ->
// "BTC"), else the symbol without a trailing quote asset ("BTCUSDT" -> "BTC").
std::string base_asset(const std::string& symbol, const std::string& quote) {
  const std::size_t cut = symbol.find_first_of("-_/");
  if (cut != std::string::npos && cut > 0) return symbol.substr(0, cut);
  for (const std::string& q : {quote, std::string("USDT"), std::string("USDC"), std::string("USD")})
    if (!q.empty() && symbol.size() > q.size() && symbol.compare(symbol.size() - q.size(), q.size(), q) == 0)
      return symbol.substr(0, symbol.size() - q.size());
  return symbol;
}

}  // namespace

exec::vault::DeskConfig vault_desk_config_from(const config::Config& cfg) {
  namespace v = exec::vault;
  v::DeskConfig d;
  d.vault_account = cfg.daemon.backstop.account;
  const std::string& quote = cfg.daemon.quote.asset;
  for (uint32_t m = 0; m < cfg.markets.size(); ++m) {
    const config::MarketConfig& mc = cfg.markets[m];
    // The own contract: this venue's perp, linear in the quote asset, counted in
    // base at the market's scale (what ExecCommand quantities and fills are in).
    v::ContractSpec own;
    own.venue = "own";
    for (const config::VenueConfig& vc : mc.venues)
      if (vc.kind == "own-clob") { own.venue = vc.name; break; }
    own.market = mc.symbol;
    own.base = base_asset(mc.symbol, quote);
    own.quote = quote;
    own.kind = v::ContractKind::Linear;
    own.price_dp = mc.risk.scale.price_dp;
    own.qty_dp = mc.risk.scale.qty_dp;
    own.settle_dp = mc.risk.scale.quote_dp;
    d.markets.push_back(v::DeskMarket{own});
    // Every external venue of the market is a contract the vault can hold (and hedge on).
    for (const config::VenueConfig& vc : mc.venues) {
      if (vc.kind == "own-clob" || vc.kind == "backstop-vault") continue;
      v::DeskHedge h;
      h.market = m;
      h.contract = own;
      h.contract.venue = vc.name;
      h.contract.kind = vc.contract == "inverse" ? v::ContractKind::Inverse : v::ContractKind::Linear;
      h.contract.multiplier = vc.multiplier;
      h.contract.multiplier_dp = vc.multiplier_dp;
      if (h.contract.kind == v::ContractKind::Inverse) h.contract.settle_dp = 8;  // settled in base
      h.params.taker_fee = vc.taker_fee;
      h.params.lot = vc.lot;
      h.params.min_qty = vc.min_qty;
      if (vc.max_qty) h.params.max_qty = *vc.max_qty;
      d.hedges.push_back(h);   // venue stays null: no external order entry in this build
    }
  }
  d.tracker.capacity = 1024;
  return d;
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
  e.tracker.capacity = static_cast<uint32_t>(cfg.daemon.executor.tracker_capacity);
  e.keep_ended_ms = cfg.daemon.executor.keep_ended_ms;
  e.vault = vault_desk_config_from(cfg);
  // Hedge venues with order entry, numbered as vault_desk_config_from numbers
  // its hedges (every venue but own-clob and backstop-vault, market by market).
  uint32_t h = 0;
  for (const config::MarketConfig& m : cfg.markets) {
    for (const config::VenueConfig& v : m.venues) {
      if (v.kind == "own-clob" || v.kind == "backstop-vault") continue;
      if (v.order_entry && cfg.daemon.backstop.account != 0) {
        HedgeEntry he;
        he.hedge = h;
        he.venue = v.name;
        he.rest.host = v.order_entry->host;
        he.rest.port = static_cast<uint16_t>(v.order_entry->port);
        he.rest.tls = v.order_entry->tls;
        he.rest.ca_file = v.order_entry->ca_file;
        he.rest.symbol = v.symbol;
        he.rest.scale = m.risk.scale;   // the desk's orders are in the market's units (linear, multiplier 1)
        he.rest.recv_window_ms = v.order_entry->recv_window_ms;
        he.rest.request_timeout_ms = v.order_entry->request_timeout_ms;
        he.api_key_file = v.order_entry->api_key_file;
        he.secret_file = v.order_entry->secret_file;
        e.hedges.push_back(std::move(he));
      }
      ++h;
    }
  }
  return e;
}

}  // namespace liqd::service
