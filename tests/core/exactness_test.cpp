// Exactness of the health index: after EVERY event the core's flagged set must
// equal a brute-force evaluation with core/margin's cross_margin and
// isolated_margin over an independent copy of all accounts.
//
// Event count: LIQD_EXACT_EVENTS (env) or 1,000,000 (100,000 under sanitizers).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "core/engine/health_core.hpp"
#include "tests/core/test_markets.hpp"
#include "tests/support/sanitized.hpp"

namespace liqd {
namespace {

// Sanitized builds run 4 % (tests/support/sanitized.hpp): the full million is
// the release run; here the point is memory safety.
constexpr uint64_t kDefaultEvents = test::kSanitized ? 40'000 : 1'000'000;

uint64_t event_count(uint64_t dflt) {
  if (const char* s = std::getenv("LIQD_EXACT_EVENTS")) return std::strtoull(s, nullptr, 10);
  return dflt;
}

// The reference: plain vectors, the margin engine, nothing shared with the core.
struct RefAccount {
  int64_t collateral = 0;
  std::vector<Position> pos;
};

bool ref_liquidatable(const RefAccount& a, const std::vector<MarketRisk>& mk, const std::vector<Price>& marks) {
  if (cross_margin(Quote(a.collateral), a.pos, mk, marks).liquidatable()) return true;
  for (const Position& p : a.pos)
    if (p.isolated && isolated_margin(p, mk[p.market], marks[p.market]).liquidatable()) return true;
  return false;
}

Position* ref_find(RefAccount& a, uint32_t m, bool iso) {
  for (Position& p : a.pos)
    if (p.market == m && p.isolated == iso) return &p;
  return nullptr;
}

void ref_set(RefAccount& a, const Position& p) {
  for (std::size_t i = 0; i < a.pos.size(); ++i) {
    if (a.pos[i].market == p.market && a.pos[i].isolated == p.isolated) {
      if (p.size.v == 0) a.pos.erase(a.pos.begin() + static_cast<long>(i));
      else a.pos[i] = p;
      return;
    }
  }
  if (p.size.v != 0) a.pos.push_back(p);
}

class World {
 public:
  World(uint32_t n_markets, uint32_t n_accounts, uint64_t seed) : rng_(seed) {
    static const int dps[][2] = {{2, 4}, {1, 6}, {4, 3}, {3, 3}, {8, 8}, {2, 6}};
    for (uint32_t m = 0; m < n_markets; ++m) {
      const int* dp = dps[m % 6];
      const bool jumps = m % 4 == 3;
      risk_a_.push_back(test::standard_market(dp[0], dp[1], jumps, 100));
      risk_b_.push_back(test::standard_market(dp[0], dp[1], jumps, 160));
      mk_.push_back(risk_a_.back());
      const double usd = std::pow(10.0, std::uniform_real_distribution<double>(-0.5, 4.7)(rng_));
      p0_.push_back(std::max<int64_t>(1000, std::llround(usd * std::pow(10.0, dp[0]))));
      marks_.push_back(Price(p0_.back()));
    }
    accounts_.resize(n_accounts);
    for (uint32_t a = 0; a < n_accounts; ++a) {
      RefAccount& acc = accounts_[a];
      const int k = 1 + static_cast<int>(rng_() % 5);
      double notional_usd = 0;
      for (int i = 0; i < k; ++i) {
        Position p = random_position(static_cast<uint32_t>(rng_() % n_markets), rng_() % 6 == 0);
        if (ref_find(acc, p.market, p.isolated)) continue;
        acc.pos.push_back(p);
        if (!p.isolated) notional_usd += usd_notional(p);
      }
      acc.collateral = std::llround(notional_usd / leverage() * 1e6) + 1;
    }
  }

  double usd_notional(const Position& p) const {
    const Scale& s = mk_[p.market].scale;
    return std::fabs(static_cast<double>(p.size.v)) * static_cast<double>(marks_[p.market].v) /
           std::pow(10.0, s.product_dp());
  }
  double leverage() {
    // Most 2–10x, a tail to ~80x: those sit close to their maintenance line.
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (u < 0.75) return 2 + 8 * std::uniform_real_distribution<double>(0, 1)(rng_);
    return 10 + 70 * std::uniform_real_distribution<double>(0, 1)(rng_);
  }
  Position random_position(uint32_t m, bool isolated) {
    Position p;
    p.market = m;
    const Scale& s = mk_[m].scale;
    // Notional from $10 to ~$300k (the first three tiers).
    const double usd = std::pow(10.0, std::uniform_real_distribution<double>(1, 5.5)(rng_));
    const double price = static_cast<double>(marks_[m].v) / std::pow(10.0, s.price_dp);
    int64_t size = std::llround(usd / price * std::pow(10.0, s.qty_dp));
    if (size == 0) size = 1;
    p.size = Qty(rng_() % 2 ? size : -size);
    // Entry near the mark (some positions start in profit or loss).
    const double off = std::normal_distribution<double>(0, 0.01)(rng_);
    p.entry = Price(std::max<int64_t>(1, std::llround(static_cast<double>(marks_[m].v) * (1 + off))));
    p.isolated = isolated;
    if (isolated) p.isolated_margin = Quote(std::llround(usd / leverage() * 1e6) + 1);
    return p;
  }

