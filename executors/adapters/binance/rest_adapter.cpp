#include "executors/adapters/binance/rest_adapter.hpp"

#include <simdjson.h>

#include "core/money/decimal.hpp"
#include "executors/adapters/binance/signer.hpp"

namespace liqd::exec {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct BinanceRestAdapter::InFlight {
  InFlight(asio::io_context& io, asio::ssl::context& ctx) : stream(io, ctx), resolver(io) {}
  Request req;
  beast::ssl_stream<beast::tcp_stream> stream;   // plain http uses only its next layer
  tcp::resolver resolver;
  http::request<http::empty_body> httpreq;
  http::response<http::string_body> res;
  beast::flat_buffer buf;
  bool done = false;
};

BinanceRestAdapter::BinanceRestAdapter(BinanceRestConfig cfg, Secret api_key, Secret api_secret)
    : cfg_(std::move(cfg)), key_(std::move(api_key)), secret_(std::move(api_secret)) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(cfg_.host, ec);
  host_is_name_ = static_cast<bool>(ec);
  if (!host_is_name_) endpoints_.emplace_back(addr, cfg_.port);   // a name waits for its first request
  if (!cfg_.tls) return;
  ec.clear();
  // TLS 1.2 or later (Binance accepts nothing older), the system's CAs plus the
  // configured file, and the peer must prove it is `host`.
  tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                   ec);
  if (!ec) tls_.set_default_verify_paths(ec);
  if (!ec && !cfg_.ca_file.empty()) tls_.load_verify_file(cfg_.ca_file, ec);
  if (!ec) tls_.set_verify_mode(asio::ssl::verify_peer, ec);
  if (!ec) tls_.set_verify_callback(asio::ssl::host_name_verification(cfg_.host), ec);
  if (ec) setup_error_ = "tls setup" + (cfg_.ca_file.empty() ? std::string() : " (ca_file " + cfg_.ca_file + ")") + ": " + ec.message();
}

BinanceRestAdapter::~BinanceRestAdapter() = default;

void BinanceRestAdapter::send_new(const OrderRequest& r) {
  std::string p = "symbol=" + binance::percent_encode(cfg_.symbol);
  p += r.side == Side::Sell ? "&side=SELL" : "&side=BUY";
  p += "&type=LIMIT&timeInForce=";
  p += r.ioc ? "IOC" : "GTC";
  p += "&quantity=" + format_decimal(r.qty.v, cfg_.scale.qty_dp);
  p += "&price=" + format_decimal(r.limit.v, cfg_.scale.price_dp);
  if (r.reduce_only) p += "&reduceOnly=true";
  p += "&newClientOrderId=" + std::string(r.id.view());
  // RESULT: the answer carries the order's final state and executedQty (an IOC
  // is done by then); the default ACK would answer NEW with nothing executed and
  // leave the fills to a later query (Binance USD-M New Order, newOrderRespType).
  p += "&newOrderRespType=RESULT";
  queue_.push_back(Request{Kind::New, r.id, "POST", std::move(p)});
}

void BinanceRestAdapter::send_cancel(const ClientOrderId& id) {
  queue_.push_back(Request{Kind::Cancel, id, "DELETE",
                           "symbol=" + binance::percent_encode(cfg_.symbol) + "&origClientOrderId=" + std::string(id.view())});
}

void BinanceRestAdapter::send_query(const ClientOrderId& id) {
  queue_.push_back(Request{Kind::Query, id, "GET",
                           "symbol=" + binance::percent_encode(cfg_.symbol) + "&origClientOrderId=" + std::string(id.view())});
}

// A request that got no answer (no route, refused, timed out, TLS refused): the
// venue may or may not have acted on it, so nothing is reported and the
// tracker's timers ask about the order later.
void BinanceRestAdapter::failed(const std::shared_ptr<InFlight>& f, const boost::system::error_code& e, Step step) {
  if (f->done) return;
  f->done = true;
  // One counter per failure: a timeout wherever it struck, else the step's own.
  if (e == beast::error::timeout) ++c_.timeouts;
  else if (step == Step::Tls) ++c_.tls_failures;
  else if (step == Step::Resolve) ++c_.resolve_failures;
  else ++c_.server_errors;
  busy_.reset();
}

