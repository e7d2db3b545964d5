#include "feeds/transport/ws_client.hpp"

#include <libwebsockets.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "feeds/transport/backoff.hpp"
#include "feeds/transport/url.hpp"

namespace liqd::feeds {

namespace {

int lws_callback(struct lws* wsi, enum lws_callback_reasons reason, void* user, void* in, size_t len);

// rx_buffer_size: how much lws reads per callback; a message larger than this
// arrives in several LWS_CALLBACK_CLIENT_RECEIVE calls and is reassembled.
const lws_protocols kProtocols[] = {
    {"liqd-ws", lws_callback, 0, 65536, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

const char* kDefaultCaFile = "/etc/ssl/certs/ca-certificates.crt";  // Debian's ca-certificates bundle

void route_lws_logs() {
  static std::once_flag once;
  std::call_once(once, [] {
    lws_set_log_level(LLL_ERR | LLL_WARN, [](int level, const char* line) {
      std::string_view s(line);
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
      if (level & LLL_ERR) spdlog::warn("lws: {}", s);
      else spdlog::debug("lws: {}", s);
    });
  });
}

}  // namespace

struct WsClient::Impl {
  Impl(WsOptions o, WsCallbacks c)
      : opts(std::move(o)), cbs(std::move(c)),
        backoff(opts.backoff_initial_ms, opts.backoff_max_ms, opts.seed ? opts.seed : std::random_device{}()) {}

  // --- fixed after start() ---
  WsOptions opts;
  WsCallbacks cbs;
  Url url;
  std::string host_header;
  TransportCounters counters;

  // --- shared with other threads ---
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<bool> is_connected{false};
  std::mutex ctx_mu;                 // guards `ctx` for lws_cancel_service from other threads
  lws_context* ctx = nullptr;
  std::mutex inbox_mu;               // other threads -> connection thread (not on the message path)
  std::vector<std::string> inbox_sends;
  std::string inbox_reconnect;       // non-empty: drop the connection with this reason
  bool inbox_wake = false;

  // --- connection thread only ---
  struct Tick {
    lws_sorted_usec_list_t sul;  // first member: the sul pointer is the Tick pointer
    Impl* self;
  } tick{};
  lws* wsi = nullptr;
  bool attempt_active = false;       // a connect is in progress or established
  bool established = false;
  bool destroying = false;           // lws_context_destroy is running: no user callbacks
  int64_t next_connect_ns = 0;       // monotonic; 0: now
  int64_t attempt_started_ns = 0;
  int64_t last_input_ns = 0;
  int64_t last_ping_ns = 0;
  bool ping_due = false;
  bool got_message = false;          // on this connection (resets the backoff)
  std::string close_reason;          // set when we close on purpose
  lws_close_status close_status = LWS_CLOSE_STATUS_NORMAL;
  int peer_close_code = 0;
  std::string peer_close_text;
  std::deque<std::string> out;       // queued text messages
  std::vector<unsigned char> txbuf;  // LWS_PRE + payload
  std::string rx;                    // reassembly of a multi-part message
  bool in_message = false;
  bool discarding = false;           // the current message overflowed: drop the rest
  Backoff backoff;

  void run();
  void on_tick();
  void connect_now();
  void attempt_failed(std::string_view why);
  void connection_closed();
  void schedule_reconnect();
  void request_close(std::string reason, lws_close_status status);
  void drain_inbox();
  int on_receive(lws* w, void* in, size_t len);
  int on_writeable(lws* w);
};

namespace {

int lws_callback(struct lws* wsi, enum lws_callback_reasons reason, void* /*user*/, void* in, size_t len) {
  lws_context* ctx = lws_get_context(wsi);
  auto* self = ctx ? static_cast<WsClient::Impl*>(lws_context_user(ctx)) : nullptr;
  if (!self) return 0;
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
      self->wsi = wsi;
      self->established = true;
      self->is_connected.store(true, std::memory_order_release);
      TransportCounters::inc(self->counters.connects);
      const int64_t now = mono_ns();
      self->last_input_ns = now;
      self->last_ping_ns = now;
      self->got_message = false;
      self->peer_close_code = 0;
      self->peer_close_text.clear();
      self->close_reason.clear();
      self->in_message = self->discarding = false;
      self->out.clear();
      for (const std::string& s : self->opts.subscribe) self->out.push_back(s);
      if (!self->out.empty()) lws_callback_on_writable(wsi);
      spdlog::info("ws {}: connected to {}", self->opts.name, self->opts.url);
      if (self->cbs.on_connected && !self->destroying) self->cbs.on_connected();
      return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
      return self->on_receive(wsi, in, len);
    case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
      self->last_input_ns = mono_ns();
      return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
      return self->on_writeable(wsi);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (len >= 2) {
        const auto* p = static_cast<const unsigned char*>(in);
        self->peer_close_code = p[0] << 8 | p[1];
        self->peer_close_text.assign(reinterpret_cast<const char*>(p) + 2, len - 2);
      }
      return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      self->attempt_failed(in && len ? std::string_view(static_cast<const char*>(in), len)
                           : in      ? std::string_view(static_cast<const char*>(in))
                                     : std::string_view("connection error"));
      return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
      self->connection_closed();
      return 0;
    case LWS_CALLBACK_WSI_DESTROY:
      if (self->wsi == wsi) {
        // Destroyed without CLIENT_CLOSED / CONNECTION_ERROR (should not happen; be safe).
        if (self->established) self->connection_closed();
        else if (self->attempt_active) self->attempt_failed("connection destroyed");
        self->wsi = nullptr;
      }
      return 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
      self->drain_inbox();
      return 0;
    default:
      return 0;
  }
}

}  // namespace

int WsClient::Impl::on_receive(lws* w, void* in, size_t len) {
  last_input_ns = mono_ns();
  TransportCounters::inc(counters.bytes, len);
  const bool final = lws_is_final_fragment(w) && lws_remaining_packet_payload(w) == 0;
  if (discarding) {
    if (final) discarding = false;
    return 0;
  }
  const char* data = static_cast<const char*>(in);
  if (!in_message && final) {
    // The usual case: the whole message in one piece, no copy.
    if (len > opts.max_message_bytes) {
      TransportCounters::inc(counters.oversize);
      TransportCounters::inc(counters.errors);
      request_close("message of " + std::to_string(len) + " bytes above max_message_bytes", LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
      return 0;
    }
    got_message = true;
    TransportCounters::inc(counters.messages);
    if (cbs.on_message && !destroying) cbs.on_message(std::string_view(data, len), wall_ns());
    return 0;
  }
  if (!in_message) {
    rx.clear();
    in_message = true;
  }
  if (rx.size() + len > opts.max_message_bytes) {
    TransportCounters::inc(counters.oversize);
    TransportCounters::inc(counters.errors);
    in_message = false;
    discarding = !final;
    request_close("message above " + std::to_string(opts.max_message_bytes) + " bytes", LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
    return 0;
  }
  rx.append(data, len);
  if (!final) return 0;
  in_message = false;
  got_message = true;
  TransportCounters::inc(counters.messages);
  if (cbs.on_message && !destroying) cbs.on_message(rx, wall_ns());
  return 0;
}

int WsClient::Impl::on_writeable(lws* w) {
  if (!close_reason.empty()) {
    // Closing on purpose (idle, oversize, reconnect request): tell the peer why.
    const std::string& r = close_reason;
    lws_close_reason(w, close_status,
                     reinterpret_cast<unsigned char*>(const_cast<char*>(r.data())), std::min<size_t>(r.size(), 100));
    return -1;
  }
  if (ping_due) {
    ping_due = false;
    if (opts.ping_text.empty()) {
      unsigned char buf[LWS_PRE + 4];
      if (lws_write(w, buf + LWS_PRE, 0, LWS_WRITE_PING) < 0) return -1;
    } else {
      out.push_front(opts.ping_text);
    }
    TransportCounters::inc(counters.sent);
  }
  if (!out.empty()) {
    const std::string& m = out.front();
    txbuf.resize(LWS_PRE + m.size());
    std::memcpy(txbuf.data() + LWS_PRE, m.data(), m.size());
    if (lws_write(w, txbuf.data() + LWS_PRE, m.size(), LWS_WRITE_TEXT) < static_cast<int>(m.size())) return -1;
    out.pop_front();
    TransportCounters::inc(counters.sent);
  }
  if (!out.empty() || ping_due) lws_callback_on_writable(w);
  return 0;
}

void WsClient::Impl::request_close(std::string reason, lws_close_status status) {
  if (!wsi) return;
  if (!close_reason.empty()) return;  // already closing
  close_reason = std::move(reason);
  close_status = status;
  if (established) {
    lws_callback_on_writable(wsi);
    // If the socket never becomes writable, lws kills it after 2 s.
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, 2);
  } else {
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  }
}

void WsClient::Impl::schedule_reconnect() {
  const int64_t delay = backoff.next_ms();
  counters.last_backoff_ms.store(delay, std::memory_order_relaxed);
  next_connect_ns = mono_ns() + delay * 1'000'000;
}

void WsClient::Impl::attempt_failed(std::string_view why) {
  if (!attempt_active) return;
  attempt_active = false;
  established = false;
  wsi = nullptr;
  TransportCounters::inc(counters.connect_failures);
  TransportCounters::inc(counters.errors);
  if (destroying) return;
  schedule_reconnect();
  spdlog::warn("ws {}: connect to {} failed: {} (attempt {}, next in {} ms)", opts.name, opts.url, why,
               TransportCounters::get(counters.connect_attempts), counters.last_backoff_ms.load(std::memory_order_relaxed));
}

void WsClient::Impl::connection_closed() {
  if (!established) {
    attempt_failed("closed before the handshake completed");
    return;
  }
  attempt_active = false;
  established = false;
  wsi = nullptr;
  is_connected.store(false, std::memory_order_release);
  in_message = discarding = false;
  out.clear();
  if (destroying) return;  // stop(): not a disconnect the owner needs to hear about
  TransportCounters::inc(counters.disconnects);
  if (got_message) backoff.reset();
  schedule_reconnect();
  std::string reason = !close_reason.empty() ? close_reason
                       : peer_close_code     ? "peer closed (" + std::to_string(peer_close_code) + " " + peer_close_text + ")"
                                             : std::string("connection lost");
  spdlog::warn("ws {}: disconnected from {}: {} (disconnects {}, next attempt in {} ms)", opts.name, opts.url, reason,
               TransportCounters::get(counters.disconnects), counters.last_backoff_ms.load(std::memory_order_relaxed));
  if (cbs.on_disconnected) cbs.on_disconnected(reason);
}

void WsClient::Impl::connect_now() {
  if (TransportCounters::get(counters.connect_attempts) > 0) TransportCounters::inc(counters.reconnects);
  TransportCounters::inc(counters.connect_attempts);
  attempt_active = true;
  established = false;
  close_reason.clear();
  peer_close_code = 0;
  attempt_started_ns = mono_ns();
  lws_client_connect_info ci{};
  ci.context = ctx;
  ci.address = url.host.c_str();
  ci.port = url.port;
  ci.path = url.target.c_str();
  ci.host = host_header.c_str();
  ci.origin = host_header.c_str();
  ci.ietf_version_or_minus_one = -1;
  ci.local_protocol_name = kProtocols[0].name;
  if (url.tls) {
    ci.ssl_connection = LCCSCF_USE_SSL;
    if (!opts.verify_peer)
      ci.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK | LCCSCF_ALLOW_EXPIRED |
                           LCCSCF_ALLOW_INSECURE;
  }
  lws* w = nullptr;
  ci.pwsi = &w;
  wsi = nullptr;
  lws* r = lws_client_connect_via_info(&ci);  // may resolve DNS here, blocking this thread
  if (!r) {
    attempt_failed("lws_client_connect_via_info failed");  // no-op if the error callback already ran
    return;
  }
  if (attempt_active) wsi = r;
}

void WsClient::Impl::drain_inbox() {
  std::vector<std::string> sends;
  std::string reconnect_reason;
  bool woke = false;
  {
    std::lock_guard<std::mutex> lk(inbox_mu);
    sends.swap(inbox_sends);
    reconnect_reason.swap(inbox_reconnect);
    woke = inbox_wake;
    inbox_wake = false;
  }
  if (established && wsi) {
    for (auto& s : sends) out.push_back(std::move(s));
    if (!out.empty()) lws_callback_on_writable(wsi);
  }
  if (!reconnect_reason.empty() && wsi) request_close(reconnect_reason, LWS_CLOSE_STATUS_NORMAL);
  if (woke && cbs.on_wake && !destroying) cbs.on_wake();
}

void WsClient::Impl::on_tick() {
  const int64_t now = mono_ns();
  if (!stopping.load(std::memory_order_acquire)) {
    if (!attempt_active && now >= next_connect_ns) connect_now();
    if (established && wsi) {
      if (opts.idle_timeout_ms > 0 && now - last_input_ns > opts.idle_timeout_ms * 1'000'000 && close_reason.empty()) {
        TransportCounters::inc(counters.idle_timeouts);
        request_close("idle timeout: no input for " + std::to_string(opts.idle_timeout_ms) + " ms", LWS_CLOSE_STATUS_NORMAL);
      } else if (opts.ping_interval_ms > 0 && now - last_ping_ns >= opts.ping_interval_ms * 1'000'000) {
        last_ping_ns = now;
        ping_due = true;
        lws_callback_on_writable(wsi);
      }
    } else if (attempt_active && wsi && now - attempt_started_ns > opts.connect_timeout_ms * 1'000'000 &&
               close_reason.empty()) {
      close_reason = "connect timeout";
      lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    if (cbs.on_tick) cbs.on_tick(now);
  }
  lws_sul_schedule(ctx, 0, &tick.sul, [](lws_sorted_usec_list_t* sul) {
    auto* t = reinterpret_cast<Tick*>(sul);
    t->self->on_tick();
  }, opts.tick_ms * 1000);
}

void WsClient::Impl::run() {
  route_lws_logs();
  lws_context_creation_info info{};
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = kProtocols;
  info.gid = -1;
  info.uid = -1;
  info.user = this;
  info.timeout_secs = static_cast<unsigned int>(std::max<int64_t>(1, (opts.connect_timeout_ms + 999) / 1000));
  std::string ca = opts.ca_file;
  if (url.tls) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (ca.empty()) ca = kDefaultCaFile;
    info.client_ssl_ca_filepath = ca.c_str();
  }
  lws_context* c = lws_create_context(&info);
  if (!c) {
    spdlog::error("ws {}: lws_create_context failed; connection not started", opts.name);
    TransportCounters::inc(counters.errors);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(ctx_mu);
    ctx = c;
  }
  tick.self = this;
  // The first tick connects at once.
  lws_sul_schedule(ctx, 0, &tick.sul, [](lws_sorted_usec_list_t* sul) {
    auto* t = reinterpret_cast<Tick*>(sul);
    t->self->on_tick();
  }, 1);
  while (!stopping.load(std::memory_order_acquire)) {
    if (lws_service(ctx, 0) < 0) break;
  }
  lws_sul_cancel(&tick.sul);
  {
    std::lock_guard<std::mutex> lk(ctx_mu);
    ctx = nullptr;
  }
  destroying = true;
  lws_context_destroy(c);
  is_connected.store(false, std::memory_order_release);
}

WsClient::WsClient(WsOptions opts, WsCallbacks cbs) : impl_(std::make_unique<Impl>(std::move(opts), std::move(cbs))) {}

WsClient::~WsClient() { stop(); }

std::string WsClient::start() {
  Impl& s = *impl_;
  if (s.thread.joinable()) return "ws client already started";
  if (std::string err = parse_url(s.opts.url, s.url); !err.empty()) return err;
  if (s.url.scheme != "ws" && s.url.scheme != "wss") return "url: WebSocket needs ws:// or wss://";
  s.host_header = s.url.host_header();
  s.stopping.store(false);
  s.thread = std::thread([&s] { s.run(); });
  return "";
}

void WsClient::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  s.stopping.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lk(s.ctx_mu);
    if (s.ctx) lws_cancel_service(s.ctx);
  }
  s.thread.join();
}

void WsClient::send(std::string text) {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lk(s.inbox_mu);
    s.inbox_sends.push_back(std::move(text));
  }
  std::lock_guard<std::mutex> lk(s.ctx_mu);
  if (s.ctx) lws_cancel_service(s.ctx);
}

void WsClient::wake() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lk(s.inbox_mu);
    s.inbox_wake = true;
  }
  std::lock_guard<std::mutex> lk(s.ctx_mu);
  if (s.ctx) lws_cancel_service(s.ctx);
}

void WsClient::reconnect(std::string reason) {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lk(s.inbox_mu);
    s.inbox_reconnect = reason.empty() ? std::string("reconnect requested") : std::move(reason);
  }
  std::lock_guard<std::mutex> lk(s.ctx_mu);
  if (s.ctx) lws_cancel_service(s.ctx);
}

bool WsClient::connected() const { return impl_->is_connected.load(std::memory_order_acquire); }
const TransportCounters& WsClient::counters() const { return impl_->counters; }
const WsOptions& WsClient::options() const { return impl_->opts; }

}  // namespace liqd::feeds
