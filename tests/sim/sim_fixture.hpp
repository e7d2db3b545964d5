#pragma once
// A paused simulator on free loopback ports, small population, two markets.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <memory>

#include "sim/server/simulator.hpp"
#include "tests/sim/clients.hpp"

namespace liqd::sim::test {

inline std::string crash_path() {
  return std::string(LIQD_TEST_DATA_DIR) + "/sim/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv";
}

inline SimConfig paused_config(uint64_t accounts = 2000) {
  SimConfig c;
  c.path_file = crash_path();
  c.steps_per_bar = 10;
  c.bar_wall_ms = -1;  // paused: the test advances with step()
  c.population.accounts = accounts;
  c.seed = 11;
  MarketSpec btc, eth;
  EXPECT_EQ(parse_market_spec("BTCUSDT:tick=0.1:lot=0.001", btc), "");
  EXPECT_EQ(parse_market_spec("ETHUSDT:ref=190:tick=0.01:lot=0.001", eth), "");
  c.markets = {btc, eth};
  return c;
}

class SimTest : public ::testing::Test {
 protected:
  void start(SimConfig c = paused_config()) {
    sim = std::make_unique<Simulator>(std::move(c));
    ASSERT_EQ(sim->start(), "");
    ports = sim->ports();
  }
  void TearDown() override {
    if (sim) sim->stop();
  }
  std::unique_ptr<Simulator> sim;
  Ports ports;
};

// One depthUpdate, parsed.
struct Depth {
  uint64_t U = 0, u = 0, pu = 0;
  std::vector<std::pair<std::string, std::string>> b, a;
};

inline bool parse_depth(const std::string& text, Depth& d) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(text).get(e)) return false;
  std::string_view ev;
  if (e["data"]["e"].get(ev) || ev != "depthUpdate") return false;
  auto data = e["data"];
  if (data["U"].get(d.U) || data["u"].get(d.u) || data["pu"].get(d.pu)) return false;
  for (const char* side : {"b", "a"}) {
    simdjson::dom::array arr;
    if (data[side].get(arr)) return false;
    for (auto lv : arr) {
      std::string_view px, q;
      if (lv.at(0).get(px) || lv.at(1).get(q)) return false;
      (side[0] == 'b' ? d.b : d.a).emplace_back(std::string(px), std::string(q));
    }
  }
  return true;
}

// A REST snapshot as price -> qty maps plus lastUpdateId.
struct Snapshot {
  uint64_t last_update_id = 0;
  std::map<std::string, std::string> bids, asks;
  std::vector<std::pair<std::string, std::string>> bid_list, ask_list;  // in the served order
};

inline bool parse_snapshot(const std::string& text, Snapshot& s) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(text).get(e)) return false;
  if (e["lastUpdateId"].get(s.last_update_id)) return false;
  for (const char* side : {"bids", "asks"}) {
    simdjson::dom::array arr;
    if (e[side].get(arr)) return false;
    for (auto lv : arr) {
      std::string_view px, q;
      if (lv.at(0).get(px) || lv.at(1).get(q)) return false;
      (side[0] == 'b' ? s.bids : s.asks)[std::string(px)] = std::string(q);
      (side[0] == 'b' ? s.bid_list : s.ask_list).emplace_back(std::string(px), std::string(q));
    }
  }
  return true;
}

inline bool zero_qty(const std::string& q) { return q.find_first_not_of("0.") == std::string::npos; }

}  // namespace liqd::sim::test
