// PriceMemory journal records: every field of a market's price memory survives
// the trip through the record (journal_text), and what the core restores from it
// evaluates as the original did (index, mark, breaker on the same next inputs).
#include <gtest/gtest.h>

#include "daemon/service/journal_text.hpp"

namespace liqd::service {
namespace {

PriceMemoryWire distinct_wire() {
  PriceMemoryWire w;
  w.oracle.sources[0] = {Price(101), Price(2), 1'000, true};
  w.oracle.sources[2] = {Price(103), Price(0), 1'003, true};
  w.oracle.status = policy::OracleStatus::Ok;
  w.oracle.last_good = Price(102);
  w.mark = policy::MarkPrice::Memory{Price(99), Price(105), Price(104), 1'010, 1'020, true, true, Price(-3), 1'030, true};
  w.breaker = policy::CircuitBreaker::Memory{policy::MarketMode::Throttle, false, true, true, false, 1'040, 0};
  w.slot = policy::CircuitBreaker::SlotMemory{3'000'000, 98, 107};
  w.book_mid = 102;
  return w;
}

TEST(PriceMemory, EveryFieldRoundTrips) {
  const PriceMemoryWire w = distinct_wire();
  proto::PriceMemory rec;
  fill_price_memory(rec, w, "BTC-USD");
  EXPECT_EQ(rec.market(), "BTC-USD");
  EXPECT_EQ(rec.sources_size(), 2);  // only the sources that have a quote
  // Through the wire format too, as the journal stores it.
  proto::PriceMemory back;
  ASSERT_TRUE(back.ParseFromString(rec.SerializeAsString()));
  const PriceMemoryWire r = price_memory_of(back);
  for (std::size_t k = 0; k < w.oracle.sources.size(); ++k) {
    EXPECT_EQ(r.oracle.sources[k].has, w.oracle.sources[k].has) << k;
    EXPECT_EQ(r.oracle.sources[k].price, w.oracle.sources[k].price) << k;
    EXPECT_EQ(r.oracle.sources[k].conf, w.oracle.sources[k].conf) << k;
    EXPECT_EQ(r.oracle.sources[k].publish_ms, w.oracle.sources[k].publish_ms) << k;
  }
  EXPECT_EQ(r.oracle.status, w.oracle.status);
  EXPECT_EQ(r.oracle.last_good, w.oracle.last_good);
  EXPECT_EQ(r.mark.bid, w.mark.bid);
  EXPECT_EQ(r.mark.ask, w.mark.ask);
  EXPECT_EQ(r.mark.last, w.mark.last);
  EXPECT_EQ(r.mark.book_ts, w.mark.book_ts);
  EXPECT_EQ(r.mark.trade_ts, w.mark.trade_ts);
  EXPECT_EQ(r.mark.has_book, w.mark.has_book);
  EXPECT_EQ(r.mark.has_trade, w.mark.has_trade);
  EXPECT_EQ(r.mark.basis_ema, w.mark.basis_ema);
  EXPECT_EQ(r.mark.last_sample, w.mark.last_sample);
  EXPECT_EQ(r.mark.sampled, w.mark.sampled);
  EXPECT_EQ(r.breaker.mode, w.breaker.mode);
  EXPECT_EQ(r.breaker.oracle_stale, w.breaker.oracle_stale);
  EXPECT_EQ(r.breaker.oracle_had_quorum, w.breaker.oracle_had_quorum);
  EXPECT_EQ(r.breaker.seen_throttle, w.breaker.seen_throttle);
  EXPECT_EQ(r.breaker.seen_pause, w.breaker.seen_pause);
  EXPECT_EQ(r.breaker.last_throttle, w.breaker.last_throttle);
  EXPECT_EQ(r.breaker.last_pause, w.breaker.last_pause);
  EXPECT_EQ(r.slot.id, w.slot.id);
  EXPECT_EQ(r.slot.lo, w.slot.lo);
  EXPECT_EQ(r.slot.hi, w.slot.hi);
  EXPECT_EQ(r.book_mid, w.book_mid);
  // No slot yet: none in the record, none back.
  PriceMemoryWire empty = w;
  empty.slot = policy::CircuitBreaker::SlotMemory{};
  proto::PriceMemory e;
  fill_price_memory(e, empty, "BTC-USD");
  EXPECT_FALSE(e.has_slot());
  EXPECT_EQ(price_memory_of(e).slot.id, INT64_MIN);
}

// A breaker restored from its memory and slots trips and steps down exactly as
// the one it was taken from, on the same later marks.
TEST(PriceMemory, RestoredBreakerBehavesAsTheOriginal) {
  policy::BreakerConfig c{};
  c.n_bands = 1;
  c.bands[0] = policy::BreakerBand{10'000, Ratio(1'000'000), Ratio(3'000'000)};  // 1 % / 3 % in 10 s
  c.calm_ms = 5'000;
  policy::CircuitBreaker a(c);
  auto at = [](int64_t mark) {
    policy::BreakerInputs in{};
    in.mark = Price(mark);
    in.index = Price(mark);
    return in;
  };
  std::vector<policy::CircuitBreaker::SlotMemory> slots;  // what the journal would hold
  int64_t t = 0;
  for (int64_t px : {10000, 10000, 10000, 10000}) {  // calm so far: NORMAL
    const auto s = a.newest_slot();
    if (s.id != INT64_MIN && (slots.empty() || slots.back().id != s.id)) slots.push_back(s);
    a.on_tick(at(px), t += 1000);
  }
  slots.push_back(a.newest_slot());
  ASSERT_EQ(a.mode(), policy::MarketMode::Normal);
  policy::CircuitBreaker b(c);
  b.restore(a.memory(), slots.data(), slots.size());
  EXPECT_EQ(b.mode(), a.mode());
  // +1.5 % against the calm marks before the restore: only a breaker that has
  // them (the restored slots) throttles here.
  bool throttled = false;
  for (int i = 0; i < 25; ++i) {
    const int64_t px = 10150;
    t += 1000;
    const auto ca = a.on_tick(at(px), t);
    const auto cb = b.on_tick(at(px), t);
    ASSERT_EQ(ca.has_value(), cb.has_value()) << t;
    if (ca) {
      EXPECT_EQ(ca->to, cb->to) << t;
    }
    EXPECT_EQ(a.mode(), b.mode()) << t;
    throttled = throttled || b.mode() == policy::MarketMode::Throttle;
  }
  EXPECT_TRUE(throttled);
  EXPECT_EQ(b.mode(), policy::MarketMode::Normal);  // it did step down, both at the same tick
}

}  // namespace
}  // namespace liqd::service