void BinanceRestAdapter::start_next() {
  if (busy_ || queue_.empty() || !setup_error_.empty()) return;
  const int64_t now = cfg_.clock();
  if (now < blocked_until_) return;
  auto f = std::make_shared<InFlight>(io_, tls_);
  f->req = queue_.front();
  queue_.pop_front();
  busy_ = f;
  ++c_.requests;
  std::string q = f->req.params + "&recvWindow=" + std::to_string(cfg_.recv_window_ms) + "&timestamp=" + std::to_string(now);
  std::string target = "/fapi/v1/order?" + binance::sign_query(q, secret_.reveal());
  http::verb verb = f->req.method == "POST" ? http::verb::post : f->req.method == "DELETE" ? http::verb::delete_ : http::verb::get;
  f->httpreq = http::request<http::empty_body>(verb, target, 11);
  f->httpreq.set(http::field::host, cfg_.host);
  f->httpreq.set("X-MBX-APIKEY", beast::string_view(key_.reveal().data(), key_.reveal().size()));
  f->httpreq.set(http::field::content_type, "application/x-www-form-urlencoded");
  f->httpreq.keep_alive(false);
  beast::tcp_stream& tcp_layer = f->stream.next_layer();
  // One deadline for connect, handshake, write and read, set now, so a name's
  // resolution spends from it too; the resolution itself is bounded only by the
  // system resolver's own timeouts (asio cannot cancel getaddrinfo).
  tcp_layer.expires_after(std::chrono::milliseconds(cfg_.request_timeout_ms));
  auto connect = [this, f](const std::vector<tcp::endpoint>& eps) {
    f->stream.next_layer().async_connect(eps, [this, f](const boost::system::error_code& e, const tcp::endpoint&) {
      if (e) {
        if (host_is_name_) endpoints_.clear();   // resolve again: the name may point elsewhere now
        failed(f, e, Step::Transport);
        return;
      }
      if (!cfg_.tls) { exchange(f, f->stream.next_layer()); return; }
      // SNI (SSL_set_tlsext_host_name is a macro with a C cast).
      if (!SSL_ctrl(f->stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                    const_cast<char*>(cfg_.host.c_str()))) {
        failed(f, asio::error::invalid_argument, Step::Tls);
        return;
      }
      f->stream.async_handshake(asio::ssl::stream_base::client, [this, f](const boost::system::error_code& e2) {
        if (e2) { failed(f, e2, Step::Tls); return; }
        exchange(f, f->stream);
      });
    });
  };
  if (!endpoints_.empty()) { connect(endpoints_); return; }
  f->resolver.async_resolve(cfg_.host, std::to_string(cfg_.port),
                            [this, f, connect](const boost::system::error_code& e, const tcp::resolver::results_type& rs) {
                              if (e || rs.empty()) {
                                failed(f, e ? e : asio::error::host_not_found, Step::Resolve);
                                return;
                              }
                              endpoints_.clear();
                              for (const auto& r : rs) endpoints_.push_back(r.endpoint());
                              connect(endpoints_);
                            });
}

template <class Stream>
void BinanceRestAdapter::exchange(const std::shared_ptr<InFlight>& f, Stream& stream) {
  http::async_write(stream, f->httpreq, [this, f, &stream](const boost::system::error_code& e, size_t) {
    if (e) { failed(f, e, Step::Transport); return; }
    http::async_read(stream, f->buf, f->res, [this, f](const boost::system::error_code& e2, size_t) {
      // A TLS peer that closes without close_notify after a complete answer
      // (stream_truncated) has still answered; anything else is no answer.
      if (e2 && !(cfg_.tls && e2 == asio::ssl::error::stream_truncated && f->res.result_int() != 0)) {
        failed(f, e2, Step::Transport);
        return;
      }
      f->done = true;
      boost::system::error_code ignore;
      f->stream.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignore);
      std::string retry_after(f->res["Retry-After"]);
      finish(f->req, f->res.result_int(), retry_after, f->res.body(), true);
      busy_.reset();
    });
  });
}

void BinanceRestAdapter::finish(const Request& req, unsigned status, const std::string& retry_after, const std::string& body, bool) {
  if (status == 429 || status == 418) {
    // Refused without processing: send the same request again after the back-off.
    int64_t wait = status == 429 ? cfg_.default_429_backoff_ms : cfg_.default_418_backoff_ms;
    if (!retry_after.empty()) {
      int64_t secs = 0;
      if (parse_decimal(retry_after, 0, secs) == DecimalError::Ok && secs >= 0) wait = secs * 1000;
    }
    blocked_until_ = cfg_.clock() + wait;
    (status == 429 ? c_.rate_limited : c_.banned) += 1;
    queue_.push_front(req);
    return;
  }
  if (status >= 500) { ++c_.server_errors; return; }   // unknown outcome: tracker queries
  if (status == 200) on_answer(req, body);
  else on_error(req, body);
}

