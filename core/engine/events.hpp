#pragma once
// Events into the core and liquidation candidates out of it. Both are small,
// trivially copyable records that travel through SpscRing (core/ring).
// Time is the event's own timestamp (ts_ns, exchange or feed time); the core
// never reads the wall clock, so a replay of the same events decides the same.
#include <cstdint>

#include "core/margin/margin.hpp"
#include "core/store/account_store.hpp"

namespace liqd {

enum class EventType : uint8_t {
  PriceUpdate,    // market, mark, index, last: final prices after oracle aggregation
  Deposit,        // account, amount (> 0) into cross collateral
  Withdrawal,     // account, amount (> 0) out of cross collateral
  Fill,           // account, market, isolated: the position after the fill
                  //   (size, entry, isolated margin) plus a collateral delta
  Funding,        // account, amount (signed): into collateral, or the isolated margin of (market)
  ModeChange,     // account, market, isolated = target mode, amount moved to isolated margin
  RiskChange,     // market, new risk parameters (tiers, margin ratios)
  MarketFunding,  // market, rate (Ratio, signed): every position pays size × mark × rate
  Clock,          // time only
};

struct Event {
  EventType type = EventType::Clock;
  bool isolated = false;
  // PriceUpdate only: another price of the same oracle round follows (a venue
  // or oracle that publishes many markets at once, e.g. one Pyth update). The
  // core moves this mark and collects the accounts its keys crossed, and
  // evaluates each of them once, at all the round's marks, when the round's
  // last price (more = false) or any other event arrives. The flagged set is
  // exact after that event, not in between.
  bool more = false;
  uint32_t market = 0;
  AccountId account = 0;
  int64_t ts_ns = 0;
  uint64_t seq = 0;     // account stream sequence number (account events)
  int64_t a = 0, b = 0, c = 0, d = 0;  // payload, see the constructors
  // MarketRisk only: owned by the producer, alive until the core has applied it.
  const ::liqd::MarketRisk* risk = nullptr;

  static Event price(uint32_t m, Price mark, Price index, Price last, int64_t ts, bool more = false) {
    Event e; e.type = EventType::PriceUpdate; e.market = m; e.a = mark.v; e.b = index.v; e.c = last.v; e.ts_ns = ts;
    e.more = more; return e;
  }
  static Event deposit(AccountId acc, Quote amount, uint64_t seq, int64_t ts) {
    Event e; e.type = EventType::Deposit; e.account = acc; e.a = amount.v; e.seq = seq; e.ts_ns = ts; return e;
  }
  static Event withdrawal(AccountId acc, Quote amount, uint64_t seq, int64_t ts) {
    Event e; e.type = EventType::Withdrawal; e.account = acc; e.a = amount.v; e.seq = seq; e.ts_ns = ts; return e;
  }
  static Event fill(AccountId acc, uint32_t m, bool isolated, Qty size, Price entry, Quote isolated_margin,
                    Quote collateral_delta, uint64_t seq, int64_t ts) {
    Event e; e.type = EventType::Fill; e.account = acc; e.market = m; e.isolated = isolated;
    e.a = size.v; e.b = entry.v; e.c = isolated_margin.v; e.d = collateral_delta.v; e.seq = seq; e.ts_ns = ts; return e;
  }
  static Event funding(AccountId acc, uint32_t m, bool isolated, Quote amount, uint64_t seq, int64_t ts) {
    Event e; e.type = EventType::Funding; e.account = acc; e.market = m; e.isolated = isolated; e.a = amount.v;
    e.seq = seq; e.ts_ns = ts; return e;
  }
  static Event mode_change(AccountId acc, uint32_t m, bool to_isolated, Quote margin, uint64_t seq, int64_t ts) {
    Event e; e.type = EventType::ModeChange; e.account = acc; e.market = m; e.isolated = to_isolated; e.a = margin.v;
    e.seq = seq; e.ts_ns = ts; return e;
  }
  static Event market_risk(uint32_t m, const ::liqd::MarketRisk* r, int64_t ts) {
    Event e; e.type = EventType::RiskChange; e.market = m; e.risk = r; e.ts_ns = ts; return e;
  }
  static Event market_funding(uint32_t m, Ratio rate, int64_t ts) {
    Event e; e.type = EventType::MarketFunding; e.market = m; e.a = rate.v; e.ts_ns = ts; return e;
  }
  static Event clock(int64_t ts) { Event e; e.type = EventType::Clock; e.ts_ns = ts; return e; }
};

enum class CandidateKind : uint8_t { Flagged, Recovered };

// One liquidation candidate (or the news that a dispatched one recovered).
struct Candidate {
  CandidateKind kind = CandidateKind::Flagged;
  bool isolated = false;   // the reason: an isolated position (market) or the cross unit
  uint32_t market = 0;
  AccountId account = 0;
  Quote equity;            // the numbers behind the decision, at decision time
  Quote mm;
  int64_t ts_ns = 0;       // event time of the decision
  uint64_t event_no = 0;   // the core's event counter at decision time
};

}  // namespace liqd
