#include "feeds/venues/hyperliquid.hpp"

#include "feeds/level_parse.hpp"

namespace liqd::feeds {

Status HyperliquidFeed::handle(od::document& doc) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_status(e, "root");
  std::string_view channel;
  auto cerr = root.find_field_unordered("channel").get_string().get(channel);
  if (cerr == simdjson::SUCCESS) {
    if (channel == "error") return {FeedError::VenueError, "channel"};
    const bool l2 = channel == "l2Book", mids = channel == "allMids", trades = channel == "trades";
    if (!l2 && !mids && !trades) return kOk;
    if (trades) {
      od::array arr;
      if (auto e = root.find_field_unordered("data").get_array().get(arr)) return json_status(e, "data");
      return on_trades(arr);
    }
    od::object data;
    if (auto e = root.find_field_unordered("data").get_object().get(data)) return json_status(e, "data");
    if (l2) return on_l2book(data);
    od::object m;
    if (auto e = data.find_field_unordered("mids").get_object().get(m)) return json_status(e, "data.mids");
    return on_mids(m);
  }
  if (cerr != simdjson::NO_SUCH_FIELD) return json_status(cerr, "channel");
  // Bare payloads.
  od::value v;
  auto lerr = root.find_field_unordered("levels").get(v);
  if (lerr == simdjson::SUCCESS) {
    if (auto e = root.reset().error()) return json_status(e, "root");
    return on_l2book(root);
  }
  if (lerr != simdjson::NO_SUCH_FIELD) return json_status(lerr, "levels");
  od::object m;
  auto merr = root.find_field_unordered("mids").get_object().get(m);
  if (merr == simdjson::SUCCESS) return on_mids(m);
  if (merr != simdjson::NO_SUCH_FIELD) return json_status(merr, "mids");
  if (auto e = root.reset().error()) return json_status(e, "root");
  return on_mids(root);  // the /info allMids response is the map itself
}

Status HyperliquidFeed::on_l2book(od::object& o) {
  std::string_view coin;
  if (Status st = str_field(o, "coin", coin, "coin"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(coin, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const Scale& sc = scale(m);
  LevelSink ls{scratch_.data(), static_cast<uint32_t>(scratch_.size()), 0, sc.price_dp, sc.qty_dp};
  od::array levels;
  if (auto e = o.find_field_unordered("levels").get_array().get(levels)) return json_status(e, "levels");
  int k = 0;
  for (auto side : levels) {
    if (k >= 2) return {FeedError::WrongType, "levels"};
    od::value v;
    if (auto e = side.get(v)) return json_status(e, "levels");
    if (st = parse_object_levels(v, k == 0 ? kBid : kAsk, "px", "sz", ls, k == 0 ? "levels[0]" : "levels[1]"); !st.ok()) return st;
    ++k;
  }
  if (k != 2) return {FeedError::MissingField, "levels"};
  uint64_t time = 0;
  auto terr = o.find_field_unordered("time").get_uint64().get(time);
  if (terr && terr != simdjson::NO_SUCH_FIELD) return json_status(terr, "time");
  const int64_t ts = ms_to_ns(time);
  saw_exchange_time(ts);
  BookState& bs = state(m);
  load_snapshot(bs, ls.out, ls.n);
  if (bs.book.crossed()) return resync(m, ResyncReason::Crossed, time, time, "levels");
  bs.state = SyncState::Synced;
  book_updated(m, time, ts, ls.n, true);
  return kOk;
}

Status HyperliquidFeed::on_mids(od::object& mids) {
  for (auto field : mids) {
    std::string_view coin, px;
    if (auto e = field.unescaped_key().get(coin)) return json_status(e, "mids");
    if (auto e = field.value().get_string().get(px)) return json_status(e, "mids.<coin>");
    Status st;
    bool skip = false;
    MarketId m = market_for(coin, st, skip);
    if (skip) continue;
    if (!st.ok()) return st;
    PriceUpdate p;
    p.dp = scale(m).price_dp;
    if (st = decimal(px, p.dp, p.price, "mids.<coin>"); !st.ok()) return st;
    p.h = header(m, 0);
    p.source = PriceSource::Mid;
    used_ = true;
    sink_.on_price(p);
  }
  return kOk;
}

Status HyperliquidFeed::on_trades(od::array& arr) {
  for (auto item : arr) {
    od::object o;
    if (auto e = item.get_object().get(o)) return json_status(e, "data[]");
    std::string_view coin, side;
    if (Status st = str_field(o, "coin", coin, "data[].coin"); !st.ok()) return st;
    Status st;
    bool skip = false;
    MarketId m = market_for(coin, st, skip);
    if (skip) continue;
    if (!st.ok()) return st;
    const Scale& sc = scale(m);
    Trade t;
    if (st = str_field(o, "side", side, "data[].side"); !st.ok()) return st;
    if (side == "B") t.taker = Side::Buy;
    else if (side == "A") t.taker = Side::Sell;
    else return {FeedError::WrongType, "data[].side"};
    if (st = dec_field(o, "px", sc.price_dp, t.price, "data[].px"); !st.ok()) return st;
    if (st = dec_field(o, "sz", sc.qty_dp, t.qty, "data[].sz"); !st.ok()) return st;
    if (t.qty < 0) return {FeedError::NegativeQty, "data[].sz"};
    uint64_t time = 0;
    if (st = u64_field(o, "time", time, "data[].time"); !st.ok()) return st;
    uint64_t tid = 0;
    if (o.find_field_unordered("tid").get_uint64().get(tid) == simdjson::SUCCESS) t.trade_id = tid;
    t.h = header(m, ms_to_ns(time));
    saw_exchange_time(t.h.exch_ts_ns);
    used_ = true;
    sink_.on_trade(t);
  }
  return kOk;
}

}  // namespace liqd::feeds
