// `liqd risk` as a black box: the built binary (LIQD_BIN) is run on JSON input;
// stdout, stderr and the exit status are checked.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct CliRun {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliRun run_risk(const std::string& input) {
  char in_path[] = "/tmp/liqd_risk_in_XXXXXX";
  char err_path[] = "/tmp/liqd_risk_err_XXXXXX";
  int in_fd = mkstemp(in_path);
  int err_fd = mkstemp(err_path);
  EXPECT_GE(in_fd, 0);
  EXPECT_GE(err_fd, 0);
  EXPECT_EQ(write(in_fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(in_fd);
  close(err_fd);
  const std::string cmd = std::string("'") + LIQD_BIN + "' risk < " + in_path + " 2> " + err_path;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err_path);
  unlink(in_path);
  unlink(err_path);
  return r;
}

const std::string kExample = slurp(std::string(LIQD_TEST_DATA_DIR) + "/margin/risk_example.json");

TEST(RiskCli, IssueExampleReproduces) {
  ASSERT_FALSE(kExample.empty());
  CliRun r = run_risk(kExample);
  ASSERT_EQ(r.status, 0) << r.err;
  // Figures from the issue: equity 499, MM 62.5, IM 125, free collateral 374; the
  // isolated position's equity 6000 and MM 625; bankruptcy prices 45010 and 56000;
  // the liquidation's fund delta and fee 28.05. The rest derived by hand in
  // core/margin/README.md (liquidation prices 4501/0.09875 and 56000/1.0125).
  const std::string want = slurp(std::string(LIQD_TEST_DATA_DIR) + "/margin/risk_example.out.json");
  EXPECT_EQ(r.out, want);
  EXPECT_NE(r.out.find("\"equity\": \"499\""), std::string::npos);
  EXPECT_NE(r.out.find("\"maintenance_margin\": \"62.5\""), std::string::npos);
  EXPECT_NE(r.out.find("\"initial_margin\": \"125\""), std::string::npos);
  EXPECT_NE(r.out.find("\"free_collateral\": \"374\""), std::string::npos);
  EXPECT_NE(r.out.find("\"equity\": \"6000\""), std::string::npos);
  EXPECT_NE(r.out.find("\"maintenance_margin\": \"625\""), std::string::npos);
  EXPECT_NE(r.out.find("\"bankruptcy_price\": \"45010\""), std::string::npos);
  EXPECT_NE(r.out.find("\"bankruptcy_price\": \"56000\""), std::string::npos);
  EXPECT_NE(r.out.find("\"insurance_fund_delta\": \"28.05\", \"fee\": \"28.05\""), std::string::npos);
}

TEST(RiskCli, NullsWhereValuesDoNotExist) {
  // No fillable-price pair, no liquidation asked, equity <= 0 (no margin ratio),
  // and a long that can never be liquidated by price.
  CliRun r = run_risk(R"({"markets": {"ETH-USD": {"mark_price": 3000, "tick_size": "0.01", "lot_size": "0.001",
      "tiers": [{"imr": "0.1", "mmr": "0.05"}]}},
    "account": {"collateral": "-3000", "positions": [{"market": "ETH-USD", "size": "-1", "entry_price": 2900}]}})");
  ASSERT_EQ(r.status, 0) << r.err;
  // equity = −3000 − (3000 − 2900) = −3100 -> margin_ratio null, liquidatable;
  // slack(P) = −3000 + 2900 − P − 5%·P < 0 at every price: no liquidation price.
  EXPECT_NE(r.out.find("\"equity\": \"-3100\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"margin_ratio\": null"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"liquidatable\": true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"fillable_price\": null"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"liquidation\": null"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"equity\": null"), std::string::npos) << r.out;  // a cross position
  // A short liquidatable at every positive price has no liquidation price.
  EXPECT_NE(r.out.find("\"liquidation_price\": null"), std::string::npos) << r.out;

  r = run_risk(R"({"markets": {"A": {"mark_price": "10", "tiers": [{"imr": "0.1", "mmr": "0.05"}]}},
    "account": {"collateral": "0", "positions": [{"market": "A", "size": "1", "entry_price": "10", "isolated_margin": "10"}]}})");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"liquidation_price\": null"), std::string::npos) << r.out;  // fully funded long
  EXPECT_NE(r.out.find("\"bankruptcy_price\": \"0\""), std::string::npos) << r.out;
}

struct Refusal {
  const char* what;
  std::string input;
  const char* message;  // must appear in stderr
};

std::string account(const std::string& market_extra, const std::string& tiers, const std::string& positions,
                    const std::string& tail = "") {
  return R"({"markets": {"BTC-USD": {"mark_price": "50000")" + market_extra + R"(, "tiers": )" + tiers +
         R"(}}, "account": {"collateral": "1000", "positions": )" + positions + "}" + tail + "}";
}

const std::string kTiers = R"([{"max_notional": "150000000", "imr": "0.025", "mmr": "0.0125"}, {"imr": "0.05", "mmr": "0.025"}])";
const std::string kOne = R"([{"market": "BTC-USD", "size": "0.1"}])";

