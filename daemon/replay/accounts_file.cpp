// simdjson 3.0.1 On-Demand over one padded buffer per line (SIMDJSON_PADDING).
#include "daemon/replay/accounts_file.hpp"

#include <simdjson.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "core/money/decimal.hpp"

namespace liqd::replay {

namespace {

struct LineError {
  std::string what;
};

std::string_view get_string(simdjson::ondemand::value v, const char* field) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) throw LineError{std::string(field) + ": expected a decimal string"};
  return s;
}

int64_t to_fixed(std::string_view s, int dp, const char* field) {
  int64_t out = 0;
  const DecimalError e = parse_decimal(s, dp, out);
  if (e != DecimalError::Ok) throw LineError{std::string(field) + ": " + to_string(e)};
  return out;
}

}  // namespace

bool parse_accounts(const std::string& text, const std::string& name, const std::vector<std::string>& symbols,
                    const std::vector<MarketRisk>& markets, std::vector<ReplayAccount>& out, std::string& err) {
  out.clear();
  simdjson::ondemand::parser parser;
  simdjson::padded_string buf;
  std::set<uint64_t> ids;
  const int quote_dp = markets.empty() ? 6 : markets[0].scale.quote_dp;
  std::istringstream in(text);
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.empty() || line == "\r") continue;
    try {
      buf = simdjson::padded_string(line);
      simdjson::ondemand::document doc;
      if (parser.iterate(buf).get(doc) != simdjson::SUCCESS) throw LineError{"not JSON"};
      simdjson::ondemand::object obj;
      if (doc.get_object().get(obj) != simdjson::SUCCESS) throw LineError{"expected an object"};
      ReplayAccount a;
      bool has_id = false, has_coll = false, has_pos = false;
      for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS) throw LineError{"bad key"};
        simdjson::ondemand::value v;
        if (field.value().get(v) != simdjson::SUCCESS) throw LineError{std::string(key) + ": bad value"};
        if (key == "id") {
          if (v.get_uint64().get(a.id) != simdjson::SUCCESS) throw LineError{"id: expected an unsigned integer"};
          has_id = true;
        } else if (key == "collateral") {
          a.collateral = Quote(to_fixed(get_string(v, "collateral"), quote_dp, "collateral"));
          has_coll = true;
        } else if (key == "positions") {
          simdjson::ondemand::array arr;
          if (v.get_array().get(arr) != simdjson::SUCCESS) throw LineError{"positions: expected an array"};
          for (auto pv : arr) {
            simdjson::ondemand::object po;
            if (pv.get_object().get(po) != simdjson::SUCCESS) throw LineError{"positions[]: expected an object"};
            std::string market, size, entry, iso;
            bool has_iso = false;
            for (auto pf : po) {
              std::string_view k;
              if (pf.unescaped_key().get(k) != simdjson::SUCCESS) throw LineError{"positions[]: bad key"};
              simdjson::ondemand::value pvv;
              if (pf.value().get(pvv) != simdjson::SUCCESS) throw LineError{"positions[]: bad value"};
              if (k == "market") market = std::string(get_string(pvv, "positions[].market"));
              else if (k == "size") size = std::string(get_string(pvv, "positions[].size"));
              else if (k == "entry_price") entry = std::string(get_string(pvv, "positions[].entry_price"));
              else if (k == "isolated_margin") {
                iso = std::string(get_string(pvv, "positions[].isolated_margin"));
                has_iso = true;
              } else throw LineError{"positions[]." + std::string(k) + ": unknown key"};
            }
            uint32_t m = 0;
            while (m < symbols.size() && symbols[m] != market) ++m;
            if (m == symbols.size()) throw LineError{"positions[].market: " + market + " is not a configured market"};
            Position p;
            p.market = m;
            p.size = Qty(to_fixed(size, markets[m].scale.qty_dp, "positions[].size"));
            p.entry = Price(to_fixed(entry, markets[m].scale.price_dp, "positions[].entry_price"));
            if (p.size.v == 0) throw LineError{"positions[].size: must not be 0"};
            if (p.entry.v <= 0) throw LineError{"positions[].entry_price: must be > 0"};
            if (has_iso) {
              p.isolated = true;
              p.isolated_margin = Quote(to_fixed(iso, quote_dp, "positions[].isolated_margin"));
              if (p.isolated_margin.v < 0) throw LineError{"positions[].isolated_margin: must be >= 0"};
            }
            for (const Position& q : a.positions)
              if (q.market == m && q.isolated == p.isolated)
                throw LineError{"positions[].market: a second " + std::string(p.isolated ? "isolated" : "cross") +
                                " position in " + market};
            a.positions.push_back(p);
          }
          has_pos = true;
        } else {
          throw LineError{std::string(key) + ": unknown key"};
        }
      }
      if (!has_id) throw LineError{"id: required"};
      if (!has_coll) throw LineError{"collateral: required"};
      if (!has_pos) throw LineError{"positions: required"};
      if (!ids.insert(a.id).second) throw LineError{"id: " + std::to_string(a.id) + " appears twice"};
      out.push_back(std::move(a));
    } catch (const LineError& e) {
      err = name + ":" + std::to_string(no) + ": " + e.what;
      return false;
    } catch (const simdjson::simdjson_error& e) {
      err = name + ":" + std::to_string(no) + ": " + e.what();
      return false;
    }
  }
  if (out.empty()) {
    err = name + ": no accounts";
    return false;
  }
  return true;
}

bool load_accounts(const std::string& path, const std::vector<std::string>& symbols,
                   const std::vector<MarketRisk>& markets, std::vector<ReplayAccount>& out, std::string& err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err = path + ": cannot open";
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_accounts(ss.str(), path, symbols, markets, out, err);
}

}  // namespace liqd::replay
