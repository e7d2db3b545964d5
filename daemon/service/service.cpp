#include "daemon/service/service.hpp"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "daemon/admin/auth.hpp"
#include "daemon/service/core_stage.hpp"
#include "daemon/service/depth_tap.hpp"
#include "daemon/service/split_wiring.hpp"
#include "daemon/service/executor_stage.hpp"
#include "daemon/service/feed_bridge.hpp"
#include "daemon/service/http_front.hpp"
#include "daemon/service/policy_from_config.hpp"
#include "daemon/service/recovery.hpp"
#include "feeds/connection/account_connection.hpp"
#include "feeds/connection/binance_connection.hpp"
#include "feeds/connection/hyperliquid_connection.hpp"
#include "feeds/connection/pyth_connection.hpp"

namespace liqd::service {

namespace {

constexpr std::size_t kPriceRing = 1 << 14, kAccountRing = 1 << 18, kCommandRing = 1 << 14, kOutcomeRing = 1 << 14;
constexpr std::size_t kAdminRing = 64, kRiskRing = 64;

void pin(std::thread& t, int cpu, const char* what) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(t.native_handle(), sizeof set, &set) != 0)
    spdlog::warn("{} thread: cannot pin to CPU {} (continuing unpinned)", what, cpu);
}

std::string strip_0x(const std::string& s) { return s.rfind("0x", 0) == 0 ? s.substr(2) : s; }

// Everything a running instance owns, so run_service reads as the start-up order.
struct Instance {
  const config::Config& cfg;
  std::string config_path;
  ServiceOptions opts;
  Snapshots snaps;
  metrics::LatencyHistogram tick_to_decision;
  std::atomic<bool> stop_core{false}, drain{false}, stop_exec{false}, stop_feeds{false};

  std::vector<std::unique_ptr<SpscRing<PriceInput>>> price_rings;
  SpscRing<AccountInput> account_ring{kAccountRing};
  SpscRing<ExecCommand> command_ring{kCommandRing};
  SpscRing<OrderOutcome> outcome_ring{kOutcomeRing};
  SpscRing<AdminRequest> request_ring{kAdminRing};
  SpscRing<AdminReply> reply_ring{kAdminRing};
  SpscRing<RiskCommand> risk_ring{kRiskRing};

  // Feeds: one market table per connection (each handler reads its own unlocked).
  struct Feed {
    std::string name;   // its metrics and log name: the venue's, or "own-book"
    feeds::MarketTable table{256};
    std::unique_ptr<PriceBridge> bridge;
    std::unique_ptr<DepthTap> tap;   // hedge venues' books on this feed (null: none)
    std::unique_ptr<DepthTap> own_tap;  // the own books' depth for the core's split (null: none)
    std::unique_ptr<feeds::WsFeedConnection> conn;
  };
  // Depth of the vault's hedge venues, written by the feeds, read by the executor.
  std::unique_ptr<exec::vault::DepthBoard> hedge_depth;
  // Depth of each market's own book (slot = market), written by the feed that
  // carries it, read by the core's split (core_split.hpp).
  std::unique_ptr<exec::vault::DepthBoard> own_depth;
  SplitSettings split;   // the core's split (split_wiring.hpp), built with the depth routes
  std::vector<std::unique_ptr<Feed>> feeds;
  feeds::MarketTable own_table{256};
  std::unique_ptr<AccountBridge> account_bridge;
  std::unique_ptr<feeds::AccountConnection> account_conn;

  std::unique_ptr<CoreStage> core;
  std::unique_ptr<ExecutorStage> exec;
  std::unique_ptr<HttpFront> http;
  std::thread core_thread, exec_thread;
  uint64_t reload_errors = 0, reloads = 0;

  explicit Instance(const config::Config& c) : cfg(c) {}
};

// The market's own-venue symbol: its own-clob venue's symbol (the market's by default).
std::string own_symbol(const config::MarketConfig& m) {
  for (const config::VenueConfig& v : m.venues)
    if (v.kind == "own-clob") return v.symbol.empty() ? m.symbol : v.symbol;
  return m.symbol;
}

