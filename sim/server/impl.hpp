#pragma once
// Simulator internals shared by the files of sim/server (engine, market data,
// venue, control). Everything here is touched only on the io thread.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "proto/account.pb.h"
#include "proto/order.pb.h"
#include "sim/book/book.hpp"
#include "sim/net/sessions.hpp"
#include "sim/server/simulator.hpp"
#include "sim/util/rng.hpp"
#include "sim/venue/matching.hpp"

namespace liqd::sim {

using Clock = std::chrono::steady_clock;

// One book as the Binance-format streams publish it: its levels, its update-id
// chain and its trade ids, and which streams carry it (a bit per StreamId).
struct PublishedBook {
  BookSides book;
  uint64_t last_u = 0;     // u of the last depthUpdate published (the update-id chain)
  bool snapshot_id_reserved = false;  // a REST snapshot took last_u + 1 (see market_data.cpp)
  uint64_t agg_id = 0, trade_id = 0;
  uint32_t streams = 0;    // 1 << StreamId of every stream this book goes out on
  uint64_t seed = 0;       // its jitter's seed
  DepthGrid grid;          // its depth (the hedge book: the own grid, deeper)
};

struct MarketState {
  MarketSpec spec;
  Price ref;               // market price of the path's first open
  Price mid;
  // The own venue's book: what the order port's IOCs match against, served on the
  // own port (and on the binance port when there is no hedge book).
  PublishedBook own;
  // The external hedge venue's book (--hedge-depth-multiple > 0): an independent
  // book around the same mid, served on the binance port, what /fapi/v1/order fills.
  PublishedBook ext;
  bool has_ext = false;
  int64_t ema_e8 = 0;      // Pyth EMA price at expo -8

  // The book the binance port serves and the hedge venue's orders fill against.
  PublishedBook& hedge_book() { return has_ext ? ext : own; }
  const PublishedBook& hedge_book() const { return has_ext ? ext : own; }
};

struct Delivery {
  StreamId stream;
  std::string topic;                      // WebSocket subscription key; empty for frames
  net::Msg msg;
  std::weak_ptr<net::FrameSession> to;    // orders: the session that sent the order
};

struct Delayed {
  Clock::time_point due;
  Delivery d;
};

struct PendingOrder {
  Clock::time_point due;
  std::weak_ptr<net::FrameSession> session;
  proto::OrderEntryMessage msg;
};

struct VenueCounters {
  uint64_t received = 0, bad_messages = 0, acked = 0, rejected = 0, duplicates = 0, fills = 0, filled = 0,
           expired = 0, cancelled = 0, queries = 0, new_orders = 0,
           transfers = 0,    // backstop transfers done (also counted as acked, fills, filled/expired)
           deleverages = 0;  // auto-deleveraging transfers done (likewise)
  int64_t fees = 0;  // liquidation fees charged on fills (NewOrder.fee_rate), quote units
  int64_t isolated_losses = 0;  // isolated positions closed below zero margin: the loss beyond it
  std::map<std::string, uint64_t> reject_reasons;  // reason -> count (the reason's text up to ':')
};

// The external hedge venue's order entry (hedge_rest.cpp): Binance USD-M REST
// orders from the backstop vault's desk, filled on the market's book.
struct HedgeCounters {
  uint64_t requests = 0, orders = 0, rejected = 0, bad_key = 0, bad_signature = 0, bad_timestamp = 0,
           duplicates = 0, fills = 0, filled = 0, expired = 0, queries = 0, cancels = 0;
};
// What the vault holds on the hedge venue per market, as the venue booked it.
struct HedgePosition {
  int64_t size = 0;      // signed, qty units
  i128 cost = 0;         // signed Σ qty × price, at qty_dp + price_dp (exact)
  int64_t volume = 0;    // Σ |qty| filled, qty units
  uint64_t fills = 0;    // levels taken
  uint64_t orders = 0;   // orders that filled something
};

struct Simulator::Impl {
  explicit Impl(SimConfig c);

  SimConfig cfg;
  boost::asio::io_context io;
  std::vector<PathPoint> path;
  int64_t first_open = 0;
  std::vector<MarketState> markets;
  // The generated population (ids 1..population_size, in order at [id-1]), then the
  // backstop account when there is one (always last). Look ids up with find_account().
  std::vector<SimAccount> accounts;
  size_t population_size = 0;
  uint64_t step_idx = 0;           // index of the path point the books show
  int64_t sim_ms = 0;
  bool path_end_reported = false;

  std::unique_ptr<net::tcp::acceptor> acceptors[7];
  std::unordered_set<std::shared_ptr<net::WsSession>> ws_sessions;
  std::unordered_set<std::shared_ptr<net::FrameSession>> frame_sessions;

  FaultGate gates[kStreamCount];
  std::deque<Delayed> delayed[kStreamCount];
  std::unique_ptr<boost::asio::steady_timer> delay_timers[kStreamCount];

  std::unique_ptr<boost::asio::steady_timer> pace_timer;
  Clock::time_point next_due;
  int64_t bar_wall_ms = 500;

