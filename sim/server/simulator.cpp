// The engine: lifecycle, listeners, pacing, the price step, and the fault-gated
// publish path every outgoing message takes.
#include "sim/server/simulator.hpp"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <future>

#include "sim/accounts/population_jsonl.hpp"
#include "sim/server/impl.hpp"
#include "sim/wire/formats.hpp"

namespace liqd::sim {

namespace asio = boost::asio;

Simulator::Impl::Impl(SimConfig c) : cfg(std::move(c)) {}

std::string Simulator::Impl::init() {
  std::vector<Bar> bars;
  if (auto e = load_bars_csv(cfg.path_file, bars); !e.empty()) return e;
  if (auto e = walk_path(bars, cfg.steps_per_bar, cfg.walk, path); !e.empty()) return e;
  // The market goes on after the crash: flat steps at the last price, so event time
  // keeps moving (staleness, breaker calm periods and cooldowns still run out).
  if (cfg.tail_minutes > 0) {
    const PathPoint last = path.back();
    const int64_t n = static_cast<int64_t>(cfg.tail_minutes) * cfg.steps_per_bar;
    for (int64_t k = 1; k <= n; ++k) {
      PathPoint p = last;
      p.ts_ms = last.ts_ms + k * 60'000 / cfg.steps_per_bar;
      p.volume = 0;
      path.push_back(p);
    }
  }
  first_open = path.front().px;
  if (cfg.markets.empty()) {
    MarketSpec m;
    parse_market_spec("BTCUSDT:tick=0.1:lot=0.001", m);
    cfg.markets.push_back(m);
  }
  std::vector<Price> refs;
  for (size_t i = 0; i < cfg.markets.size(); ++i) {
    MarketState st;
    st.spec = cfg.markets[i];
    // Default reference: the path's own first open at the market's tick.
    Price ref = st.spec.ref;
    if (ref.v == 0) {
      i128 units = rescale(first_open, kPathDp, st.spec.scale.price_dp, Round::HalfAwayFromZero);
      ref = Price(static_cast<int64_t>(div_round(units, st.spec.tick, Round::HalfAwayFromZero) * st.spec.tick));
    }
    st.ref = ref;
    st.mid = scale_to_market(path.front().px, first_open, ref, st.spec.tick);
    st.own.grid = resolve_grid(st.spec, ref);
    st.own.seed = cfg.seed ^ i;
    st.own.last_u = 1'000'000'000ull * (i + 1);
    st.own.streams = 1u << static_cast<int>(StreamId::Own);
    if (cfg.hedge_depth_multiple > 0) {
      // The hedge venue's book: the same price grid around the same mid (one
      // market, two venues), each level `multiple` times the own book's size, with
      // its own jitter (an independent seed), its own id chain and trade ids.
      st.has_ext = true;
      st.ext.grid = st.own.grid;
      st.ext.grid.top_qty_lots = st.own.grid.top_qty_lots * cfg.hedge_depth_multiple;
      st.ext.seed = mix(cfg.seed, 0xE87B00C, i);
      st.ext.last_u = 1'000'000'000ull * (i + 1) + 500'000'000ull;
      st.ext.streams = 1u << static_cast<int>(StreamId::Binance);
      generate_book(st.spec, st.ext.grid, st.mid, st.ext.seed, 0, st.ext.book);
    } else {
      st.own.streams |= 1u << static_cast<int>(StreamId::Binance);   // one book for both, as before
    }
    generate_book(st.spec, st.own.grid, st.mid, st.own.seed, 0, st.own.book);
    st.ema_e8 = static_cast<int64_t>(rescale(st.mid.v, st.spec.scale.price_dp, 8, Round::HalfAwayFromZero));
    refs.push_back(ref);
    markets.push_back(std::move(st));
  }
  step_idx = 0;
  hedge_positions.assign(markets.size(), HedgePosition{});
  sim_ms = path.front().ts_ms;
  PopulationParams pp = cfg.population;
  pp.seed = cfg.seed;
  accounts = generate_population(pp, cfg.markets, refs);
  population_size = accounts.size();
  if (cfg.backstop_account != 0) {
    if (cfg.backstop_account <= population_size)
      return "backstop account " + std::to_string(cfg.backstop_account) + " collides with the generated accounts 1.." +
             std::to_string(population_size) + " (pick an id above " + std::to_string(population_size) + ")";
    if (cfg.backstop_collateral.v < 0) return "backstop collateral must not be negative";
    SimAccount b;
    b.id = cfg.backstop_account;
    b.collateral = cfg.backstop_collateral;
    accounts.push_back(std::move(b));  // last: ids 1..N stay at [id-1]
  }
  if (!cfg.dump_accounts.empty()) {
    if (auto e = write_population_jsonl(cfg.dump_accounts, accounts, cfg.markets); !e.empty()) return e;
  }
  for (int s = 0; s < kStreamCount; ++s) {
    gates[s].seed(mix(cfg.seed, 0xFA017, static_cast<uint64_t>(s)));
    gates[s].set(cfg.faults[s]);
    delay_timers[s] = std::make_unique<asio::steady_timer>(io);
  }
  reject_rng = Rng(mix(cfg.seed, 0x4E1EC7));
  pace_timer = std::make_unique<asio::steady_timer>(io);
  order_timer = std::make_unique<asio::steady_timer>(io);
  bar_wall_ms = cfg.bar_wall_ms;
  return {};
}

std::string Simulator::Impl::listen(int slot, uint16_t port, uint16_t& bound) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg.bind_address, ec);
  if (ec) return "bad bind address " + cfg.bind_address;
  auto acc = std::make_unique<net::tcp::acceptor>(io);
  net::tcp::endpoint ep(addr, port);
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + cfg.bind_address + ":" + std::to_string(port) + ": " + ec.message();
  bound = acc->local_endpoint().port();
  acceptors[slot] = std::move(acc);
  return {};
}

