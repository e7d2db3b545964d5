#include "feeds/transport/frame_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "feeds/transport/backoff.hpp"

namespace liqd::feeds {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct FrameClient::Impl {
  Impl(FrameOptions o, FrameCallbacks c)
      : opts(std::move(o)), cbs(std::move(c)),
        backoff(opts.backoff_initial_ms, opts.backoff_max_ms, opts.seed ? opts.seed : std::random_device{}()) {}

  FrameOptions opts;
  FrameCallbacks cbs;
  TransportCounters counters;
  std::atomic<bool> is_connected{false};
  std::thread thread;

  // --- connection thread only ---
  asio::io_context io;
  tcp::resolver resolver{io};
  tcp::socket socket{io};
  asio::steady_timer retry_timer{io};
  asio::steady_timer connect_timer{io};
  asio::steady_timer tick_timer{io};
  std::vector<char> buf;     // receive buffer: [begin, end) holds unparsed bytes
  size_t begin = 0, end = 0;
  uint64_t generation = 0;   // bumps on every close: stale handlers of an old socket ignore themselves
  bool established = false;
  bool stopping = false;
  bool got_frame = false;
  int64_t last_input_ns = 0;
  Backoff backoff;

  void connect();
  void read();
  void parse(int64_t ts);
  void close(const std::string& reason, bool failure);
  void schedule_reconnect();
  void tick();
};

void FrameClient::Impl::schedule_reconnect() {
  if (stopping) return;
  const int64_t delay = backoff.next_ms();
  counters.last_backoff_ms.store(delay, std::memory_order_relaxed);
  retry_timer.expires_after(std::chrono::milliseconds(delay));
  retry_timer.async_wait([this](const error_code& ec) {
    if (!ec && !stopping) connect();
  });
}

void FrameClient::Impl::connect() {
  if (TransportCounters::get(counters.connect_attempts) > 0) TransportCounters::inc(counters.reconnects);
  TransportCounters::inc(counters.connect_attempts);
  const uint64_t gen = ++generation;
  connect_timer.expires_after(std::chrono::milliseconds(opts.connect_timeout_ms));
  connect_timer.async_wait([this, gen](const error_code& ec) {
    if (ec || gen != generation || established) return;
    resolver.cancel();
    error_code ignored;
    socket.close(ignored);
  });
  resolver.async_resolve(opts.host, std::to_string(opts.port), [this, gen](const error_code& ec, const tcp::resolver::results_type& eps) {
    if (gen != generation || stopping) return;
    if (ec) return close("resolve " + opts.host + ": " + ec.message(), true);
    asio::async_connect(socket, eps, [this, gen](const error_code& ec2, const tcp::endpoint&) {
      if (gen != generation || stopping) return;
      if (ec2) return close("connect " + opts.host + ":" + std::to_string(opts.port) + ": " + ec2.message(), true);
      connect_timer.cancel();
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      established = true;
      got_frame = false;
      begin = end = 0;
      last_input_ns = mono_ns();
      is_connected.store(true, std::memory_order_release);
      TransportCounters::inc(counters.connects);
      spdlog::info("frames {}: connected to {}:{}", opts.name, opts.host, opts.port);
      if (cbs.on_connected) cbs.on_connected();
      if (gen == generation && established) read();
    });
  });
}

void FrameClient::Impl::read() {
  // Room for one read: compact when the tail is short.
  if (buf.size() - end < opts.read_bytes) {
    std::memmove(buf.data(), buf.data() + begin, end - begin);
    end -= begin;
    begin = 0;
  }
  const uint64_t gen = generation;
  socket.async_read_some(asio::buffer(buf.data() + end, buf.size() - end), [this, gen](const error_code& ec, size_t n) {
    if (gen != generation || stopping) return;
    if (ec) return close(ec == asio::error::eof ? std::string("peer closed") : "read: " + ec.message(), false);
    const int64_t ts = wall_ns();
    last_input_ns = mono_ns();
    TransportCounters::inc(counters.bytes, n);
    end += n;
    parse(ts);
    if (gen == generation && established) read();
  });
}

void FrameClient::Impl::parse(int64_t ts) {
  const uint64_t gen = generation;
  while (end - begin >= 4) {
    const auto* p = reinterpret_cast<const unsigned char*>(buf.data() + begin);
    const uint32_t n = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                       static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
    if (n > opts.max_frame_bytes) {
      TransportCounters::inc(counters.oversize);
      TransportCounters::inc(counters.errors);
      close("frame of " + std::to_string(n) + " bytes above max_frame_bytes " + std::to_string(opts.max_frame_bytes), false);
      return;
    }
    if (end - begin - 4 < n) break;
    got_frame = true;
    TransportCounters::inc(counters.messages);
    const std::string_view payload(buf.data() + begin + 4, n);
    begin += 4 + static_cast<size_t>(n);
    if (cbs.on_frame) cbs.on_frame(payload, ts);
    if (gen != generation) return;  // on_frame asked for a reconnect
  }
  if (begin == end) begin = end = 0;
}

void FrameClient::Impl::close(const std::string& reason, bool failure) {
  ++generation;
  connect_timer.cancel();
  resolver.cancel();
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  begin = end = 0;
  const bool was_established = established;
  established = false;
  is_connected.store(false, std::memory_order_release);
  if (stopping) return;
  if (!was_established) {
    TransportCounters::inc(counters.connect_failures);
    TransportCounters::inc(counters.errors);
    schedule_reconnect();
    spdlog::warn("frames {}: {} (attempt {}, next in {} ms)", opts.name, reason,
                 TransportCounters::get(counters.connect_attempts), counters.last_backoff_ms.load(std::memory_order_relaxed));
    return;
  }
  if (failure) TransportCounters::inc(counters.errors);
  TransportCounters::inc(counters.disconnects);
  if (got_frame) backoff.reset();
  schedule_reconnect();
  spdlog::warn("frames {}: disconnected from {}:{}: {} (disconnects {}, next attempt in {} ms)", opts.name, opts.host,
               opts.port, reason, TransportCounters::get(counters.disconnects),
               counters.last_backoff_ms.load(std::memory_order_relaxed));
  if (cbs.on_disconnected) cbs.on_disconnected(reason);
}

void FrameClient::Impl::tick() {
  const int64_t period = opts.tick_ms > 0 ? opts.tick_ms : 100;
  tick_timer.expires_after(std::chrono::milliseconds(period));
  tick_timer.async_wait([this](const error_code& ec) {
    if (ec || stopping) return;
    const int64_t now = mono_ns();
    if (established && opts.idle_timeout_ms > 0 && now - last_input_ns > opts.idle_timeout_ms * 1'000'000) {
      TransportCounters::inc(counters.idle_timeouts);
      close("idle timeout: no input for " + std::to_string(opts.idle_timeout_ms) + " ms", true);
    }
    if (opts.tick_ms > 0 && cbs.on_tick) cbs.on_tick(now);
    tick();
  });
}

FrameClient::FrameClient(FrameOptions opts, FrameCallbacks cbs)
    : impl_(std::make_unique<Impl>(std::move(opts), std::move(cbs))) {}

FrameClient::~FrameClient() { stop(); }

std::string FrameClient::start() {
  Impl& s = *impl_;
  if (s.thread.joinable()) return "frame client already started";
  if (s.opts.port == 0) return "frames: port is 0";
  if (s.opts.host.empty()) return "frames: host is empty";
  if (s.opts.max_frame_bytes == 0 || s.opts.read_bytes == 0) return "frames: max_frame_bytes and read_bytes must be > 0";
  s.buf.assign(s.opts.max_frame_bytes + 4 + s.opts.read_bytes, 0);
  s.stopping = false;
  s.io.restart();
  asio::post(s.io, [&s] {
    s.connect();
    if (s.opts.tick_ms > 0 || s.opts.idle_timeout_ms > 0) s.tick();
  });
  s.thread = std::thread([&s] { s.io.run(); });
  return "";
}

void FrameClient::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  asio::post(s.io, [&s] {
    s.stopping = true;
    s.retry_timer.cancel();
    s.tick_timer.cancel();
    s.close("stopped", false);
  });
  s.thread.join();
}

void FrameClient::reconnect(std::string reason) {
  Impl& s = *impl_;
  if (s.thread.get_id() == std::this_thread::get_id()) {
    if (s.established) s.close(reason.empty() ? "reconnect requested" : reason, false);
    return;
  }
  asio::post(s.io, [&s, r = std::move(reason)] {
    if (s.established) s.close(r.empty() ? "reconnect requested" : r, false);
  });
}

void FrameClient::post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }

bool FrameClient::connected() const { return impl_->is_connected.load(std::memory_order_acquire); }
const TransportCounters& FrameClient::counters() const { return impl_->counters; }
const FrameOptions& FrameClient::options() const { return impl_->opts; }

}  // namespace liqd::feeds
