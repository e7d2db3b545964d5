// Black box: `liqd gen-accounts` then `liqd replay` on the 2022-11-08 path, as the
// demo runs them. Two runs write byte-identical JSON with every issue key; a bad CSV
// line is refused with file:line and exit 2; a market without a reference price too.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct CliRun {
  int exit_code = -1;
  std::string text;
};

CliRun sh(const std::string& cmd) {
  CliRun r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.text.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string slurp(const std::string& f) {
  std::ifstream in(f, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReplayCli : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/liqd_replay_cli_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const CliRun g = sh("'" LIQD_BIN "' gen-accounts --n 1500 --seed 5 --config '" LIQD_CONFIG_DIR "/liqd.yaml' " +
                        prices_ + " > '" + dir_ + "/pop.jsonl'");
    ASSERT_EQ(g.exit_code, 0) << g.text;
  }
  void TearDown() override { sh("rm -rf '" + dir_ + "'"); }
  std::string replay(const std::string& csv, const std::string& extra) const {
    return "'" LIQD_BIN "' replay --config '" LIQD_CONFIG_DIR "/liqd.yaml' --prices '" + csv + "' --accounts '" + dir_ +
           "/pop.jsonl' " + extra;
  }
  std::string dir_;
  const std::string prices_ = "--price BTC-USD=18978 --price ETH-USD=1500 --price DOGE-USD=0.1";
  const std::string path_ = std::string(LIQD_TEST_DATA_DIR) + "/crash_days/binance_usdm_BTCUSDT_1m_2022-11-08T1816Z_2028Z.csv";
};

TEST_F(ReplayCli, TwoRunsWriteTheSameBytes) {
  const CliRun a = sh(replay(path_, prices_ + " --policy dynamic --json '" + dir_ + "/a.json'"));
  ASSERT_EQ(a.exit_code, 0) << a.text;
  const CliRun b = sh(replay(path_, prices_ + " --policy dynamic --json '" + dir_ + "/b.json' --progress"));
  ASSERT_EQ(b.exit_code, 0) << b.text;
  const std::string ja = slurp(dir_ + "/a.json"), jb = slurp(dir_ + "/b.json");
  EXPECT_EQ(ja, jb);
  for (const char* k : {"liquidations", "notional_liquidated", "fees_to_fund", "shortfall", "fund_paid", "bad_debt",
                        "adl_events", "backstop_transfers", "breaker_activations", "max_underwater_accounts",
                        "max_time_underwater_ms"})
    EXPECT_NE(ja.find("\"" + std::string(k) + "\": "), std::string::npos) << k;
  // The summary table goes to stderr; --progress adds one line per simulated minute (133 bars).
  EXPECT_NE(a.text.find("fund reconciles"), std::string::npos);
  size_t lines = 0;
  for (size_t p = b.text.find("[dynamic] "); p != std::string::npos; p = b.text.find("[dynamic] ", p + 1)) ++lines;
  EXPECT_EQ(lines, 133u);
}

TEST_F(ReplayCli, RefusesABadCsvLineWithFileAndLine) {
  std::ofstream(dir_ + "/bad.csv") << "ts_ms,open,high,low,close,volume\n"
                                      "1667931360000,18978.00,18993.20,18852.90,18855.60,5459.342\n"
                                      "1667931420000,18855.60,18917.50,18814.60,18876.7x,5245.288\n";
  const CliRun r = sh(replay(dir_ + "/bad.csv", prices_ + " --json '" + dir_ + "/x.json'"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.text.find(dir_ + "/bad.csv:3: close: "), std::string::npos) << r.text;
  EXPECT_FALSE(std::ifstream(dir_ + "/x.json").good());
}

TEST_F(ReplayCli, NeedsAReferencePricePerMarket) {
  const CliRun r = sh(replay(path_, "--price BTC-USD=18978 --price ETH-USD=1500"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.text.find("market DOGE-USD: no reference price (--price DOGE-USD=P)"), std::string::npos) << r.text;
}

// --oracle-fault as an operator types it: a spike on one of BTC's three sources is
// outvoted (exit 0, the drops counted in "checks"); a name no market has is refused
// with exit 2 and the argument named.
TEST_F(ReplayCli, OracleFaultFromTheCommandLine) {
  const CliRun ok = sh(replay(path_, prices_ + " --oracle-fault BTC-USD/hyperliquid:spike:30:0-60 --json -"));
  ASSERT_EQ(ok.exit_code, 0) << ok.text;
  EXPECT_NE(ok.text.find("\"oracle_source_drops\": 240"), std::string::npos) << ok.text;  // 60 bars × 4 points
  EXPECT_NE(ok.text.find("\"oracle_stale_steps\": 0"), std::string::npos) << ok.text;
  const CliRun bad = sh(replay(path_, prices_ + " --oracle-fault nosuch:silent:1-2"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.text.find("--oracle-fault nosuch:silent:1-2: source nosuch: no configured market has it"), std::string::npos)
      << bad.text;
}

}  // namespace
