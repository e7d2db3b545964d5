#include "feeds/venues/binance_usdm.hpp"

#include "feeds/fast_scan.hpp"
#include "feeds/level_parse.hpp"

namespace liqd::feeds {

BinanceUsdmFeed::BinanceUsdmFeed(MarketTable& markets, EventSink& sink, FeedOptions opts)
    : JsonFeed(Venue::BinanceUsdm, markets, sink, std::move(opts)) {
  held_.resize(markets_.capacity());
}

Status BinanceUsdmFeed::on_snapshot(std::string_view symbol, std::string_view body, int64_t local_ts_ns) {
  snapshot_symbol_override_.assign(symbol);
  Status st = on_message(body, local_ts_ns);
  snapshot_symbol_override_.clear();
  return st;
}

Status BinanceUsdmFeed::handle(od::document& doc) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_status(e, "root");
  // Combined stream: {"stream": "...", "data": {...}}.
  od::object data;
  auto derr = root.find_field_unordered("data").get_object().get(data);
  if (derr == simdjson::SUCCESS) {
    std::string_view et;
    if (auto e = data.find_field_unordered("e").get_string().get(et)) {
      if (e == simdjson::NO_SUCH_FIELD) { return kOk; }  // not a market event (e.g. kline arrays)
      return json_status(e, "data.e");
    }
    return on_event(data, et);
  }
  if (derr != simdjson::NO_SUCH_FIELD) return json_status(derr, "data");
  // Bare payload, REST snapshot, or a subscription reply ({"result":null,"id":1}).
  std::string_view et;
  auto eerr = root.find_field_unordered("e").get_string().get(et);
  if (eerr == simdjson::SUCCESS) return on_event(root, et);
  if (eerr != simdjson::NO_SUCH_FIELD) return json_status(eerr, "e");
  uint64_t probe = 0;
  auto serr = root.find_field_unordered("lastUpdateId").get_uint64().get(probe);
  if (serr == simdjson::SUCCESS) {
    (void)root.reset();
    return on_rest_snapshot(root);
  }
  if (serr != simdjson::NO_SUCH_FIELD) return json_status(serr, "lastUpdateId");
  return kOk;  // subscription acks and other replies: ignored
}

Status BinanceUsdmFeed::on_event(od::object& o, std::string_view et) {
  if (et == "depthUpdate") return on_depth(o);
  if (et == "bookTicker") return on_book_ticker(o);
  if (et == "aggTrade") return on_agg_trade(o);
  if (et == "markPriceUpdate") return on_mark_price(o);
  if (et == "forceOrder") return on_force_order(o);
  return kOk;  // kline, ticker, ...: not used
}

void BinanceUsdmFeed::hold(MarketId m) {
  auto& q = held_[m];
  if (q.size() >= opts_.max_buffered_deltas) {
    // Too long without a snapshot: the oldest deltas are useless anyway.
    held_bytes_ -= q.front().size();
    q.erase(q.begin());
    ++counters_.buffer_overflows;
  }
  if (held_bytes_ + current_raw().size() > opts_.max_buffered_bytes) {
    // Memory bound over all markets: give up this market's queue (it will resync).
    for (const std::string& s : q) held_bytes_ -= s.size();
    q.clear();
    ++counters_.buffer_overflows;
    if (held_bytes_ + current_raw().size() > opts_.max_buffered_bytes) return;
  }
  q.emplace_back(current_raw());  // start-up / resync path only, not the synced hot path
  held_bytes_ += current_raw().size();
  ++counters_.deltas_buffered;
  used_ = true;
}