void Simulator::Impl::accept(int slot) {
  acceptors[slot]->async_accept([this, slot](boost::system::error_code ec, net::tcp::socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptors[slot] || !acceptors[slot]->is_open()) return;
      return accept(slot);
    }
    switch (slot) {
      case kSlotBinance:
      case kSlotHyperliquid:
      case kSlotPyth:
      case kSlotOwn:
      case kSlotControl: {
        net::HttpFront::Handler h;
        if (slot == kSlotBinance) h = [this](const net::Request& r) { return binance_rest(r, false); };
        else if (slot == kSlotOwn) h = [this](const net::Request& r) { return binance_rest(r, true); };
        else if (slot == kSlotControl) h = [this](const net::Request& r) { return control(r); };
        else h = [](const net::Request& r) { return net::make_response(r, net::http::status::not_found, "{\"error\":\"websocket only\"}"); };
        net::HttpFront::OnUpgrade up;
        if (slot != kSlotControl)
          up = [this, slot](net::beast::tcp_stream st, net::Request req) { on_ws_upgrade(slot, std::move(st), std::move(req)); };
        std::make_shared<net::HttpFront>(std::move(sock), std::move(h), std::move(up))->start();
        break;
      }
      case kSlotOrders: {
        auto s = std::make_shared<net::FrameSession>(std::move(sock), static_cast<int>(StreamId::Orders));
        frame_sessions.insert(s);
        s->start([this](net::FrameSession& fs, std::string_view p) { on_order_frame(fs, p); },
                 [this](net::FrameSession& fs) {
                   for (auto it = frame_sessions.begin(); it != frame_sessions.end(); ++it)
                     if (it->get() == &fs) { frame_sessions.erase(it); break; }
                 });
        break;
      }
      case kSlotAccounts: {
        auto s = std::make_shared<net::FrameSession>(std::move(sock), static_cast<int>(StreamId::Accounts));
        frame_sessions.insert(s);
        on_account_connect(s);
        s->start([](net::FrameSession& fs, std::string_view) { ++fs.bad_frames; },  // clients send nothing
                 [this](net::FrameSession& fs) {
                   for (auto it = frame_sessions.begin(); it != frame_sessions.end(); ++it)
                     if (it->get() == &fs) { frame_sessions.erase(it); break; }
                 });
        break;
      }
      default: break;
    }
    accept(slot);
  });
}

// ---- pacing --------------------------------------------------------------------