// Builds one feed connection per configured source kind, with routes from each
// market's `oracles:` list. Returns an error string.
std::string build_feeds(Instance& in) {
  const config::Config& cfg = in.cfg;
  struct Want {
    std::vector<std::string> symbols;
    std::vector<PriceRoute> prices;
    std::vector<BookRoute> books;
  };
  Want binance, hyper, pyth;
  auto add_symbol = [](Want& w, const std::string& s) {
    if (std::find(w.symbols.begin(), w.symbols.end(), s) == w.symbols.end()) w.symbols.push_back(s);
  };
  // 0 binance, 1 hyperliquid, 2 pyth, 3 the own venue's books (feeds.own_book_ws).
  std::vector<std::unique_ptr<Instance::Feed>> made(4);
  for (auto& f : made) f = std::make_unique<Instance::Feed>();
  auto register_market = [&](int which, feeds::Venue v, const std::string& sym, const Scale& sc) {
    return made[static_cast<std::size_t>(which)]->table.add(v, sym, sc);
  };
  for (uint32_t m = 0; m < cfg.markets.size(); ++m) {
    const config::MarketConfig& mc = cfg.markets[m];
    const Scale sc = mc.risk.scale;
    bool have_book = false;
    for (uint8_t k = 0; k < mc.oracles.size(); ++k) {
      const config::OracleSource& o = mc.oracles[k];
      PriceRoute r;
      r.market = m;
      r.oracle = k;
      r.price_dp = sc.price_dp;
      if (o.kind == "binance-mark" || o.kind == "binance-index") {
        if (cfg.daemon.feeds.binance_ws.empty()) continue;
        add_symbol(binance, o.id);
        r.feed_market = register_market(0, feeds::Venue::BinanceUsdm, o.id, sc);
        r.source = o.kind == "binance-mark" ? feeds::PriceSource::Mark : feeds::PriceSource::Index;
        binance.prices.push_back(r);
        if (!have_book) {
          binance.books.push_back(BookRoute{r.feed_market, m, sc.price_dp, sc.price_dp});
          have_book = true;
        }
      } else if (o.kind == "hyperliquid-oracle") {
        if (cfg.daemon.feeds.hyperliquid_ws.empty()) continue;
        add_symbol(hyper, o.id);
        r.feed_market = register_market(1, feeds::Venue::Hyperliquid, o.id, sc);
        r.source = feeds::PriceSource::Mid;  // allMids: the venue's mid (its oracle is not on the public WS)
        hyper.prices.push_back(r);
      } else if (o.kind == "pyth") {
        if (cfg.daemon.feeds.pyth_ws.empty()) continue;
        const std::string id = strip_0x(o.id);
        add_symbol(pyth, id);
        r.feed_market = register_market(2, feeds::Venue::PythHermes, id, sc);
        r.source = feeds::PriceSource::Oracle;
        pyth.prices.push_back(r);
      } else {
        spdlog::warn("{}: oracle '{}' ({}) has no feed handler in this build; the market's quorum counts it as missing",
                     mc.symbol, o.name, o.kind);
      }
    }
  }
  // The vault's hedge venues with order entry take their depth from the book
  // liqd's Binance feed keeps for their instrument (subscribed here if no oracle
  // asked for it). Slots are numbered as the desk numbers its hedges.
  std::vector<DepthRoute> depth_routes;
  {
    uint32_t h = 0;
    for (const config::MarketConfig& mc : cfg.markets)
      for (const config::VenueConfig& vc : mc.venues) {
        if (vc.kind == "own-clob" || vc.kind == "backstop-vault") continue;
        if (vc.order_entry && vc.kind == "binance-usdm" && cfg.daemon.backstop.account != 0) {
          if (cfg.daemon.feeds.binance_ws.empty()) {
            spdlog::warn("{}: hedge venue '{}' has order entry but feeds.binance_ws is not set: no depth, no hedges there",
                         mc.symbol, vc.name);
          } else {
            add_symbol(binance, vc.symbol);
            DepthRoute r;
            r.feed_market = register_market(0, feeds::Venue::BinanceUsdm, vc.symbol, mc.risk.scale);
            if (r.feed_market == feeds::kNoMarket) {
              spdlog::warn("{}: hedge venue '{}': symbol '{}' cannot be followed on the Binance feed: no hedges there",
                           mc.symbol, vc.name, vc.symbol);
              ++h;
              continue;
            }
            const Scale fs = made[0]->table.info(r.feed_market).scale;
            r.slot = h;
            r.feed_price_dp = fs.price_dp;
            r.feed_qty_dp = fs.qty_dp;
            r.price_dp = mc.risk.scale.price_dp;
            r.qty_dp = mc.risk.scale.qty_dp;
            depth_routes.push_back(r);
          }
        }
        ++h;
      }
    in.hedge_depth = std::make_unique<exec::vault::DepthBoard>(h);
  }
  // Each market's own book for the core's split: the own venue's book feed's (its
  // own-clob symbol) when feeds.own_book_ws is set, else the book its mark's feed keeps.
  std::vector<DepthRoute> own_routes;
  std::vector<std::string> own_symbols;
  const bool own_feed = !cfg.daemon.feeds.own_book_ws.empty();
  if (cfg.daemon.backstop.account != 0 && cfg.daemon.backstop.split) {
    if (own_feed) {
      for (uint32_t m = 0; m < cfg.markets.size(); ++m) {
        const std::string sym = own_symbol(cfg.markets[m]);
        const Scale& ms = cfg.markets[m].risk.scale;
        const feeds::MarketId id = made[3]->table.add(feeds::Venue::BinanceUsdm, sym, ms);
        if (id == feeds::kNoMarket) {
          spdlog::warn("{}: own book '{}' cannot be followed on feeds.own_book_ws: no split there", cfg.markets[m].symbol, sym);
          continue;
        }
        if (std::find(own_symbols.begin(), own_symbols.end(), sym) == own_symbols.end()) own_symbols.push_back(sym);
        const Scale fs = made[3]->table.info(id).scale;
        own_routes.push_back(DepthRoute{id, m, fs.price_dp, ms.price_dp, fs.qty_dp, ms.qty_dp, DepthFeed::OwnBook});
      }
    } else {
      for (const BookRoute& b : binance.books) {
        const Scale fs = made[0]->table.info(b.feed_market).scale;
        const Scale& ms = cfg.markets[b.market].risk.scale;
        own_routes.push_back(
            DepthRoute{b.feed_market, b.market, fs.price_dp, ms.price_dp, fs.qty_dp, ms.qty_dp, DepthFeed::Binance});
      }
    }
  }
  in.own_depth = std::make_unique<exec::vault::DepthBoard>(cfg.markets.size());
  in.split = split_settings_from(cfg, depth_routes, own_routes, *in.own_depth, *in.hedge_depth);
  bool any_split = false;   // no market with a hedge book of its own: no own-book tap either
  for (const SplitMarket& sm : in.split.markets) any_split |= !sm.hedges.empty();
  if (!any_split) own_routes.clear();
  const int64_t stale = cfg.daemon.feeds.stale_after_ms;
  auto make_bridge = [&](Instance::Feed& f, Want& w) {
    in.price_rings.push_back(std::make_unique<SpscRing<PriceInput>>(kPriceRing));
    f.bridge = std::make_unique<PriceBridge>(*in.price_rings.back(), w.prices, w.books);
  };
  if (!binance.symbols.empty()) {
    Instance::Feed& f = *made[0];
    f.name = feeds::venue_name(feeds::Venue::BinanceUsdm);
    make_bridge(f, binance);
    feeds::BinanceOptions bo;
    bo.stale_after_ms = stale;
    feeds::EventSink* sink = f.bridge.get();
    if (!depth_routes.empty()) {
      f.tap = std::make_unique<DepthTap>(*f.bridge, *in.hedge_depth, std::move(depth_routes));
      sink = f.tap.get();
    }
    if (!own_routes.empty() && !own_feed) {
      f.own_tap = std::make_unique<DepthTap>(*sink, *in.own_depth, std::move(own_routes));
      sink = f.own_tap.get();
    }
    f.conn = std::make_unique<feeds::BinanceConnection>(f.table, binance.symbols, cfg.daemon.feeds.binance_ws,
                                                        cfg.daemon.feeds.binance_rest, *sink, bo);
    in.feeds.push_back(std::move(made[0]));
  }
  if (!own_routes.empty() && own_feed) {
    // The own venue's books: depth only (the marks come from the oracles' feeds),
    // through a bridge with no routes into the own-depth slots.
    Instance::Feed& f = *made[3];
    f.name = "own-book";
    Want none;
    make_bridge(f, none);
    feeds::BinanceOptions bo;
    bo.stale_after_ms = stale;
    f.own_tap = std::make_unique<DepthTap>(*f.bridge, *in.own_depth, std::move(own_routes));
    f.conn = std::make_unique<feeds::BinanceConnection>(f.table, own_symbols, cfg.daemon.feeds.own_book_ws,
                                                        cfg.daemon.feeds.own_book_rest, *f.own_tap, bo);
    in.feeds.push_back(std::move(made[3]));
  }
  if (!hyper.symbols.empty()) {
    Instance::Feed& f = *made[1];
    f.name = feeds::venue_name(feeds::Venue::Hyperliquid);
    make_bridge(f, hyper);
    feeds::HyperliquidOptions ho;
    ho.stale_after_ms = stale;
    f.conn = std::make_unique<feeds::HyperliquidConnection>(f.table, hyper.symbols, cfg.daemon.feeds.hyperliquid_ws,
                                                            *f.bridge, ho);
    in.feeds.push_back(std::move(made[1]));
  }
  if (!pyth.symbols.empty()) {
    Instance::Feed& f = *made[2];
    f.name = feeds::venue_name(feeds::Venue::PythHermes);
    make_bridge(f, pyth);
    feeds::PythOptions po;
    po.stale_after_ms = stale;
    f.conn = std::make_unique<feeds::PythConnection>(f.table, pyth.symbols, cfg.daemon.feeds.pyth_ws, *f.bridge, po);
    in.feeds.push_back(std::move(made[2]));
  }
  if (in.feeds.empty()) return "no market has an oracle source with a configured feed (feeds: section)";
  // The account stream names markets by their own-venue symbol; ids = core market index.
  for (uint32_t m = 0; m < cfg.markets.size(); ++m) {
    const feeds::MarketId id = in.own_table.add(feeds::Venue::Own, own_symbol(cfg.markets[m]), cfg.markets[m].risk.scale);
    if (id != m) return "market table: " + cfg.markets[m].symbol + " could not be registered";
  }
  in.account_bridge = std::make_unique<AccountBridge>(in.account_ring, in.stop_feeds);
  in.account_conn = std::make_unique<feeds::AccountConnection>(in.own_table, cfg.daemon.venue->account_stream.str(),
                                                               *in.account_bridge);
  return "";
}

