#pragma once
// Helpers for feed tests: read recorded files, record emitted events.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/event_sink.hpp"
#include "feeds/market_table.hpp"

namespace liqd::feeds::test {

inline std::string data_path(const std::string& rel) { return std::string(LIQD_TEST_DATA_DIR) + "/feeds/" + rel; }

inline std::string read_file(const std::string& rel) {
  std::ifstream f(data_path(rel), std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<std::string> read_lines(const std::string& rel) {
  std::ifstream f(data_path(rel), std::ios::binary);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(f, line)) if (!line.empty()) out.push_back(line);
  return out;
}

struct BookCopy {
  BookUpdated ev;
  std::vector<Level> bids, asks;  // best first
};

class RecordingSink : public EventSink {
 public:
  bool keep_books = true;
  uint32_t book_depth = 1u << 30;
  std::vector<PriceUpdate> prices;
  std::vector<BestBidOffer> bbos;
  std::vector<Trade> trades;
  std::vector<Liquidation> liquidations;
  std::vector<BookCopy> books;
  std::vector<ResyncRequest> resyncs;
  std::vector<StaleEvent> stales;
  uint64_t book_events = 0;

  void on_price(const PriceUpdate& e) override { prices.push_back(e); }
  void on_bbo(const BestBidOffer& e) override { bbos.push_back(e); }
  void on_trade(const Trade& e) override { trades.push_back(e); }
  void on_liquidation(const Liquidation& e) override { liquidations.push_back(e); }
  void on_resync(const ResyncRequest& e) override { resyncs.push_back(e); }
  void on_stale(const StaleEvent& e) override { stales.push_back(e); }
  void on_book(const BookUpdated& e, const L2Book& b) override {
    ++book_events;
    if (!keep_books) return;
    BookCopy c;
    c.ev = e;
    for (uint32_t i = 0; i < b.depth(kBid) && i < book_depth; ++i) c.bids.push_back(b.level(kBid, i));
    for (uint32_t i = 0; i < b.depth(kAsk) && i < book_depth; ++i) c.asks.push_back(b.level(kAsk, i));
    books.push_back(std::move(c));
  }
};

// Brute-force reference book: price -> qty, std::map (no flat arrays, no memmove).
struct MapBook {
  std::map<int64_t, int64_t, std::greater<int64_t>> bids;
  std::map<int64_t, int64_t> asks;
  void set(bool bid, int64_t px, int64_t qty) {
    if (bid) { if (qty == 0) bids.erase(px); else bids[px] = qty; }
    else { if (qty == 0) asks.erase(px); else asks[px] = qty; }
  }
  void clear() { bids.clear(); asks.clear(); }
  template <class M>
  static std::vector<Level> levels(const M& m) {
    std::vector<Level> v;
    for (auto& [p, q] : m) v.push_back(Level{p, q});
    return v;
  }
};

inline bool same_levels(const std::vector<Level>& a, const std::vector<Level>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].price != b[i].price || a[i].qty != b[i].qty) return false;
  return true;
}

}  // namespace liqd::feeds::test
