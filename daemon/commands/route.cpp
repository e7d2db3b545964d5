// `liqd route`: one routing decision, JSON in on stdin, JSON out on stdout.
//
// stdin:  {"order": {"market", "side": "sell"|"buy", "qty", "limit_price", "urgency"?},
//          "venues": [{"name", "taker_fee", "lot_size", "min_qty", "max_qty", "healthy"?,
//                      "bids": [[price, qty], ...], "asks": [...]}
//                     | {... "amm": {"type": "constant_product", "base_reserve", "quote_reserve"}}
//                     | {... "amm": {"type": "oracle", "oracle_price", "impact_factor", "imbalance"?}}]}
// stdout: {"children": [{"venue", "qty", "limit_price", "expected_avg_price"}], "filled_qty",
//          "unfilled_qty", "expected_avg_price", "expected_fees", "expected_cost", "exact", "remainder"}
// Numbers may be JSON numbers or decimal strings; they are read from their text
// (never through double). The scale is the largest number of decimals the input
// uses for prices and for quantities (at most 8 each). Exit 2 on bad input, with
// a message naming the field.
#include <simdjson.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/money/decimal.hpp"
#include "daemon/commands/commands.hpp"
#include "executors/amm/constant_product.hpp"
#include "executors/amm/oracle_pool.hpp"
#include "executors/router/router.hpp"