std::string readiness(const Instance& in) {
  CoreStats cs;
  if (!in.snaps.core.try_load(cs)) return "core snapshot unavailable";
  if (in.account_conn && !in.account_conn->in_sync()) return "account stream not in sync";
  for (const auto& f : in.feeds)
    if (!f->conn->in_sync()) return std::string(f->name) + " feed not in sync";
  if (!cs.accounts_in_sync) return "core has not received the account snapshot";
  if (!cs.prices_in_sync) return "not every market has a fresh mark";
  if (cs.draining) return "draining";
  return "";
}

// SIGHUP: the market files again. Any error keeps the running config.
void reload(Instance& in) {
  ++in.reloads;
  config::Diagnostics diag;
  std::optional<config::Config> next = config::load_config(in.config_path, diag);
  if (!next) {
    ++in.reload_errors;
    for (const config::ConfigError& e : diag.errors()) spdlog::error("reload: {}", e.str());
    spdlog::error("reload: {} error(s); the running configuration stays in force", diag.size());
    return;
  }
  if (next->markets.size() != in.cfg.markets.size()) {
    ++in.reload_errors;
    spdlog::error("reload: markets were added or removed; that needs a restart (running configuration kept)");
    return;
  }
  for (uint32_t m = 0; m < next->markets.size(); ++m) {
    const config::MarketConfig& a = in.cfg.markets[m];
    const config::MarketConfig& b = next->markets[m];
    if (a.symbol != b.symbol || a.risk.scale.price_dp != b.risk.scale.price_dp || a.risk.scale.qty_dp != b.risk.scale.qty_dp) {
      ++in.reload_errors;
      spdlog::error("reload: {} changed its symbol or units; that needs a restart (running configuration kept)", a.symbol);
      return;
    }
  }
  // The daemon file's policy sections are read at start: a change to them is said,
  // not silently dropped (the market files' changes still apply).
  const config::DaemonConfig& was = in.cfg.daemon;
  const config::DaemonConfig& now = next->daemon;
  for (const auto& [name, same] : {std::pair{"liquidation", was.liquidation == now.liquidation},
                                   std::pair{"circuit_breaker", was.circuit_breaker == now.circuit_breaker},
                                   std::pair{"dynamic_margin", was.dynamic_margin == now.dynamic_margin},
                                   std::pair{"backstop", was.backstop == now.backstop},
                                   std::pair{"executor", was.executor == now.executor}})
    if (!same)
      spdlog::warn("reload: {}: the daemon file's `{}` section changed; it is read at start only, restart to apply it "
                   "(running values kept)", in.config_path, name);
  uint32_t sent = 0;
  for (uint32_t m = 0; m < next->markets.size(); ++m) {
    RiskCommand rc;
    rc.market = m;
    rc.risk = next->markets[m].risk;
    rc.ramp_steps = kReloadRampSteps;
    rc.ramp_step_ms = kReloadRampStepMs;
    rc.check_flags = true;
    if (!in.risk_ring.try_push(rc)) {
      ++in.reload_errors;
      spdlog::error("reload: core busy with an earlier reload; try again");
      return;
    }
    ++sent;
  }
  spdlog::info("reload: {} market(s) validated and handed to the core (it ramps any change that would flag accounts)", sent);
}

