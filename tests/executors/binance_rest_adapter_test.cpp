// Binance-compatible REST adapter against a loopback Boost.Beast HTTP(S) server:
// signed requests, idempotent client ids, 429/418 back-off, timeouts, answers
// turned into tracker updates; over TLS with a test CA made here (OpenSSL), the
// certificate's names checked, an unknown CA or a wrong name refused.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "executors/adapters/binance/rest_adapter.hpp"
#include "executors/adapters/binance/signer.hpp"
#include "executors/orders/order_tracker.hpp"

namespace liqd::exec {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr const char* kKey = "test-api-key-123";
constexpr const char* kSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

struct Seen {
  std::string method, path, query, api_key;
  std::map<std::string, std::string> params;
  bool signature_ok = false;
};

using Reply = std::optional<std::pair<unsigned, std::pair<std::string, std::string>>>;  // status, (retry-after, body)

// A CA and a server certificate signed by it, made in memory (EC P-256, SHA-256,
// valid one hour around now), as PEM.
struct TestPki {
  std::string ca_pem, cert_pem, key_pem;
};

std::string pem_of(X509* x) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char* p = nullptr;
  const long n = BIO_get_mem_data(b, &p);
  std::string out(p, static_cast<size_t>(n));
  BIO_free(b);
  return out;
}

X509* new_cert(EVP_PKEY* subject_key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, const char* ext_conf[][2]) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), issuer ? 2 : 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, subject_key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  for (int i = 0; ext_conf[i][0]; ++i) {
    X509_EXTENSION* e = X509V3_EXT_conf(nullptr, &ctx, ext_conf[i][0], ext_conf[i][1]);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
  }
  X509_sign(x, issuer_key, EVP_sha256());
  return x;
}

TestPki make_pki(const char* server_names) {  // e.g. "DNS:localhost,IP:127.0.0.1"
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  EVP_PKEY* key = EVP_EC_gen("P-256");
  const char* ca_ext[][2] = {{"basicConstraints", "critical,CA:TRUE"}, {"keyUsage", "critical,keyCertSign"}, {nullptr, nullptr}};
  X509* ca = new_cert(ca_key, "liqd test CA", nullptr, ca_key, ca_ext);
  const char* leaf_ext[][2] = {{"basicConstraints", "critical,CA:FALSE"}, {"extendedKeyUsage", "serverAuth"},
                               {"subjectAltName", server_names}, {nullptr, nullptr}};
  X509* leaf = new_cert(key, "venue", ca, ca_key, leaf_ext);
  TestPki p{pem_of(ca), pem_of(leaf), {}};
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* d = nullptr;
  const long n = BIO_get_mem_data(b, &d);
  p.key_pem.assign(d, static_cast<size_t>(n));
  BIO_free(b);
  X509_free(leaf);
  X509_free(ca);
  EVP_PKEY_free(key);
  EVP_PKEY_free(ca_key);
  return p;
}

