#pragma once
// Base of every JSON feed handler. It owns the reused padded input buffer and
// the simdjson On-Demand parser (both sized once, at construction, to the
// largest accepted message), the per-market book states, the counters and the
// staleness clock. A venue handler implements handle() (and optionally
// handle_fast(), tried first: its hot message in the usual shape read straight
// from the caller's bytes, see fast_scan.hpp); on_message() does the
// venue-independent checks first:
//   size limit -> [handle_fast] -> copy into the padded buffer -> iterate -> whole document
//   consumed and nothing but whitespace after it (simdjson 3.0.1 has no
//   document::at_end(): we consume the root with raw_json() and ask
//   current_location(), which is OUT_OF_BOUNDS exactly when no token follows)
//   -> rewind -> handle().
// UTF-8 is validated by simdjson's stage 1 (UTF8_ERROR).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "feeds/book/l2_book.hpp"
#include "feeds/event_sink.hpp"
#include "feeds/feed_counters.hpp"
#include "feeds/market_table.hpp"

namespace liqd::feeds {

namespace od = simdjson::ondemand;

struct FeedOptions {
  size_t max_message_bytes = 1u << 20;  // larger messages are rejected (TooLarge)
  uint32_t book_levels = 8192;          // capacity per side of each book
  uint32_t max_levels_per_message = 16384;
  int64_t stale_after_ns = 0;           // 0: staleness detection off
  std::string only_symbol;              // non-empty: skip every other market early
  std::string snapshot_symbol;          // market a bare REST snapshot applies to (Binance)
  size_t max_buffered_deltas = 4096;    // Binance: deltas held before the snapshot, per market
  size_t max_buffered_bytes = 64u << 20; // ... and in bytes over all markets
  // Walk and check every value of every message (On-Demand alone validates only
  // the fields a handler reads). Off: only bracket balance and trailing content.
  bool validate_full = true;
  // Let the handler read its hot message in the usual shape without simdjson
  // (JsonFeed::handle_fast; same outcome). Off: every message takes the general
  // path (the benchmark's before/after comparison, differential checks).
  bool fast_path = true;
  // Apply levels to the books. Off (benchmarks only: the parser's throughput
  // alone, `liqd-bench feeds`): messages are parsed, checked and sequenced as
  // usual and their events emitted, but books stay empty, so nothing that reads
  // a book (OKX checksum, crossed check, dYdX uncrossing) has anything to do.
  bool apply_books = true;
};

// Full JSON validation of a document (every value visited); leaves it consumed.
simdjson::error_code validate_document(od::document& doc);

enum class SyncState : uint8_t { AwaitingSnapshot, SnapshotLoaded, Synced };

struct BookState {
  explicit BookState(uint32_t levels) : book(levels) {}
  L2Book book;
  SyncState state = SyncState::AwaitingSnapshot;
  uint64_t last_seq = 0;
  int64_t last_update_ns = 0;  // exchange time of the last applied message
  bool stale = false;
};

class JsonFeed {
 public:
  JsonFeed(Venue venue, MarketTable& markets, EventSink& sink, FeedOptions opts);
  virtual ~JsonFeed();
  JsonFeed(const JsonFeed&) = delete;
  JsonFeed& operator=(const JsonFeed&) = delete;

  // One raw message as received (one WebSocket frame / one JSONL line).
  Status on_message(std::string_view raw, int64_t local_ts_ns = 0);

  // Event-time clock: marks markets stale whose last update is older than
  // stale_after_ns relative to `now_ns` (called by on_message with the newest
  // exchange time seen; the daemon may also call it from a timer).
  void check_staleness(int64_t now_ns);

  Venue venue() const { return venue_; }
  const FeedCounters& counters() const { return counters_; }
  const BookState* book_state(MarketId m) const;
  const MarketTable& markets() const { return markets_; }
  const FeedOptions& options() const { return opts_; }

 protected:
  virtual Status handle(simdjson::ondemand::document& doc) = 0;
  // Optional fast path, tried first on the trimmed message (caller's bytes, not
  // padded). Returns false, having changed nothing, when it cannot read the
  // message: the general path (simdjson, validation, handle()) then decides. When
  // it returns true, `st` is the outcome, exactly as handle() would have had it.
  virtual bool handle_fast(std::string_view raw, Status& st) {
    (void)raw;
    (void)st;
    return false;
  }
  // Runs after every successfully handled message, outside the parse, so a
  // handler may feed held messages back through on_message() (Binance replay).
  virtual void after_message() {}

  // The raw bytes of the message being handled (valid inside handle()).
  std::string_view current_raw() const { return current_raw_; }
  int64_t local_ts() const { return local_ts_; }

  // Market lookup honouring only_symbol; kNoMarket with a status when unusable.
  // `skip` is set when the market is filtered out (not an error).
  MarketId market_for(std::string_view symbol, Status& st, bool& skip);
  const Scale& scale(MarketId m) const { return markets_.info(m).scale; }
  BookState& state(MarketId m);

  // Replace the book with the scratch levels (snapshot) or apply them (delta).
  void load_snapshot(BookState& bs, const LevelUpdate* ups, uint32_t n);
  void apply_levels(BookState& bs, const LevelUpdate* ups, uint32_t n);
  void count_apply(const ApplyCounts& c);
  // Drop the book, count and report why; returns the matching error status.
  Status resync(MarketId m, ResyncReason why, uint64_t expected, uint64_t got, const char* where);
  // Emit a book event and update freshness (exch_ts_ns may be 0).
  void book_updated(MarketId m, uint64_t seq, int64_t exch_ts_ns, uint32_t n, bool snapshot);
  // Record exchange time for skew and staleness.
  void saw_exchange_time(int64_t exch_ts_ns);
  EventHeader header(MarketId m, int64_t exch_ts_ns) const {
    return EventHeader{exch_ts_ns, local_ts_, m, venue_};
  }

  Venue venue_;
  MarketTable& markets_;
  EventSink& sink_;
  FeedOptions opts_;
  FeedCounters counters_;
  std::vector<LevelUpdate> scratch_;  // reserved to max_levels_per_message
  bool used_ = false;                 // set by handle() when the message did something
  std::string_view strip_prefix_;     // removed from the front of a message if present (SSE "data:")

 private:
  // Padded copy -> simdjson iterate -> whole-document check -> handle().
  Status handle_general(std::string_view raw);

  std::unique_ptr<char[]> buf_;
  size_t buf_cap_;
  simdjson::ondemand::parser parser_;
  std::vector<std::unique_ptr<BookState>> books_;  // by market id, created on first use
  std::string_view current_raw_;
  int64_t local_ts_ = 0;
  int64_t event_clock_ns_ = 0;
  int64_t last_stale_scan_ns_ = 0;
};

}  // namespace liqd::feeds