void Simulator::Impl::schedule_next() {
  if (bar_wall_ms < 0 || step_idx + 1 >= path.size()) return;
  if (bar_wall_ms == 0) {
    // As fast as possible, but never faster than the slowest WebSocket client reads.
    size_t worst = 0;
    for (auto& s : ws_sessions) worst = std::max(worst, s->queued());
    if (worst > 2000) {
      pace_timer->expires_after(std::chrono::milliseconds(1));
    } else {
      pace_timer->expires_after(std::chrono::microseconds(0));
    }
  } else {
    const auto interval = std::chrono::microseconds(bar_wall_ms * 1000 / cfg.steps_per_bar);
    next_due += interval;
    const auto now = Clock::now();
    if (next_due < now - std::chrono::seconds(1)) next_due = now;  // never burst after a stall
    pace_timer->expires_at(next_due);
  }
  pace_timer->async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    if (bar_wall_ms == 0) {
      size_t worst = 0;
      for (auto& s : ws_sessions) worst = std::max(worst, s->queued());
      if (worst <= 2000) advance_one();
    } else {
      advance_one();
    }
    schedule_next();
  });
}

void Simulator::Impl::set_pacing(int64_t ms) {
  bar_wall_ms = ms;
  pace_timer->cancel();
  next_due = Clock::now();
  schedule_next();
}

// ---- the price step --------------------------------------------------------------

bool Simulator::Impl::advance_one() {
  if (step_idx + 1 >= path.size()) {
    if (!path_end_reported) {
      path_end_reported = true;
      if (on_event) on_event("{\"event\":\"path_end\",\"steps\":" + std::to_string(path.size()) + ",\"sim_ms\":" + std::to_string(sim_ms) + "}");
    }
    return false;
  }
  ++step_idx;
  sim_ms = path[step_idx].ts_ms;
  for (auto& m : markets) publish_step(m);
  publish(StreamId::Hyperliquid, "allMids", all_mids_msg(), true);
  if (step_idx + 1 == path.size()) advance_one();  // reports the end once
  return true;
}

void Simulator::Impl::publish_step(MarketState& m) {
  const size_t mi = static_cast<size_t>(&m - markets.data());
  const Price prev_mid = m.mid;
  m.mid = scale_to_market(path[step_idx].px, first_open, m.ref, m.spec.tick);
  const std::string lsym = wire::lower(m.spec.symbol);
  // The path's traded volume for this step, as one aggregate trade at the new mid, scaled
  // to the market's notional (volume × first_open / ref).
  const i128 ref_e8 = rescale(m.ref.v, m.spec.scale.price_dp, kPathDp, Round::HalfAwayFromZero);
  i128 qty_units = div_round(static_cast<i128>(path[step_idx].volume) * first_open, ref_e8 * pow10_i128(kPathDp - m.spec.scale.qty_dp), Round::Floor);
  int64_t lots = static_cast<int64_t>(qty_units / m.spec.lot);
  if (lots < 1) lots = 1;
  const int64_t next_funding = (sim_ms / 28'800'000 + 1) * 28'800'000;  // every 8 h
  // The own book first, then the hedge venue's: each regenerated, its diff, its
  // ticker, the mark and the step's trade on the streams that carry it.
  for (PublishedBook* b : {&m.own, m.has_ext ? &m.ext : nullptr}) {
    if (!b) continue;
    BookSides next;
    generate_book(m.spec, b->grid, m.mid, b->seed, step_idx, next);
    std::vector<Level> bch, ach;
    diff_side(b->book.bids, next.bids, true, bch);
    diff_side(b->book.asks, next.asks, false, ach);
    b->book = std::move(next);
    emit_depth(m, *b, bch, ach);
    if (!b->book.bids.empty() && !b->book.asks.empty())
      publish_book(*b, lsym + "@bookTicker",
                   std::make_shared<const std::string>(wire::binance_book_ticker(m.spec, b->last_u, b->book.bids[0], b->book.asks[0], sim_ms, sim_ms)), false);
    publish_book(*b, lsym + "@markPrice@1s",
                 std::make_shared<const std::string>(wire::binance_mark_price(m.spec, sim_ms, m.mid, m.mid, next_funding)), false);
    ++b->agg_id;
    const uint64_t first = b->trade_id + 1;
    b->trade_id += 1 + static_cast<uint64_t>(mix(b == &m.own ? cfg.seed : b->seed, step_idx, mi) % 8);
    publish_book(*b, lsym + "@aggTrade",
                 std::make_shared<const std::string>(wire::binance_agg_trade(m.spec, sim_ms, b->agg_id, m.mid, Qty(lots * m.spec.lot), first, b->trade_id, sim_ms, m.mid < prev_mid)), false);
  }
  publish(StreamId::Hyperliquid, "l2Book:" + m.spec.coin, hl_book_msg(m), true);
  // Pyth EMA: ema += (price − ema) / 20 per update (a display-grade smoother).
  const int64_t px_e8 = static_cast<int64_t>(rescale(m.mid.v, m.spec.scale.price_dp, 8, Round::HalfAwayFromZero));
  m.ema_e8 += static_cast<int64_t>(div_round(static_cast<i128>(px_e8) - m.ema_e8, 20, Round::HalfAwayFromZero));
  publish(StreamId::Pyth, m.spec.pyth_id, pyth_msg(m), true);
}