// One loopback server, plain HTTP or (with a PKI) HTTPS; a connection is an
// ssl::stream whose next layer alone carries plain HTTP.
class LoopbackHttp {
 public:
  explicit LoopbackHttp(asio::io_context& io, const TestPki* pki = nullptr)
      : io_(io), acc_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), tls_(pki != nullptr) {
    if (pki) {
      ctx_.use_certificate_chain(asio::buffer(pki->cert_pem));
      ctx_.use_private_key(asio::buffer(pki->key_pem), asio::ssl::context::pem);
    }
    accept();
  }
  uint16_t port() const { return acc_.local_endpoint().port(); }
  std::function<Reply(const Seen&)> handler;
  std::vector<Seen> seen;
  int handshakes_failed = 0;

 private:
  struct Conn {
    Conn(asio::io_context& io, asio::ssl::context& ctx) : sock(io, ctx) {}
    asio::ssl::stream<tcp::socket> sock;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
  };
  void accept() {
    auto c = std::make_shared<Conn>(io_, ctx_);
    acc_.async_accept(c->sock.next_layer(), [this, c](const boost::system::error_code& e) {
      if (e) return;
      if (tls_) {
        c->sock.async_handshake(asio::ssl::stream_base::server, [this, c](const boost::system::error_code& e2) {
          if (e2) { ++handshakes_failed; return; }
          serve(c, c->sock);
        });
      } else {
        serve(c, c->sock.next_layer());
      }
      accept();
    });
  }
  template <class Stream>
  void serve(const std::shared_ptr<Conn>& c, Stream& stream) {
    http::async_read(stream, c->buf, c->req, [this, c, &stream](const boost::system::error_code& e2, size_t) {
      if (e2) return;
      Seen s;
      s.method = std::string(c->req.method_string());
      std::string target(c->req.target());
      size_t qm = target.find('?');
      s.path = target.substr(0, qm);
      s.query = qm == std::string::npos ? "" : target.substr(qm + 1);
      s.api_key = std::string(c->req["X-MBX-APIKEY"]);
      size_t sig = s.query.rfind("&signature=");
      if (sig != std::string::npos)
        s.signature_ok = binance::hmac_sha256_hex(kSecret, s.query.substr(0, sig)) == s.query.substr(sig + 11);
      size_t pos = 0;
      while (pos < s.query.size()) {
        size_t amp = s.query.find('&', pos);
        std::string kv = s.query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        size_t eq = kv.find('=');
        s.params[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (amp == std::string::npos) break;
        pos = amp + 1;
      }
      seen.push_back(s);
      Reply r = handler(s);
      if (!r) { held_.push_back(c); return; }   // never answer: the client must time out
      c->res.result(r->first);
      c->res.version(11);
      if (!r->second.first.empty()) c->res.set("Retry-After", r->second.first);
      c->res.body() = r->second.second;
      c->res.prepare_payload();
      c->res.keep_alive(false);
      http::async_write(stream, c->res, [c](const boost::system::error_code&, size_t) {
        boost::system::error_code ignore;
        c->sock.next_layer().shutdown(tcp::socket::shutdown_both, ignore);
      });
    });
  }
  asio::io_context& io_;
  tcp::acceptor acc_;
  asio::ssl::context ctx_{asio::ssl::context::tls_server};
  bool tls_;
  std::vector<std::shared_ptr<Conn>> held_;
};

struct Fixture : TrackerOutput, UpdateSink {
  asio::io_context server_io;
  LoopbackHttp server{server_io};
  int64_t now = 1'499'827'319'559;
  std::unique_ptr<BinanceRestAdapter> rest;
  std::unique_ptr<OrderTracker> tracker;
  std::vector<FillReport> fills;
  std::vector<VenueUpdate> updates;

  explicit Fixture(int64_t timeout_ms = 2'000) { make_client(timeout_ms, [](BinanceRestConfig&) {}); }
  // Over TLS: the server presents `pki`'s certificate; `edit` sets the client's host, tls, ca_file.
  Fixture(const TestPki& pki, const std::function<void(BinanceRestConfig&)>& edit) : server(server_io, &pki) {
    make_client(2'000, edit);
  }
  void make_client(int64_t timeout_ms, const std::function<void(BinanceRestConfig&)>& edit) {
    BinanceRestConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.port = server.port();
    cfg.symbol = "BTCUSDT";
    cfg.scale = Scale{2, 3, 6};
    cfg.request_timeout_ms = timeout_ms;
    cfg.clock = [this] { return now; };
    edit(cfg);
    rest = std::make_unique<BinanceRestAdapter>(cfg, Secret(kKey), Secret(kSecret));
    tracker = std::make_unique<OrderTracker>(TrackerConfig{}, *this);
  }
  void send_new(const OrderRequest& r) override { rest->send_new(r); }
  void send_cancel(const ClientOrderId& id) override { rest->send_cancel(id); }
  void send_query(const ClientOrderId& id) override { rest->send_query(id); }
  void fill(const FillReport& f) override { fills.push_back(f); }
  void reroute(const OrderRequest&, Qty) override {}
  void on_update(const VenueUpdate& u) override { updates.push_back(u); tracker->on_update(u, now); }

  // Pump both sides until done() or a generous safety bound (not a timing assertion).
  void pump(const std::function<bool()>& done, int seconds = 10) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done() && std::chrono::steady_clock::now() < until) {
      server_io.poll();
      server_io.restart();
      rest->poll(*this);
    }
  }
};

OrderRequest order(uint16_t chunk) {
  OrderRequest r;
  r.key = OrderKey{77, 1, 4242, chunk};
  r.id = make_client_order_id(r.key);
  r.side = Side::Sell;
  r.qty = Qty(150);       // 0.150 BTC (qty_dp 3)
  r.limit = Price(3000000);  // 30000.00
  return r;
}

