#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>

#include "daemon/commands/commands.hpp"
#include "daemon/journal/journal.hpp"

namespace liqd {
namespace {

// `dir` emptied and opened as a journal, with the BTC-USD market record every trace
// here starts with (price 1, quantity 3, quote 6 decimals).
void open_btc_journal(const std::string& dir, journal::Writer& w) {
  std::filesystem::remove_all(dir);
  ASSERT_EQ(w.open({dir}, 1), "");
  proto::JournalRecord r;
  auto* mi = r.mutable_market_info();
  mi->set_market("BTC-USD"); mi->set_price_dp(1); mi->set_qty_dp(3); mi->set_quote_dp(6);
  w.append(r);
}

// What `run` writes to its stream, and its return code.
struct Printed {
  int rc = -1;
  std::string text;
};
Printed printed(const std::function<int(FILE*)>& run) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  Printed p;
  p.rc = run(out);
  std::fclose(out);
  p.text.assign(buf, len);
  free(buf);
  return p;
}

TEST(Explain, PrintsTheDecisionTrailOfOneAccount) {
  std::string dir = ::testing::TempDir() + "/explain_" + std::to_string(::getpid());
  {
    journal::Writer w;
    ASSERT_NO_FATAL_FAILURE(open_btc_journal(dir, w));
    proto::JournalRecord r;
    r.set_ts_ms(1584054420000);
    auto* d = r.mutable_decision();
    d->set_account_id(42); d->set_market("BTC-USD"); d->set_rule("partial_to_target");
    d->set_equity(499000000); d->set_maintenance_margin(625000000); d->set_mark_price(50000);  // 5000.0
    d->set_qty(-100); d->set_limit_price(49990); d->set_bankruptcy_price(45010); d->set_liquidation_seq(7); d->set_chunk(1);
    w.append(r);
    r.Clear();
    r.mutable_decision()->set_account_id(43);  // another account: not shown
    w.append(r);
    r.Clear();
    auto* o = r.mutable_order();
    o->set_client_order_id("L42-BTC-USD-7-1"); o->set_account_id(42); o->set_market("BTC-USD");
    o->set_side(proto::SELL); o->set_qty(100); o->set_limit_price(49990); o->set_reduce_only(true); o->set_immediate_or_cancel(true);
    w.append(r);
    r.Clear();
    auto* u = r.mutable_order_update();
    u->set_client_order_id("L42-BTC-USD-7-1"); u->set_state(proto::OrderUpdate::FILLED);
    u->set_fill_qty(100); u->set_fill_price(50010); u->set_cum_qty(100);
    w.append(r);
    r.Clear();
    auto* f = r.mutable_fund();
    f->set_account_id(42); f->set_market("BTC-USD"); f->set_asset("USDC"); f->set_delta(2505000); f->set_balance_after(1002505000); f->set_reason("liquidation_fee");
    w.append(r);
    ASSERT_TRUE(w.commit());
  }
  const Printed out = printed([&](FILE* f) { return cmd::explain(dir, 42, f); });
  ASSERT_EQ(out.rc, 0);
  const std::string& text = out.text;
  EXPECT_NE(text.find("#2 t=1584054420000 DECISION BTC-USD rule=partial_to_target: equity 499 < maintenance 625 at mark 5000 -> close -0.1 with limit (fillable) 4999, bankruptcy 4501 [liquidation 7 chunk 1]"), std::string::npos) << text;
  EXPECT_NE(text.find("ORDER L42-BTC-USD-7-1 BTC-USD sell 0.1 limit 4999 reduce-only IOC"), std::string::npos) << text;
  EXPECT_NE(text.find("UPDATE L42-BTC-USD-7-1 filled: fill 0.1 at 5001 (cumulative 0.1)"), std::string::npos) << text;
  EXPECT_NE(text.find("FUND USDC + 2.505 (liquidation_fee), balance 1002.505"), std::string::npos) << text;
  EXPECT_EQ(text.find("43"), std::string::npos) << text;
  EXPECT_EQ(cmd::explain(dir + "/missing", 42, stdout), 1);
}

TEST(Explain, ShowsTheSplitBehindADecisionAndItsTransferPrice) {
  std::string dir = ::testing::TempDir() + "/explain_split_" + std::to_string(::getpid());
  {
    journal::Writer w;
    ASSERT_NO_FATAL_FAILURE(open_btc_journal(dir, w));
    proto::JournalRecord r;
    r.set_ts_ms(1584054420000);
    auto* d = r.mutable_decision();
    d->set_account_id(42); d->set_market("BTC-USD"); d->set_rule("split_transfer_and_hedge");
    d->set_qty(-800); d->set_limit_price(49974); d->set_bankruptcy_price(45010); d->set_liquidation_seq(8);
    // Costs in 10^-(1 + 3 + 8) units: -499.75, the vault's charge 0.8, the own book alone -99.95.
    auto* f = d->mutable_split();
    f->set_order_qty(1000); f->set_own_qty(200); f->set_transfer_qty(800); f->set_transfer_price(49974);
    f->set_own_only_filled(200); f->set_objective("-499750000000000"); f->set_vault_charge("800000000000");
    f->set_own_only_objective("-99950000000000"); f->set_exact(true);
    w.append(r);
    r.Clear();
    auto* o = r.mutable_order();
    o->set_client_order_id("L42-BTC-USD-8-0"); o->set_account_id(42); o->set_market("BTC-USD");
    o->set_side(proto::SELL); o->set_qty(800); o->set_limit_price(49974); o->set_reduce_only(true);
    o->set_transfer_to_account(900000001); o->set_bankruptcy_price(45010);
    w.append(r);
    ASSERT_TRUE(w.commit());
  }
  const Printed out = printed([&](FILE* f) { return cmd::explain(dir, 42, f); });
  ASSERT_EQ(out.rc, 0);
  const std::string& text = out.text;
  EXPECT_NE(text.find("  SPLIT of 1: own book 0.2, transfer 0.8 to the vault at 4997.4 (inside the fillable bound), unfilled 0; "
                      "cost -499.75 incl. vault charge 0.8 vs own book alone -99.95 for 0.2 (exact)"),
            std::string::npos) << text;
  EXPECT_NE(text.find("backstop transfer to the vault account 900000001 at exactly the limit (the split's transfer price; "
                      "bankruptcy 4501)"),
            std::string::npos) << text;
}

TEST(ExplainSummary, PlacesSplitTransfersAgainstTheBoundAndTheBankruptcyPrice) {
  std::string dir = ::testing::TempDir() + "/explain_split_summary_" + std::to_string(::getpid());
  {
    journal::Writer w;
    ASSERT_NO_FATAL_FAILURE(open_btc_journal(dir, w));
    auto decision = [&](const char* rule, int64_t qty, int64_t px, int64_t bound, int64_t bk) {
      proto::JournalRecord r;
      r.set_ts_ms(1584054420000);
      auto* d = r.mutable_decision();
      d->set_account_id(42); d->set_market("BTC-USD"); d->set_rule(rule);
      d->set_qty(qty); d->set_limit_price(px); d->set_bankruptcy_price(bk);
      auto* f = d->mutable_split();
      f->set_transfer_qty(qty < 0 ? -qty : qty); f->set_transfer_price(px); f->set_bound(bound);
      w.append(r);
    };
    decision("split_transfer_and_hedge", -800, 49974, 49900, 45010);   // sell above the bound and bankruptcy
    decision("split_transfer_and_hedge", -500, 49880, 49900, 49950);   // sell below the bound, past bankruptcy
    decision("split_transfer_and_hedge", 300, 50100, 50200, 50100);    // buy below the bound, at bankruptcy
    decision("partial_to_target", -200, 49900, 49900, 45010);          // the split's IOC: no transfer
    ASSERT_TRUE(w.commit());
  }
  const Printed out = printed([&](FILE* f) { return cmd::explain_summary(dir, f); });
  ASSERT_EQ(out.rc, 0);
  const std::string& text = out.text;
  EXPECT_NE(text.find("\"split\":{\"decision_records\":4,\"transfers\":3,\"transfer_units\":1600,\"outside_bound\":1,"
                      "\"no_bound\":0,\"at_bankruptcy\":1,\"past_bankruptcy\":1,\"inside_bankruptcy\":1}"),
            std::string::npos) << text;
}

}  // namespace
}  // namespace liqd