void Simulator::Impl::publish_book(const PublishedBook& b, const std::string& topic, const net::Msg& msg, bool sequenced) {
  for (int s = 0; s < kStreamCount; ++s)
    if (b.streams & (1u << s)) publish(static_cast<StreamId>(s), topic, msg, sequenced);
}

// ---- publish path: fault gate, delay queue, delivery -----------------------------

void Simulator::Impl::publish(StreamId s, std::string topic, net::Msg msg, bool sequenced,
                              std::weak_ptr<net::FrameSession> to) {
  const int si = static_cast<int>(s);
  FaultGate& g = gates[si];
  Delivery d{s, std::move(topic), std::move(msg), std::move(to)};
  GateAction a = g.decide(sequenced);
  if (a == GateAction::Drop) return;
  if (a == GateAction::Delay || !delayed[si].empty()) {
    // Delayed, or behind messages still held: keep the order.
    auto due = Clock::now() + std::chrono::milliseconds(a == GateAction::Delay ? g.setting().delay_ms : 0);
    const bool was_empty = delayed[si].empty();
    if (!was_empty) due = std::max(due, delayed[si].back().due);
    delayed[si].push_back({due, d});
    if (a == GateAction::SendTwice) delayed[si].push_back({due, d});
    if (was_empty) arm_delay_timer(si);
    return;
  }
  deliver(d);
  if (a == GateAction::SendTwice) deliver(d);
}

void Simulator::Impl::arm_delay_timer(int si) {
  if (delayed[si].empty()) return;
  delay_timers[si]->expires_at(delayed[si].front().due);
  delay_timers[si]->async_wait([this, si](boost::system::error_code ec) {
    if (ec) return;
    const auto now = Clock::now();
    while (!delayed[si].empty() && delayed[si].front().due <= now) {
      deliver(delayed[si].front().d);
      delayed[si].pop_front();
    }
    arm_delay_timer(si);
  });
}

void Simulator::Impl::deliver(const Delivery& d) {
  gates[static_cast<int>(d.stream)].count_sent();
  switch (d.stream) {
    case StreamId::Binance:
    case StreamId::Hyperliquid:
    case StreamId::Pyth:
    case StreamId::Own: {
      const int kind = static_cast<int>(d.stream);
      for (auto& s : ws_sessions)
        if (s->kind() == kind && s->wants(d.topic)) s->send(d.msg);
      break;
    }
    case StreamId::Orders:
      if (auto s = d.to.lock()) s->send(d.msg);
      break;
    case StreamId::Accounts:
      for (auto& s : frame_sessions)
        if (s->kind() == static_cast<int>(StreamId::Accounts) && !s->needs_snapshot) s->send(d.msg);
      break;
  }
}

void Simulator::Impl::set_fault(StreamId s, const FaultSetting& f) {
  gates[static_cast<int>(s)].set(f);
  if (s == StreamId::Accounts && f.mode != FaultMode::Stale) {
    std::vector<std::shared_ptr<net::FrameSession>> owed;
    for (auto& fs : frame_sessions)
      if (fs->kind() == static_cast<int>(StreamId::Accounts) && fs->needs_snapshot) owed.push_back(fs);
    for (auto& fs : owed) on_account_connect(fs);
  }
}

void Simulator::Impl::shutdown() {
  for (auto& a : acceptors)
    if (a) {
      boost::system::error_code ec;
      a->close(ec);
    }
  pace_timer->cancel();
  order_timer->cancel();
  for (auto& t : delay_timers) t->cancel();
  for (auto& s : ws_sessions) s->close();
  for (auto& s : frame_sessions) s->close();
  ws_sessions.clear();
  frame_sessions.clear();
}

// ---- public face --------------------------------------------------------------