  // venue
  std::deque<PendingOrder> pending;
  std::unique_ptr<boost::asio::steady_timer> order_timer;
  std::unordered_set<std::string> seen_client_ids;
  // Every update sent per client order id, replayed in order on a QueryOrder
  // (a client that lost its connection, or restarted, gets the fills it missed).
  std::unordered_map<std::string, std::vector<proto::OrderUpdate>> order_history;
  uint64_t next_fill_id = 0;
  Rng reject_rng{1};
  VenueCounters venue;
  uint64_t account_seq = 0;

  // hedge venue (hedge_rest.cpp)
  HedgeCounters hedge;
  std::vector<HedgePosition> hedge_positions;             // per market
  std::unordered_map<std::string, std::string> hedge_answers;  // clientOrderId -> final answer (GET replays it)
  uint64_t next_hedge_order_id = 0;

  std::function<void(const std::string&)> on_event;

  // engine (simulator.cpp)
  std::string init();
  std::string listen(int slot, uint16_t port, uint16_t& bound);
  void accept(int slot);
  void schedule_next();
  bool advance_one();
  void publish_step(MarketState& m);
  void publish(StreamId s, std::string topic, net::Msg msg, bool sequenced,
               std::weak_ptr<net::FrameSession> to = {});
  void deliver(const Delivery& d);
  void arm_delay_timer(int s);
  void set_fault(StreamId s, const FaultSetting& f);
  void set_pacing(int64_t ms);
  void shutdown();

  // market data (market_data.cpp)
  void on_ws_upgrade(int slot, net::beast::tcp_stream stream, net::Request req);
  void on_ws_text(net::WsSession& s, std::string_view text);
  // The Binance REST endpoints of a port: `own` for the own port (its depth is the
  // own book; no order entry there), else the binance port.
  net::Response binance_rest(const net::Request& req, bool own);
  void emit_depth(const MarketState& m, PublishedBook& b, const std::vector<Level>& bid_changes,
                  const std::vector<Level>& ask_changes);
  // A Binance-format message of book b on every stream that carries it.
  void publish_book(const PublishedBook& b, const std::string& topic, const net::Msg& msg, bool sequenced);
  // One aggTrade per fill, and the levels the fills took as a depthUpdate, on b's streams.
  void publish_fills(const MarketState& m, PublishedBook& b, const BookSides& before, const std::vector<Fill>& fills,
                     bool buyer_maker);
  net::Msg hl_book_msg(const MarketState& m) const;
  net::Msg pyth_msg(const MarketState& m) const;
  net::Msg all_mids_msg() const;

  // hedge venue (hedge_rest.cpp): POST / GET / DELETE /fapi/v1/order on the Binance port
  net::Response hedge_order(const net::Request& req);
  std::string hedge_status_json() const;

  // venue (venue.cpp)
  void on_order_frame(net::FrameSession& s, std::string_view payload);
  void process_due_orders();
  void arm_order_timer();
  void execute(const std::weak_ptr<net::FrameSession>& to, const proto::NewOrder& o);
  // A NewOrder with transfer_to_account != 0, validated up to its qty: the position
  // moves to the backstop account at limit_price, off the book.
  void execute_transfer(const std::weak_ptr<net::FrameSession>& to, const proto::NewOrder& o, uint32_t mi);
  void reject_order(const std::weak_ptr<net::FrameSession>& to, const proto::NewOrder& o, const std::string& why,
                    bool record = true);
  // Applies a fill to an account and publishes its account events (position, then the
  // collateral delta when nonzero).
  void fill_account(SimAccount& acc, uint32_t mi, Qty signed_qty, Price px, Quote fee = Quote(0));
  // Generated accounts and the backstop account; nullptr for any other id.
  SimAccount* find_account(uint64_t id);
  const SimAccount* find_account(uint64_t id) const;
  // record: keep it for QueryOrder replays (false for the replays themselves).
  void send_update(const std::weak_ptr<net::FrameSession>& to, proto::OrderUpdate u, bool record = true);
  std::string reject_reasons_json() const;
  void on_account_connect(const std::shared_ptr<net::FrameSession>& s);
  void publish_account_event(proto::AccountEvent& ev);
  int market_index(const std::string& symbol) const;

  // control (control.cpp)
  net::Response control(const net::Request& req);
  std::string status_json() const;
  struct Damage {
    uint64_t underwater = 0;         // open accounts with a unit below zero equity at the mids
    uint64_t negative_accounts = 0;  // flat accounts with collateral < 0 (a realised loss)
    int64_t negative_total = 0;      // Σ of those negative balances, quote units (positive)
  };
  Damage damage() const;
};

// Listener slots.
enum Slot : int { kSlotBinance = 0, kSlotHyperliquid = 1, kSlotPyth = 2, kSlotOrders = 3, kSlotAccounts = 4, kSlotControl = 5,
                  kSlotOwn = 6 };
inline constexpr int kSlotCount = 7;

}  // namespace liqd::sim
