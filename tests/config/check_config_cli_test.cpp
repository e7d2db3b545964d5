// Black box: the built `liqd --config F --check-config`, as an operator runs it.
// On the broken fixture it must list each problem with file, line and key and
// exit 1; on the shipped examples it prints the summary and exits 0.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct CliRun {
  int exit_code = -1;
  std::vector<std::string> lines;
  std::string text;
};

// Runs `args` in `dir` through the shell, stdout and stderr together.
CliRun liqd(const std::string& dir, const std::string& args) {
  std::string cmd = "cd '" + dir + "' && '" LIQD_BIN "' " + args + " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.text.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::istringstream in(r.text);
  for (std::string line; std::getline(in, line);) r.lines.push_back(line);
  return r;
}

TEST(CheckConfigCli, BrokenConfigListsEveryProblemWithFileLineAndKey) {
  CliRun r = liqd(LIQD_TEST_DATA_DIR "/config/broken", "--config liqd.yaml --check-config");
  EXPECT_EQ(r.exit_code, 1);
  const std::vector<std::string> expected = {
      "liqd.yaml:9: journal.fsync: 'sometimes' is not one of always, batch, interval or never",
      "liqd.yaml:11: admin.listen: '10.1.2.3' is not a loopback address (the admin API must not be reachable from "
      "outside)",
      "liqd.yaml:15: threads.core_cpus[1]: CPU 2 is given to two core shards",
      "liqd.yaml:16: colour: unknown key",
      "markets/BAD-USD.yaml:4: liquidation_fee: 1.2 is outside [0, 1)",
      "markets/BAD-USD.yaml:6: tiers[0].imr: 0.01 is below mmr 0.02",
      "markets/BAD-USD.yaml:7: tiers[1].max_notional: 1000 is not above the previous tier's 1000 (bounds must "
      "increase)",
      "markets/BAD-USD.yaml:8: tiers[2].max_notional: '1e6': exponent notation is not accepted (write the digits)",
      "markets/BAD-USD.yaml:9: tiers[3].maintenance_deduction: '7.1234567' has more than 6 decimal places",
      "markets/BAD-USD.yaml:11: oracles[0].weight: unknown key",
      "markets/BAD-USD.yaml:13: venues[0].lot_size: '0.00015' has more than 4 decimal places",
      "markets/JUMP-USD.yaml:9: tiers[1].maintenance_deduction: maintenance margin drops by 50 at notional 10000 "
      "(margin must be continuous); a continuous deduction here is 100",
      "markets/SAME-USD.yaml:1: symbol: duplicate market 'JUMP-USD' (also in markets/JUMP-USD.yaml:1)",
      "markets/SAME-USD.yaml:3: lot_size: tick decimals (0) + lot decimals (0) = 0 are fewer than the quote "
      "scale's 6: use a finer tick or lot",
      "markets/SYNTAX-USD.yaml:5: yaml: syntax error: end of map flow not found",
      "liqd: 15 errors in liqd.yaml and its market files",
  };
  EXPECT_EQ(r.lines, expected) << r.text;
}

TEST(CheckConfigCli, ShippedExamplesPassAndPrintTheSummary) {
  CliRun r = liqd(LIQD_CONFIG_DIR "/..", "--config config/liqd.yaml --check-config");
  EXPECT_EQ(r.exit_code, 0) << r.text;
  ASSERT_FALSE(r.lines.empty());
  EXPECT_EQ(r.lines[0], "config OK: config/liqd.yaml (instance liqd-1)");
  EXPECT_NE(r.text.find("\n3 markets\n"), std::string::npos) << r.text;
  for (const char* m : {"market BTC-USD (config/markets/BTC-USD.yaml)", "market ETH-USD (config/markets/ETH-USD.yaml)",
                        "market DOGE-USD (config/markets/DOGE-USD.yaml)"})
    EXPECT_NE(r.text.find(m), std::string::npos) << m;
  // Bracket 4 of BTC-USD with Binance's cumulative maintenance amount 46300.
  EXPECT_NE(r.text.find("    4       20000000         0.05       0.025      46300 (derived)          92600 (derived)"),
            std::string::npos)
      << r.text;
}

TEST(CheckConfigCli, MissingFileAndOtherModes) {
  CliRun r = liqd(LIQD_TEST_DATA_DIR, "--config no-such.yaml --check-config");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.lines.at(0), "no-such.yaml:0: file: cannot open");
  r = liqd(LIQD_TEST_DATA_DIR, "--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.text.rfind("liqd ", 0), 0u);
  // --dry-run asks a running instance, so it only goes with --check-config.
  r = liqd(LIQD_CONFIG_DIR "/..", "--config config/liqd.yaml --dry-run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.text.find("--dry-run goes with --check-config"), std::string::npos) << r.text;
  // With it, the instance's token file must be readable (the example's is not here).
  r = liqd(LIQD_CONFIG_DIR "/..", "--config config/liqd.yaml --check-config --dry-run");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.text.find("admin.token_file"), std::string::npos) << r.text;
}

}  // namespace