std::string answer(const std::string& id, const char* status, const char* executed, const char* avg) {
  return std::string("{\"orderId\":22542179,\"symbol\":\"BTCUSDT\",\"status\":\"") + status + "\",\"clientOrderId\":\"" + id +
         "\",\"price\":\"30000.00\",\"avgPrice\":\"" + avg + "\",\"origQty\":\"0.150\",\"executedQty\":\"" + executed +
         "\",\"cumQuote\":\"0\",\"timeInForce\":\"IOC\",\"type\":\"LIMIT\",\"reduceOnly\":true,\"side\":\"SELL\",\"updateTime\":1499827319559}";
}

TEST(BinanceRest, SignedOrderFilledOnce) {
  Fixture f;
  auto r = order(0);
  f.server.handler = [&](const Seen& s) -> Reply {
    if (s.method == "POST") return Reply{{200, {"", answer(std::string(r.id.view()), "FILLED", "0.150", "30010.00")}}};
    return Reply{{200, {"", answer(std::string(r.id.view()), "FILLED", "0.150", "30010.00")}}};
  };
  ASSERT_EQ(f.tracker->submit(r, f.now), SubmitResult::Sent);
  f.pump([&] { return f.tracker->find(r.id)->state == OrderState::Filled; });
  ASSERT_EQ(f.tracker->find(r.id)->state, OrderState::Filled);
  ASSERT_EQ(f.server.seen.size(), 1u);
  const Seen& s = f.server.seen[0];
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.path, "/fapi/v1/order");
  EXPECT_EQ(s.api_key, kKey);
  EXPECT_TRUE(s.signature_ok) << s.query;
  EXPECT_EQ(s.params.at("symbol"), "BTCUSDT");
  EXPECT_EQ(s.params.at("side"), "SELL");
  EXPECT_EQ(s.params.at("type"), "LIMIT");
  EXPECT_EQ(s.params.at("timeInForce"), "IOC");
  EXPECT_EQ(s.params.at("quantity"), "0.15");
  EXPECT_EQ(s.params.at("price"), "30000");
  EXPECT_EQ(s.params.at("reduceOnly"), "true");
  EXPECT_EQ(s.params.at("newClientOrderId"), std::string(r.id.view()));
  EXPECT_EQ(s.params.at("recvWindow"), "5000");
  EXPECT_EQ(s.params.at("timestamp"), "1499827319559");
  EXPECT_EQ(s.query.find(kSecret), std::string::npos);   // the secret never travels
  ASSERT_EQ(f.fills.size(), 1u);
  EXPECT_EQ(f.fills[0].qty, Qty(150));
  EXPECT_EQ(f.fills[0].price, Price(3001000));
  // Asking again returns the same cumulative answer: no second fill.
  f.rest->send_query(r.id);
  f.pump([&] { return f.server.seen.size() == 2 && f.rest->queued() == 0 && f.updates.size() >= 3; });
  EXPECT_EQ(f.updates.size(), 3u);   // fill + filled, then filled again without a fill
  EXPECT_EQ(f.fills.size(), 1u);
  EXPECT_EQ(f.server.seen[1].method, "GET");
  EXPECT_EQ(f.server.seen[1].params.at("origClientOrderId"), std::string(r.id.view()));
}

// A restarted process asks about a hedge the journal shows in flight with 0.100
// filled at 30000.00. The venue now says FILLED, 0.150 at avgPrice 30010.00: the
// only new fill is the 0.050 since, at the price that makes the total quote
// match: (0.150 x 30010.00 - 0.100 x 30000.00) / 0.050 = 30030.00. Without the
// restore the answer would be one fill of the whole 0.150 (counted twice).
TEST(BinanceRest, RestoredOrderYieldsOnlyTheFillsAfterTheJournal) {
  Fixture f;
  auto r = order(2);
  f.server.handler = [&](const Seen&) -> Reply {
    return Reply{{200, {"", answer(std::string(r.id.view()), "FILLED", "0.150", "30010.00")}}};
  };
  f.rest->restore_order(r.id, Qty(100), i128(100) * 3'000'000);
  f.rest->send_query(r.id);
  f.pump([&] { return f.updates.size() >= 2; });
  ASSERT_EQ(f.updates.size(), 2u);
  EXPECT_EQ(f.updates[0].kind, UpdateKind::Fill);
  EXPECT_EQ(f.updates[0].fill_qty, Qty(50));
  EXPECT_EQ(f.updates[0].fill_price, Price(3'003'000));
  EXPECT_EQ(f.updates[0].fill_id, 150u);   // the cumulative quantity: new against the journal's 100
  EXPECT_EQ(f.updates[1].kind, UpdateKind::Filled);
  EXPECT_EQ(f.updates[1].cum_qty, Qty(150));
}

