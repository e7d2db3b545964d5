// The external hedge venue: Binance USD-M REST order entry on the binance port,
// for the backstop vault's hedges (liqd's BinanceRestAdapter).
//
// Which book: the one this port already publishes as Binance market data (the
// market's book). A hedge takes its levels exactly as the own venue's IOCs do
// (match_ioc), and the levels it took go out as aggTrade and as a depthUpdate on
// the id chain, so liqd sees on its Binance feed the book its hedges moved. The
// sim serves one book per market on every stream; a separate "external" book
// would need its own market-data stream for liqd to route against it, and the
// point here is that the depth liqd routes on is the depth the venue fills
// against. The vault's account on the own venue is not touched (the hedge is on
// another venue): its position here is kept in hedge_positions.
//
// Requests (Binance USD-M "New Order (TRADE)", "Query Order (USER_DATA)",
// "Cancel Order (TRADE)"; "SIGNED (TRADE and USER_DATA) Endpoint Security"):
//   X-MBX-APIKEY must be the key            else 401 {"code":-2015}
//   query = params & signature=HMAC-SHA256(secret, params), hex, last
//                                           else 400 {"code":-1022}
//   timestamp < now + 1000 and now - timestamp <= recvWindow (default 5000,
//   at most 60000), wall clock              else 400 {"code":-1021}
//   POST: symbol, side BUY|SELL, type LIMIT, timeInForce IOC (nothing here rests),
//   quantity a positive multiple of the lot at the market's decimals, price a
//   positive multiple of the tick, newClientOrderId new (-4116 when seen before);
//   reduceOnly=true is clipped to the position (-2022 when it would not reduce).
//   The answer is the order after matching: status FILLED, or EXPIRED with
//   executedQty < origQty (IOC remainder), avgPrice = cumQuote / executedQty.
//   newOrderRespType=RESULT answers that; the default ACK answers status NEW,
//   executedQty 0, like Binance, and the result is there for the query.
//   GET: origClientOrderId -> the final answer again (-2013 if never seen).
//   DELETE: an IOC never rests: -2011 "Unknown order sent." for any id.
// Parameters are read from the query string (the adapter sends them there); a
// body is not read. No latency: the answer is the HTTP response.
#include <chrono>

#include "core/money/decimal.hpp"
#include "executors/adapters/binance/signer.hpp"
#include "sim/server/impl.hpp"
#include "sim/util/fixed_format.hpp"
#include "sim/wire/formats.hpp"

namespace liqd::sim {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

struct Params {
  std::vector<std::pair<std::string, std::string>> kv;
  const std::string* get(std::string_view k) const {
    for (const auto& p : kv)
      if (p.first == k) return &p.second;
    return nullptr;
  }
};

Params parse_params(std::string_view q) {
  Params p;
  size_t i = 0;
  while (i < q.size()) {
    size_t amp = q.find('&', i);
    if (amp == std::string_view::npos) amp = q.size();
    const std::string_view kv = q.substr(i, amp - i);
    const size_t eq = kv.find('=');
    p.kv.emplace_back(percent_decode(kv.substr(0, eq)), eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1)));
    i = amp + 1;
  }
  return p;
}

net::Response error(const net::Request& req, net::http::status st, int code, const std::string& msg) {
  return net::make_response(req, st, "{\"code\":" + std::to_string(code) + ",\"msg\":\"" + msg + "\"}");
}

// Unsigned decimal at exactly `dp` decimals at most; false otherwise.
bool parse_units(const std::string* s, int dp, int64_t& out) {
  return s && !s->empty() && (*s)[0] != '-' && parse_decimal(*s, dp, out) == DecimalError::Ok;
}

}  // namespace

