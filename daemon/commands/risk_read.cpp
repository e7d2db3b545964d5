// Reading `liqd risk` JSON with simdjson On-Demand (one pass over a padded copy).
// Numbers are decimal strings or plain JSON numbers taken from their raw text, so
// nothing goes through double. Unknown and duplicate keys are refused here.
#include "daemon/commands/risk_raw.hpp"

namespace liqd::cmd::risk_detail {

namespace od = simdjson::ondemand;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A decimal: a JSON string or a JSON number (raw text).
bool read_num(od::value v, const std::string& field, Num& out, Errors& e) {
  if (out.present) return e.fail(field, "duplicate key");
  od::json_type t;
  if (auto err = v.type().get(t)) return e.json(field, err);
  if (t == od::json_type::string) {
    std::string_view s;
    if (auto err = v.get_string().get(s)) return e.json(field, err);
    out.text = s;
  } else if (t == od::json_type::number) {
    // raw_json_token() spans the token and the whitespace after it.
    out.text = trim(v.raw_json_token());
  } else {
    return e.fail(field, "must be a decimal string or a number");
  }
  out.present = true;
  return true;
}

bool read_tier(od::value v, const std::string& field, RawTier& t, Errors& e) {
  od::object obj;
  if (v.get_object().get(obj)) return e.fail(field, "must be an object");
  for (auto f : obj) {
    std::string_view key;
    if (auto err = f.unescaped_key().get(key)) return e.json(field, err);
    const std::string kf = field + "." + std::string(key);
    od::value val = f.value();
    if (key == "max_notional") { if (!read_num(val, kf, t.max_notional, e)) return false; }
    else if (key == "imr") { if (!read_num(val, kf, t.imr, e)) return false; }
    else if (key == "mmr") { if (!read_num(val, kf, t.mmr, e)) return false; }
    else if (key == "maintenance_deduction") { if (!read_num(val, kf, t.maintenance_deduction, e)) return false; }
    else if (key == "initial_deduction") { if (!read_num(val, kf, t.initial_deduction, e)) return false; }
    else return e.fail(kf, "unknown key");
  }
  return true;
}

bool read_market(od::value v, const std::string& field, RawMarket& m, Errors& e) {
  od::object obj;
  if (v.get_object().get(obj)) return e.fail(field, "must be an object");
  for (auto f : obj) {
    std::string_view key;
    if (auto err = f.unescaped_key().get(key)) return e.json(field, err);
    const std::string kf = field + "." + std::string(key);
    od::value val = f.value();
    if (key == "mark_price") { if (!read_num(val, kf, m.mark_price, e)) return false; }
    else if (key == "tick_size") { if (!read_num(val, kf, m.tick_size, e)) return false; }
    else if (key == "lot_size") { if (!read_num(val, kf, m.lot_size, e)) return false; }
    else if (key == "quote_scale") { if (!read_num(val, kf, m.quote_scale, e)) return false; }
    else if (key == "liquidation_fee") { if (!read_num(val, kf, m.liquidation_fee, e)) return false; }
    else if (key == "bankruptcy_adjustment") { if (!read_num(val, kf, m.bankruptcy_adjustment, e)) return false; }
    else if (key == "spread_to_mmr") { if (!read_num(val, kf, m.spread_to_mmr, e)) return false; }
    else if (key == "tiers") {
      if (m.has_tiers) return e.fail(kf, "duplicate key");
      m.has_tiers = true;
      od::array arr;
      if (val.get_array().get(arr)) return e.fail(kf, "must be an array of tiers");
      for (auto el : arr) {
        od::value tv;
        if (auto err = el.get(tv)) return e.json(kf, err);
        m.tiers.emplace_back();
        if (!read_tier(tv, idx(kf, m.tiers.size() - 1), m.tiers.back(), e)) return false;
      }
    } else {
      return e.fail(kf, "unknown key");
    }
  }
  return true;
}

bool read_position(od::value v, const std::string& field, RawPosition& p, Errors& e) {
  od::object obj;
  if (v.get_object().get(obj)) return e.fail(field, "must be an object");
  for (auto f : obj) {
    std::string_view key;
    if (auto err = f.unescaped_key().get(key)) return e.json(field, err);
    const std::string kf = field + "." + std::string(key);
    od::value val = f.value();
    if (key == "market") {
      if (p.has_market) return e.fail(kf, "duplicate key");
      std::string_view s;
      if (val.get_string().get(s)) return e.fail(kf, "must be a string (a key of markets)");
      p.market = std::string(s);
      p.has_market = true;
    } else if (key == "size") { if (!read_num(val, kf, p.size, e)) return false; }
    else if (key == "entry_price") { if (!read_num(val, kf, p.entry_price, e)) return false; }
    else if (key == "isolated_margin") { if (!read_num(val, kf, p.isolated_margin, e)) return false; }
    else return e.fail(kf, "unknown key");
  }
  return true;
}

bool read_account(od::value v, RawInput& in, Errors& e) {
  od::object obj;
  if (v.get_object().get(obj)) return e.fail("account", "must be an object");
  for (auto f : obj) {
    std::string_view key;
    if (auto err = f.unescaped_key().get(key)) return e.json("account", err);
    const std::string kf = "account." + std::string(key);
    od::value val = f.value();
    if (key == "collateral") { if (!read_num(val, kf, in.collateral, e)) return false; }
    else if (key == "positions") {
      if (in.has_positions) return e.fail(kf, "duplicate key");
      in.has_positions = true;
      od::array arr;
      if (val.get_array().get(arr)) return e.fail(kf, "must be an array of positions");
      for (auto el : arr) {
        od::value pv;
        if (auto err = el.get(pv)) return e.json(kf, err);
        if (in.positions.size() == kMaxPositions) return e.fail(kf, "at most 1000 positions");
        in.positions.emplace_back();
        if (!read_position(pv, idx(kf, in.positions.size() - 1), in.positions.back(), e)) return false;
      }
    } else {
      return e.fail(kf, "unknown key");
    }
  }
  return true;
}

bool read_liquidation(od::value v, RawInput& in, Errors& e) {
  od::object obj;
  if (v.get_object().get(obj)) return e.fail("liquidation", "must be an object");
  for (auto f : obj) {
    std::string_view key;
    if (auto err = f.unescaped_key().get(key)) return e.json("liquidation", err);
    const std::string kf = "liquidation." + std::string(key);
    od::value val = f.value();
    if (key == "position") {
      if (in.has_liq_position) return e.fail(kf, "duplicate key");
      if (val.get_uint64().get(in.liq_position)) return e.fail(kf, "must be a position index (a non-negative integer)");
      in.has_liq_position = true;
    } else if (key == "size") { if (!read_num(val, kf, in.liq_size, e)) return false; }
    else if (key == "fill_price") { if (!read_num(val, kf, in.liq_fill_price, e)) return false; }
    else return e.fail(kf, "unknown key");
  }
  return true;
}

}  // namespace

