#pragma once
// Normalized feed events: small, fixed-size, trivially copyable structs that a
// feed handler pushes towards core/ (through an SPSC ring) whatever the venue.
// Prices and quantities are fixed-point integers in the market's Scale
// (core/money); `dp` fields say how many decimals a value carries so an event is
// self-describing when printed. Times are Unix nanoseconds: exch_ts from the
// venue's message (0 when the venue sends none), local_ts from the receiver.
#include <cstdint>
#include <type_traits>

namespace liqd::feeds {

enum class Venue : uint8_t { BinanceUsdm, BybitV5, OkxV5, DydxV4, Hyperliquid, PythHermes, Own };
inline constexpr int kVenueCount = 7;
const char* venue_name(Venue v);  // "binance-usdm", "bybit-v5", ... (the `liqd parse` format names)

using MarketId = uint16_t;
inline constexpr MarketId kNoMarket = 0xFFFF;

// Book side; for trades and liquidations the side of the aggressing order.
enum class Side : uint8_t { Buy = 0, Sell = 1 };  // Buy == bid side, Sell == ask side
inline constexpr Side kBid = Side::Buy;
inline constexpr Side kAsk = Side::Sell;

enum class PriceSource : uint8_t { Mark, Index, Oracle, OracleEma, Mid, EstimatedSettle };
const char* price_source_name(PriceSource s);

struct EventHeader {
  int64_t exch_ts_ns = 0;
  int64_t local_ts_ns = 0;
  MarketId market = kNoMarket;
  Venue venue = Venue::Own;
};

// A price from an oracle or the venue's own mark/index/mid.
struct PriceUpdate {
  EventHeader h;
  int64_t price = 0;  // units of 10^-dp
  int64_t conf = 0;   // confidence interval (Pyth), 0 when the source has none
  int8_t dp = 0;
  PriceSource source = PriceSource::Mark;
  bool has_conf = false;
};

// One L2 level change as it comes off the wire: qty 0 deletes the level.
struct LevelUpdate {
  int64_t price = 0;
  int64_t qty = 0;
  Side side = kBid;
};

// A book changed (one venue message applied): seq is the venue's update id.
struct BookUpdated {
  EventHeader h;
  uint64_t seq = 0;
  uint32_t levels_changed = 0;
  bool snapshot = false;
};

// Venue top of book (Binance bookTicker); does not touch the L2 book.
struct BestBidOffer {
  EventHeader h;
  uint64_t seq = 0;
  int64_t bid_px = 0, bid_qty = 0, ask_px = 0, ask_qty = 0;
};

struct Trade {
  EventHeader h;
  uint64_t trade_id = 0;
  int64_t price = 0;
  int64_t qty = 0;
  Side taker = Side::Buy;
};

// A liquidation order seen on a venue. `side` is the side of the liquidation
// ORDER: Sell means a long position was closed.
struct Liquidation {
  EventHeader h;
  int64_t price = 0;
  int64_t qty = 0;
  Side side = Side::Sell;
};

enum class ResyncReason : uint8_t { Gap, Checksum, Crossed, BadDelta, BufferOverflow };
const char* resync_reason_name(ResyncReason r);

// The handler has dropped a book and needs a fresh snapshot (REST or resubscribe).
struct ResyncRequest {
  EventHeader h;
  uint64_t expected_seq = 0;
  uint64_t got_seq = 0;
  ResyncReason reason = ResyncReason::Gap;
};

// No update for a market within the configured time, measured in the venue's
// own event time (the newest exchange timestamp seen on the connection).
struct StaleEvent {
  EventHeader h;
  int64_t last_update_ns = 0;
  int64_t now_ns = 0;
};

static_assert(std::is_trivially_copyable_v<PriceUpdate> && sizeof(PriceUpdate) <= 48);
static_assert(std::is_trivially_copyable_v<BookUpdated> && sizeof(BookUpdated) <= 48);
static_assert(std::is_trivially_copyable_v<Trade> && sizeof(Trade) <= 56);
static_assert(std::is_trivially_copyable_v<Liquidation> && sizeof(Liquidation) <= 48);
static_assert(std::is_trivially_copyable_v<BestBidOffer> && sizeof(BestBidOffer) <= 64);

}  // namespace liqd::feeds
