#include "feeds/jsonl_sink.hpp"

#include <cstdio>

namespace liqd::feeds {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') { out += '\\'; out += c; }
    else if (u < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", u);
      out += b;
    } else out += c;
  }
  out += '"';
}

void JsonlSink::head(const char* type, const EventHeader& h) {
  out_ += "{\"type\":\"";
  out_ += type;
  out_ += "\",\"venue\":\"";
  out_ += venue_name(h.venue);
  out_ += "\",\"market\":";
  append_json_string(out_, h.market == kNoMarket ? std::string_view{} : markets_.info(h.market).symbol());
}

void JsonlSink::num(int64_t units, int dp) {
  char buf[64];
  int n = format_decimal(units, dp, buf);
  out_ += '"';
  out_.append(buf, static_cast<size_t>(n));
  out_ += '"';
}

void JsonlSink::ts_ms(int64_t ns) {
  if (ns <= 0) { out_ += "null"; return; }
  out_ += std::to_string(ns / 1'000'000);
}

void JsonlSink::on_price(const PriceUpdate& e) {
  head("price", e.h);
  out_ += ",\"source\":\"";
  out_ += price_source_name(e.source);
  out_ += "\",\"price\":";
  num(e.price, e.dp);
  out_ += ",\"conf\":";
  if (e.has_conf) num(e.conf, e.dp); else out_ += "null";
  out_ += ",\"ts_ms\":";
  ts_ms(e.h.exch_ts_ns);
  out_ += "}\n";
}

void JsonlSink::on_bbo(const BestBidOffer& e) {
  const Scale& sc = markets_.info(e.h.market).scale;
  head("bbo", e.h);
  out_ += ",\"seq\":" + std::to_string(e.seq) + ",\"bid\":[";
  num(e.bid_px, sc.price_dp); out_ += ','; num(e.bid_qty, sc.qty_dp);
  out_ += "],\"ask\":[";
  num(e.ask_px, sc.price_dp); out_ += ','; num(e.ask_qty, sc.qty_dp);
  out_ += "],\"ts_ms\":";
  ts_ms(e.h.exch_ts_ns);
  out_ += "}\n";
}

void JsonlSink::on_trade(const Trade& e) {
  const Scale& sc = markets_.info(e.h.market).scale;
  head("trade", e.h);
  out_ += e.taker == Side::Buy ? ",\"side\":\"buy\",\"price\":" : ",\"side\":\"sell\",\"price\":";
  num(e.price, sc.price_dp);
  out_ += ",\"qty\":";
  num(e.qty, sc.qty_dp);
  out_ += ",\"ts_ms\":";
  ts_ms(e.h.exch_ts_ns);
  out_ += ",\"id\":" + std::to_string(e.trade_id) + "}\n";
}

void JsonlSink::on_liquidation(const Liquidation& e) {
  const Scale& sc = markets_.info(e.h.market).scale;
  head("liquidation", e.h);
  out_ += e.side == Side::Buy ? ",\"side\":\"buy\",\"price\":" : ",\"side\":\"sell\",\"price\":";
  num(e.price, sc.price_dp);
  out_ += ",\"qty\":";
  num(e.qty, sc.qty_dp);
  out_ += ",\"ts_ms\":";
  ts_ms(e.h.exch_ts_ns);
  out_ += "}\n";
}

void JsonlSink::on_book(const BookUpdated& e, const L2Book& book) {
  const Scale& sc = markets_.info(e.h.market).scale;
  head("book", e.h);
  out_ += ",\"seq\":" + std::to_string(e.seq);
  for (Side side : {kBid, kAsk}) {
    out_ += side == kBid ? ",\"bids\":[" : ",\"asks\":[";
    const uint32_t n = book.depth(side) < book_levels_ ? book.depth(side) : book_levels_;
    for (uint32_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      Level l = book.level(side, i);
      out_ += '[';
      num(l.price, sc.price_dp);
      out_ += ',';
      num(l.qty, sc.qty_dp);
      out_ += ']';
    }
    out_ += ']';
  }
  out_ += "}\n";
}

void JsonlSink::on_resync(const ResyncRequest& e) {
  if (!resync_detail_.empty()) resync_detail_ += "; ";
  resync_detail_ += std::string(markets_.info(e.h.market).symbol()) + " " + resync_reason_name(e.reason) +
                    " (expected " + std::to_string(e.expected_seq) + ", got " + std::to_string(e.got_seq) + ")";
}

void JsonlSink::on_stale(const StaleEvent& e) {
  head("stale", e.h);
  out_ += ",\"last_ts_ms\":";
  ts_ms(e.last_update_ns);
  out_ += ",\"now_ts_ms\":";
  ts_ms(e.now_ns);
  out_ += "}\n";
}

void JsonlSink::error(uint64_t line, const Status& st) {
  std::string reason = to_string(st.code);
  if (st.where && *st.where) { reason += ": "; reason += st.where; }
  if (!resync_detail_.empty()) { reason += " ["; reason += resync_detail_; reason += "]"; }
  resync_detail_.clear();
  out_ += "{\"type\":\"error\",\"line\":" + std::to_string(line) + ",\"reason\":";
  append_json_string(out_, reason);
  out_ += "}\n";
}

}  // namespace liqd::feeds