std::string status_line(const Instance& in) {
  CoreStats cs;
  ExecStats es;
  in.snaps.core.try_load(cs);
  in.snaps.exec.try_load(es);
  return fmt::format("accounts {} flagged {} orders {} fills {} fund {} {}", cs.accounts, cs.flagged, es.orders_sent,
                     es.fills, cs.fund_balance, readiness(in).empty() ? "ready" : readiness(in));
}

}  // namespace

int run_service(const config::Config& cfg, const std::string& config_path, const ServiceOptions& opts) {
  if (!cfg.daemon.venue) {
    spdlog::error("{}: no venue: section (account_stream, order_entry): nothing to protect", config_path);
    return 1;
  }
  if (cfg.markets.size() > kMaxMarkets) {
    spdlog::error("{}: {} markets; this build runs at most {}", config_path, cfg.markets.size(), kMaxMarkets);
    return 1;
  }
  std::string token, err;
  if (!admin::load_token_file(cfg.daemon.admin.token_file, token, err)) {
    spdlog::error("admin.token_file: {}", err);
    return 1;
  }
  // Signals are taken by the main thread only: block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto in = std::make_unique<Instance>(cfg);
  in->config_path = config_path;
  in->opts = opts;

  std::vector<std::string> symbols;
  for (const config::MarketConfig& m : cfg.markets) symbols.push_back(m.symbol);
  RecoveredState rec = recover_state(cfg.daemon.journal.dir, symbols);
  if (!rec.error.empty()) {
    spdlog::error("journal {}: {} (refusing to start on a damaged journal)", cfg.daemon.journal.dir, rec.error);
    return 1;
  }
  spdlog::info("journal {}: {} records replayed{}, {} orders to reconcile, {} liquidation units restored, next liquidation seq {}",
               cfg.daemon.journal.dir, rec.records, rec.torn_tail_dropped ? " (torn tail dropped)" : "",
               rec.open_orders.size(), rec.units.size(), rec.next_liquidation_seq);

  if (std::string e = build_feeds(*in); !e.empty()) {
    spdlog::error("{}: {}", config_path, e);
    return 1;
  }

  CoreStageConfig cc = core_config_from(cfg);
  cc.max_accounts = opts.max_accounts;
  cc.split = in->split;
  log_split(cfg, cc.split);
  cc.fund_balance = rec.fund_balance.value_or(cfg.daemon.insurance_fund.start_balance);
  cc.liquidation_seq = rec.next_liquidation_seq;
  cc.paused_all = rec.paused_all;
  cc.recovered_units = std::move(rec.units);
  cc.recovered_orders = rec.open_orders;  // the executor reconciles them; the core waits for them
  cc.recovered_iocs = std::move(rec.recent_iocs);
  for (RecoveredPriceMemory& pm : rec.price_memory)
    for (uint32_t m = 0; m < cfg.markets.size(); ++m)
      if (cfg.markets[m].symbol == pm.market) {
        pm.market_index = m;
        cc.price_memory.push_back(std::move(pm));
        break;
      }
  for (const auto& [s, mode] : rec.breaker_modes)
    for (uint32_t m = 0; m < cfg.markets.size(); ++m)
      if (cfg.markets[m].symbol == s) cc.breaker_modes.emplace_back(m, mode);
  for (const std::string& s : rec.paused_markets)
    for (uint32_t m = 0; m < cfg.markets.size(); ++m)
      if (cfg.markets[m].symbol == s) cc.paused_markets.push_back(m);
  CoreRings rings;
  for (auto& r : in->price_rings) rings.prices.push_back(r.get());
  rings.accounts = &in->account_ring;
  rings.outcomes = &in->outcome_ring;
  rings.requests = &in->request_ring;
  rings.commands = &in->command_ring;
  rings.replies = &in->reply_ring;
  rings.risk_changes = &in->risk_ring;
  in->core = std::make_unique<CoreStage>(std::move(cc), rings, in->snaps, &in->tick_to_decision);

  ExecutorConfig ec = executor_config_from(cfg);
  if (std::string e = load_hedge_keys(ec); !e.empty()) {
    spdlog::error("{}: {}", config_path, e);
    return 1;
  }
  ec.hedge_depth = in->hedge_depth.get();
  ec.next_journal_seq = rec.next_journal_seq;
  ec.recovered = std::move(rec.open_orders);
  ec.unsettled = std::move(rec.unsettled_fills);
  ec.recovered_vault = std::move(rec.vault);
  in->exec = std::make_unique<ExecutorStage>(std::move(ec), in->command_ring, in->outcome_ring, in->snaps, &in->tick_to_decision);
  if (std::string e = in->exec->open(); !e.empty()) {
    spdlog::error("journal {}: {}", cfg.daemon.journal.dir, e);
    return 1;
  }

  HttpFrontConfig hc;
  hc.cfg = &cfg;
  hc.token = token;
  hc.snaps = &in->snaps;
  hc.requests = &in->request_ring;
  hc.replies = &in->reply_ring;
  hc.tick_to_decision = &in->tick_to_decision;
  Instance* raw = in.get();
  hc.ready_reason = [raw] { return readiness(*raw); };
  hc.feed_status = [raw] {
    std::vector<FeedHealth> out;
    for (const auto& f : raw->feeds) {
      FeedHealth s;
      s.source = f->name;
      s.connected = f->conn->connected();
      s.in_sync = f->conn->in_sync();
      const feeds::FeedCounters fc = f->conn->feed_counters();
      s.messages = f->conn->transport().messages.load(std::memory_order_relaxed);
      s.errors = fc.errors_total;
      s.gaps = fc.gaps;
      s.resyncs = f->conn->counters().resync_requests.load(std::memory_order_relaxed);
      s.reconnects = f->conn->transport().reconnects.load(std::memory_order_relaxed);
      s.ring_full = f->bridge->counters().ring_full.load(std::memory_order_relaxed);
      s.stale = f->bridge->counters().stale.load(std::memory_order_relaxed);
      out.push_back(s);
    }
    if (raw->account_conn) {
      FeedHealth s;
      s.source = "accounts";
      s.connected = raw->account_conn->connected();
      s.in_sync = raw->account_conn->in_sync();
      s.messages = raw->account_bridge->updates();
      s.gaps = raw->account_conn->feed_counters().gaps;
      s.resyncs = raw->account_conn->counters().resync_reconnects.load(std::memory_order_relaxed);
      s.ring_full = raw->account_bridge->ring_full();
      out.push_back(s);
    }
    return out;
  };
  hc.reloads = [raw] { return std::pair<uint64_t, uint64_t>{raw->reloads, raw->reload_errors}; };
  in->http = std::make_unique<HttpFront>(std::move(hc));
  if (std::string e = in->http->start(); !e.empty()) {
    spdlog::error("http: {}", e);
    return 1;
  }

  // Threads: executor first (it must take the core's first commands), then the
  // core, then the feeds that produce into the core.
  in->exec_thread = std::thread([raw] { raw->exec->run(raw->stop_exec, raw->opts.drain_timeout_ms); });
  in->core_thread = std::thread([raw] { raw->core->run(raw->stop_core, raw->drain); });
  pin(in->exec_thread, cfg.daemon.threads.executor_cpu, "executor");
  if (!cfg.daemon.threads.core_cpus.empty()) pin(in->core_thread, cfg.daemon.threads.core_cpus[0], "core");
  for (auto& f : in->feeds)
    if (std::string e = f->conn->start(); !e.empty()) spdlog::error("feed {}: {}", f->name, e);
  if (std::string e = in->account_conn->start(); !e.empty()) spdlog::error("account stream: {}", e);

  sd_notify(0, "READY=1");
  spdlog::info("liqd {}: {} markets, admin on {}, metrics on {}", cfg.daemon.instance, cfg.markets.size(),
               in->http->admin_endpoint(), in->http->metrics_endpoint());

  uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  uint64_t last_core_version = 0, last_exec_version = 0;
  auto last_status = std::chrono::steady_clock::now();
  for (;;) {
    timespec tmo{0, 250'000'000};
    const int sig = sigtimedwait(&sigs, nullptr, &tmo);
    if (sig == SIGHUP) {
      reload(*in);
      continue;
    }
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("signal {}: draining (no new liquidations; open orders end or are cancelled within {} ms)", sig,
                   opts.drain_timeout_ms);
      sd_notify(0, "STOPPING=1");
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_status >= std::chrono::seconds(1)) {
      last_status = now;
      sd_notifyf(0, "STATUS=%s", status_line(*in).c_str());
      // The watchdog is fed only while both hot threads publish (they publish
      // when idle too), so a wedged thread lets systemd restart the service.
      const uint64_t cv = in->snaps.core.version(), ev = in->snaps.exec.version();
      if (watchdog && cv != last_core_version && ev != last_exec_version) sd_notify(0, "WATCHDOG=1");
      last_core_version = cv;
      last_exec_version = ev;
    }
  }
  // Drain: the core stops planning, the executor finishes or cancels what is open
  // and flushes the journal, then everything else stops.
  in->drain.store(true, std::memory_order_release);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the core see it before the executor stops
  in->stop_exec.store(true, std::memory_order_release);
  in->exec_thread.join();
  in->stop_feeds.store(true, std::memory_order_release);
  for (auto& f : in->feeds) {
    const feeds::FeedCounters fc = f->conn->feed_counters();
    spdlog::info("feed {}: {} messages, {} used, {} errors, {} gaps, {} resyncs; {} prices, {} unrouted, {} ring full",
                 f->name, fc.messages, fc.used, fc.errors_total, fc.gaps, fc.resyncs,
                 f->bridge->counters().prices.load(), f->bridge->counters().unrouted.load(),
                 f->bridge->counters().ring_full.load());
    for (int k = 0; k < feeds::kFeedErrorCount; ++k)
      if (fc.errors[static_cast<std::size_t>(k)] > 0)
        spdlog::info("feed {}: {} x {}", f->name, fc.errors[static_cast<std::size_t>(k)],
                     feeds::to_string(static_cast<feeds::FeedError>(k)));
    f->conn->stop();
  }
  in->account_conn->stop();
  in->stop_core.store(true, std::memory_order_release);
  in->core_thread.join();
  in->http->stop();
  ExecStats es;
  in->snaps.exec.try_load(es);
  CoreStats cs;
  in->snaps.core.try_load(cs);
  for (uint32_t m = 0; m < cs.n_markets; ++m) {
    const MarketSnapshot& ms = cs.markets[m];
    spdlog::info("market {}: mark {} index {} book mid {} mode {} oracle {} sources [{}, {}, {}] dropped [{}, {}, {}]",
                 cfg.markets[m].symbol, ms.mark, ms.index, ms.book_mid, ms.mode, ms.oracle_stale ? "STALE" : "ok",
                 ms.source_price[0], ms.source_price[1], ms.source_price[2], ms.source_dropped[0], ms.source_dropped[1],
                 ms.source_dropped[2]);
  }
  spdlog::info("core: {} accounts, {} flagged now, {} flagged in total, fund {}, fees {}, paid {}, index missed {}",
               cs.accounts, cs.flagged, cs.flagged_total, cs.fund_balance, cs.fees_to_fund, cs.fund_paid, cs.index_missed);
  spdlog::info("stopped: {} orders sent, {} fills, {} open at exit, journal flushed", es.orders_sent, es.fills, es.open_orders);
  return 0;
}

}  // namespace liqd::service
