#pragma once
// Binance-compatible REST order entry (USD-M futures paths), on Boost.Beast.
//
// - Every request is signed (signer.hpp): query + recvWindow + timestamp, then
//   HMAC-SHA256 with the API secret; the key goes in X-MBX-APIKEY. Neither is
//   ever logged or put in an error message.
// - newClientOrderId is the tracker's idempotent id, so a retried request cannot
//   create a second order; a "duplicated" answer turns into a status query.
// - 429 (rate limit) and 418 (IP ban) stop all requests until Retry-After (or a
//   default) has passed; the refused request is sent again then, unchanged id.
// - A request without an answer within request_timeout_ms leaves the order's
//   state unknown: nothing is reported and the tracker's timeouts query it.
// - REST answers carry cumulative executedQty / avgPrice, not fills: the adapter
//   turns growth of the cumulative quantity into a fill whose id is that
//   cumulative quantity, so the same answer seen twice is one fill.
// - https (`tls`): TLS 1.2+ through OpenSSL, SNI and peer verification against
//   the system store plus an optional CA file, the certificate checked for
//   `host` (RFC 2818 names). A handshake or verification failure is a request
//   without an answer: counted (tls_failures), the order's state stays unknown.
// - `host` is an IP literal or a name; a name is resolved asynchronously before
//   the first request and again after a connect failure, never per request.
// One request in flight at a time, one connection per request.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/money/fixed.hpp"
#include "executors/adapters/secret_file.hpp"
#include "executors/adapters/venue_adapter.hpp"

namespace liqd::exec {

struct BinanceRestConfig {
  std::string host = "127.0.0.1";    // IP literal or DNS name (also the TLS server name)
  uint16_t port = 443;
  bool tls = false;                  // https
  std::string ca_file;               // tls: extra PEM CA file (added to the system store)
  std::string symbol;
  Scale scale;                       // to print quantities and prices
  int64_t recv_window_ms = 5'000;
  int64_t request_timeout_ms = 2'000;
  int64_t default_429_backoff_ms = 1'000;
  int64_t default_418_backoff_ms = 120'000;
  std::function<int64_t()> clock;    // ms since epoch; timestamps and back-off
};

class BinanceRestAdapter final : public VenueAdapter {
 public:
  BinanceRestAdapter(BinanceRestConfig cfg, Secret api_key, Secret api_secret);
  ~BinanceRestAdapter() override;

  void send_new(const OrderRequest& r) override;
  void send_cancel(const ClientOrderId& id) override;
  void send_query(const ClientOrderId& id) override;
  int poll(UpdateSink& sink) override;
  bool connected() const override { return true; }
  void restore_order(const ClientOrderId& id, Qty filled, i128 filled_quote) override;

  struct Counters {
    uint64_t requests = 0, rate_limited = 0, banned = 0, timeouts = 0, server_errors = 0, bad_answers = 0;
    uint64_t tls_failures = 0, resolve_failures = 0;
  };
  const Counters& counters() const { return c_; }
  // Non-empty when the TLS context could not be set up (e.g. an unreadable CA
  // file): every request would fail, so the owner should not use this adapter.
  const std::string& setup_error() const { return setup_error_; }
  int64_t blocked_until_ms() const { return blocked_until_; }
  size_t queued() const { return queue_.size(); }

 private:
  enum class Kind : uint8_t { New, Cancel, Query };
  struct Request {
    Kind kind;
    ClientOrderId id;
    std::string method;   // POST / DELETE / GET
    std::string params;   // unsigned, without recvWindow/timestamp
  };
  struct InFlight;
  void start_next();
  template <class Stream>
  void exchange(const std::shared_ptr<InFlight>& f, Stream& stream);
  enum class Step : uint8_t { Resolve, Transport, Tls };   // where a request failed: which counter it moves
  void failed(const std::shared_ptr<InFlight>& f, const boost::system::error_code& e, Step step);
  void finish(const Request& req, unsigned status, const std::string& retry_after, const std::string& body, bool ok);
  void on_answer(const Request& req, const std::string& body);
  void on_error(const Request& req, const std::string& body);

  BinanceRestConfig cfg_;
  Secret key_, secret_;
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_client};
  std::string setup_error_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;   // resolved `host`; empty: resolve first
  bool host_is_name_ = false;
  std::deque<Request> queue_;
  std::shared_ptr<InFlight> busy_;
  int64_t blocked_until_ = 0;
  struct Seen { int64_t cum = 0; i128 cum_quote = 0; };
  std::unordered_map<std::string, Seen> seen_;
  std::deque<VenueUpdate> inbox_;
  Counters c_;
};

}  // namespace liqd::exec