Simulator::Simulator(SimConfig cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {}

Simulator::~Simulator() { stop(); }

std::string Simulator::start() {
  Impl& I = *impl_;
  I.on_event = on_event;
  if (auto e = I.init(); !e.empty()) return e;
  total_steps_ = I.path.size();
  const uint16_t want[kSlotCount] = {I.cfg.binance_port, I.cfg.hyperliquid_port, I.cfg.pyth_port,
                                     I.cfg.order_port,   I.cfg.account_port,     I.cfg.control_port, I.cfg.own_port};
  uint16_t* got[kSlotCount] = {&ports_.binance,  &ports_.hyperliquid, &ports_.pyth, &ports_.orders,
                               &ports_.accounts, &ports_.control,     &ports_.own};
  for (int s = 0; s < kSlotCount; ++s)
    if (auto e = I.listen(s, want[s], *got[s]); !e.empty()) return e;
  for (int s = 0; s < kSlotCount; ++s) I.accept(s);
  I.next_due = Clock::now();
  I.schedule_next();
  started_ = true;
  thread_ = std::thread([this] { impl_->io.run(); });
  return {};
}

void Simulator::stop() {
  if (!started_) return;
  started_ = false;
  std::promise<void> done;
  asio::post(impl_->io, [this, &done] {
    impl_->shutdown();
    done.set_value();
  });
  done.get_future().wait();
  impl_->io.stop();
  if (thread_.joinable()) thread_.join();
}

namespace {
template <class F>
auto run_on(asio::io_context& io, F f) {
  std::packaged_task<decltype(f())()> task(std::move(f));
  auto fut = task.get_future();
  asio::post(io, [&task] { task(); });
  return fut.get();
}
}  // namespace

void Simulator::step(int n) {
  if (!started_) return;
  run_on(impl_->io, [this, n] {
    for (int i = 0; i < n; ++i)
      if (!impl_->advance_one()) break;
    return 0;
  });
}

void Simulator::set_fault(StreamId s, const FaultSetting& f) {
  if (!started_) {
    impl_->cfg.faults[static_cast<int>(s)] = f;  // applied by start()
    return;
  }
  run_on(impl_->io, [this, s, f] { impl_->set_fault(s, f); return 0; });
}

void Simulator::set_pacing(int64_t ms) {
  if (!started_) {
    impl_->cfg.bar_wall_ms = ms;
    return;
  }
  run_on(impl_->io, [this, ms] { impl_->set_pacing(ms); return 0; });
}

std::string Simulator::status_json() {
  if (!started_) return "{}";
  return run_on(impl_->io, [this] { return impl_->status_json(); });
}

uint64_t Simulator::steps_done() {
  if (!started_) return impl_->step_idx;
  return run_on(impl_->io, [this] { return impl_->step_idx; });
}

std::string Simulator::ready_json() const {
  const Impl& I = *impl_;
  std::string o = "{\"event\":\"ready\",\"binance\":" + std::to_string(ports_.binance) +
                  ",\"hyperliquid\":" + std::to_string(ports_.hyperliquid) + ",\"pyth\":" + std::to_string(ports_.pyth) +
                  ",\"orders\":" + std::to_string(ports_.orders) + ",\"accounts\":" + std::to_string(ports_.accounts) +
                  ",\"control\":" + std::to_string(ports_.control) + ",\"own\":" + std::to_string(ports_.own) +
                  ",\"hedge_depth_multiple\":" + std::to_string(I.cfg.hedge_depth_multiple) + ",\"steps\":" + std::to_string(I.path.size()) +
                  ",\"accounts_count\":" + std::to_string(I.accounts.size()) + ",\"markets\":[";
  for (size_t i = 0; i < I.markets.size(); ++i) {
    const auto& m = I.markets[i];
    if (i) o += ",";
    o += "{\"symbol\":\"" + m.spec.symbol + "\",\"coin\":\"" + m.spec.coin + "\",\"pyth_id\":\"" + m.spec.pyth_id +
         "\",\"price_dp\":" + std::to_string(m.spec.scale.price_dp) + ",\"qty_dp\":" + std::to_string(m.spec.scale.qty_dp) +
         ",\"tick\":" + std::to_string(m.spec.tick) + ",\"lot\":" + std::to_string(m.spec.lot) +
         ",\"ref\":" + std::to_string(m.ref.v) + "}";
  }
  return o + "]}";
}

}  // namespace liqd::sim