net::Response Simulator::Impl::hedge_order(const net::Request& req) {
  ++hedge.requests;
  auto reject = [&](net::http::status st, int code, const std::string& msg) {
    ++hedge.rejected;
    return error(req, st, code, msg);
  };
  const auto key = req["X-MBX-APIKEY"];
  if (cfg.hedge_api_key.empty() || std::string_view(key.data(), key.size()) != cfg.hedge_api_key) {
    ++hedge.bad_key;
    return reject(net::http::status::unauthorized, -2015, "Invalid API-key, IP, or permissions for action.");
  }
  const std::string_view target(req.target().data(), req.target().size());
  const size_t qm = target.find('?');
  const std::string_view query = qm == std::string_view::npos ? std::string_view() : target.substr(qm + 1);
  const size_t sig = query.rfind("&signature=");
  if (sig == std::string_view::npos ||
      exec::binance::hmac_sha256_hex(cfg.hedge_secret, query.substr(0, sig)) != query.substr(sig + 11)) {
    ++hedge.bad_signature;
    return reject(net::http::status::bad_request, -1022, "Signature for this request is not valid.");
  }
  const Params p = parse_params(query.substr(0, sig));
  int64_t ts = 0, window = 5000;
  if (!parse_units(p.get("timestamp"), 0, ts))
    return reject(net::http::status::bad_request, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  if (p.get("recvWindow") && (!parse_units(p.get("recvWindow"), 0, window) || window > 60'000))
    return reject(net::http::status::bad_request, -1130, "Invalid data sent for a parameter.");
  const int64_t now = wall_ms();
  if (!(ts < now + 1000 && now - ts <= window)) {
    ++hedge.bad_timestamp;
    return reject(net::http::status::bad_request, -1021, "Timestamp for this request is outside of the recvWindow.");
  }
  const std::string* sym = p.get("symbol");
  const int mi = sym ? market_index(*sym) : -1;
  if (mi < 0) return reject(net::http::status::bad_request, -1121, "Invalid symbol.");
  MarketState& m = markets[static_cast<size_t>(mi)];

  if (req.method() == net::http::verb::get) {
    ++hedge.queries;
    const std::string* id = p.get("origClientOrderId");
    auto it = id ? hedge_answers.find(*id) : hedge_answers.end();
    if (it == hedge_answers.end()) return error(req, net::http::status::bad_request, -2013, "Order does not exist.");
    return net::make_response(req, net::http::status::ok, it->second);
  }
  if (req.method() == net::http::verb::delete_) {
    ++hedge.cancels;
    return error(req, net::http::status::bad_request, -2011, "Unknown order sent.");
  }
  if (req.method() != net::http::verb::post)
    return reject(net::http::status::method_not_allowed, -1000, "POST, GET or DELETE only");

  const std::string* side = p.get("side");
  const std::string* type = p.get("type");
  const std::string* tif = p.get("timeInForce");
  const std::string* id = p.get("newClientOrderId");
  if (!side || (*side != "BUY" && *side != "SELL")) return reject(net::http::status::bad_request, -1117, "Invalid side.");
  if (!type || *type != "LIMIT") return reject(net::http::status::bad_request, -1116, "Invalid orderType.");
  if (!tif || *tif != "IOC") return reject(net::http::status::bad_request, -1115, "Invalid timeInForce.");
  if (!id || id->empty() || id->size() > 36)
    return reject(net::http::status::bad_request, -1100, "Illegal characters found in parameter 'newClientOrderId'.");
  int64_t qty = 0, px = 0;
  if (!parse_units(p.get("quantity"), m.spec.scale.qty_dp, qty) || qty <= 0 || qty % m.spec.lot != 0)
    return reject(net::http::status::bad_request, -1111, "Precision is over the maximum defined for this asset.");
  if (!parse_units(p.get("price"), m.spec.scale.price_dp, px) || px <= 0 || px % m.spec.tick != 0)
    return reject(net::http::status::bad_request, -4014, "Price not increased by tick size.");
  if (hedge_answers.count(*id)) {
    ++hedge.duplicates;
    return reject(net::http::status::bad_request, -4116, "ClientOrderId is duplicated.");
  }
  HedgePosition& pos = hedge_positions[static_cast<size_t>(mi)];
  const bool buy = *side == "BUY";
  const std::string* ro = p.get("reduceOnly");
  const bool reduce_only = ro && *ro == "true";
  int64_t want = qty;
  if (reduce_only) {
    if ((buy && pos.size >= 0) || (!buy && pos.size <= 0))
      return reject(net::http::status::bad_request, -2022, "ReduceOnly Order is rejected.");
    want = std::min(want, pos.size < 0 ? -pos.size : pos.size);
  }
  ++hedge.orders;

  const OrderSide os = buy ? OrderSide::Buy : OrderSide::Sell;
  // The hedge venue's book (the own book when the sim runs without one).
  PublishedBook& book = m.hedge_book();
  const BookSides before = book.book;
  std::vector<Fill> fills;
  const Qty filled = match_ioc(book.book, os, Qty(want), Price(px), fills);
  i128 quote = 0;
  for (const Fill& f : fills) {
    quote += static_cast<i128>(f.qty.v) * f.px.v;
    ++hedge.fills;
    ++pos.fills;
  }
  pos.size += buy ? filled.v : -filled.v;
  pos.volume += filled.v;
  pos.cost += buy ? quote : -quote;
  if (filled.v > 0) ++pos.orders;
  publish_fills(m, book, before, fills, !buy);
  const bool full = filled.v == qty;
  ++(full ? hedge.filled : hedge.expired);

  // avgPrice to 8 more decimals than the tick (rounded half away from zero):
  // Binance prints it with more decimals than the price filter's.
  const int pdp = m.spec.scale.price_dp, qdp = m.spec.scale.qty_dp;
  // Quantities and prices with the symbol's fixed decimals, as Binance prints them.
  auto fixed = [](i128 v, int dp) { return fits_i64(v) ? fixed_string(static_cast<int64_t>(v), dp) : format_decimal(v, dp); };
  const std::string avg = fixed(filled.v > 0 ? div_round(quote * 100'000'000, filled.v, Round::HalfAwayFromZero) : 0, pdp + 8);
  const uint64_t order_id = ++next_hedge_order_id;
  const int64_t now2 = wall_ms();
  auto answer = [&](const char* status, int64_t executed, const std::string& avg_s, i128 cum_quote) {
    return "{\"orderId\":" + std::to_string(order_id) + ",\"symbol\":\"" + m.spec.symbol + "\",\"status\":\"" + status +
           "\",\"clientOrderId\":\"" + *id + "\",\"price\":\"" + fixed(px, pdp) + "\",\"avgPrice\":\"" + avg_s +
           "\",\"origQty\":\"" + fixed(qty, qdp) + "\",\"executedQty\":\"" + fixed(executed, qdp) +
           "\",\"cumQty\":\"" + fixed(executed, qdp) + "\",\"cumQuote\":\"" + fixed(cum_quote, pdp + qdp) +
           "\",\"timeInForce\":\"IOC\",\"type\":\"LIMIT\",\"reduceOnly\":" + (reduce_only ? "true" : "false") +
           ",\"closePosition\":false,\"side\":\"" + *side + "\",\"positionSide\":\"BOTH\",\"stopPrice\":\"0\","
           "\"workingType\":\"CONTRACT_PRICE\",\"priceProtect\":false,\"origType\":\"LIMIT\",\"priceMatch\":\"NONE\","
           "\"selfTradePreventionMode\":\"NONE\",\"goodTillDate\":0,\"updateTime\":" + std::to_string(now2) + "}";
  };
  std::string final_answer = answer(full ? "FILLED" : "EXPIRED", filled.v, avg, quote);
  hedge_answers.emplace(*id, final_answer);
  const std::string* resp = p.get("newOrderRespType");
  if (resp && *resp == "RESULT") return net::make_response(req, net::http::status::ok, final_answer);
  return net::make_response(req, net::http::status::ok, answer("NEW", 0, fixed(0, pdp + 8), 0));
}

std::string Simulator::Impl::hedge_status_json() const {
  std::string o = "{\"requests\":" + std::to_string(hedge.requests) + ",\"orders\":" + std::to_string(hedge.orders) +
                  ",\"rejected\":" + std::to_string(hedge.rejected) + ",\"bad_key\":" + std::to_string(hedge.bad_key) +
                  ",\"bad_signature\":" + std::to_string(hedge.bad_signature) +
                  ",\"bad_timestamp\":" + std::to_string(hedge.bad_timestamp) +
                  ",\"duplicates\":" + std::to_string(hedge.duplicates) + ",\"fills\":" + std::to_string(hedge.fills) +
                  ",\"filled\":" + std::to_string(hedge.filled) + ",\"expired\":" + std::to_string(hedge.expired) +
                  ",\"queries\":" + std::to_string(hedge.queries) + ",\"cancels\":" + std::to_string(hedge.cancels) +
                  ",\"positions\":[";
  bool first = true;
  for (size_t i = 0; i < hedge_positions.size() && i < markets.size(); ++i) {
    const HedgePosition& h = hedge_positions[i];
    if (h.fills == 0) continue;
    const Scale& sc = markets[i].spec.scale;
    o += std::string(first ? "" : ",") + "{\"market\":\"" + markets[i].spec.symbol + "\",\"size_units\":" +
         std::to_string(h.size) + ",\"size\":\"" + format_decimal(h.size, sc.qty_dp) + "\",\"cost\":\"" +
         format_decimal(h.cost, sc.qty_dp + sc.price_dp) + "\",\"volume_units\":" + std::to_string(h.volume) +
         ",\"fills\":" + std::to_string(h.fills) +
         ",\"orders_filled\":" + std::to_string(h.orders) + "}";
    first = false;
  }
  return o + "]}";
}

}  // namespace liqd::sim
