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
  explicit InFlight(asio::io_context& io) : stream(io) {}
  Request req;
  beast::tcp_stream stream;
  http::request<http::empty_body> httpreq;
  http::response<http::string_body> res;
  beast::flat_buffer buf;
  bool done = false;
};

BinanceRestAdapter::BinanceRestAdapter(BinanceRestConfig cfg, Secret api_key, Secret api_secret)
    : cfg_(std::move(cfg)), key_(std::move(api_key)), secret_(std::move(api_secret)) {}

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

void BinanceRestAdapter::start_next() {
  if (busy_ || queue_.empty()) return;
  const int64_t now = cfg_.clock();
  if (now < blocked_until_) return;
  auto f = std::make_shared<InFlight>(io_);
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
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg_.host, ec);
  f->stream.expires_after(std::chrono::milliseconds(cfg_.request_timeout_ms));
  auto fail = [this, f](const boost::system::error_code& e) {
    if (f->done) return;
    f->done = true;
    if (e == beast::error::timeout) ++c_.timeouts;
    else ++c_.server_errors;
    busy_.reset();   // state unknown: the tracker's timers query it
  };
  if (ec) { fail(ec); return; }
  f->stream.async_connect(tcp::endpoint(addr, cfg_.port), [this, f, fail](const boost::system::error_code& e) {
    if (e) { fail(e); return; }
    http::async_write(f->stream, f->httpreq, [this, f, fail](const boost::system::error_code& e2, size_t) {
      if (e2) { fail(e2); return; }
      http::async_read(f->stream, f->buf, f->res, [this, f, fail](const boost::system::error_code& e3, size_t) {
        if (e3) { fail(e3); return; }
        f->done = true;
        boost::system::error_code ignore;
        f->stream.socket().shutdown(tcp::socket::shutdown_both, ignore);
        std::string retry_after(f->res["Retry-After"]);
        finish(f->req, f->res.result_int(), retry_after, f->res.body(), true);
        busy_.reset();
      });
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