namespace liqd::cmd {
namespace {

using namespace liqd::exec;
namespace od = simdjson::ondemand;

struct BadInput {
  std::string msg;
};

// ---- raw request: decimal texts, converted once the scale is known. Copies:
// unescaped strings live in the parser's buffer, which does not outlive parsing.
struct RawLevel { std::string px, qty; };
struct RawVenue {
  std::string name;
  std::string taker_fee = "0", lot, min_qty = "0", max_qty;
  bool healthy = true;
  std::vector<RawLevel> bids, asks;
  bool has_book = false;
  std::string amm_type;
  std::string base_reserve, quote_reserve, oracle_price, impact_factor, imbalance = "0";
};
struct RawRequest {
  std::string market, side, urgency = "normal";
  std::string qty, limit;
  std::vector<RawVenue> venues;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Number or decimal string -> its text, copied.
std::string number_text(od::value v, const std::string& field) {
  od::json_type t;
  if (v.type().get(t)) throw BadInput{field + ": malformed JSON"};
  if (t == od::json_type::number) return std::string(trim(v.raw_json_token()));
  if (t == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s)) throw BadInput{field + ": malformed string"};
    return std::string(s);
  }
  throw BadInput{field + ": expected a number or a decimal string"};
}

std::string string_field(od::value v, const std::string& field) {
  std::string_view s;
  if (v.get_string().get(s)) throw BadInput{field + ": expected a string"};
  return std::string(s);
}

od::object object_field(od::value v, const std::string& field) {
  od::object o;
  if (v.get_object().get(o)) throw BadInput{field + ": expected an object"};
  return o;
}

od::array array_field(od::value v, const std::string& field) {
  od::array a;
  if (v.get_array().get(a)) throw BadInput{field + ": expected an array"};
  return a;
}

template <class F>
void for_fields(od::object o, const std::string& where, F&& f) {
  for (auto fr : o) {
    od::field fld;
    if (std::move(fr).get(fld)) throw BadInput{where + ": malformed JSON"};
    std::string_view key;
    if (fld.unescaped_key().get(key)) throw BadInput{where + ": malformed key"};
    std::string k(key);
    f(k, fld.value());
  }
}

std::vector<RawLevel> parse_levels(od::value v, const std::string& field) {
  std::vector<RawLevel> out;
  size_t i = 0;
  for (auto er : array_field(v, field)) {
    std::string name = field + "[" + std::to_string(i) + "]";
    od::value lv;
    if (std::move(er).get(lv)) throw BadInput{name + ": malformed JSON"};
    RawLevel l;
    int k = 0;
    for (auto xr : array_field(lv, name)) {
      od::value x;
      if (std::move(xr).get(x)) throw BadInput{name + ": malformed JSON"};
      std::string xn = name + "[" + std::to_string(k) + "]";
      if (k == 0) l.px = number_text(x, xn);
      else if (k == 1) l.qty = number_text(x, xn);
      else throw BadInput{name + ": expected [price, qty]"};
      ++k;
    }
    if (k != 2) throw BadInput{name + ": expected [price, qty]"};
    out.push_back(l);
    ++i;
  }
  return out;
}

RawRequest parse_request(const simdjson::padded_string& json) {
  od::parser parser;
  od::document doc;
  if (parser.iterate(json).get(doc)) throw BadInput{"input: not JSON"};
  od::object root;
  if (doc.get_object().get(root)) throw BadInput{"input: not a complete JSON object"};
  RawRequest r;
  bool have_order = false, have_venues = false;
  for_fields(root, "input", [&](const std::string& key, od::value v) {
    if (key == "order") {
      have_order = true;
      for_fields(object_field(v, "order"), "order", [&](const std::string& k, od::value x) {
        if (k == "market") r.market = string_field(x, "order.market");
        else if (k == "side") r.side = string_field(x, "order.side");
        else if (k == "qty") r.qty = number_text(x, "order.qty");
        else if (k == "limit_price") r.limit = number_text(x, "order.limit_price");
        else if (k == "urgency") r.urgency = string_field(x, "order.urgency");
        else throw BadInput{"order." + k + ": unknown field"};
      });
    } else if (key == "venues") {
      have_venues = true;
      size_t i = 0;
      for (auto er : array_field(v, "venues")) {
        std::string where = "venues[" + std::to_string(i) + "]";
        od::value vv;
        if (std::move(er).get(vv)) throw BadInput{where + ": malformed JSON"};
        RawVenue rv;
        bool has_amm = false;
        for_fields(object_field(vv, where), where, [&](const std::string& k, od::value x) {
          std::string f = where + "." + k;
          if (k == "name") rv.name = string_field(x, f);
          else if (k == "taker_fee") rv.taker_fee = number_text(x, f);
          else if (k == "lot_size") rv.lot = number_text(x, f);
          else if (k == "min_qty") rv.min_qty = number_text(x, f);
          else if (k == "max_qty") rv.max_qty = number_text(x, f);
          else if (k == "healthy") {
            bool b;
            if (x.get_bool().get(b)) throw BadInput{f + ": expected true or false"};
            rv.healthy = b;
          } else if (k == "bids") { rv.bids = parse_levels(x, f); rv.has_book = true; }
          else if (k == "asks") { rv.asks = parse_levels(x, f); rv.has_book = true; }
          else if (k == "amm") {
            has_amm = true;
            for_fields(object_field(x, f), f, [&](const std::string& ak, od::value ax) {
              std::string af = f + "." + ak;
              if (ak == "type") rv.amm_type = string_field(ax, af);
              else if (ak == "base_reserve") rv.base_reserve = number_text(ax, af);
              else if (ak == "quote_reserve") rv.quote_reserve = number_text(ax, af);
              else if (ak == "oracle_price") rv.oracle_price = number_text(ax, af);
              else if (ak == "impact_factor") rv.impact_factor = number_text(ax, af);
              else if (ak == "imbalance") rv.imbalance = number_text(ax, af);
              else throw BadInput{af + ": unknown field"};
            });
          } else throw BadInput{f + ": unknown field"};
        });
        if (rv.name.empty()) throw BadInput{where + ".name: missing"};
        if (has_amm && rv.has_book) throw BadInput{where + ": give either bids/asks or amm, not both"};
        if (!has_amm && !rv.has_book) throw BadInput{where + ".bids: missing (or give amm)"};
        if (has_amm) {
          if (rv.amm_type == "constant_product") {
            if (rv.base_reserve.empty()) throw BadInput{where + ".amm.base_reserve: missing"};
            if (rv.quote_reserve.empty()) throw BadInput{where + ".amm.quote_reserve: missing"};
          } else if (rv.amm_type == "oracle") {
            if (rv.oracle_price.empty()) throw BadInput{where + ".amm.oracle_price: missing"};
            if (rv.impact_factor.empty()) throw BadInput{where + ".amm.impact_factor: missing"};
          } else {
            throw BadInput{where + ".amm.type: expected \"constant_product\" or \"oracle\""};
          }
        }
        r.venues.push_back(std::move(rv));
        ++i;
      }
    } else {
      throw BadInput{key + ": unknown field"};
    }
  });
  const char* loc = nullptr;
  if (doc.current_location().get(loc) != simdjson::OUT_OF_BOUNDS) throw BadInput{"input: trailing content after the JSON document"};
  if (!have_order) throw BadInput{"order: missing"};
  if (!have_venues) throw BadInput{"venues: missing"};
  if (r.side.empty()) throw BadInput{"order.side: missing"};
  if (r.qty.empty()) throw BadInput{"order.qty: missing"};
  if (r.limit.empty()) throw BadInput{"order.limit_price: missing"};
  if (r.venues.empty()) throw BadInput{"venues: empty"};
  if (r.venues.size() > static_cast<size_t>(kMaxVenues)) throw BadInput{"venues: more than 16"};
  return r;
}

// ---- conversion to fixed point
int places(std::string_view s, const std::string& field) {
  int dp = 0;
  if (auto e = decimal_places(s, dp); e != DecimalError::Ok) throw BadInput{field + ": " + to_string(e)};
  return dp;
}

int64_t fixed(std::string_view s, int dp, const std::string& field, bool positive) {
  int64_t v = 0;
  if (auto e = parse_decimal(s, dp, v); e != DecimalError::Ok) throw BadInput{field + ": " + to_string(e)};
  if (positive ? v <= 0 : v < 0) throw BadInput{field + (positive ? ": must be positive" : ": must not be negative")};
  return v;
}

// Large amounts (pool reserves) in 128 bits, extra decimals rounded down.
i128 fixed128(std::string_view s, int dp, const std::string& field) {
  i128 v = 0;
  size_t i = 0;
  int frac = -1;
  if (s.empty()) throw BadInput{field + ": empty number"};
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.' && frac < 0) { frac = 0; continue; }
    if (c < '0' || c > '9') throw BadInput{field + ": not a decimal number"};
    if (frac >= 0) { if (frac == dp) continue; ++frac; }
    v = v * 10 + (c - '0');
    if (v > (static_cast<i128>(1) << 100)) throw BadInput{field + ": number out of range"};
  }
  for (int k = frac < 0 ? 0 : frac; k < dp; ++k) v *= 10;
  if (v <= 0) throw BadInput{field + ": must be positive"};
  return v;
}

