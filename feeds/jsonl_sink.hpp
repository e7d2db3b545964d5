#pragma once
// Normalized events as JSON lines (the `liqd parse` output). Numbers are printed
// as minimal decimal strings of the fixed-point values (trailing zeros dropped),
// times as Unix milliseconds (null when the venue sent none). Output goes into a
// string the caller flushes. Formats:
//   {"type":"book","venue","market","seq","bids":[[px,qty],...],"asks":[...]}  (top N levels)
//   {"type":"price","venue","market","source","price","conf","ts_ms"}
//   {"type":"bbo","venue","market","seq","bid":[px,qty],"ask":[px,qty],"ts_ms"}
//   {"type":"trade","venue","market","side","price","qty","ts_ms","id"}
//   {"type":"liquidation","venue","market","side","price","qty","ts_ms"}
//   {"type":"stale","venue","market","last_ts_ms","now_ts_ms"}
//   {"type":"error","line","reason"}
#include <string>

#include "feeds/event_sink.hpp"
#include "feeds/market_table.hpp"

namespace liqd::feeds {

class JsonlSink final : public EventSink {
 public:
  JsonlSink(const MarketTable& markets, std::string& out, uint32_t book_levels = 10)
      : markets_(markets), out_(out), book_levels_(book_levels) {}

  void on_price(const PriceUpdate& e) override;
  void on_bbo(const BestBidOffer& e) override;
  void on_trade(const Trade& e) override;
  void on_liquidation(const Liquidation& e) override;
  void on_book(const BookUpdated& e, const L2Book& book) override;
  void on_resync(const ResyncRequest& e) override;
  void on_stale(const StaleEvent& e) override;

  // An error line; adds the resync detail recorded since the last call.
  void error(uint64_t line, const Status& st);
  void clear_pending() { resync_detail_.clear(); }

 private:
  void head(const char* type, const EventHeader& h);
  void num(int64_t units, int dp);
  void ts_ms(int64_t ns);
  const MarketTable& markets_;
  std::string& out_;
  uint32_t book_levels_;
  std::string resync_detail_;
};

// JSON string with escapes (symbols come off the wire and may hold anything).
void append_json_string(std::string& out, std::string_view s);

}  // namespace liqd::feeds