Status BinanceUsdmFeed::on_depth(od::object& o) {
  DepthHead h;
  std::string_view sym;
  if (Status st = u64_field(o, "E", h.E, "E"); !st.ok()) return st;
  if (Status st = str_field(o, "s", sym, "s"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  if (st = u64_field(o, "U", h.U, "U"); !st.ok()) return st;
  if (st = u64_field(o, "u", h.u, "u"); !st.ok()) return st;
  if (st = u64_field(o, "pu", h.pu, "pu"); !st.ok()) return st;
  return depth_apply(m, h, &o, 0);
}

// Sequencing and apply, shared by the general path (levels parsed here from `o`,
// only once the sequence says they are needed) and the fast path (o == nullptr:
// the `parsed` levels are already in scratch_).
Status BinanceUsdmFeed::depth_apply(MarketId m, const DepthHead& h, od::object* o, uint32_t parsed) {
  const uint64_t U = h.U, u = h.u, pu = h.pu;
  if (U > u) return {FeedError::BadNumber, "U"};
  const int64_t ts = ms_to_ns(h.E);
  saw_exchange_time(ts);
  BookState& bs = state(m);
  switch (bs.state) {
    case SyncState::AwaitingSnapshot:
      hold(m);
      return kOk;
    case SyncState::SnapshotLoaded:
      if (u < bs.last_seq) { ++counters_.deltas_skipped; used_ = true; return kOk; }  // older than the snapshot
      if (U > bs.last_seq) {
        const uint64_t want = bs.last_seq;
        Status r = resync(m, ResyncReason::Gap, want, U, "U");
        hold(m);
        return r;
      }
      break;
    case SyncState::Synced:
      if (pu != bs.last_seq) {
        const uint64_t want = bs.last_seq;
        Status r = resync(m, ResyncReason::Gap, want, pu, "pu");
        hold(m);
        return r;
      }
      break;
  }
  const Scale& sc = scale(m);
  LevelSink ls{scratch_.data(), static_cast<uint32_t>(scratch_.size()), parsed, sc.price_dp, sc.qty_dp};
  if (o) {
    Status st;
    od::value v;
    if (auto e = o->find_field_unordered("b").get(v)) return json_status(e, "b");
    if (st = parse_pair_levels(v, kBid, ls, "b"); !st.ok()) return st;
    if (auto e = o->find_field_unordered("a").get(v)) return json_status(e, "a");
    if (st = parse_pair_levels(v, kAsk, ls, "a"); !st.ok()) return st;
  }
  apply_levels(bs, ls.out, ls.n);
  if (bs.book.crossed()) return resync(m, ResyncReason::Crossed, u, u, "book");
  bs.state = SyncState::Synced;
  book_updated(m, u, ts, ls.n, false);
  return kOk;
}

// Binance's two hot messages exactly as it sends them, combined-stream or bare:
//   {"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":..,"T":..,"s":"SUSHIUSDT",
//    "U":..,"u":..,"pu":..,"b":[["7.5040","813"],...],"a":[...]}}
//   {"stream":"sushiusdt@bookTicker","data":{"e":"bookTicker","u":..,"s":"SUSHIUSDT",
//    "b":"7.6110","B":"2","a":"7.6120","A":"297","T":..,"E":..}}
// read in one strict pass (feeds/fast_scan.hpp), validation included, for a
// market already in the table and not filtered out. Anything else (another key
// order, whitespace, escapes, a value that does not convert, an unknown or
// filtered market, another event type, ...) returns false before any state is
// touched, and the general path decides. The general path would read the same
// values from the same accepted document, so the outcome is the same.
bool BinanceUsdmFeed::handle_fast(std::string_view raw, Status& st) {
  FastScan c{raw.data(), raw.data() + raw.size()};
  const bool envelope = c.lit("{\"stream\":\"");
  if (envelope) {
    std::string_view stream;
    if (!c.plain_string(stream) || !c.lit(",\"data\":{")) return false;
  } else if (!c.lit("{")) {
    return false;
  }
  if (c.lit("\"e\":\"depthUpdate\",\"E\":")) return fast_depth(c, envelope, st);
  if (c.lit("\"e\":\"bookTicker\",\"u\":")) return fast_book_ticker(c, envelope, st);
  return false;
}

// The market of a fast-path message, or kNoMarket to leave it to the general
// path: filtered markets (counted there) and unknown ones (find, not resolve:
// registering is the general path's job, after its validation).
MarketId BinanceUsdmFeed::fast_market(std::string_view sym) const {
  if (!opts_.only_symbol.empty() && sym != opts_.only_symbol) return kNoMarket;
  return markets_.find(venue_, sym);
}

// The closing brace(s) and nothing after them (trailing bytes: the general path
// says what they are).
static bool fast_close(FastScan& c, bool envelope) {
  return c.lit("}") && (!envelope || c.lit("}")) && c.at_end();
}

bool BinanceUsdmFeed::fast_depth(FastScan& c, bool envelope, Status& st) {
  DepthHead h;
  std::string_view sym;
  uint64_t T = 0;  // not used; read so that it is checked like every other value
  if (!c.u64(h.E) || !c.lit(",\"T\":") || !c.u64(T) || !c.lit(",\"s\":\"") || !c.plain_string(sym)) return false;
  if (!c.lit(",\"U\":") || !c.u64(h.U) || !c.lit(",\"u\":") || !c.u64(h.u) || !c.lit(",\"pu\":") || !c.u64(h.pu)) return false;
  const MarketId m = fast_market(sym);
  if (m == kNoMarket) return false;
  const Scale& sc = scale(m);
  LevelSink ls{scratch_.data(), static_cast<uint32_t>(scratch_.size()), 0, sc.price_dp, sc.qty_dp};
  if (!c.lit(",\"b\":") || !c.pair_levels(kBid, ls) || !c.lit(",\"a\":") || !c.pair_levels(kAsk, ls)) return false;
  if (!fast_close(c, envelope)) return false;
  st = depth_apply(m, h, nullptr, ls.n);
  return true;
}

bool BinanceUsdmFeed::fast_book_ticker(FastScan& c, bool envelope, Status& st) {
  uint64_t u = 0, T = 0, E = 0;
  std::string_view sym;
  if (!c.u64(u) || !c.lit(",\"s\":\"") || !c.plain_string(sym)) return false;
  const MarketId m = fast_market(sym);
  if (m == kNoMarket) return false;
  const Scale& sc = scale(m);
  BestBidOffer ev;
  if (!c.lit(",\"b\":\"") || !c.decimal_string(sc.price_dp, ev.bid_px)) return false;
  if (!c.lit(",\"B\":\"") || !c.decimal_string(sc.qty_dp, ev.bid_qty)) return false;
  if (!c.lit(",\"a\":\"") || !c.decimal_string(sc.price_dp, ev.ask_px)) return false;
  if (!c.lit(",\"A\":\"") || !c.decimal_string(sc.qty_dp, ev.ask_qty)) return false;
  if (ev.bid_qty < 0 || ev.ask_qty < 0) return false;  // NegativeQty, from the general path
  if (!c.lit(",\"T\":") || !c.u64(T) || !c.lit(",\"E\":") || !c.u64(E) || !fast_close(c, envelope)) return false;
  st = emit_bbo(m, ev, u, E);
  return true;
}

Status BinanceUsdmFeed::on_rest_snapshot(od::object& o) {
  const std::string& sym = !snapshot_symbol_override_.empty() ? snapshot_symbol_override_
                           : !opts_.snapshot_symbol.empty()   ? opts_.snapshot_symbol
                                                              : opts_.only_symbol;
  if (sym.empty()) return {FeedError::NeedsMarket, "lastUpdateId"};
  uint64_t id = 0;
  if (Status st = u64_field(o, "lastUpdateId", id, "lastUpdateId"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  uint64_t E = 0;
  auto eerr = o.find_field_unordered("E").get_uint64().get(E);
  if (eerr && eerr != simdjson::NO_SUCH_FIELD) return json_status(eerr, "E");
  const Scale& sc = scale(m);
  LevelSink ls{scratch_.data(), static_cast<uint32_t>(scratch_.size()), 0, sc.price_dp, sc.qty_dp};
  od::value v;
  if (auto e = o.find_field_unordered("bids").get(v)) return json_status(e, "bids");
  if (st = parse_pair_levels(v, kBid, ls, "bids"); !st.ok()) return st;
  if (auto e = o.find_field_unordered("asks").get(v)) return json_status(e, "asks");
  if (st = parse_pair_levels(v, kAsk, ls, "asks"); !st.ok()) return st;
  BookState& bs = state(m);
  load_snapshot(bs, ls.out, ls.n);
  if (bs.book.crossed()) return resync(m, ResyncReason::Crossed, id, id, "bids");
  bs.state = SyncState::SnapshotLoaded;
  const int64_t ts = ms_to_ns(E);
  saw_exchange_time(ts);
  book_updated(m, id, ts, ls.n, true);
  replay_market_ = m;
  return kOk;
}

void BinanceUsdmFeed::after_message() {
  if (replay_market_ == kNoMarket) return;
  const MarketId m = replay_market_;
  replay_market_ = kNoMarket;
  std::vector<std::string> held;
  held.swap(held_[m]);
  for (const std::string& s : held) held_bytes_ -= s.size();
  for (const std::string& msg : held) on_message(msg, local_ts());
}

Status BinanceUsdmFeed::on_book_ticker(od::object& o) {
  uint64_t u = 0, E = 0;
  std::string_view sym;
  if (Status st = u64_field(o, "u", u, "u"); !st.ok()) return st;
  if (Status st = str_field(o, "s", sym, "s"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const Scale& sc = scale(m);
  BestBidOffer ev;
  if (st = dec_field(o, "b", sc.price_dp, ev.bid_px, "b"); !st.ok()) return st;
  if (st = dec_field(o, "B", sc.qty_dp, ev.bid_qty, "B"); !st.ok()) return st;
  if (st = dec_field(o, "a", sc.price_dp, ev.ask_px, "a"); !st.ok()) return st;
  if (st = dec_field(o, "A", sc.qty_dp, ev.ask_qty, "A"); !st.ok()) return st;
  if (ev.bid_qty < 0 || ev.ask_qty < 0) return {FeedError::NegativeQty, "B"};
  auto eerr = o.find_field_unordered("E").get_uint64().get(E);
  if (eerr && eerr != simdjson::NO_SUCH_FIELD) return json_status(eerr, "E");
  return emit_bbo(m, ev, u, E);
}

// Shared by the general and the fast path once every field is read.
Status BinanceUsdmFeed::emit_bbo(MarketId m, BestBidOffer& ev, uint64_t u, uint64_t E) {
  ev.h = header(m, ms_to_ns(E));
  ev.seq = u;
  saw_exchange_time(ev.h.exch_ts_ns);
  used_ = true;
  sink_.on_bbo(ev);
  return kOk;
}

Status BinanceUsdmFeed::on_mark_price(od::object& o) {
  uint64_t E = 0;
  std::string_view sym;
  if (Status st = u64_field(o, "E", E, "E"); !st.ok()) return st;
  if (Status st = str_field(o, "s", sym, "s"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const Scale& sc = scale(m);
  PriceUpdate mark, index;
  if (st = dec_field(o, "p", sc.price_dp, mark.price, "p"); !st.ok()) return st;
  std::string_view idx;
  auto ierr = o.find_field_unordered("i").get_string().get(idx);
  const bool has_index = ierr == simdjson::SUCCESS;
  if (ierr && ierr != simdjson::NO_SUCH_FIELD) return json_status(ierr, "i");
  if (has_index) {
    if (st = decimal(idx, sc.price_dp, index.price, "i"); !st.ok()) return st;
  }
  const int64_t ts = ms_to_ns(E);
  saw_exchange_time(ts);
  mark.h = header(m, ts);
  mark.dp = sc.price_dp;
  mark.source = PriceSource::Mark;
  used_ = true;
  sink_.on_price(mark);
  if (has_index) {
    index.h = mark.h;
    index.dp = sc.price_dp;
    index.source = PriceSource::Index;
    sink_.on_price(index);
  }
  return kOk;
}

Status BinanceUsdmFeed::on_agg_trade(od::object& o) {
  uint64_t E = 0, id = 0, T = 0;
  std::string_view sym;
  if (Status st = u64_field(o, "E", E, "E"); !st.ok()) return st;
  if (Status st = u64_field(o, "a", id, "a"); !st.ok()) return st;
  if (Status st = str_field(o, "s", sym, "s"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const Scale& sc = scale(m);
  Trade t;
  if (st = dec_field(o, "p", sc.price_dp, t.price, "p"); !st.ok()) return st;
  if (st = dec_field(o, "q", sc.qty_dp, t.qty, "q"); !st.ok()) return st;
  if (t.qty < 0) return {FeedError::NegativeQty, "q"};
  if (st = u64_field(o, "T", T, "T"); !st.ok()) return st;
  bool buyer_maker = false;
  if (auto e = o.find_field_unordered("m").get_bool().get(buyer_maker)) return json_status(e, "m");
  t.h = header(m, ms_to_ns(T));
  t.trade_id = id;
  t.taker = buyer_maker ? Side::Sell : Side::Buy;
  saw_exchange_time(ms_to_ns(E));
  used_ = true;
  sink_.on_trade(t);
  return kOk;
}

Status BinanceUsdmFeed::on_force_order(od::object& o) {
  uint64_t E = 0, T = 0;
  if (Status st = u64_field(o, "E", E, "E"); !st.ok()) return st;
  od::object ord;
  if (auto e = o.find_field_unordered("o").get_object().get(ord)) return json_status(e, "o");
  std::string_view sym, side;
  if (Status st = str_field(ord, "s", sym, "o.s"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(sym, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const Scale& sc = scale(m);
  Liquidation l;
  if (st = str_field(ord, "S", side, "o.S"); !st.ok()) return st;
  if (side == "SELL") l.side = Side::Sell;
  else if (side == "BUY") l.side = Side::Buy;
  else return {FeedError::WrongType, "o.S"};
  // Average fill price; an order not yet filled has ap "0": use its limit price.
  if (st = dec_field(ord, "ap", sc.price_dp, l.price, "o.ap"); !st.ok()) return st;
  if (l.price == 0 && (st = dec_field(ord, "p", sc.price_dp, l.price, "o.p"), !st.ok())) return st;
  if (st = dec_field(ord, "z", sc.qty_dp, l.qty, "o.z"); !st.ok()) return st;
  if (l.qty < 0) return {FeedError::NegativeQty, "o.z"};
  if (st = u64_field(ord, "T", T, "o.T"); !st.ok()) return st;
  l.h = header(m, ms_to_ns(T));
  saw_exchange_time(ms_to_ns(E));
  used_ = true;
  sink_.on_liquidation(l);
  return kOk;
}

}  // namespace liqd::feeds