TEST(BinanceRest, BacksOffOn429And418ThenRetriesSameId) {
  Fixture f;
  auto r = order(1);
  int calls = 0;
  f.server.handler = [&](const Seen&) -> Reply {
    ++calls;
    if (calls == 1) return Reply{{429, {"2", "{\"code\":-1003,\"msg\":\"Too many requests\"}"}}};
    if (calls == 2) return Reply{{418, {"", "{\"code\":-1003,\"msg\":\"banned\"}"}}};
    return Reply{{200, {"", answer(std::string(r.id.view()), "NEW", "0", "0.00")}}};
  };
  f.tracker->submit(r, f.now);
  f.pump([&] { return f.rest->counters().rate_limited == 1; });
  EXPECT_EQ(f.rest->blocked_until_ms(), f.now + 2'000);   // Retry-After: 2
  // Nothing is sent while blocked.
  for (int i = 0; i < 200; ++i) { f.server_io.poll(); f.server_io.restart(); f.rest->poll(f); }
  EXPECT_EQ(f.server.seen.size(), 1u);
  f.now += 2'000;
  f.pump([&] { return f.rest->counters().banned == 1; });
  EXPECT_EQ(f.server.seen.size(), 2u);
  EXPECT_EQ(f.rest->blocked_until_ms(), f.now + 120'000);  // 418 without Retry-After: default
  f.now += 120'000;
  f.pump([&] { return f.tracker->find(r.id)->state == OrderState::Acknowledged; });
  EXPECT_EQ(f.tracker->find(r.id)->state, OrderState::Acknowledged);
  ASSERT_EQ(f.server.seen.size(), 3u);
  for (const Seen& s : f.server.seen) {
    EXPECT_EQ(s.params.at("newClientOrderId"), std::string(r.id.view()));
    EXPECT_TRUE(s.signature_ok);
  }
  EXPECT_EQ(f.server.seen[2].params.at("timestamp"), std::to_string(f.now));   // re-signed with a fresh timestamp
}

TEST(BinanceRest, TimeoutLeavesStateUnknownForTheTracker) {
  Fixture f(100);
  auto r = order(2);
  f.server.handler = [&](const Seen&) -> Reply { return std::nullopt; };
  f.tracker->submit(r, f.now);
  f.pump([&] { return f.rest->counters().timeouts == 1; });
  EXPECT_EQ(f.rest->counters().timeouts, 1u);
  EXPECT_TRUE(f.updates.empty());
  EXPECT_EQ(f.tracker->find(r.id)->state, OrderState::New);
}

TEST(BinanceRest, ErrorsMapToRejectNotFoundAndDuplicateQuery) {
  Fixture f;
  auto a = order(3), b = order(4), c = order(5);
  f.server.handler = [&](const Seen& s) -> Reply {
    const std::string& id = s.params.count("newClientOrderId") ? s.params.at("newClientOrderId") : s.params.at("origClientOrderId");
    if (id == std::string(a.id.view())) return Reply{{400, {"", "{\"code\":-2019,\"msg\":\"Margin is insufficient.\"}"}}};
    if (id == std::string(b.id.view())) return Reply{{400, {"", "{\"code\":-2013,\"msg\":\"Order does not exist.\"}"}}};
    if (s.method == "POST") return Reply{{400, {"", "{\"code\":-4116,\"msg\":\"ClientOrderId is duplicated.\"}"}}};
    return Reply{{200, {"", answer(id, "FILLED", "0.150", "30000.00")}}};
  };
  f.tracker->submit(a, f.now);
  f.pump([&] { return f.tracker->find(a.id)->state == OrderState::Rejected; });
  EXPECT_EQ(f.tracker->find(a.id)->state, OrderState::Rejected);
  f.rest->send_query(b.id);
  f.pump([&] { return !f.updates.empty() && f.updates.back().kind == UpdateKind::NotFound; });
  EXPECT_EQ(f.updates.back().kind, UpdateKind::NotFound);
  // c was already placed (e.g. before a restart): the duplicate answer becomes a query, which finds it filled.
  f.tracker->submit(c, f.now);
  f.pump([&] { return f.tracker->find(c.id)->state == OrderState::Filled; });
  EXPECT_EQ(f.tracker->find(c.id)->state, OrderState::Filled);
  EXPECT_EQ(f.server.seen.back().method, "GET");
}

// The test CA as a file, as `order_entry.ca_file` would name it; removed at exit.
struct CaFile {
  explicit CaFile(const std::string& pem)
      : path((std::filesystem::temp_directory_path() / ("liqd-test-ca-" + std::to_string(::getpid()) + ".pem")).string()) {
    std::ofstream(path) << pem;
  }
  ~CaFile() { std::remove(path.c_str()); }
  std::string path;
};

Reply filled_answer(const Seen& s) {
  const std::string& id = s.params.count("newClientOrderId") ? s.params.at("newClientOrderId") : s.params.at("origClientOrderId");
  return Reply{{200, {"", answer(id, "FILLED", "0.150", "30010.00")}}};
}

TEST(BinanceRestTls, SignedOrderOverHttpsToANameAndToAnAddress) {
  const TestPki pki = make_pki("DNS:localhost,IP:127.0.0.1");
  const CaFile ca(pki.ca_pem);
  for (const char* host : {"localhost", "127.0.0.1"}) {   // a name (resolved, SNI, DNS SAN) and an IP SAN
    Fixture f(pki, [&](BinanceRestConfig& c) { c.host = host; c.tls = true; c.ca_file = ca.path; });
    ASSERT_EQ(f.rest->setup_error(), "");
    f.server.handler = filled_answer;
    auto r = order(10);
    ASSERT_EQ(f.tracker->submit(r, f.now), SubmitResult::Sent);
    f.pump([&] { return f.tracker->find(r.id)->state == OrderState::Filled; });
    EXPECT_EQ(f.tracker->find(r.id)->state, OrderState::Filled) << host;
    ASSERT_EQ(f.server.seen.size(), 1u) << host;
    EXPECT_TRUE(f.server.seen[0].signature_ok);
    EXPECT_EQ(f.server.seen[0].api_key, kKey);
    ASSERT_EQ(f.fills.size(), 1u);
    EXPECT_EQ(f.fills[0].price, Price(3001000));
    EXPECT_EQ(f.rest->counters().tls_failures, 0u);
    EXPECT_EQ(f.server.handshakes_failed, 0);
  }
}

TEST(BinanceRestTls, UnknownCaOrWrongNameIsNoAnswerAndNothingReachesTheServer) {
  const TestPki pki = make_pki("DNS:venue.example");
  const CaFile ca(pki.ca_pem);
  struct Case { const char* what; const char* host; bool with_ca; };
  for (const Case& k : {Case{"CA not trusted", "127.0.0.1", false}, Case{"certificate for another name", "localhost", true}}) {
    Fixture f(pki, [&](BinanceRestConfig& c) { c.host = k.host; c.tls = true; c.ca_file = k.with_ca ? ca.path : ""; });
    ASSERT_EQ(f.rest->setup_error(), "");
    f.server.handler = filled_answer;
    auto r = order(11);
    f.tracker->submit(r, f.now);
    f.pump([&] { return f.rest->counters().tls_failures == 1; });
    EXPECT_EQ(f.rest->counters().tls_failures, 1u) << k.what;
    EXPECT_TRUE(f.server.seen.empty()) << k.what;      // the request (and its key) never left
    EXPECT_TRUE(f.updates.empty()) << k.what;
    EXPECT_EQ(f.tracker->find(r.id)->state, OrderState::New) << k.what;   // unknown: the tracker asks later
  }
}

TEST(BinanceRestTls, UnreadableCaFileIsASetupErrorNamingIt) {
  Fixture f(2'000);
  BinanceRestConfig c;
  c.tls = true;
  c.ca_file = "/nonexistent/liqd-ca.pem";
  c.clock = [] { return int64_t{0}; };
  BinanceRestAdapter a(c, Secret(kKey), Secret(kSecret));
  EXPECT_NE(a.setup_error().find("/nonexistent/liqd-ca.pem"), std::string::npos) << a.setup_error();
}

}  // namespace
}  // namespace liqd::exec