TEST(RiskCli, EveryRefusalExitsTwoNamingTheField) {
  const Refusal cases[] = {
      {"size 0", account("", kTiers, R"([{"market": "BTC-USD", "size": "0.1"}, {"market": "BTC-USD", "size": "0", "isolated_margin": "1"}])"),
       "account.positions[1].size: must not be 0"},
      {"mark 0", R"({"markets": {"BTC-USD": {"mark_price": "0", "tiers": )" + kTiers + R"(}}, "account": {"collateral": "1", "positions": []}})",
       "markets.BTC-USD.mark_price: must be > 0"},
      {"mark negative", R"({"markets": {"BTC-USD": {"mark_price": -5, "tiers": )" + kTiers + R"(}}, "account": {"collateral": "1", "positions": []}})",
       "markets.BTC-USD.mark_price: must be > 0"},
      {"mmr 0", account("", R"([{"imr": "0.1", "mmr": "0"}])", kOne), "markets.BTC-USD.tiers[0].mmr: must be in (0, 1]"},
      {"mmr above 1", account("", R"([{"imr": "1", "mmr": "1.5"}])", kOne), "markets.BTC-USD.tiers[0].mmr: must be in (0, 1]"},
      {"imr above 1", account("", R"([{"imr": "1.01", "mmr": "0.5"}])", kOne), "markets.BTC-USD.tiers[0].imr: must be in (0, 1]"},
      {"imr below mmr", account("", R"([{"max_notional": "1000", "imr": "0.1", "mmr": "0.05"}, {"imr": "0.04", "mmr": "0.05"}])", kOne),
       "markets.BTC-USD.tiers[1].imr: must not be below mmr"},
      {"discontinuous tiers",
       account("", R"([{"max_notional": "150000000", "imr": "0.025", "mmr": "0.0125"}, {"imr": "0.05", "mmr": "0.025", "maintenance_deduction": "1000000"}])", kOne),
       "markets.BTC-USD.tiers[1].maintenance_deduction: maintenance margin jumps by"},
      {"discontinuous initial",
       account("", R"([{"max_notional": "150000000", "imr": "0.025", "mmr": "0.0125"}, {"imr": "0.05", "mmr": "0.025", "initial_deduction": "1"}])", kOne),
       "markets.BTC-USD.tiers[1].initial_deduction: initial margin jumps by"},
      {"tier bounds not increasing",
       account("", R"([{"max_notional": "1000", "imr": "0.1", "mmr": "0.05"}, {"max_notional": "1000", "imr": "0.2", "mmr": "0.1"}, {"imr": "0.2", "mmr": "0.1"}])", kOne),
       "markets.BTC-USD.tiers[1].max_notional: must be greater than tiers[0].max_notional"},
      {"notional beyond a bounded last tier", account("", R"([{"max_notional": "1000", "imr": "0.1", "mmr": "0.05"}])", kOne),
       "account.positions[0].size: notional 5000 exceeds the last tier's max_notional 1000 of BTC-USD"},
      {"two cross positions in one market",
       account("", kTiers, R"([{"market": "BTC-USD", "size": "0.1"}, {"market": "BTC-USD", "size": "-0.2"}])"),
       "account.positions[1]: a second cross position in BTC-USD"},
      {"two isolated positions in one market",
       account("", kTiers, R"([{"market": "BTC-USD", "size": "0.1", "isolated_margin": "10"}, {"market": "BTC-USD", "size": "-0.2", "isolated_margin": "10"}])"),
       "account.positions[1]: a second isolated position in BTC-USD"},
      {"liquidation with the position's own sign",
       account("", kTiers, kOne, R"(, "liquidation": {"position": 0, "size": "0.1", "fill_price": "50000"})"),
       "liquidation.size: must have the opposite sign"},
      {"liquidation exceeding the position",
       account("", kTiers, kOne, R"(, "liquidation": {"position": 0, "size": "-0.2", "fill_price": "50000"})"),
       "liquidation.size: exceeds the position's size"},
      {"liquidation of size 0", account("", kTiers, kOne, R"(, "liquidation": {"position": 0, "size": 0, "fill_price": "50000"})"),
       "liquidation.size: must not be 0"},
      {"liquidation of a missing position", account("", kTiers, kOne, R"(, "liquidation": {"position": 3, "size": "-0.1", "fill_price": "1"})"),
       "liquidation.position: no such position"},
      {"exponent", account("", kTiers, R"([{"market": "BTC-USD", "size": 1e-1}])"), "account.positions[0].size: '1e-1': exponent notation is not accepted"},
      {"too precise for the lot", account(R"(, "lot_size": "0.001")", kTiers, R"([{"market": "BTC-USD", "size": "0.0001"}])"),
       "account.positions[0].size: '0.0001' has more than 3 decimal places"},
      {"unknown key", account(R"(, "colour": "red")", kTiers, kOne), "markets.BTC-USD.colour: unknown key"},
      {"missing tiers", R"({"markets": {"BTC-USD": {"mark_price": "1"}}, "account": {"collateral": "1", "positions": []}})",
       "markets.BTC-USD.tiers: required"},
      {"unknown market", account("", kTiers, R"([{"market": "ETH-USD", "size": "1"}])"), "account.positions[0].market: 'ETH-USD' is not a key of markets"},
      {"half of the fillable pair", account(R"(, "bankruptcy_adjustment": "1")", kTiers, kOne), "markets.BTC-USD.spread_to_mmr: required with"},
      {"not JSON", "{\"markets\": ", "(document): invalid JSON"},
      {"trailing content", account("", kTiers, kOne) + " {}", "(document): trailing content"},
  };
  for (const Refusal& c : cases) {
    CliRun r = run_risk(c.input);
    EXPECT_EQ(r.status, 2) << c.what << "\n" << r.out;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.what << ": stderr was: " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.what;
  }
}

}  // namespace
