// Oracle and mark stage (issue 5, item 5).
#include <gtest/gtest.h>

#include <vector>

#include "core/margin/margin.hpp"
#include "core/policy/oracle/index_oracle.hpp"
#include "core/policy/oracle/mark_price.hpp"
#include "tests/policy/test_markets.hpp"

namespace liqd::policy {
namespace {

OracleConfig five_sources() {
  OracleConfig c{};
  c.n_sources = 5;
  for (int i = 0; i < 5; ++i) c.max_age_ms[i] = 3000;
  c.max_deviation = Ratio(2'000'000);  // 2 %
  c.min_sources = 3;
  return c;
}

TEST(OracleMedian, OddAndEvenCounts) {
  Price a[5] = {Price(5), Price(1), Price(4), Price(2), Price(3)};
  EXPECT_EQ(median_price(a, 5).v, 3);
  Price b[4] = {Price(10), Price(1), Price(4), Price(7)};
  EXPECT_EQ(median_price(b, 4).v, 6);  // (4 + 7) / 2 = 5.5 → 6 (half up)
  Price c[2] = {Price(100), Price(102)};
  EXPECT_EQ(median_price(c, 2).v, 101);
}

// Accounts near the edge at 100.00: 20x longs and 20x shorts. None is liquidatable
// at the true price; every one is at ±30 %.
struct Book {
  MarketRisk m = test::one_tier_market(500'000, 1'000'000);  // 0.5 % MM, 1 % IM
  std::vector<Quote> collateral;
  std::vector<Position> pos;
  Book() {
    for (int i = 0; i < 10; ++i) {
      Position p{};
      p.market = 0;
      p.size = Qty((i % 2 == 0 ? 1 : -1) * (1000 + 100 * i) * 10);  // 1.0 .. 1.9
      p.entry = Price(10000);                                   // 100.00
      // 5 % of notional: 20x.
      collateral.push_back(Quote(5 * (1000 + 100 * i) * 1000));
      pos.push_back(p);
    }
  }
  int liquidatable(Price mark) const {
    int n = 0;
    for (size_t i = 0; i < pos.size(); ++i) {
      MarginSummary s = cross_margin(collateral[i], std::span<const Position>(&pos[i], 1),
                                     std::span<const MarketRisk>(&m, 1),
                                     std::span<const Price>(&mark, 1));
      n += s.liquidatable() ? 1 : 0;
    }
    return n;
  }
};

TEST(Oracle, SingleManipulatedSourceSpiking30PercentMovesNothingAndLiquidatesNoOne) {
  for (int sign : {+1, -1}) {
    IndexOracle o(five_sources());
    MarkPrice mk(MarkConfig{});
    Book book;
    const int64_t truth[5] = {10000, 10001, 9999, 10002, 9998};
    TimeMs t = 1'700'000'000'000;
    for (int i = 0; i < 5; ++i) o.update(i, Price(truth[i]), Price(0), t, t);
    IndexResult before = o.evaluate(t);
    ASSERT_EQ(before.status, OracleStatus::Ok);
    ASSERT_EQ(before.index.v, 10000);
    MarkResult mb = mk.compute(before, t);
    ASSERT_TRUE(mb.valid);
    EXPECT_EQ(book.liquidatable(mb.mark), 0);

    // Source 3 is manipulated: +/-30 % (13002 / 7001).
    t += 100;
    const int64_t spiked = truth[3] + sign * truth[3] * 3 / 10;
    o.update(3, Price(spiked), Price(0), t, t);
    IndexResult after = o.evaluate(t);
    EXPECT_EQ(after.status, OracleStatus::Ok);
    EXPECT_FALSE(after.status_changed);
    EXPECT_EQ(after.index.v, 10000);  // median of the four honest sources (9998..10001 → 9999.5 → 10000)
    EXPECT_EQ(after.used, 4);
    EXPECT_EQ(after.drop[3], SourceDrop::Deviation);
    EXPECT_EQ(o.dropped(3, SourceDrop::Deviation), 1u);
    MarkResult ma = mk.compute(after, t);
    EXPECT_EQ(ma.mark.v, mb.mark.v);
    EXPECT_EQ(book.liquidatable(ma.mark), 0);

    // The test can fail: a mean of the five sources would have moved 6 % and
    // liquidated half the book (the side the spike hurts).
    int64_t mean = (truth[0] + truth[1] + truth[2] + spiked + truth[4]) / 5;
    EXPECT_EQ(book.liquidatable(Price(mean)), 5);
  }
}

TEST(Oracle, ThreeSourcesOneSpikeKeepsTheTwoAgreeing) {
  OracleConfig c = five_sources();
  c.n_sources = 3;
  IndexOracle o(c);
  o.update(0, Price(10000), Price(0), 1000, 1000);
  o.update(1, Price(10010), Price(0), 1000, 1000);
  o.update(2, Price(13000), Price(0), 1000, 1000);
  IndexResult r = o.evaluate(1000);
  EXPECT_EQ(r.status, OracleStatus::Ok);
  EXPECT_EQ(r.used, 2);
  EXPECT_EQ(r.index.v, 10005);
  // Two of three disagreeing with the median: no majority → STALE.
  o.update(1, Price(7000), Price(0), 1001, 1001);
  r = o.evaluate(1001);
  EXPECT_EQ(r.status, OracleStatus::Stale);
  EXPECT_TRUE(r.status_changed);
  EXPECT_EQ(r.index.v, 10005);  // last good, for display only
}

TEST(Oracle, StaleSourcePutsMarketInStaleAndRecovers) {
  OracleConfig c = five_sources();
  c.n_sources = 3;
  c.max_age_ms = {1000, 1000, 5000};
  IndexOracle o(c);
  MarkPrice mk(MarkConfig{});
  o.update(0, Price(10000), Price(0), 0, 0);
  o.update(1, Price(10000), Price(0), 0, 0);
  o.update(2, Price(10000), Price(0), 0, 0);
  IndexResult r = o.evaluate(1000);  // age 1000 = limit: still fresh
  EXPECT_EQ(r.status, OracleStatus::Ok);
  EXPECT_TRUE(r.status_changed);  // first good index clears the initial STALE
  o.update(0, Price(10000), Price(0), 1500, 1500);
  o.update(2, Price(10000), Price(0), 1500, 1500);
  r = o.evaluate(1001);  // source 1 is 1001 ms old
  EXPECT_EQ(r.status, OracleStatus::Stale);
  EXPECT_TRUE(r.status_changed);
  EXPECT_EQ(r.fresh, 2);
  EXPECT_EQ(r.drop[1], SourceDrop::Stale);
  EXPECT_EQ(o.dropped(1, SourceDrop::Stale), 1u);
  EXPECT_FALSE(mk.compute(r, 1001).valid);  // no mark: nothing is liquidated here
  r = o.evaluate(1002);
  EXPECT_EQ(r.status, OracleStatus::Stale);
  EXPECT_FALSE(r.status_changed);
  o.update(1, Price(10020), Price(0), 1600, 1600);
  r = o.evaluate(1600);
  EXPECT_EQ(r.status, OracleStatus::Ok);
  EXPECT_TRUE(r.status_changed);
  EXPECT_EQ(r.index.v, 10000);
}

TEST(Oracle, OutOfOrderQuotesAreIgnoredAndCounted) {
  OracleConfig c = five_sources();
  IndexOracle o(c);
  EXPECT_TRUE(o.update(0, Price(100), Price(0), 10, 10));
  EXPECT_FALSE(o.update(0, Price(999), Price(0), 9, 9));
  EXPECT_FALSE(o.update(0, Price(999), Price(0), 10, 10));
  EXPECT_EQ(o.out_of_order(), 2u);
}

// The Pyth Hermes docs example (ETH/USD): price 1841.36023127, conf 1.77166324,
// conf / price = 0.0962 %. A 0.1 % width limit accepts it, 0.09 % refuses it.
TEST(Oracle, ConfidenceWidthCheckOnRealPythQuote) {
  std::string js = test::read_test_file("policy/pyth/hermes_api_latest_price_feeds_ETHUSD_docs_example_2023-08-15.json");
  ASSERT_FALSE(js.empty());
  const int64_t price = test::json_int_field(js, "price", js.find("\"price\":{") + 9);
  const int64_t conf = test::json_int_field(js, "conf");
  const int64_t ts = test::json_int_field(js, "publish_time") * 1000;
  ASSERT_EQ(price, 184136023127);
  ASSERT_EQ(conf, 177166324);
  for (int64_t width : {100'000, 90'000}) {
    OracleConfig c = five_sources();
    c.n_sources = 3;
    c.max_conf_width = Ratio(width);
    IndexOracle o(c);
    o.update(0, Price(price), Price(conf), ts, ts);
    o.update(1, Price(price + 50'000'000), Price(0), ts, ts);  // 1841.86, no conf published
    o.update(2, Price(price - 50'000'000), Price(0), ts, ts);
    IndexResult r = o.evaluate(ts + 500);
    if (width == 100'000) {
      EXPECT_EQ(r.status, OracleStatus::Ok);
      EXPECT_EQ(r.index.v, price);
    } else {
      EXPECT_EQ(r.drop[0], SourceDrop::ConfWidth);
      EXPECT_EQ(r.status, OracleStatus::Stale);  // only two usable sources
    }
  }
}

TEST(Mark, BasisEmaIsExactInIntegers) {
  MarkConfig c{};
  c.basis_alpha = Ratio(50'000'000);  // 0.5
  c.basis_sample_ms = 1000;
  c.max_basis = Ratio(10'000'000);    // 10 %: no clamp here
  c.use_last_trade = false;
  MarkPrice mk(c);
  IndexResult idx{};
  idx.status = OracleStatus::Ok;
  idx.index = Price(10000);
  // basis 10 each sample: 0 → 5 → 8 (7.5 half up) → 9 → 10
  const int64_t expect[4] = {5, 8, 9, 10};
  for (int k = 0; k < 4; ++k) {
    mk.on_book(Price(10005), Price(10015), k * 1000);
    MarkResult r = mk.compute(idx, k * 1000);
    ASSERT_TRUE(r.valid);
    EXPECT_EQ(r.basis_ema.v, expect[k]) << k;
    EXPECT_EQ(r.mark.v, 10000 + expect[k]);
    EXPECT_EQ(r.inputs, 1);
  }
  // A second compute inside the same sample interval takes no new sample.
  EXPECT_EQ(mk.compute(idx, 3500).basis_ema.v, 10);
}

TEST(Mark, ThinBookCannotMoveTheMark) {
  MarkConfig c{};
  c.basis_alpha = Ratio(100'000'000);  // 1.0: basis follows the book at once (worst case)
  c.max_basis = Ratio(500'000);        // 0.5 %
  MarkPrice mk(c);
  IndexResult idx{};
  idx.status = OracleStatus::Ok;
  idx.index = Price(10000);
  mk.on_trade(Price(10001), 0);
  mk.on_book(Price(10999), Price(11001), 0);  // a thin book printing +10 %
  MarkResult r = mk.compute(idx, 0);
  EXPECT_EQ(r.inputs, 3);
  EXPECT_EQ(r.basis_ema.v, 50);              // clamped at 0.5 %
  EXPECT_EQ(r.mark.v, 10050);                // median(10050, 11000, 10001)
  // Without a fresh trade the mark is index + clamped basis: still 0.5 % at most.
  r = mk.compute(idx, 6000);
  EXPECT_EQ(r.inputs, 1);
  EXPECT_EQ(r.mark.v, 10050);
}

// One book usually supplies both the mid and the last trade: when both print far
// from the index (a thin book, or liquidation sells walking it down, each fill a
// trade), they would be two of three votes. Each is clamped to index ± max_basis
// first, so the mark stays within 0.5 % of the index.
TEST(Mark, OneBookPrintingMidAndTradeMovesTheMarkAtMostTheBand) {
  MarkConfig c{};
  c.basis_alpha = Ratio(100'000'000);  // worst case: the basis follows the book at once
  c.max_basis = Ratio(500'000);        // 0.5 %
  MarkPrice mk(c);
  IndexResult idx{};
  idx.status = OracleStatus::Ok;
  idx.index = Price(10000);
  mk.on_book(Price(8999), Price(9001), 0);  // the book 10 % below the index
  mk.on_trade(Price(9000), 0);              // and its last trade there too
  MarkResult r = mk.compute(idx, 0);
  EXPECT_EQ(r.inputs, 3);
  EXPECT_EQ(r.mark.v, 9950);  // not 9000: median(9950, 9950, 9950)
  // Brute force over books and trades on both sides: never beyond the band.
  for (int64_t mid = 9000; mid <= 11000; mid += 250)
    for (int64_t trade = 9000; trade <= 11000; trade += 250) {
      MarkPrice m2(c);
      m2.on_book(Price(mid - 1), Price(mid + 1), 0);
      m2.on_trade(Price(trade), 0);
      const MarkResult x = m2.compute(idx, 0);
      EXPECT_LE(x.mark.v, 10050) << mid << " " << trade;
      EXPECT_GE(x.mark.v, 9950) << mid << " " << trade;
      // Inside the band the median is untouched: mid and trade both within it.
      if (mid >= 9950 && mid <= 10050 && trade >= 9950 && trade <= 10050) {
        Price v[3] = {x.index + x.basis_ema, Price(mid), Price(trade)};
        EXPECT_EQ(x.mark, median_price(v, 3));
      }
    }
}

}  // namespace
}  // namespace liqd::policy

namespace liqd::policy {
namespace {

// A quote dated in the future would stay "fresh" and block the source's real
// updates (which must be newer); it is refused at the door and counted.
TEST(Oracle, FutureDatedQuoteIsRefused) {
  OracleConfig c = five_sources();
  c.n_sources = 3;
  c.max_future_ms = 1000;
  IndexOracle o(c);
  EXPECT_FALSE(o.update(0, Price(10000), Price(0), 1'000'000, 1000));
  EXPECT_EQ(o.future_dated(), 1u);
  EXPECT_TRUE(o.update(0, Price(10000), Price(0), 1500, 1000));  // 500 ms of skew is fine
  EXPECT_TRUE(o.update(0, Price(10000), Price(0), 2000, 2000));
}

}  // namespace
}  // namespace liqd::policy