struct Request {
  Scale scale;
  RouteOrder order;
  std::vector<std::string> names;
  std::vector<std::vector<Level>> books;   // the side we take
  std::vector<VenueInput> venues;
};

Request convert(const RawRequest& r) {
  Request q;
  if (r.side == "sell") q.order.side = Side::Sell;
  else if (r.side == "buy") q.order.side = Side::Buy;
  else throw BadInput{"order.side: expected \"sell\" or \"buy\""};
  if (r.urgency == "low") q.order.urgency = Urgency::Low;
  else if (r.urgency == "normal") q.order.urgency = Urgency::Normal;
  else if (r.urgency == "high") q.order.urgency = Urgency::High;
  else if (r.urgency == "immediate") q.order.urgency = Urgency::Immediate;
  else throw BadInput{"order.urgency: expected low, normal, high or immediate"};

  // Scale: the most decimals used, capped at 8.
  int pdp = places(r.limit, "order.limit_price");
  int qdp = places(r.qty, "order.qty");
  auto widen = [](int& dp, int d) { if (d > dp) dp = d; };
  for (size_t i = 0; i < r.venues.size(); ++i) {
    const RawVenue& v = r.venues[i];
    std::string w = "venues[" + std::to_string(i) + "]";
    if (!v.lot.empty()) widen(qdp, places(v.lot, w + ".lot_size"));
    widen(qdp, places(v.min_qty, w + ".min_qty"));
    if (!v.max_qty.empty()) widen(qdp, places(v.max_qty, w + ".max_qty"));
    const std::vector<RawLevel>& side = q.order.side == Side::Sell ? v.bids : v.asks;
    const char* sn = q.order.side == Side::Sell ? ".bids[" : ".asks[";
    for (size_t k = 0; k < side.size(); ++k) {
      std::string f = w + sn + std::to_string(k) + "]";
      widen(pdp, places(side[k].px, f + "[0]"));
      widen(qdp, places(side[k].qty, f + "[1]"));
    }
    if (!v.oracle_price.empty()) widen(pdp, places(v.oracle_price, w + ".amm.oracle_price"));
  }
  // Prices derived from a curve are averages with more digits than any input:
  // keep 4 more decimals for them (rounded against us either way).
  for (const RawVenue& v : r.venues)
    if (!v.has_book) { pdp += 4; break; }
  if (pdp > 8) pdp = 8;
  if (qdp > 8) qdp = 8;
  q.scale.price_dp = static_cast<int8_t>(pdp);
  q.scale.qty_dp = static_cast<int8_t>(qdp);

  q.order.qty = Qty(fixed(r.qty, qdp, "order.qty", true));
  q.order.limit = Price(fixed(r.limit, pdp, "order.limit_price", true));
  q.books.resize(r.venues.size());
  for (size_t i = 0; i < r.venues.size(); ++i) {
    const RawVenue& rv = r.venues[i];
    std::string w = "venues[" + std::to_string(i) + "]";
    VenueInput v;
    v.taker_fee = Ratio(fixed(rv.taker_fee, kRatioDp, w + ".taker_fee", false));
    if (v.taker_fee.v >= kRatioOne) throw BadInput{w + ".taker_fee: must be below 1"};
    v.lot = Qty(rv.lot.empty() ? 1 : fixed(rv.lot, qdp, w + ".lot_size", true));
    v.min_qty = Qty(fixed(rv.min_qty, qdp, w + ".min_qty", false));
    v.max_qty = Qty(rv.max_qty.empty() ? INT64_MAX : fixed(rv.max_qty, qdp, w + ".max_qty", true));
    v.healthy = rv.healthy;
    auto& book = q.books[i];
    if (rv.has_book) {
      // Both sides are validated; the side we take feeds the router.
      for (int s = 0; s < 2; ++s) {
        const bool bids = s == 0;
        const std::vector<RawLevel>& lv = bids ? rv.bids : rv.asks;
        const bool taken = bids == (q.order.side == Side::Sell);
        for (size_t k = 0; k < lv.size(); ++k) {
          std::string f = w + (bids ? ".bids[" : ".asks[") + std::to_string(k) + "]";
          if (!taken) {  // only its syntax matters
            places(lv[k].px, f + "[0]");
            places(lv[k].qty, f + "[1]");
            continue;
          }
          Level l{Price(fixed(lv[k].px, pdp, f + "[0]", true)), Qty(fixed(lv[k].qty, qdp, f + "[1]", true))};
          if (!book.empty()) {
            bool ordered = bids ? l.px < book.back().px : l.px > book.back().px;
            if (!ordered) throw BadInput{f + "[0]: " + (bids ? "bids must be strictly descending" : "asks must be strictly ascending")};
          }
          book.push_back(l);
        }
      }
    } else {
      DepthRequest dr{q.order.side, q.order.qty, v.lot, q.order.limit};
      book.resize(1000);
      int n = 0;
      if (rv.amm_type == "constant_product") {
        ConstantProductPool pool;
        pool.base_reserve = Qty(fixed(rv.base_reserve, qdp, w + ".amm.base_reserve", true));
        pool.quote_reserve = fixed128(rv.quote_reserve, pdp + qdp, w + ".amm.quote_reserve");
        n = pool.depth(dr, book);
      } else {
        OraclePool pool;
        pool.oracle = Price(fixed(rv.oracle_price, pdp, w + ".amm.oracle_price", true));
        pool.impact_factor = Ratio(fixed(rv.impact_factor, kRatioDp, w + ".amm.impact_factor", false));
        std::string_view im = rv.imbalance;   // view of a string that outlives this block
        bool neg = !im.empty() && im[0] == '-';
        if (neg) im.remove_prefix(1);
        int64_t d = fixed(im, qdp, w + ".amm.imbalance", false);
        pool.imbalance = Qty(neg ? -d : d);
        pool.qty_dp = static_cast<int8_t>(qdp);
        n = pool.depth(dr, book);
      }
      book.resize(static_cast<size_t>(n));
    }
    v.levels = book;
    q.names.push_back(rv.name);
    q.venues.push_back(v);
  }
  return q;
}

