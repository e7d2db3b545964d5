// `liqd risk` in-process on random documents with extreme scales and magnitudes
// (quote_scale 1..1e-8, tick and lot down to 1e-10, values up to 1e15): each is
// either refused with a named field or reported, never an assertion or (under the
// asan preset's UBSan) an integer overflow. Deterministic seed.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "daemon/commands/risk_input.hpp"

namespace {

struct DocGen {
  std::mt19937_64 rng{99};
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  // A decimal with up to `int_digits` integer digits and `dp` decimals.
  std::string decimal(int int_digits, int dp, bool allow_negative = false) {
    std::string s;
    if (allow_negative && uniform(0, 3) == 0) s += '-';
    int n = uniform(1, int_digits < 1 ? 1 : int_digits);
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 ? uniform(1, 9) : uniform(0, 9)));
    if (dp > 0 && uniform(0, 1)) {
      s += '.';
      int d = uniform(1, dp);
      for (int i = 0; i < d; ++i) s += static_cast<char>('0' + uniform(0, 9));
    }
    return "\"" + s + "\"";
  }
  std::string scale(int dp) { return dp == 0 ? "\"1\"" : "\"0." + std::string(static_cast<size_t>(dp - 1), '0') + "1\""; }
  std::string ratio() {
    const char* r[] = {"0.00000001", "0.001", "0.01", "0.05", "0.1", "0.5", "1"};
    return std::string("\"") + r[uniform(0, 6)] + "\"";
  }

  std::string doc() {
    const int qd = std::vector<int>{0, 2, 6, 8}[static_cast<size_t>(uniform(0, 3))];
    const int n_markets = uniform(1, 3);
    std::string s = "{\"markets\": {";
    std::vector<int> pdps, qdps;
    for (int k = 0; k < n_markets; ++k) {
      const int pdp = uniform(0, 10), qdp = uniform(0, 10);
      pdps.push_back(pdp);
      qdps.push_back(qdp);
      if (k) s += ", ";
      s += "\"M" + std::to_string(k) + "\": {\"tick_size\": " + scale(pdp) + ", \"lot_size\": " + scale(qdp) +
           ", \"quote_scale\": " + scale(qd) + ", \"mark_price\": " + decimal(uniform(1, 12), pdp);
      s += ", \"tiers\": [";
      const int n_tiers = uniform(1, 4);
      long long bound = 1;
      for (int t = 0; t < n_tiers; ++t) {
        if (t) s += ", ";
        bound = bound > 10000000000000LL ? bound + 1 : bound * uniform(2, 100000);
        s += "{";
        if (t + 1 < n_tiers || uniform(0, 3) == 0) s += "\"max_notional\": \"" + std::to_string(bound) + "\", ";
        std::string mmr = ratio();
        s += "\"imr\": " + (uniform(0, 5) ? std::string("\"1\"") : ratio()) + ", \"mmr\": " + mmr + "}";
      }
      s += "]";
      if (uniform(0, 1)) s += ", \"liquidation_fee\": " + ratio();
      if (uniform(0, 1)) s += ", \"bankruptcy_adjustment\": " + decimal(3, 8) + ", \"spread_to_mmr\": " + ratio();
      s += "}";
    }
    s += "}, \"account\": {\"collateral\": " + decimal(uniform(1, 16), qd, true) + ", \"positions\": [";
    const int n_pos = uniform(0, 4);
    std::vector<std::string> sizes;
    for (int i = 0; i < n_pos; ++i) {
      const int k = uniform(0, n_markets - 1);
      if (i) s += ", ";
      sizes.push_back(decimal(uniform(1, 13), qdps[static_cast<size_t>(k)], true));
      s += "{\"market\": \"M" + std::to_string(k) + "\", \"size\": " + sizes.back();
      if (uniform(0, 1)) s += ", \"entry_price\": " + decimal(uniform(1, 12), pdps[static_cast<size_t>(k)]);
      if (uniform(0, 1)) s += ", \"isolated_margin\": " + decimal(uniform(1, 16), qd);
      s += "}";
    }
    s += "]}";
    if (n_pos > 0 && uniform(0, 1)) {
      const int i = uniform(0, n_pos - 1);
      // Mostly a full close (the size negated), sometimes a random size.
      std::string size = sizes[static_cast<size_t>(i)];
      size = size[1] == '-' ? "\"" + size.substr(2) : "\"-" + size.substr(1);
      if (uniform(0, 3) == 0) size = decimal(uniform(1, 13), 10, true);
      s += ", \"liquidation\": {\"position\": " + std::to_string(i) + ", \"size\": " + size +
           ", \"fill_price\": " + decimal(uniform(1, 12), 10) + "}";
    }
    return s + "}";
  }
};

TEST(RiskExtremes, EveryRandomDocumentIsRefusedWithAFieldOrReported) {
  DocGen g;
  int reported = 0, refused = 0, with_liquidation = 0;
  for (int n = 0; n < 4000; ++n) {
    const std::string doc = g.doc();
    liqd::cmd::RiskInput in;
    liqd::cmd::RiskInputError err;
    if (liqd::cmd::parse_risk_input(doc, in, err)) {
      const std::string out = liqd::cmd::risk_report_json(in);
      ASSERT_NE(out.find("\"equity\": \""), std::string::npos) << doc;
      ++reported;
      if (in.liquidation) ++with_liquidation;
    } else {
      ASSERT_FALSE(err.field.empty()) << doc;
      ASSERT_FALSE(err.reason.empty()) << doc;
      ++refused;
    }
  }
  std::printf("reported %d (with a liquidation %d), refused %d\n", reported, with_liquidation, refused);
  EXPECT_GT(reported, 500);
  EXPECT_GT(with_liquidation, 50);
  EXPECT_GT(refused, 500);
}

// libFuzzer's risk_input_fuzz-crash-77e5e87e (tests/data/known_fuzz_crashes), byte for
// byte: it was refused with an empty field name.
TEST(RiskExtremes, FuzzCrash77e5e87eEmptyKeyIsNamed) {
  const std::string doc = "{\"\": {\"jpce\": T}}\n";
  ASSERT_EQ(doc.size(), 18u);
  liqd::cmd::RiskInput in;
  liqd::cmd::RiskInputError err;
  EXPECT_FALSE(liqd::cmd::parse_risk_input(doc, in, err));
  EXPECT_EQ(err.field, "\"\"");
  EXPECT_EQ(err.reason, "unknown key");
}

}  // namespace