  // One random event, applied to the reference; returned for the core.
  // Sometimes an oracle round: several markets move together (the same
  // direction, a correlated move), their prices as consecutive events with
  // Event::more set on all but the last; round_ended_ marks the last.
  Event next(uint64_t seq, int64_t ts) {
    const uint32_t nm = static_cast<uint32_t>(mk_.size());
    const uint32_t na = static_cast<uint32_t>(accounts_.size());
    round_ended_ = false;
    if (round_left_ > 0) return round_price(ts);
    const int r = static_cast<int>(rng_() % 1000);
    if (r < 8 && nm > 1) {
      round_left_ = 2 + static_cast<uint32_t>(rng_() % std::min<uint32_t>(nm - 1, 12));
      round_move_ = std::uniform_real_distribution<double>(-0.06, 0.05)(rng_);
      round_first_ = static_cast<uint32_t>(rng_() % nm);
      round_k_ = 0;
      return round_price(ts);
    }
    if (r < 700) {
      const uint32_t m = static_cast<uint32_t>(rng_() % nm);
      const double p = static_cast<double>(marks_[m].v);
      double ret = std::normal_distribution<double>(0, 0.0008)(rng_);
      if (rng_() % 100 == 0) ret = std::uniform_real_distribution<double>(-0.15, 0.12)(rng_);  // jumps
      ret -= 0.02 * (p / static_cast<double>(p0_[m]) - 1);  // mean reversion keeps prices in range
      int64_t np = std::llround(p * (1 + ret));
      if (np == marks_[m].v) np += rng_() % 2 ? 1 : -1;
      np = std::max<int64_t>(1, np);
      marks_[m] = Price(np);
      last_touched_market_ = static_cast<int>(m);
      return Event::price(m, Price(np), Price(np), Price(np), ts);
    }
    last_touched_market_ = -1;
    const AccountId a = static_cast<AccountId>(rng_() % na);
    RefAccount& acc = accounts_[a];
    last_account_ = a;
    if (r < 760) {
      const int64_t amt = 1 + static_cast<int64_t>(rng_() % 20'000'000'000ull);
      acc.collateral += amt;
      return Event::deposit(a, Quote(amt), seq, ts);
    }
    if (r < 820) {
      const int64_t amt = 1 + static_cast<int64_t>(rng_() % 4'000'000'000ull);
      acc.collateral -= amt;
      return Event::withdrawal(a, Quote(amt), seq, ts);
    }
    if (r < 930) {
      const uint32_t m = static_cast<uint32_t>(rng_() % nm);
      const bool iso = rng_() % 5 == 0;
      Position p = random_position(m, iso);
      if (rng_() % 4 == 0) p.size = Qty(0);  // close
      if (p.size.v != 0 && !ref_find(acc, m, iso) && acc.pos.size() >= 5 && !acc.pos.empty()) {
        // Full account: close one of its positions instead (1–5 positions each).
        const Position& victim = acc.pos[rng_() % acc.pos.size()];
        p.market = victim.market;
        p.isolated = victim.isolated;
        p.size = Qty(0);
      }
      // Margin moves with the position: (new − old notional) / leverage, plus noise.
      double d_usd = p.isolated ? 0 : usd_notional(p);
      if (const Position* old = ref_find(acc, m, iso); old && !old->isolated) d_usd -= usd_notional(*old);
      const int64_t delta = std::llround(d_usd / leverage() * 1e6) +
                            static_cast<int64_t>(rng_() % 2'000'000'000) - 1'000'000'000;
      ref_set(acc, p);
      acc.collateral += delta;
      return Event::fill(a, p.market, p.isolated, p.size, p.entry, p.isolated_margin, Quote(delta), seq, ts);
    }
    if (r < 960) {
      const int64_t amt = static_cast<int64_t>(rng_() % 200'000'000) - 100'000'000;
      for (Position& p : acc.pos) {
        if (p.isolated && rng_() % 2) {
          p.isolated_margin += Quote(amt);
          return Event::funding(a, p.market, true, Quote(amt), seq, ts);
        }
      }
      acc.collateral += amt;
      return Event::funding(a, 0, false, Quote(amt), seq, ts);
    }
    if (r < 975) {
      if (!acc.pos.empty()) {
        Position& p = acc.pos[rng_() % acc.pos.size()];
        if (!ref_find(acc, p.market, !p.isolated)) {
          if (p.isolated) {
            acc.collateral += p.isolated_margin.v;
            p.isolated = false;
            p.isolated_margin = Quote(0);
            return Event::mode_change(a, p.market, false, Quote(0), seq, ts);
          }
          const int64_t margin = std::llround(usd_notional(p) / leverage() * 1e6) + 1;
          acc.collateral -= margin;
          p.isolated = true;
          p.isolated_margin = Quote(margin);
          return Event::mode_change(a, p.market, true, Quote(margin), seq, ts);
        }
      }
      return Event::clock(ts);
    }
    if (r < 985) {
      // Market-wide funding: every position of the market pays size × mark × rate.
      const uint32_t m = static_cast<uint32_t>(rng_() % nm);
      const int64_t rate = static_cast<int64_t>(rng_() % 200'001) - 100'000;  // ±0.1 %
      const Scale& s = mk_[m].scale;
      const i128 den = pow10_i128(s.product_dp() - s.quote_dp + kRatioDp);
      for (RefAccount& x : accounts_)
        for (Position& p : x.pos) {
          if (p.market != m) continue;
          const i128 pay = -static_cast<i128>(p.size.v) * marks_[m].v * rate;
          const Quote q(static_cast<int64_t>(div_round(pay, den, Round::Floor)));
          if (p.isolated) p.isolated_margin += q;
          else x.collateral += q.v;
        }
      last_touched_market_ = static_cast<int>(m);
      return Event::market_funding(m, Ratio(rate), ts);
    }
    if (r < 990) {
      // Tier change: flip between the normal and the 1.6x-stricter ladder.
      const uint32_t m = static_cast<uint32_t>(rng_() % nm);
      const bool to_b = mk_[m].tiers[0].mmr == risk_a_[m].tiers[0].mmr;
      mk_[m] = to_b ? risk_b_[m] : risk_a_[m];
      last_touched_market_ = static_cast<int>(m);
      return Event::market_risk(m, to_b ? &risk_b_[m] : &risk_a_[m], ts);
    }
    return Event::clock(ts);
  }

  std::vector<MarketRisk> mk_, risk_a_, risk_b_;
  std::vector<Price> marks_;
  std::vector<int64_t> p0_;
  std::vector<RefAccount> accounts_;
  int last_touched_market_ = -1;
  AccountId last_account_ = 0;
  bool round_ended_ = false;  // this event ended an oracle round: compare everything
  uint32_t round_left_ = 0, round_first_ = 0, round_k_ = 0;
  double round_move_ = 0;

 private:
  Event round_price(int64_t ts) {
    const uint32_t m = (round_first_ + round_k_++) % static_cast<uint32_t>(mk_.size());
    const double noise = std::normal_distribution<double>(0, 0.002)(rng_);
    int64_t np = std::llround(static_cast<double>(marks_[m].v) * (1 + round_move_ + noise));
    np = std::max<int64_t>(1, np);
    marks_[m] = Price(np);
    --round_left_;
    round_ended_ = round_left_ == 0;
    last_touched_market_ = -1;
    return Event::price(m, Price(np), Price(np), Price(np), ts, /*more=*/round_left_ > 0);
  }

 public:
  std::mt19937_64 rng_;
};

// Runs `events` random events; `full_every` = 1 is a full brute-force scan after
// every event; otherwise after every event the reference re-evaluates every
// account whose inputs the event touched (its market's accounts, or the one
// account) and the whole population every `full_every` events.
void run_exactness(uint32_t n_markets, uint32_t n_accounts, uint64_t events, uint64_t seed, uint64_t full_every) {
  World w(n_markets, n_accounts, seed);
  CoreConfig cfg;
  cfg.max_accounts = n_accounts;
  cfg.position_pool = n_accounts * 16;
  cfg.entry_pool = n_accounts * 64;
  cfg.bucket_bits = n_markets > 16 ? 11 : 12;  // small windows: re-centring is exercised too
  SpscRing<Candidate> out(4);
  HealthCore core(cfg, w.mk_, w.marks_, &out);
  for (AccountId a = 0; a < n_accounts; ++a)
    ASSERT_TRUE(core.load_account(a, Quote(w.accounts_[a].collateral), w.accounts_[a].pos));

  std::vector<uint8_t> ref(n_accounts);
  for (AccountId a = 0; a < n_accounts; ++a) ref[a] = ref_liquidatable(w.accounts_[a], w.mk_, w.marks_);
  for (AccountId a = 0; a < n_accounts; ++a) ASSERT_EQ(core.is_flagged(a), ref[a] != 0) << "account " << a;

  uint64_t seq = 0, flagged_seen = 0, max_flagged = 0, transitions = 0, rounds = 0, round_prices = 0;
  Candidate c;
  for (uint64_t i = 0; i < events; ++i) {
    const Event e = w.next(seq + 1, static_cast<int64_t>(i) * 1000);
    if (e.seq != 0) seq = e.seq;
    ASSERT_EQ(core.apply(e), ApplyStatus::Ok) << "event " << i;
    if (i % 256 == 0) while (out.try_pop(c)) {}  // a slow planner: the ring fills at times
    if (e.type == EventType::PriceUpdate && e.more) { ++round_prices; continue; }  // exact once the round ends

    if (full_every == 1 || i % full_every == 0 || w.round_ended_) {
      rounds += w.round_ended_;
      for (AccountId a = 0; a < n_accounts; ++a) ref[a] = ref_liquidatable(w.accounts_[a], w.mk_, w.marks_);
    } else if (w.last_touched_market_ >= 0) {
      const uint32_t m = static_cast<uint32_t>(w.last_touched_market_);
      for (AccountId a = 0; a < n_accounts; ++a)
        for (const Position& p : w.accounts_[a].pos)
          if (p.market == m) { ref[a] = ref_liquidatable(w.accounts_[a], w.mk_, w.marks_); break; }
    } else if (e.type != EventType::Clock) {
      ref[w.last_account_] = ref_liquidatable(w.accounts_[w.last_account_], w.mk_, w.marks_);
    }
    uint64_t n_ref = 0;
    for (AccountId a = 0; a < n_accounts; ++a) {
      n_ref += ref[a];
      if (core.is_flagged(a) != (ref[a] != 0)) {
        FAIL() << "event " << i << " type " << static_cast<int>(e.type) << " market " << e.market << " account " << a
               << ": core " << core.is_flagged(a) << " reference " << int(ref[a]);
      }
    }
    ASSERT_EQ(core.flagged().size(), n_ref);
    flagged_seen += n_ref;
    if (n_ref > max_flagged) max_flagged = n_ref;
    if (i % 4096 == 0) core.audit_step(n_accounts / 8);
  }
  core.audit_step(n_accounts);
  EXPECT_EQ(core.counters().index_missed, 0u);
  EXPECT_EQ(core.counters().rejected, 0u);
  transitions = core.counters().flagged_total;
  // The run must have exercised both directions, many times.
  EXPECT_GT(transitions, events / 1000);
  EXPECT_GT(core.counters().recovered_total, events / 2000);
  EXPECT_GT(max_flagged, 0u);
  EXPECT_GT(core.counters().out_ring_full, 0u);
  EXPECT_GT(rounds, events / 1000);  // oracle rounds were exercised
  EXPECT_GT(round_prices, rounds);
  std::printf("events %llu accounts %u markets %u: flagged_total %llu recovered_total %llu max_flagged %llu "
              "mean_flagged %.1f evals %llu fired %llu compactions %llu recenters %llu ring_full %llu\n",
              static_cast<unsigned long long>(events), n_accounts, n_markets,
              static_cast<unsigned long long>(transitions),
              static_cast<unsigned long long>(core.counters().recovered_total),
              static_cast<unsigned long long>(max_flagged), static_cast<double>(flagged_seen) / static_cast<double>(events),
              static_cast<unsigned long long>(core.index_counters().evals),
              static_cast<unsigned long long>(core.index_counters().fired),
              static_cast<unsigned long long>(core.index_counters().compactions),
              static_cast<unsigned long long>(core.index_counters().recenters),
              static_cast<unsigned long long>(core.counters().out_ring_full));
}

TEST(IndexExactness, FullScanAfterEveryEvent) {
  run_exactness(8, 200, event_count(kDefaultEvents) / 20, 7, 1);
}

TEST(IndexExactness, MillionEventsManyMarkets) {
  run_exactness(32, 320, event_count(kDefaultEvents), 42, 256);
}

}  // namespace
}  // namespace liqd