const char* action_name(RemainderAction a) {
  switch (a) {
    case RemainderAction::None: return "none";
    case RemainderAction::Twap: return "twap";
    case RemainderAction::Retry: return "retry";
    case RemainderAction::Backstop: return "backstop";
  }
  return "?";
}

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += c; }
    else if (static_cast<unsigned char>(c) < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); out += b; }
    else out += c;
  }
  out += '"';
}

std::string render(const Request& q, const RoutePlan& p) {
  const int pdp = q.scale.price_dp, qdp = q.scale.qty_dp;
  const Round against = q.order.side == Side::Sell ? Round::Floor : Round::Ceil;
  std::string o = "{\"children\":[";
  for (int k = 0; k < p.n_children; ++k) {
    const Child& c = p.children[k];
    if (k) o += ',';
    o += "{\"venue\":";
    json_string(o, q.names[c.venue]);
    o += ",\"qty\":" + format_decimal(c.qty.v, qdp);
    o += ",\"limit_price\":" + format_decimal(c.limit_price.v, pdp);
    o += ",\"expected_avg_price\":" + format_decimal(c.avg_price.v, pdp);
    o += ",\"expected_fee\":" + format_decimal(c.fee, pdp + qdp + kRatioDp);
    o += '}';
  }
  o += "],\"filled_qty\":" + format_decimal(p.filled.v, qdp);
  o += ",\"unfilled_qty\":" + format_decimal(p.unfilled.v, qdp);
  o += ",\"expected_avg_price\":";
  o += p.filled.v > 0 ? format_decimal(div_round(p.notional, p.filled.v, against), pdp) : std::string("null");
  o += ",\"expected_fees\":" + format_decimal(p.fees, pdp + qdp + kRatioDp);
  o += ",\"expected_cost\":" + format_decimal(expected_cost_units(p, q.order.side), pdp + qdp + kRatioDp);
  o += ",\"best_price\":";
  o += p.best_px.v > 0 ? format_decimal(p.best_px.v, pdp) : std::string("null");
  o += std::string(",\"exact\":") + (p.exact ? "true" : "false");
  o += ",\"remainder\":{\"action\":\"";
  o += action_name(p.remainder.action);
  o += "\",\"qty\":" + format_decimal(p.remainder.qty.v, qdp);
  if (p.remainder.action == RemainderAction::Twap) {
    o += ",\"slice_qty\":" + format_decimal(p.remainder.slice_qty.v, qdp);
    o += ",\"slices\":" + std::to_string(p.remainder.slices);
  }
  if (p.remainder.action == RemainderAction::Twap || p.remainder.action == RemainderAction::Retry)
    o += ",\"interval_ms\":" + std::to_string(p.remainder.interval_ms);
  o += "}}\n";
  return o;
}

int run_route() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  simdjson::padded_string json(input);
  try {
    Request q = convert(parse_request(json));
    // A one-shot command can afford a larger exact-solver budget than the hot path.
    RouterConfig cfg;
    cfg.exact_max_states = 1u << 14;
    cfg.exact_max_ops = 1u << 26;
    Router router(cfg);
    RoutePlan plan;
    if (RouteError e = router.route(q.order, q.venues, plan); e != RouteError::Ok) {
      std::fprintf(stderr, "liqd route: %s\n", to_string(e));
      return 2;
    }
    std::string out = render(q, plan);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  } catch (const BadInput& b) {
    std::fprintf(stderr, "liqd route: %s\n", b.msg.c_str());
    return 2;
  }
}

}  // namespace

void add_route(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("route", "route one order across venues: JSON request on stdin, plan on stdout");
  sub->callback([&exit_code] { exit_code = run_route(); });
}

}  // namespace liqd::cmd