namespace {

// Decimal string field -> fixed point; false if absent or malformed.
bool field_fixed(simdjson::ondemand::object& o, const char* name, int dp, int64_t& out) {
  std::string_view s;
  if (o[name].get_string().get(s)) return false;
  return parse_decimal_rounded(s, dp, Round::HalfAwayFromZero, out) == DecimalError::Ok;
}

}  // namespace

void BinanceRestAdapter::on_answer(const Request& req, const std::string& body) {
  simdjson::padded_string buf(body);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object o;
  std::string_view status;
  int64_t cum = 0, avg = 0;
  if (parser.iterate(buf).get(doc) || doc.get_object().get(o) || o["status"].get_string().get(status) ||
      !field_fixed(o, "executedQty", cfg_.scale.qty_dp, cum) || !field_fixed(o, "avgPrice", cfg_.scale.price_dp, avg)) {
    ++c_.bad_answers;
    return;
  }
  VenueUpdate u;
  u.id = req.id;
  u.cum_qty = Qty(cum);
  // Growth of the cumulative quantity is a fill, priced so that the
  // cumulative quote matches avgPrice * executedQty.
  Seen& s = seen_[std::string(req.id.view())];
  if (cum > s.cum) {
    const i128 cum_quote = static_cast<i128>(avg) * cum;
    VenueUpdate f = u;
    f.kind = UpdateKind::Fill;
    f.fill_id = static_cast<uint64_t>(cum);
    f.fill_qty = Qty(cum - s.cum);
    f.fill_price = Price(static_cast<int64_t>(div_round(cum_quote - s.cum_quote, cum - s.cum, Round::HalfAwayFromZero)));
    s.cum = cum;
    s.cum_quote = cum_quote;
    inbox_.push_back(f);
  }
  if (status == "NEW" || status == "PARTIALLY_FILLED") u.kind = UpdateKind::Ack;
  else if (status == "FILLED") u.kind = UpdateKind::Filled;
  else if (status == "CANCELED") u.kind = UpdateKind::Cancelled;
  else if (status == "EXPIRED" || status == "EXPIRED_IN_MATCH") u.kind = UpdateKind::Expired;
  else if (status == "REJECTED") u.kind = UpdateKind::Rejected;
  else { ++c_.bad_answers; return; }
  inbox_.push_back(u);
}

void BinanceRestAdapter::on_error(const Request& req, const std::string& body) {
  simdjson::padded_string buf(body);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  int64_t code = 0;
  if (parser.iterate(buf).get(doc) || doc["code"].get_int64().get(code)) { ++c_.bad_answers; return; }
  VenueUpdate u;
  u.id = req.id;
  // -2013 "Order does not exist.", -2011 "Unknown order sent.": the venue never saw it.
  if (code == -2013 || code == -2011) { u.kind = UpdateKind::NotFound; inbox_.push_back(u); return; }
  // -4116 "ClientOrderId is duplicated.": it exists; ask what became of it.
  if (code == -4116) { send_query(req.id); return; }
  if (req.kind == Kind::New) { u.kind = UpdateKind::Rejected; inbox_.push_back(u); return; }
  ++c_.bad_answers;   // a refused cancel/query: the tracker's timers ask again
}

// The next answer's fill is what executedQty grew by since the journal's fills,
// priced from the quote it added; the restored quote is the fills' own prices, so
// the first fill after a restart may differ from avgPrice's by the rounding of
// the fills before it (at most half a price unit each).
void BinanceRestAdapter::restore_order(const ClientOrderId& id, Qty filled, i128 filled_quote) {
  seen_[std::string(id.view())] = Seen{filled.v, filled_quote};
}

int BinanceRestAdapter::poll(UpdateSink& sink) {
  start_next();
  io_.poll();
  io_.restart();
  start_next();
  int n = 0;
  while (!inbox_.empty()) { sink.on_update(inbox_.front()); inbox_.pop_front(); ++n; }
  return n;
}

}  // namespace liqd::exec
