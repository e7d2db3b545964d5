// Account stream: sequence, gap -> resync request, resync by snapshots closed by
// snapshot_done, malformed bytes counted.
#include <gtest/gtest.h>

#include "feeds/account/account_feed.hpp"

using namespace liqd;
using namespace liqd::feeds;

namespace {

struct Rec : AccountSink {
  std::vector<AccountUpdate> ups;
  std::vector<AccountResyncRequest> resyncs;
  std::vector<uint64_t> in_sync;
  void on_account(const AccountUpdate& u) override { ups.push_back(u); }
  void on_account_resync(const AccountResyncRequest& r) override { resyncs.push_back(r); }
  void on_account_in_sync(uint64_t s) override { in_sync.push_back(s); }
};

std::string collateral(uint64_t seq, uint64_t acct, int64_t delta) {
  proto::AccountEvent e;
  e.set_seq(seq);
  e.set_ts_ms(1700000000000 + seq);
  e.set_account_id(acct);
  e.set_collateral_delta(delta);
  e.set_reason(proto::AccountEvent::DEPOSIT);
  return e.SerializeAsString();
}

std::string position(uint64_t seq, uint64_t acct, const char* market, int64_t size, int64_t px) {
  proto::AccountEvent e;
  e.set_seq(seq);
  e.set_account_id(acct);
  auto* p = e.mutable_position();
  p->set_market(market);
  p->set_size(size);
  p->set_entry_price(px);
  e.set_reason(proto::AccountEvent::FILL);
  return e.SerializeAsString();
}

std::string snapshot(uint64_t seq, uint64_t acct, int64_t coll, int64_t size) {
  proto::AccountEvent e;
  e.set_seq(seq);
  e.set_account_id(acct);
  auto* s = e.mutable_snapshot();
  s->set_account_id(acct);
  s->set_collateral(coll);
  auto* p = s->add_positions();
  p->set_market("BTC-PERP");
  p->set_size(size);
  p->set_entry_price(6500000);
  e.set_reason(proto::AccountEvent::SNAPSHOT);
  return e.SerializeAsString();
}

std::string done(uint64_t seq, uint64_t n) {
  proto::AccountEvent e;
  e.set_seq(seq);
  e.mutable_snapshot_done()->set_accounts(n);
  return e.SerializeAsString();
}

struct Fixture {
  MarketTable markets{8};
  Rec rec;
  AccountFeed feed{markets, rec};
  Fixture() {
    Scale s;
    s.price_dp = 2;
    s.qty_dp = 3;
    markets.add(Venue::Own, "BTC-PERP", s);
  }
};

}  // namespace

TEST(AccountFeed, StartsOutOfSyncUntilSnapshotDone) {
  Fixture f;
  EXPECT_FALSE(f.feed.in_sync());
  ASSERT_TRUE(f.feed.on_message(collateral(1, 7, 100)).ok());  // before any snapshot: skipped
  EXPECT_TRUE(f.rec.ups.empty());
  ASSERT_TRUE(f.feed.on_message(snapshot(10, 7, 5000, -250)).ok());
  ASSERT_TRUE(f.feed.on_message(snapshot(11, 8, 900, 0)).ok());
  EXPECT_FALSE(f.feed.in_sync());
  ASSERT_TRUE(f.feed.on_message(done(12, 2)).ok());
  EXPECT_TRUE(f.feed.in_sync());
  ASSERT_EQ(f.rec.in_sync.size(), 1u);
  ASSERT_EQ(f.rec.ups.size(), 4u);  // 2 x (collateral + 1 position)
  EXPECT_EQ(f.rec.ups[0].kind, AccountUpdateKind::SnapshotCollateral);
  EXPECT_EQ(f.rec.ups[0].amount, 5000);
  EXPECT_EQ(f.rec.ups[1].kind, AccountUpdateKind::SnapshotPosition);
  EXPECT_EQ(f.rec.ups[1].size, -250);
  ASSERT_TRUE(f.feed.on_message(collateral(13, 7, -40)).ok());
  ASSERT_TRUE(f.feed.on_message(position(14, 7, "BTC-PERP", -100, 6600000)).ok());
  EXPECT_EQ(f.rec.ups.back().entry_price, 6600000);
  EXPECT_EQ(f.rec.ups[f.rec.ups.size() - 2].amount, -40);
  EXPECT_EQ(f.feed.counters().deltas_skipped, 1u);
}

TEST(AccountFeed, GapRequestsResyncAndDropsEventsUntilSnapshots) {
  Fixture f;
  ASSERT_TRUE(f.feed.on_message(snapshot(1, 7, 5000, 10)).ok());
  ASSERT_TRUE(f.feed.on_message(done(2, 1)).ok());
  ASSERT_TRUE(f.feed.on_message(collateral(3, 7, 1)).ok());
  Status st = f.feed.on_message(collateral(5, 7, 2));  // 4 is missing
  EXPECT_EQ(st.code, FeedError::Gap);
  EXPECT_FALSE(f.feed.in_sync());
  ASSERT_EQ(f.rec.resyncs.size(), 1u);
  EXPECT_EQ(f.rec.resyncs[0].expected_seq, 4u);
  EXPECT_EQ(f.rec.resyncs[0].got_seq, 5u);
  const size_t before = f.rec.ups.size();
  ASSERT_TRUE(f.feed.on_message(collateral(6, 7, 3)).ok());  // dropped while resyncing
  EXPECT_EQ(f.rec.ups.size(), before);
  ASSERT_TRUE(f.feed.on_message(snapshot(20, 7, 5003, 10)).ok());
  ASSERT_TRUE(f.feed.on_message(done(21, 1)).ok());
  EXPECT_TRUE(f.feed.in_sync());
  EXPECT_EQ(f.rec.ups[before].amount, 5003);
  ASSERT_TRUE(f.feed.on_message(collateral(22, 7, 1)).ok());
  EXPECT_EQ(f.feed.counters().gaps, 1u);
}

TEST(AccountFeed, MalformedAndUnknownMarketAreCounted) {
  Fixture f;
  ASSERT_TRUE(f.feed.on_message(snapshot(1, 7, 5000, 10)).ok());
  ASSERT_TRUE(f.feed.on_message(done(2, 1)).ok());
  EXPECT_EQ(f.feed.on_message(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11)).code, FeedError::Malformed);
  EXPECT_EQ(f.feed.on_message("").code, FeedError::Empty);
  EXPECT_TRUE(f.feed.in_sync());  // unparseable bytes carry no seq; the next seq check decides
  // A position in a market we do not know breaks the account state: resync.
  EXPECT_EQ(f.feed.on_message(position(3, 7, "ETH-PERP", 1, 1)).code, FeedError::UnknownMarket);
  EXPECT_FALSE(f.feed.in_sync());
  EXPECT_EQ(f.feed.counters().errors_total, 3u);
}