bool read_document(std::string_view json, od::parser& parser, simdjson::padded_string& buf, RawInput& in, Errors& e) {
  buf = simdjson::padded_string(json);
  od::document doc;
  if (auto err = parser.iterate(buf).get(doc)) return e.json("", err);
  od::object root;
  if (auto err = doc.get_object().get(root)) {
    if (err == simdjson::INCORRECT_TYPE) return e.fail("(document)", "must be a JSON object");
    return e.json("", err);
  }
  for (auto f : root) {
    std::string_view key;
    if (auto err = f.unescaped_key().get(key)) return e.json("", err);
    od::value val = f.value();
    if (key == "markets") {
      if (in.has_markets) return e.fail("markets", "duplicate key");
      in.has_markets = true;
      od::object mobj;
      if (val.get_object().get(mobj)) return e.fail("markets", "must be an object keyed by market name");
      for (auto mf : mobj) {
        std::string_view name;
        if (auto err = mf.unescaped_key().get(name)) return e.json("markets", err);
        const std::string field = "markets." + std::string(name);
        for (const RawMarket& other : in.markets)
          if (other.name == name) return e.fail(field, "duplicate market");
        in.markets.emplace_back();
        in.markets.back().name = std::string(name);
        if (!read_market(mf.value(), field, in.markets.back(), e)) return false;
      }
    } else if (key == "account") {
      if (in.has_account) return e.fail("account", "duplicate key");
      in.has_account = true;
      if (!read_account(val, in, e)) return false;
    } else if (key == "liquidation") {
      if (in.has_liquidation) return e.fail("liquidation", "duplicate key");
      in.has_liquidation = true;
      od::json_type t;
      if (auto err = val.type().get(t)) return e.json("liquidation", err);
      if (t == od::json_type::null) { in.has_liquidation = false; continue; }
      if (!read_liquidation(val, in, e)) return false;
    } else {
      // A top-level key may be empty: name it quoted so the message still points somewhere.
      return e.fail(key.empty() ? std::string("\"\"") : std::string(key), "unknown key");
    }
  }
  // simdjson 3.0.1 has no document::at_end(): a location still inside the buffer
  // after the root object means trailing content.
  const char* loc = nullptr;
  if (!doc.current_location().get(loc)) return e.fail("(document)", "trailing content after the JSON object");
  return true;
}


}  // namespace liqd::cmd::risk_detail
