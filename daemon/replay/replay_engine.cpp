#include "daemon/replay/replay_engine.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <memory>
#include <unordered_map>

#include "core/engine/health_core.hpp"
#include "core/policy/adl/adl.hpp"
#include "core/policy/backstop/backstop_vault.hpp"
#include "core/policy/fund/insurance_fund.hpp"
#include "core/policy/prices/liquidation_prices.hpp"
#include "daemon/replay/book_model.hpp"

namespace liqd::replay {

using policy::TimeMs;

ReplayOptions::ReplayOptions() {
  // Planner: the pipeline test's tuning (tests/policy/pipeline_test.cpp).
  planner.target_buffer = Ratio(10'000'000);              // leave liquidation at equity ≥ MM × 1.1
  planner.small_account_notional = Quote(1'000'000'000);  // ≤ 1,000 → full close
  planner.large_account_notional = Quote(100'000'000'000);  // > 100k → 20 % chunks, 30 s cooldown
  planner.global_cap_per_minute = Quote(0);  // 0: derived from the book depth (run())
  market_liq = policy::MarketLiqConfig{Quote(500'000'000'000), Qty(0), 60'000};  // ≤ 500k per order
  // Breaker: throttle at 3 %, pause at 8 % within 60 s; calm after 120 s.
  breaker.n_bands = 1;
  breaker.bands[0] = policy::BreakerBand{60'000, Ratio(3'000'000), Ratio(8'000'000)};
  breaker.calm_ms = 120'000;
  // Volatility margin: half-life 30 min, horizon 5 min, 2 σ, ≤ 0.25 % per minute.
  vol.half_life_ms = 30 * 60'000;
  vol.horizon_ms = 5 * 60'000;
  vol.k = Ratio(200'000'000);
}

ReplayEngine::ReplayEngine(std::vector<ReplayMarket> markets, const ReplayOptions& opt)
    : markets_(std::move(markets)), opt_(opt) {}

namespace {

constexpr int64_t kNsPerMs = 1'000'000;

// Liquidation state per unit, as the daemon keeps it (CoreStage::liq_state): an
// account's cross unit (collateral + cross positions) and each isolated position
// are planned alone. It lives only for units the planner has seen (an
// AccountLiqState is ~800 bytes; most accounts never need one).
class LiqStates {
 public:
  explicit LiqStates(std::size_t n) : slot_(n, -1) {}
  policy::AccountLiqState& at(AccountId a, bool isolated, uint32_t m) {
    if (isolated) {
      auto& p = iso_[static_cast<uint64_t>(a) << 8 | m];
      if (!p) p = std::make_unique<policy::AccountLiqState>();
      return *p;
    }
    if (slot_[a] < 0) {
      slot_[a] = static_cast<int32_t>(states_.size());
      states_.push_back(std::make_unique<policy::AccountLiqState>());
    }
    return *states_[static_cast<std::size_t>(slot_[a])];
  }
  bool has_cross(AccountId a) const { return slot_[a] >= 0; }

 private:
  std::vector<int32_t> slot_;
  std::vector<std::unique_ptr<policy::AccountLiqState>> states_;
  std::unordered_map<uint64_t, std::unique_ptr<policy::AccountLiqState>> iso_;  // key: account << 8 | market
};

// One unit as the planner sees it: an isolated position is presented as a cross
// position whose collateral is its isolated margin (planner.hpp, AccountView).
struct UnitView {
  Quote collateral{0};
  std::array<Position, policy::kMaxAccountPositions> pos{};
  std::size_t n = 0;
  std::span<const Position> positions() const { return {pos.data(), n}; }
};

struct Sim {
  const std::vector<ReplayMarket>& mk;
  const ReplayOptions& opt;
  std::vector<MarketRisk> risk;
  std::vector<Price> marks;
  std::vector<policy::BreakerEffects> effects;
  std::unique_ptr<HealthCore> core;
  std::vector<policy::CircuitBreaker> breakers;
  std::vector<policy::VolatilityMargin> vols;
  std::unique_ptr<policy::Planner> planner;
  policy::BackstopConfig vcfg;
  policy::BackstopVault vault;
  std::unique_ptr<policy::InsuranceFund> fund;
  BookModel book;
  LiqStates st;
  std::vector<uint64_t> ext_id;  // core id → the file's id
  std::vector<int64_t> under_since;  // per account: ts when it went underwater, −1 if not
  std::vector<AccountId> underwater, engaged, cand, next_under;
  std::vector<uint8_t> mark_seen;
  struct AdlUnit {
    AccountId account;
    bool isolated;
  };
  struct AdlLine {
    int64_t built_step = -1;
    std::size_t cursor = 0;
    std::vector<AdlUnit> who;  // profitable counterparties, first in line first
  };
  std::vector<AdlLine> adl_lines;  // per (market, side of the bankrupt position)
  ReplayResult r;
  Quote global_cap{0};
  int64_t fee_sum = 0, paid_sum = 0;
  TimeMs now = 0;

  Sim(const std::vector<ReplayMarket>& m, const ReplayOptions& o, std::size_t n)
      : mk(m), opt(o), book(m.size(), o.book_depth_per_pct, o.half_spread), st(n), under_since(n, -1), mark_seen(n, 0) {}

  std::span<const Position> positions(AccountId a) const { return core->store().positions(a); }
  Quote collateral(AccountId a) const { return core->store().collateral(a); }
  const Position* find(AccountId a, uint32_t m, bool isolated) const {
    for (const Position& x : positions(a))
      if (x.market == m && x.isolated == isolated) return &x;
    return nullptr;
  }
  Qty size_of(AccountId a, uint32_t m, bool isolated) const {
    const Position* p = find(a, m, isolated);
    return p ? p->size : Qty(0);
  }

  // The unit's current view: the cross positions and the wallet, or the isolated
  // position in market m alone with its isolated margin as the collateral.
  void unit_view(AccountId a, bool isolated, uint32_t m, UnitView& u) const {
    u.n = 0;
    if (isolated) {
      u.collateral = Quote(0);
      if (const Position* p = find(a, m, true)) {
        u.collateral = p->isolated_margin;
        u.pos[0] = *p;
        u.pos[0].isolated = false;
        u.pos[0].isolated_margin = Quote(0);
        u.n = 1;
      }
      return;
    }
    u.collateral = collateral(a);
    for (const Position& p : positions(a))
      if (!p.isolated) {
        assert(u.n < u.pos.size());
        u.pos[u.n++] = p;
      }
  }

  // Close q (> 0) of account a's position in market m (the isolated one when
  // `isolated`) at price p; the unit's money also moves by `extra` (−fee, + what
  // the fund paid). Applied as a Fill event so the index re-arms the account. An
  // isolated position's realized PnL and extra go to its isolated margin; a full
  // close returns what is left of that margin to the wallet.
  void close(AccountId a, uint32_t m, bool isolated, Qty q, Price p, Quote extra) {
    const Position* pos = find(a, m, isolated);
    assert(pos && q.v > 0 && q.v <= (pos->size.v < 0 ? -pos->size.v : pos->size.v));
    const int sign = pos->size.v > 0 ? 1 : -1;
    const i128 pnl = static_cast<i128>(q.v) * sign * (static_cast<i128>(p.v) - pos->entry.v);
    const MarketRisk& r0 = risk[m];
    const Quote realized(static_cast<int64_t>(div_round(pnl, pow10_i128(r0.scale.product_dp() - r0.scale.quote_dp), Round::Floor)));
    const Qty left(pos->size.v - sign * q.v);
    const Price entry = left.v == 0 ? Price(0) : pos->entry;
    const int64_t ts = now * kNsPerMs;
    Event e = Event::fill(a, m, false, left, entry, Quote(0), realized + extra, 0, ts);
    if (isolated) {
      const Quote margin_after = pos->isolated_margin + realized + extra;
      e = left.v == 0 ? Event::fill(a, m, true, left, entry, Quote(0), margin_after, 0, ts)
                      : Event::fill(a, m, true, left, entry, margin_after, Quote(0), 0, ts);
    }
    const ApplyStatus s = core->apply(e);
    assert(s == ApplyStatus::Ok);
    (void)s;
  }

  MarginSummary margin(AccountId a) const { return cross_margin(collateral(a), positions(a), risk, marks); }

  void execute(AccountId a, bool isolated, policy::LiqOrder o, policy::AccountLiqState& ls);
  void adl(AccountId a, bool isolated, const policy::LiqOrder& o, Qty qty, Price px, Quote adl_loss);
  // Plans one unit and executes its orders; `under` and `engaged` collect whether the
  // unit was below zero equity before acting and whether it stays in liquidation.
  void plan_unit(AccountId a, bool isolated, uint32_t m, bool& under, bool& engaged);
  void step();
  void scan_underwater();
  void check_index();
};

void Sim::execute(AccountId a, bool isolated, policy::LiqOrder o, policy::AccountLiqState& ls) {
  const uint32_t m = o.market;
  const Qty pos_size = size_of(a, m, isolated);
  if (pos_size.v == 0) {
    planner->on_order_end(ls, m, Qty(0), now);
    return;
  }
  const bool lng = pos_size.v > 0;
  if (o.kind == policy::OrderKind::BackstopTransfer) {
    const Qty cap = policy::backstop_capacity(vault, vcfg, risk, marks, m, pos_size, o.bankruptcy);
    Qty take(cap.v < 0 ? -cap.v : cap.v);
    take = Qty(std::min(take.v, o.qty.v));
    if (take.v > 0) {
      // The vault pays the bankruptcy price; what that is worse than the mark is the
      // loss it absorbs (the account's negative equity on this part).
      const policy::Settlement at_mark = policy::settle_close(risk[m], lng, take, marks[m], o.bankruptcy, Ratio(0));
      r.shortfall += at_mark.shortfall.v;
      r.backstop_absorbed += at_mark.shortfall.v;
      policy::backstop_apply(vault, risk[m], m, lng ? take : -take, o.bankruptcy);
      close(a, m, isolated, take, o.bankruptcy, Quote(0));
      ++r.backstop_transfers;
      ++r.liquidations;
      r.notional_liquidated += mul_qty_price(take, o.bankruptcy, risk[m].scale, Round::HalfAwayFromZero).v;
    }
    planner->on_order_end(ls, m, take, now);
    return;
  }
  const Fill f = book.fill(m, risk[m], marks[m], o);
  if (f.qty.v == 0) {
    ++r.no_fill_iocs;
    planner->on_order_end(ls, m, Qty(0), now);
    return;
  }
  const Price px = f.price;
  if (o.close_long ? px < o.limit : px > o.limit) ++r.limit_violations;
  const Qty q = f.qty;
  // The fund carries what it can of a fill below bankruptcy; ADL closes the rest at B.
  policy::FundSplit split{q, Qty(0)};
  const bool below = lng ? px < o.bankruptcy : px > o.bankruptcy;
  if (below) {
    const Quote avail = fund->available(0);
    split = policy::split_for_fund(q, px, o.bankruptcy, lng, avail, risk[m].scale, risk[m].lot);
    if (split.adl.v > 0) {
      const policy::Settlement whole = policy::settle_close(risk[m], lng, q, px, o.bankruptcy, risk[m].liquidation_fee);
      if (whole.shortfall <= avail) ++r.adl_without_short;
    }
  }
  if (split.market.v > 0) {
    const policy::Settlement se = policy::settle_close(risk[m], lng, split.market, px, o.bankruptcy, risk[m].liquidation_fee);
    Quote extra = Quote(0) - se.fee;
    if (se.fee.v > 0) {
      fund->receive_fee(0, se.fee, ext_id[a], m, now);
      fee_sum += se.fee.v;
    }
    if (se.shortfall.v > 0) {
      const policy::ShortfallCover cv = fund->cover_shortfall(0, se.shortfall, ext_id[a], m, now);
      extra += cv.paid;
      paid_sum += cv.paid.v;
      r.shortfall += se.shortfall.v;
      r.fund_paid += cv.paid.v;
      r.bad_debt += cv.uncovered.v;  // split_for_fund sized it so this stays 0
    }
    close(a, m, isolated, split.market, px, extra);
    book.consume(m, split.market, marks[m], risk[m]);
    r.notional_liquidated += mul_qty_price(split.market, px, risk[m].scale, Round::HalfAwayFromZero).v;
  }
  if (split.adl.v > 0) {
    const Quote adl_loss = policy::settle_close(risk[m], lng, split.adl, px, o.bankruptcy, Ratio(0)).shortfall;
    adl(a, isolated, o, split.adl, px, adl_loss);
  }
  ++r.liquidations;
  planner->on_order_end(ls, m, q, now);
}

// ADL: the profitable opposite positions, ranked as BitMEX publishes (adl_rank), are
// reduced at the bankrupt position's bankruptcy price until `qty` is covered, walking
// the ranking as adl_allocate does. The ranking of a (market, side) is computed once per
// step, at the first ADL there, and consumed in order for the rest of the step (a full
// scan per ADL event would cost O(accounts) each); sizes are re-read from the store
// before each take, so a counterparty liquidated or reduced meanwhile is never over-taken.
// Isolated positions stand in line too, ranked on their own margin.
void Sim::adl(AccountId a, bool isolated, const policy::LiqOrder& o, Qty qty, Price px, Quote adl_loss) {
  const uint32_t m = o.market;
  const bool lng = o.close_long;
  r.shortfall += adl_loss.v;
  AdlLine& line = adl_lines[2 * m + (lng ? 1 : 0)];
  if (line.built_step != r.steps) {
    line.built_step = r.steps;
    line.cursor = 0;
    line.who.clear();
    std::vector<policy::AdlPosition> opp;
    std::vector<AdlUnit> ids;
    const AccountId n = static_cast<AccountId>(ext_id.size());
    for (AccountId c = 0; c < n; ++c) {
      for (const Position& cp : positions(c)) {
        if (cp.market != m || (cp.size.v > 0) == lng) continue;
        if (pnl_exact(cp.size, marks[m], cp.entry) <= 0) continue;  // only profitable ones are in line
        const MarginSummary cs = cp.isolated ? isolated_margin(cp, risk[m], marks[m]) : margin(c);
        const Quote cpm = position_margin(risk[m], cp.size, marks[m]).mm;
        opp.push_back(policy::AdlPosition{ext_id[c], cp.size, cp.entry,
                                          policy::bankruptcy_price(risk[m], cp.size, marks[m], cpm,
                                                                   policy::AccountRisk{cs.equity, cs.mm})});
        ids.push_back(AdlUnit{c, cp.isolated});
      }
    }
    for (const policy::AdlRanked& x : policy::adl_rank(opp, marks[m]))
      if (x.profitable) line.who.push_back(ids[x.index]);
  }
  int64_t left = qty.v;
  while (left > 0 && line.cursor < line.who.size()) {
    const AdlUnit cu = line.who[line.cursor];
    const AccountId c = cu.account;
    const Qty cur = size_of(c, m, cu.isolated);
    const int64_t avail = (cur.v > 0) == lng || cur.v == 0 ? 0 : policy::floor_to_lot(Qty(cur.v < 0 ? -cur.v : cur.v), risk[m].lot).v;
    const int64_t take = std::min(avail, left);
    if (take > 0 && c != a) {
      close(c, m, cu.isolated, Qty(take), o.bankruptcy, Quote(0));
      close(a, m, isolated, Qty(take), o.bankruptcy, Quote(0));
      ++r.adl_events;
      left -= take;
    }
    if (take == avail || c == a) ++line.cursor;  // exhausted (or not a counterparty)
  }
  int64_t bad = 0;
  if (left > 0) {  // nobody left to take it: sold at px, the loss is bad debt
    const Qty rest(left);
    const policy::Settlement se = policy::settle_close(risk[m], lng, rest, px, o.bankruptcy, Ratio(0));
    bad = std::min(se.shortfall.v, adl_loss.v);
    close(a, m, isolated, rest, px, se.shortfall);  // socialised: recorded, the account ends at zero
    book.consume(m, rest, marks[m], risk[m]);
    r.notional_liquidated += mul_qty_price(rest, px, risk[m].scale, Round::HalfAwayFromZero).v;
  }
  r.bad_debt += bad;
  r.adl_absorbed += adl_loss.v - bad;
}

void Sim::plan_unit(AccountId a, bool isolated, uint32_t m, bool& under, bool& engaged_unit) {
  const policy::MarketsView mv{risk, marks, effects};
  UnitView u;
  unit_view(a, isolated, m, u);
  policy::AccountLiqState& ls = st.at(a, isolated, m);
  const policy::AccountView av{ext_id[a], u.collateral, u.positions(), 0};
  const policy::Plan p = planner->plan(av, ls, mv, now);
  if (p.equity.v < 0 && u.n > 0) under = true;  // equity at this point, before acting
  if (p.action == policy::PlanAction::Orders) {
    for (int j = 0; j < p.n_orders; ++j) {
      policy::LiqOrder o = p.orders[static_cast<std::size_t>(j)];
      unit_view(a, isolated, m, u);
      const policy::AccountView cur{ext_id[a], u.collateral, u.positions(), 0};
      if (!planner->revalidate(o, cur, ls, mv, now)) continue;
      planner->on_dispatched(ls, o, now);
      execute(a, isolated, o, ls);
    }
  }
  unit_view(a, isolated, m, u);
  if (ls.in_mode && u.n > 0) engaged_unit = true;
}

// One walk point: plan and execute for every flagged account and every account
// still in liquidation mode, in id order; within an account each isolated position
// first, then the cross unit (as CoreStage::plan_one).
void Sim::step() {
  cand.clear();
  next_under.clear();
  for (AccountId a : core->flagged()) cand.push_back(a);
  for (AccountId a : engaged) cand.push_back(a);
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
  engaged.clear();
  std::array<uint32_t, policy::kMaxAccountPositions> iso_markets{};
  for (AccountId a : cand) {
    // The isolated markets first (closing one moves the store, so not a span).
    std::size_t n_iso = 0;
    bool has_cross = st.has_cross(a);
    for (const Position& p : positions(a)) {
      if (!p.isolated) {
        has_cross = true;
        continue;
      }
      assert(n_iso < iso_markets.size());
      iso_markets[n_iso++] = p.market;
    }
    bool under = false, eng = false;
    for (std::size_t i = 0; i < n_iso; ++i) plan_unit(a, true, iso_markets[i], under, eng);
    if (has_cross) plan_unit(a, false, 0, under, eng);
    if (under) next_under.push_back(a);
    if (eng) engaged.push_back(a);
  }
}

// Underwater (a unit's equity < 0) implies liquidatable (MM ≥ 0), so every underwater
// account is a planner candidate; step() collected them from the plans' equity.
void Sim::scan_underwater() {
  for (AccountId a : next_under) {
    if (under_since[a] < 0) under_since[a] = now;
    mark_seen[a] = 1;
  }
  for (AccountId a : underwater) {
    if (!mark_seen[a]) {
      r.max_time_underwater_ms = std::max(r.max_time_underwater_ms, now - under_since[a]);
      under_since[a] = -1;
    }
  }
  for (AccountId a : next_under) {
    mark_seen[a] = 0;
    r.max_time_underwater_ms = std::max(r.max_time_underwater_ms, now - under_since[a]);
  }
  underwater.swap(next_under);
  r.max_underwater_accounts = std::max<int64_t>(r.max_underwater_accounts, static_cast<int64_t>(underwater.size()));
}

// Brute force: every account evaluated with core/margin (the cross unit, then each
// isolated position alone); the index's set must match.
void Sim::check_index() {
  ++r.index_checks;
  const AccountId n = static_cast<AccountId>(ext_id.size());
  for (AccountId a = 0; a < n; ++a) {
    bool liq = cross_margin(collateral(a), positions(a), core->markets(), core->marks()).liquidatable();
    for (const Position& p : positions(a))
      if (p.isolated) liq = liq || isolated_margin(p, core->markets()[p.market], core->marks()[p.market]).liquidatable();
    if (liq != core->is_flagged(a)) ++r.index_missed;
  }
}

}  // namespace

ReplayResult ReplayEngine::run(const std::vector<Bar>& bars, const std::vector<ReplayAccount>& accounts,
                               const std::function<void(const ReplayStatus&)>& progress) {
  const std::size_t n = accounts.size();
  const std::size_t nm = markets_.size();
  Sim s(markets_, opt_, n);
  const int64_t p0 = bars.front().open;
  for (const ReplayMarket& m : markets_) {
    s.risk.push_back(m.risk);
    s.marks.push_back(scale_to_market(p0, p0, m.reference, m.risk.tick));
  }
  s.effects.assign(nm, policy::BreakerEffects{});
  s.adl_lines.resize(2 * nm);
  std::size_t n_pos = 0;
  for (const ReplayAccount& a : accounts) n_pos += a.positions.size();
  CoreConfig cc;
  cc.max_accounts = static_cast<uint32_t>(n);
  cc.position_pool = static_cast<uint32_t>(2 * n_pos + 64);
  cc.entry_pool = static_cast<uint32_t>(4 * n_pos + 1024);
  s.core = std::make_unique<HealthCore>(cc, s.risk, s.marks, nullptr);
  s.ext_id.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    s.ext_id[i] = accounts[i].id;
    [[maybe_unused]] const bool ok = s.core->load_account(static_cast<AccountId>(i), accounts[i].collateral, accounts[i].positions);
    assert(ok);
  }
  for (std::size_t m = 0; m < nm; ++m) {
    s.breakers.emplace_back(opt_.breaker);
    s.vols.emplace_back(static_cast<uint32_t>(m), s.risk[m], opt_.vol);
  }
  s.vcfg.max_notional.assign(nm, opt_.vault_max_notional);
  s.vault.collateral = opt_.vault_collateral;
  s.vault.positions.assign(nm, Position{});
  for (std::size_t m = 0; m < nm; ++m) s.vault.positions[m].market = static_cast<uint32_t>(m);
  // Book depth: configured, or derived from each market's open interest at the start.
  for (std::size_t m = 0; m < nm; ++m) {
    if (opt_.book_depth_per_pct.v > 0) continue;
    i128 oi = 0;
    for (const ReplayAccount& a : accounts)
      for (const Position& p : a.positions)
        if (p.market == m) oi += notional_exact(p.size, s.marks[m]);
    const i128 oi_quote = oi / pow10_i128(s.risk[m].scale.product_dp() - s.risk[m].scale.quote_dp);
    const i128 d = div_round(oi_quote * opt_.book_depth_oi.v, kRatioOne, Round::HalfAwayFromZero);
    s.book.set_depth(static_cast<uint32_t>(m), Quote(static_cast<int64_t>(d > INT64_MAX ? INT64_MAX : d)));
  }
  // Global cap: configured, or derived as 5 × the summed depth per 1 % (a 5 % walk of
  // every book per minute), so it scales with the population like the books do.
  policy::PlannerConfig pcfg = opt_.planner;
  if (pcfg.global_cap_per_minute.v == 0) {
    i128 sum = 0;
    for (std::size_t m = 0; m < nm; ++m) sum += s.book.depth(static_cast<uint32_t>(m)).v;
    sum *= 5;
    pcfg.global_cap_per_minute = Quote(static_cast<int64_t>(sum > INT64_MAX ? INT64_MAX : sum));
  }
  s.global_cap = pcfg.global_cap_per_minute;
  std::vector<policy::MarketLiqConfig> mlc(nm, opt_.market_liq);
  s.planner = std::make_unique<policy::Planner>(pcfg, mlc, &s.vcfg);
  const Quote fund_start[1] = {opt_.fund_start};
  s.fund = std::make_unique<policy::InsuranceFund>(1, fund_start);
  std::vector<policy::MarketMode> last_mode(nm, policy::MarketMode::Normal);
  std::vector<MarketRisk> pending_risk(nm);
  std::vector<policy::OracleConfig> ocfg;
  for (const ReplayMarket& m : markets_) ocfg.push_back(m.oracle);
  ReplayOracles oracles(ocfg, opt_.oracle_faults, bars.front().ts_ms);
  std::vector<OracleTick> ticks(nm);

  std::size_t bar_no = 0;
  std::vector<WalkPoint> walk;
  ReplayStatus status;
  for (const Bar& b : bars) {
    walk_bar(b, opt_.substeps, walk);
    for (const WalkPoint& w : walk) {
      s.now = w.ts_ms;
      s.book.refill();
      // Every market's index and mark first: the last market with a trusted price
      // closes the core's oracle round.
      std::size_t last_valid = nm;
      for (std::size_t m = 0; m < nm; ++m) {
        const Price px = scale_to_market(w.price, p0, markets_[m].reference, markets_[m].risk.tick);
        ticks[m] = oracles.tick(static_cast<uint32_t>(m), px, markets_[m].risk.tick, s.now);
        if (ticks[m].valid) last_valid = m;
      }
      for (std::size_t m = 0; m < nm; ++m) {
        const Price mark = ticks[m].mark;
        policy::BreakerInputs bi{};
        bi.oracle_stale = !ticks[m].valid;
        bi.mark = mark;
        bi.index = ticks[m].index;
        if (auto ch = s.breakers[m].on_tick(bi, s.now)) {
          if (ch->to > last_mode[m]) ++s.r.breaker_activations;
          last_mode[m] = ch->to;
        }
        s.effects[m] = s.breakers[m].effects();
        if (!ticks[m].valid) {  // STALE: no volatility sample, the core keeps the last mark
          ++s.r.oracle_stale_steps;
          continue;
        }
        s.vols[m].on_mark(mark, s.now);
        if (auto mc = s.vols[m].maybe_update(s.now); mc && opt_.dynamic) {
          pending_risk[m] = mc->risk;
          if (s.core->apply(Event::market_risk(static_cast<uint32_t>(m), &pending_risk[m], s.now * kNsPerMs)) ==
              ApplyStatus::Ok) {
            s.risk[m] = mc->risk;
            ++s.r.margin_changes;
          }
        }
        s.marks[m] = mark;
        // Every market moves at this step: one oracle round (Event::more), so an
        // account holding several of them is evaluated once, at all the new marks.
        [[maybe_unused]] const ApplyStatus st = s.core->apply(
            Event::price(static_cast<uint32_t>(m), mark, ticks[m].index, mark, s.now * kNsPerMs, /*more=*/m < last_valid));
        assert(st == ApplyStatus::Ok);
      }
      s.step();
      s.scan_underwater();
      ++s.r.steps;
    }
    ++bar_no;
    if (opt_.check_every_bars > 0 && (bar_no % opt_.check_every_bars == 0 || bar_no == bars.size())) s.check_index();
    if (progress) {
      status.ts_ms = b.ts_ms + 60'000;
      status.path_close = b.close;
      status.underwater = static_cast<int64_t>(s.underwater.size());
      status.flagged = static_cast<int64_t>(s.core->flagged().size());
      status.liquidations = s.r.liquidations;
      status.fund_balance = s.fund->balance(0).v;
      status.modes.clear();
      for (std::size_t m = 0; m < nm; ++m) status.modes.push_back(s.breakers[m].mode());
      progress(status);
    }
  }
  s.r.index_missed += static_cast<int64_t>(s.core->counters().index_missed);
  s.r.fees_to_fund = s.fee_sum;
  s.r.fund_end = s.fund->balance(0).v;
  s.r.fund_reconciles = s.fund->reconciles() && s.fund->balance(0).v == opt_.fund_start.v + s.fee_sum - s.paid_sum &&
                        s.fund->fees(0).v == s.fee_sum && s.fund->shortfalls_paid(0).v == s.paid_sum;
  s.r.flagged_total = static_cast<int64_t>(s.core->counters().flagged_total);
  s.r.oracle_source_drops = oracles.source_drops();
  return s.r;
}

}  // namespace liqd::replay
