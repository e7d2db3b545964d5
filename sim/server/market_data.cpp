// Market data: WebSocket subscriptions for the Binance USD-M combined stream,
// Hyperliquid and Pyth Hermes, the Binance REST depth snapshot, and the
// depthUpdate id chain.
//
// Update ids (Binance USD-M "How to manage a local order book correctly"): each
// depthUpdate carries U (first id), u (last id) and pu (the previous event's u), and
// pu == previous u always holds unless a fault switch breaks it. A REST snapshot
// answers lastUpdateId = L = last u + 1 and reserves id L: the next depthUpdate then
// starts at U = L (the reserved id stands for a change that netted to nothing), so
// the first event a client keeps satisfies U <= L <= u (the futures rule) and also
// U <= L + 1 <= u (the spot rule). Levels are absolute quantities (0 = remove), so
// applying an event whose changes the snapshot already holds is harmless.
#include <algorithm>

#include "sim/server/impl.hpp"
#include "sim/wire/formats.hpp"

namespace liqd::sim {

namespace {

// Value of "key":"value" in a small JSON text (control messages only).
std::string string_field(std::string_view text, std::string_view key) {
  std::string pat = "\"" + std::string(key) + "\"";
  size_t k = text.find(pat);
  if (k == std::string_view::npos) return {};
  size_t colon = text.find(':', k + pat.size());
  if (colon == std::string_view::npos) return {};
  size_t q1 = text.find('"', colon + 1);
  if (q1 == std::string_view::npos) return {};
  // Only whitespace may stand between the colon and the quote.
  for (size_t i = colon + 1; i < q1; ++i)
    if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') return {};
  size_t q2 = text.find('"', q1 + 1);
  if (q2 == std::string_view::npos) return {};
  return std::string(text.substr(q1 + 1, q2 - q1 - 1));
}

// Strings of "key":["a","b"] in a small JSON text.
std::vector<std::string> string_array(std::string_view text, std::string_view key) {
  std::vector<std::string> out;
  std::string pat = "\"" + std::string(key) + "\"";
  size_t k = text.find(pat);
  if (k == std::string_view::npos) return out;
  size_t open = text.find('[', k);
  size_t close = text.find(']', k);
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return out;
  size_t i = open;
  for (;;) {
    size_t q1 = text.find('"', i + 1);
    if (q1 == std::string_view::npos || q1 > close) break;
    size_t q2 = text.find('"', q1 + 1);
    if (q2 == std::string_view::npos || q2 > close) break;
    out.emplace_back(text.substr(q1 + 1, q2 - q1 - 1));
    i = q2;
  }
  return out;
}

net::Msg text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

}  // namespace

void Simulator::Impl::on_ws_upgrade(int slot, net::beast::tcp_stream stream, net::Request req) {
  StreamId kind = slot == kSlotBinance       ? StreamId::Binance
                  : slot == kSlotOwn         ? StreamId::Own
                  : slot == kSlotHyperliquid ? StreamId::Hyperliquid
                                             : StreamId::Pyth;
  auto s = std::make_shared<net::WsSession>(std::move(stream), static_cast<int>(kind));
  if (kind == StreamId::Binance || kind == StreamId::Own) {
    // /stream?streams=a/b/c (combined) or /ws/<stream>; no streams: everything.
    std::string_view target(req.target().data(), req.target().size());
    std::string streams = net::query_param(target, "streams");
    std::string_view route = net::target_path(target);
    if (route.substr(0, 4) == "/ws/") streams = std::string(route.substr(4));
    if (streams.empty()) {
      s->all = true;
    } else {
      size_t i = 0;
      while (i <= streams.size()) {
        size_t j = streams.find('/', i);
        if (j == std::string::npos) j = streams.size();
        if (j > i) s->topics.insert(streams.substr(i, j - i));
        i = j + 1;
      }
    }
  }
  ws_sessions.insert(s);
  s->start(std::move(req), [this](net::WsSession& ws, std::string_view t) { on_ws_text(ws, t); },
           [this](net::WsSession& ws) {
             for (auto it = ws_sessions.begin(); it != ws_sessions.end(); ++it)
               if (it->get() == &ws) { ws_sessions.erase(it); break; }
           });
}

void Simulator::Impl::on_ws_text(net::WsSession& s, std::string_view t) {
  switch (static_cast<StreamId>(s.kind())) {
    case StreamId::Binance:
    case StreamId::Own: {
      // {"method":"SUBSCRIBE","params":["btcusdt@depth@100ms"],"id":1} -> {"result":null,"id":1}
      std::string method = string_field(t, "method");
      if (method == "SUBSCRIBE" || method == "UNSUBSCRIBE") {
        for (auto& p : string_array(t, "params")) {
          if (method == "SUBSCRIBE") s.topics.insert(p);
          else s.topics.erase(p);
        }
        if (method == "SUBSCRIBE") s.all = false;
        size_t id_pos = t.find("\"id\"");
        std::string id = "null";
        if (id_pos != std::string_view::npos) {
          size_t c = t.find(':', id_pos);
          size_t e = t.find_first_of(",}", c);
          if (c != std::string_view::npos && e != std::string_view::npos) id = std::string(t.substr(c + 1, e - c - 1));
        }
        s.send(text("{\"result\":null,\"id\":" + id + "}"));
      }
      break;
    }
    case StreamId::Hyperliquid: {
      std::string method = string_field(t, "method");
      if (method == "ping") {
        s.send(text("{\"channel\":\"pong\"}"));
        break;
      }
      if (method != "subscribe" && method != "unsubscribe") {
        s.send(text("{\"channel\":\"error\",\"data\":\"Invalid request\"}"));
        break;
      }
      std::string type = string_field(t, "type");
      std::string topic;
      const MarketState* book = nullptr;
      if (type == "allMids") {
        topic = "allMids";
      } else if (type == "l2Book") {
        std::string coin = string_field(t, "coin");
        for (auto& m : markets)
          if (m.spec.coin == coin) book = &m;
        if (!book) {
          s.send(text("{\"channel\":\"error\",\"data\":\"Unknown coin " + coin + "\"}"));
          break;
        }
        topic = "l2Book:" + coin;
      } else {
        s.send(text("{\"channel\":\"error\",\"data\":\"Unsupported subscription type " + type + "\"}"));
        break;
      }
      if (method == "unsubscribe") {
        s.topics.erase(topic);
      } else {
        s.topics.insert(topic);
      }
      s.send(text("{\"channel\":\"subscriptionResponse\",\"data\":" + std::string(t) + "}"));
      if (method == "subscribe") s.send(book ? hl_book_msg(*book) : all_mids_msg());
      break;
    }
    case StreamId::Pyth: {
      std::string type = string_field(t, "type");
      if (type != "subscribe" && type != "unsubscribe") {
        s.send(text("{\"type\":\"response\",\"status\":\"error\",\"error\":\"unknown request type\"}"));
        break;
      }
      std::vector<const MarketState*> found;
      std::string missing;
      for (auto id : string_array(t, "ids")) {
        if (id.substr(0, 2) == "0x") id = id.substr(2);
        const MarketState* hit = nullptr;
        for (auto& m : markets)
          if (m.spec.pyth_id == id) hit = &m;
        if (!hit) missing += (missing.empty() ? "" : ", ") + id;
        else found.push_back(hit);
      }
      if (!missing.empty()) {
        s.send(text("{\"type\":\"response\",\"status\":\"error\",\"error\":\"Price ids not found: " + missing + "\"}"));
        break;
      }
      for (auto* m : found) {
        if (type == "subscribe") s.topics.insert(m->spec.pyth_id);
        else s.topics.erase(m->spec.pyth_id);
      }
      s.send(text("{\"type\":\"response\",\"status\":\"success\"}"));
      if (type == "subscribe")
        for (auto* m : found) s.send(pyth_msg(*m));
      break;
    }
    default: break;
  }
}

net::Response Simulator::Impl::binance_rest(const net::Request& req, bool own) {
  std::string_view target(req.target().data(), req.target().size());
  std::string_view route = net::target_path(target);
  if (route == "/fapi/v1/ping") return net::make_response(req, net::http::status::ok, "{}");
  if (route == "/fapi/v1/time")
    return net::make_response(req, net::http::status::ok, "{\"serverTime\":" + std::to_string(sim_ms) + "}");
  if (route == "/fapi/v1/order" && !own) return hedge_order(req);
  if (route != "/fapi/v1/depth")
    return net::make_response(req, net::http::status::not_found, "{\"code\":-1000,\"msg\":\"not found\"}");
  if (req.method() != net::http::verb::get)
    return net::make_response(req, net::http::status::method_not_allowed, "{\"code\":-1000,\"msg\":\"GET only\"}");
  std::string sym = net::query_param(target, "symbol");
  for (char& c : sym)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  MarketState* m = nullptr;
  for (auto& x : markets)
    if (x.spec.symbol == sym) m = &x;
  if (!m) return net::make_response(req, net::http::status::bad_request, "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}");
  int limit = 500;
  std::string ls = net::query_param(target, "limit");
  if (!ls.empty()) {
    limit = 0;
    for (char c : ls) {
      if (c < '0' || c > '9' || limit > 100000) {
        limit = -1;
        break;
      }
      limit = limit * 10 + (c - '0');
    }
    if (limit < 1 || limit > 1000)
      return net::make_response(req, net::http::status::bad_request, "{\"code\":-1100,\"msg\":\"Illegal characters found in parameter 'limit'.\"}");
  }
  PublishedBook& b = own ? m->own : m->hedge_book();
  b.snapshot_id_reserved = true;
  return net::make_response(req, net::http::status::ok,
                            wire::binance_depth_snapshot(m->spec, b.last_u + 1, sim_ms, sim_ms, b.book, limit));
}

void Simulator::Impl::emit_depth(const MarketState& m, PublishedBook& b, const std::vector<Level>& bch,
                                 const std::vector<Level>& ach) {
  const uint64_t n = bch.size() + ach.size();
  if (n == 0) return;  // nothing changed; a reserved id waits for the next real change
  wire::DepthEvent e;
  e.event_ms = sim_ms;
  e.tx_ms = sim_ms;
  e.prev_last_id = b.last_u;
  e.first_id = b.last_u + 1;
  e.last_id = b.last_u + n + (b.snapshot_id_reserved ? 1 : 0);
  e.bids = &bch;
  e.asks = &ach;
  b.snapshot_id_reserved = false;
  b.last_u = e.last_id;
  publish_book(b, wire::lower(m.spec.symbol) + "@depth@100ms",
               std::make_shared<const std::string>(wire::binance_depth_update(m.spec, e)), true);
}

void Simulator::Impl::publish_fills(const MarketState& m, PublishedBook& b, const BookSides& before,
                                    const std::vector<Fill>& fills, bool buyer_maker) {
  const std::string lsym = wire::lower(m.spec.symbol);
  for (const Fill& f : fills) {
    ++b.agg_id;
    const uint64_t first = b.trade_id + 1;
    ++b.trade_id;
    publish_book(b, lsym + "@aggTrade",
                 std::make_shared<const std::string>(
                     wire::binance_agg_trade(m.spec, sim_ms, b.agg_id, f.px, f.qty, first, b.trade_id, sim_ms, buyer_maker)),
                 false);
  }
  std::vector<Level> bch, ach;
  diff_side(before.bids, b.book.bids, true, bch);
  diff_side(before.asks, b.book.asks, false, ach);
  emit_depth(m, b, bch, ach);
}

net::Msg Simulator::Impl::hl_book_msg(const MarketState& m) const {
  const size_t mi = static_cast<size_t>(&m - markets.data());
  return text(wire::hyperliquid_l2book(m.spec, sim_ms, m.own.book, cfg.seed ^ mi, step_idx));
}

net::Msg Simulator::Impl::all_mids_msg() const {
  std::vector<const MarketSpec*> specs;
  std::vector<Price> mids;
  for (auto& m : markets) {
    specs.push_back(&m.spec);
    mids.push_back(m.mid);
  }
  return text(wire::hyperliquid_all_mids(specs, mids));
}

net::Msg Simulator::Impl::pyth_msg(const MarketState& m) const {
  wire::PythPrice p, ema;
  p.price = static_cast<int64_t>(rescale(m.mid.v, m.spec.scale.price_dp, 8, Round::HalfAwayFromZero));
  // Confidence: half the synthetic spread, at least one unit.
  const int64_t half_spread = m.own.grid.spread_ticks * m.spec.tick / 2;
  p.conf = static_cast<uint64_t>(std::max<int64_t>(1, static_cast<int64_t>(rescale(half_spread, m.spec.scale.price_dp, 8, Round::Ceil))));
  p.publish_time = sim_ms / 1000;
  ema = p;
  ema.price = m.ema_e8;
  return text(wire::pyth_price_update(m.spec.pyth_id, p, ema));
}

}  // namespace liqd::sim
