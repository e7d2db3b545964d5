#include "feeds/venues/bybit_v5.hpp"

#include "feeds/level_parse.hpp"

namespace liqd::feeds {

Status BybitV5Feed::handle(od::document& doc) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_status(e, "root");
  std::string_view topic;
  auto terr = root.find_field_unordered("topic").get_string().get(topic);
  if (terr == simdjson::NO_SUCH_FIELD) {
    // {"success":false,"ret_msg":...,"op":"subscribe"} is the venue refusing us.
    bool success = true;
    auto serr = root.find_field_unordered("success").get_bool().get(success);
    if (serr == simdjson::SUCCESS && !success) return {FeedError::VenueError, "success"};
    return kOk;  // acks, pongs
  }
  if (terr) return json_status(terr, "topic");
  std::string_view type;
  auto yerr = root.find_field_unordered("type").get_string().get(type);
  if (yerr && yerr != simdjson::NO_SUCH_FIELD) return json_status(yerr, "type");
  uint64_t ts = 0;
  if (Status st = u64_field(root, "ts", ts, "ts"); !st.ok()) return st;
  const bool snapshot = type == "snapshot";
  if (topic.starts_with("orderbook.")) {
    if (!snapshot && type != "delta") return {FeedError::WrongType, "type"};
    return on_orderbook(root, snapshot, ts);
  }
  if (topic.starts_with("tickers.")) {
    od::object data;
    if (auto e = root.find_field_unordered("data").get_object().get(data)) return json_status(e, "data");
    return on_tickers(data, ts);
  }
  const bool liq = topic.starts_with("allLiquidation.") || topic.starts_with("liquidation.");
  if (topic.starts_with("publicTrade.") || liq) {
    od::value dv;
    if (auto e = root.find_field_unordered("data").get(dv)) return json_status(e, "data");
    od::json_type jt;
    if (auto e = dv.type().get(jt)) return json_status(e, "data");
    if (jt == od::json_type::array) {
      od::array arr;
      if (auto e = dv.get_array().get(arr)) return json_status(e, "data");
      return on_trades(arr, liq);
    }
    return {FeedError::WrongType, "data"};
  }
  return kOk;  // kline and others
}

Status BybitV5Feed::on_orderbook(od::object& root, bool snapshot, uint64_t ts_ms) {
  od::object data;
  if (auto e = root.find_field_unordered("data").get_object().get(data)) return json_status(e, "data");
  std::string_view sym;
  if (Status st = str_field(data, "s", sym, "data.s"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const Scale& sc = scale(m);
  LevelSink ls{scratch_.data(), static_cast<uint32_t>(scratch_.size()), 0, sc.price_dp, sc.qty_dp};
  od::value v;
  if (auto e = data.find_field_unordered("b").get(v)) return json_status(e, "data.b");
  if (st = parse_pair_levels(v, kBid, ls, "data.b"); !st.ok()) return st;
  if (auto e = data.find_field_unordered("a").get(v)) return json_status(e, "data.a");
  if (st = parse_pair_levels(v, kAsk, ls, "data.a"); !st.ok()) return st;
  uint64_t u = 0;
  if (st = u64_field(data, "u", u, "data.u"); !st.ok()) return st;
  const int64_t ts = ms_to_ns(ts_ms);
  saw_exchange_time(ts);
  BookState& bs = state(m);
  if (snapshot) {
    load_snapshot(bs, ls.out, ls.n);
  } else {
    if (bs.state != SyncState::Synced) { ++counters_.deltas_skipped; used_ = true; return kOk; }
    if (u != bs.last_seq + 1) return resync(m, ResyncReason::Gap, bs.last_seq + 1, u, "data.u");
    apply_levels(bs, ls.out, ls.n);
  }
  if (bs.book.crossed()) return resync(m, ResyncReason::Crossed, u, u, "book");
  bs.state = SyncState::Synced;
  book_updated(m, u, ts, ls.n, snapshot);
  return kOk;
}

Status BybitV5Feed::on_tickers(od::object& data, uint64_t ts_ms) {
  std::string_view sym;
  if (Status st = str_field(data, "symbol", sym, "data.symbol"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const Scale& sc = scale(m);
  const int64_t ts = ms_to_ns(ts_ms);
  saw_exchange_time(ts);
  // Deltas carry only the fields that changed: both prices are optional.
  PriceUpdate p[2];
  bool have[2] = {false, false};
  const std::string_view keys[2] = {"markPrice", "indexPrice"};
  const char* where[2] = {"data.markPrice", "data.indexPrice"};
  for (int k = 0; k < 2; ++k) {
    std::string_view s;
    auto e = data.find_field_unordered(keys[k]).get_string().get(s);
    if (e == simdjson::NO_SUCH_FIELD) continue;
    if (e) return json_status(e, where[k]);
    if (st = decimal(s, sc.price_dp, p[k].price, where[k]); !st.ok()) return st;
    have[k] = true;
  }
  for (int k = 0; k < 2; ++k) {
    if (!have[k]) continue;
    p[k].h = header(m, ts);
    p[k].dp = sc.price_dp;
    p[k].source = k == 0 ? PriceSource::Mark : PriceSource::Index;
    used_ = true;
    sink_.on_price(p[k]);
  }
  return kOk;
}

Status BybitV5Feed::on_trades(od::array& arr, bool liquidation) {
  for (auto item : arr) {
    od::object t;
    if (auto e = item.get_object().get(t)) return json_status(e, "data[]");
    uint64_t T = 0;
    std::string_view sym, side;
    if (Status st = u64_field(t, "T", T, "data[].T"); !st.ok()) return st;
    if (Status st = str_field(t, "s", sym, "data[].s"); !st.ok()) return st;
    Status st;
    bool skip = false;
    MarketId m = market_for(sym, st, skip);
    if (skip) continue;
    if (!st.ok()) return st;
    const Scale& sc = scale(m);
    if (st = str_field(t, "S", side, "data[].S"); !st.ok()) return st;
    Side s;
    if (side == "Buy") s = Side::Buy;
    else if (side == "Sell") s = Side::Sell;
    else return {FeedError::WrongType, "data[].S"};
    int64_t qty = 0, px = 0;
    if (st = dec_field(t, "v", sc.qty_dp, qty, "data[].v"); !st.ok()) return st;
    if (qty < 0) return {FeedError::NegativeQty, "data[].v"};
    if (st = dec_field(t, "p", sc.price_dp, px, "data[].p"); !st.ok()) return st;
    const int64_t ts = ms_to_ns(T);
    saw_exchange_time(ts);
    used_ = true;
    if (liquidation) {
      Liquidation l;
      l.h = header(m, ts);
      l.price = px;
      l.qty = qty;
      l.side = s == Side::Buy ? Side::Sell : Side::Buy;  // a long (Buy) is closed by a sell order
      sink_.on_liquidation(l);
    } else {
      Trade tr;
      tr.h = header(m, ts);
      tr.price = px;
      tr.qty = qty;
      tr.taker = s;
      uint64_t seq = 0;
      if (t.find_field_unordered("seq").get_uint64().get(seq) == simdjson::SUCCESS) tr.trade_id = seq;
      sink_.on_trade(tr);
    }
  }
  return kOk;
}

}  // namespace liqd::feeds
