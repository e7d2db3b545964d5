// load_config over real files: the daemon file and its market files together,
// rules that span files (unique symbols), and every error of every file at once.
#include <gtest/gtest.h>

#include "config/daemon_config.hpp"
#include "config/market_config.hpp"
#include "test_util.hpp"

namespace liqd::config {
namespace {

using V = std::vector<std::string>;
const std::string kData = std::string(LIQD_TEST_DATA_DIR) + "/config";

V load_errors(const std::string& path) {
  Diagnostics diag;
  EXPECT_FALSE(load_config(path, diag).has_value());
  return test::strings(diag);
}

TEST(LoadConfig, BrokenFixtureReportsEveryProblemOfEveryFile) {
  const std::string d = kData + "/broken/";
  EXPECT_EQ(load_errors(d + "liqd.yaml"),
            (V{
                d + "liqd.yaml:9: journal.fsync: 'sometimes' is not one of always, batch, interval or never",
                d + "liqd.yaml:11: admin.listen: '10.1.2.3' is not a loopback address (the admin API must not be "
                    "reachable from outside)",
                d + "liqd.yaml:15: threads.core_cpus[1]: CPU 2 is given to two core shards",
                d + "liqd.yaml:16: colour: unknown key",
                d + "markets/BAD-USD.yaml:4: liquidation_fee: 1.2 is outside [0, 1)",
                d + "markets/BAD-USD.yaml:6: tiers[0].imr: 0.01 is below mmr 0.02",
                d + "markets/BAD-USD.yaml:7: tiers[1].max_notional: 1000 is not above the previous tier's 1000 "
                    "(bounds must increase)",
                d + "markets/BAD-USD.yaml:8: tiers[2].max_notional: '1e6': exponent notation is not accepted (write "
                    "the digits)",
                d + "markets/BAD-USD.yaml:9: tiers[3].maintenance_deduction: '7.1234567' has more than 6 decimal "
                    "places",
                d + "markets/BAD-USD.yaml:11: oracles[0].weight: unknown key",
                d + "markets/BAD-USD.yaml:13: venues[0].lot_size: '0.00015' has more than 4 decimal places",
                d + "markets/JUMP-USD.yaml:9: tiers[1].maintenance_deduction: maintenance margin drops by 50 at "
                    "notional 10000 (margin must be continuous); a continuous deduction here is 100",
                d + "markets/SAME-USD.yaml:1: symbol: duplicate market 'JUMP-USD' (also in " + d +
                    "markets/JUMP-USD.yaml:1)",
                d + "markets/SAME-USD.yaml:3: lot_size: tick decimals (0) + lot decimals (0) = 0 are fewer than the "
                    "quote scale's 6: use a finer tick or lot",
                d + "markets/SYNTAX-USD.yaml:5: yaml: syntax error: end of map flow not found",
            }));
}

TEST(LoadConfig, ListedMarketFilesMustExist) {
  const std::string d = kData + "/files_list/";
  EXPECT_EQ(load_errors(d + "liqd.yaml"),
            V{d + "liqd.yaml:8: markets.files[1]: '" + d + "markets/MISSING-USD.yaml' does not exist"});
}

TEST(LoadConfig, MarketsDirMustExist) {
  const std::string d = kData + "/no_dir/";
  EXPECT_EQ(load_errors(d + "liqd.yaml"), V{d + "liqd.yaml:6: markets.dir: '" + d + "nowhere' is not a directory"});
}

TEST(LoadConfig, MissingDaemonFile) {
  EXPECT_EQ(load_errors(kData + "/nothing-here.yaml"), V{kData + "/nothing-here.yaml:0: file: cannot open"});
}

TEST(LoadConfig, FuzzSeedIsAValidMarket) {
  // The fuzz target only checks invariants of accepted markets if a seed is accepted.
  Diagnostics diag;
  std::optional<MarketConfig> m = load_market_file(kData + "/fuzz_seeds/explicit.yaml", MarketDefaults{}, diag);
  EXPECT_EQ(test::strings(diag), V{});
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->risk.scale.price_dp, 1);
  EXPECT_EQ(m->risk.tick.v, 5);
  EXPECT_FALSE(m->risk.tiers[2].unbounded());
}

TEST(LoadConfig, FuzzCrashReproducerInTheSeedsIsRefusedWithItsLocation) {
  // Kept in the corpus as a regression seed (tests/data/known_fuzz_crashes/README.md).
  const std::string path = kData + "/fuzz_seeds/config_market_fuzz-crash-6279d5ea";
  Diagnostics diag;
  EXPECT_FALSE(load_market_file(path, MarketDefaults{6}, diag).has_value());
  EXPECT_EQ(test::strings(diag),
            V{path + ":1: yaml: invalid UTF-8 (byte 0xBA) at column 5: a config file must be UTF-8 text"});
}

}  // namespace
}  // namespace liqd::config
