// Black-box tests of `liqd route`: run the real binary on a JSON request.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct CliRun {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliRun route(const std::string& request) {
  const std::string dir = ::testing::TempDir();
  const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string in = dir + "/route_" + name + ".in", out = in + ".out", err = in + ".err";
  std::ofstream(in) << request;
  const std::string cmd = std::string(LIQD_BIN) + " route < '" + in + "' > '" + out + "' 2> '" + err + "'";
  int st = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

TEST(RouteCli, FeesDecideTheSplit) {
  // Sell 5: A bids 100.00 with a 0.5% fee (99.50 net), B bids 99.80 without fee.
  // All 5 go to B: avg 99.80, fees 0, cost = distance from the best raw price
  // 100.00: 0.20 * 5 = 1.
  CliRun r = route(R"({"order": {"market": "BTC-PERP", "side": "sell", "qty": "5", "limit_price": "90"},
    "venues": [
      {"name": "A", "taker_fee": "0.005", "lot_size": "1", "min_qty": "0", "max_qty": "100", "bids": [["100.00", "10"]], "asks": [["100.10", "3"]]},
      {"name": "B", "taker_fee": 0, "lot_size": 1, "min_qty": 0, "max_qty": 100, "bids": [[99.8, 10]], "asks": []}]})");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"children\":[{\"venue\":\"B\",\"qty\":5,\"limit_price\":99.8,\"expected_avg_price\":99.8,\"expected_fee\":0}],"
            "\"filled_qty\":5,\"unfilled_qty\":0,\"expected_avg_price\":99.8,\"expected_fees\":0,\"expected_cost\":1,"
            "\"best_price\":100,\"exact\":true,\"remainder\":{\"action\":\"none\",\"qty\":0}}\n");
}

TEST(RouteCli, SplitsAcrossLevelsWithFeesAndRemainder) {
  // Buy 12 with limit 100.20. A asks 100.00 x3, 100.10 x3, 100.40 x10 (fee 0.1%);
  // B asks 100.05 x4, 100.30 x10 (no fee). Inside the limit: A 6 + B 4 = 10, so 2
  // stay unfilled. Notional 600.30 + 400.20 = 1000.50 over 10 -> avg 100.05.
  // Fees 0.60030. Cost = 0.6003 + (1000.50 - 10 * 100.00) = 1.1003.
  // Remainder 2: normal urgency, 10% of the visible depth inside the limit (10) = 1 per slice.
  CliRun r = route(R"({"order": {"market": "X", "side": "buy", "qty": 12, "limit_price": 100.20},
    "venues": [
      {"name": "A", "taker_fee": 0.001, "lot_size": 1, "min_qty": 1, "max_qty": 1000, "bids": [], "asks": [[100.00, 3], [100.10, 3], [100.40, 10]]},
      {"name": "B", "taker_fee": 0, "lot_size": 1, "min_qty": 1, "max_qty": 1000, "bids": [], "asks": [[100.05, 4], [100.30, 10]]}]})");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"children\":[{\"venue\":\"A\",\"qty\":6,\"limit_price\":100.1,\"expected_avg_price\":100.05,\"expected_fee\":0.6003},"
            "{\"venue\":\"B\",\"qty\":4,\"limit_price\":100.05,\"expected_avg_price\":100.05,\"expected_fee\":0}],"
            "\"filled_qty\":10,\"unfilled_qty\":2,\"expected_avg_price\":100.05,\"expected_fees\":0.6003,\"expected_cost\":1.1003,"
            "\"best_price\":100,\"exact\":true,\"remainder\":{\"action\":\"twap\",\"qty\":2,\"slice_qty\":1,\"slices\":2,\"interval_ms\":10000}}\n");
}

TEST(RouteCli, ConstantProductPoolCompetes) {
  // Pool x = 1000, y = 1,000,000 (mid 1000). Book bids 990 x 100. Selling 1 unit
  // into the pool pays 1e6/1001 = 999.000999.. -> 999.0009 (curve prices get 4 more
  // decimals than the input, rounded down): better than the book.
  CliRun r = route(R"({"order": {"market": "X", "side": "sell", "qty": "1", "limit_price": "900"},
    "venues": [
      {"name": "book", "taker_fee": "0", "lot_size": "1", "min_qty": "0", "max_qty": "1000", "bids": [["990", "100"]], "asks": []},
      {"name": "pool", "taker_fee": "0", "lot_size": "1", "min_qty": "0", "max_qty": "1000",
       "amm": {"type": "constant_product", "base_reserve": "1000", "quote_reserve": "1000000"}}]})");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"children\":[{\"venue\":\"pool\",\"qty\":1,\"limit_price\":999.0009,\"expected_avg_price\":999.0009,"),
            std::string::npos) << r.out;
}

struct BadCase {
  const char* request;
  const char* message;
};

TEST(RouteCli, BadInputExitsTwoNamingTheField) {
  const BadCase cases[] = {
      {"not json", "input"},
      {R"({"order": {"side": "sell", "limit_price": "1"}, "venues": []})", "order.qty: missing"},
      {R"({"order": {"side": "hold", "qty": "1", "limit_price": "1"}, "venues": [{"name": "A", "bids": []}]})",
       "order.side"},
      {R"({"order": {"side": "sell", "qty": "1", "limit_price": "1"}, "venues": [{"name": "A", "bids": [["2", "1"], ["3", "1"]]}]})",
       "venues[0].bids[1][0]: bids must be strictly descending"},
      {R"({"order": {"side": "sell", "qty": "1", "limit_price": "1"}, "venues": [{"name": "A", "taker_fee": "abc", "bids": []}]})",
       "venues[0].taker_fee"},
      {R"({"order": {"side": "sell", "qty": "1", "limit_price": "1"}, "venues": [{"name": "A", "bids": [["1e3", "1"]]}]})",
       "venues[0].bids[0][0]: exponent"},
      {R"({"order": {"side": "sell", "qty": "-1", "limit_price": "1"}, "venues": [{"name": "A", "bids": []}]})",
       "order.qty"},
      {R"({"order": {"side": "sell", "qty": "1", "limit_price": "1"}, "venues": [{"name": "A", "amm": {"type": "curve"}}]})",
       "venues[0].amm.type"},
      {R"({"order": {"side": "sell", "qty": "1", "limit_price": "1"}, "venues": [{"name": "A", "bids": [], "colour": 1}]})",
       "venues[0].colour: unknown field"},
      {R"({"order": {"side": "sell", "qty": "1", "limit_price": "1"}, "venues": [{"name": "A", "bids": []}]} {})",
       "trailing content"},
  };
  for (const BadCase& c : cases) {
    CliRun r = route(c.request);
    EXPECT_EQ(r.code, 2) << c.request;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "stderr: " << r.err << " expected: " << c.message;
    EXPECT_TRUE(r.out.empty());
  }
}

}  // namespace
