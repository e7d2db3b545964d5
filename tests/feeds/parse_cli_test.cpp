// Black-box tests of `liqd parse`: run the built binary on recorded input and
// check its JSONL output.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <simdjson.h>

#include "test_util.hpp"

using namespace liqd::feeds::test;

namespace {

struct RunResult {
  int status = -1;
  std::vector<std::string> lines;
};

RunResult run_parse(const std::string& args, const std::string& input) {
  const std::string in = ::testing::TempDir() + "/liqd_parse_in.jsonl";
  {
    std::ofstream f(in, std::ios::binary);
    f << input;
  }
  const std::string cmd = std::string(LIQD_BIN) + " parse " + args + " < " + in + " 2>/dev/null";
  RunResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::string cur;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) cur.append(buf, n);
  r.status = pclose(p);
  size_t start = 0;
  while (start < cur.size()) {
    size_t e = cur.find('\n', start);
    if (e == std::string::npos) e = cur.size();
    r.lines.push_back(cur.substr(start, e - start));
    start = e + 1;
  }
  return r;
}

std::string cat_lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

}  // namespace

TEST(LiqdParse, BinanceSnapshotPlusStreamWithGarbageLines) {
  auto stream = read_lines("binance_usdm/ws_combined_stream_2021-07-22.jsonl");
  std::vector<std::string> in;
  in.push_back(read_file("binance_usdm/rest_depth_SUSHIUSDT_limit1000_2021-07-22.json"));
  in.insert(in.end(), stream.begin(), stream.begin() + 100);
  in.push_back("this is not json");                 // line 102
  in.push_back(stream[0] + " trailing");            // line 103
  in.insert(in.end(), stream.begin() + 100, stream.end());
  RunResult r = run_parse("--format binance-usdm --market SUSHIUSDT", cat_lines(in));
  ASSERT_EQ(r.status, 0);
  simdjson::dom::parser p;
  int books = 0, errors = 0, bbos = 0, trades = 0;
  uint64_t first_seq = 0;
  for (const std::string& l : r.lines) {
    simdjson::padded_string ps(l);
    simdjson::dom::element e;
    ASSERT_EQ(p.parse(ps).get(e), simdjson::SUCCESS) << l;
    const std::string_view type = e["type"];
    if (type == "error") {
      ++errors;
      const uint64_t line = e["line"];
      EXPECT_TRUE(line == 102 || line == 103) << l;
      continue;
    }
    EXPECT_EQ(std::string_view(e["market"]), "SUSHIUSDT");
    EXPECT_EQ(std::string_view(e["venue"]), "binance-usdm");
    if (type == "book") {
      if (books++ == 0) first_seq = e["seq"];
      simdjson::dom::array bids = e["bids"], asks = e["asks"];
      EXPECT_LE(bids.size(), 10u);
      EXPECT_EQ(asks.size(), 10u);
      // Bids strictly descending, best bid below best ask.
      double prev = 1e18;
      for (simdjson::dom::element lv : bids) {
        double px = std::stod(std::string(std::string_view(lv.at(0))));
        EXPECT_LT(px, prev);
        prev = px;
      }
      EXPECT_LT(std::stod(std::string(std::string_view(bids.at(0).at(0)))),
                std::stod(std::string(std::string_view(asks.at(0).at(0)))));
    }
    if (type == "bbo") ++bbos;
    if (type == "trade") ++trades;
  }
  EXPECT_EQ(first_seq, 600859605926u);  // the snapshot's lastUpdateId
  EXPECT_EQ(books, 253);                // snapshot + 252 applied deltas (same as without garbage)
  EXPECT_EQ(errors, 2);
  EXPECT_GT(bbos, 100);
  EXPECT_GT(trades, 10);
}

TEST(LiqdParse, DydxGapIsAnErrorLine) {
  RunResult r = run_parse("--format dydx-v4", read_file("dydx_v4/indexer_ws_v4_orderbook_ETH-USD_sequence.jsonl"));
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.lines.size(), 9u);
  EXPECT_NE(r.lines[0].find("\"seq\":4,"), std::string::npos);
  EXPECT_NE(r.lines[0].find("\"bids\":[[\"1576.579\",\"0.749382\"]"), std::string::npos);
  EXPECT_NE(r.lines[8].find("\"type\":\"error\",\"line\":9"), std::string::npos) << r.lines[8];
  EXPECT_NE(r.lines[8].find("expected 12, got 13"), std::string::npos) << r.lines[8];
}

TEST(LiqdParse, PythPriceIsTheVenuesDecimal) {
  RunResult r = run_parse("--format pyth-hermes", read_file("pyth/hermes_api_latest_price_feeds_ETHUSD_docs_example_2023-08-15.json"));
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0],
            R"({"type":"price","venue":"pyth-hermes","market":"ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace","source":"oracle","price":"1841.36023127","conf":"1.77166324","ts_ms":1692110601000})");
}

TEST(LiqdParse, OkxBooksWithMarketFilterAndScales) {
  RunResult r = run_parse("--format okx-v5 --market UNI-USD-SWAP --price-dp 3 --qty-dp 0", read_file("okx_v5/ws_public_2022-02-27.jsonl"));
  ASSERT_EQ(r.status, 0);
  int books = 0;
  for (const auto& l : r.lines) {
    EXPECT_EQ(l.find("\"type\":\"error\""), std::string::npos) << l;
    EXPECT_NE(l.find("\"market\":\"UNI-USD-SWAP\""), std::string::npos) << l;
    if (l.find("\"type\":\"book\"") != std::string::npos) ++books;
  }
  EXPECT_GT(books, 100);
}

TEST(LiqdParse, HyperliquidEnvelopesAndBybit) {
  const std::string hl = R"({"channel":"l2Book","data":)" + read_file("hyperliquid/info_l2Book_DYDX_2023-07-17.json") + "}\n" +
                         R"({"channel":"allMids","data":{"mids":)" + read_file("hyperliquid/info_allMids_2023-07-17.json") + "}}\n";
  RunResult r = run_parse("--format hyperliquid --market DYDX", hl);
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_NE(r.lines[0].find(R"("seq":1689630203930,"bids":[["2.111","134.4"])"), std::string::npos) << r.lines[0];
  EXPECT_EQ(r.lines[1], R"({"type":"price","venue":"hyperliquid","market":"DYDX","source":"mid","price":"2.11305","conf":null,"ts_ms":null})");
  RunResult b = run_parse("--format bybit-v5 --market SOLUSDT", read_file("bybit_v5/ws_linear_BTCUSDT_SOLUSDT_2026-08-09.jsonl"));
  ASSERT_EQ(b.status, 0);
  int books = 0;
  for (const auto& l : b.lines) {
    EXPECT_EQ(l.find("error"), std::string::npos) << l;
    if (l.find("\"type\":\"book\"") != std::string::npos) ++books;
  }
  EXPECT_GT(books, 100);
}

TEST(LiqdParse, UnknownFormatExits2) {
  RunResult r = run_parse("--format nope", "{}\n");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(WEXITSTATUS(r.status), 2);
}
