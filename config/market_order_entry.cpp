// `venues[i].order_entry:` of a market file: where and how liqd sends the
// backstop vault's hedge orders to an external venue.
//
//   order_entry: {type: binance-rest, base_url: "http://127.0.0.1:9100",
//                 api_key_file: keys/binance.key, secret_file: keys/binance.secret,
//                 recv_window_ms: 5000, request_timeout_ms: 2000}
//
// Only what the adapter can do is accepted: plain http (the REST adapter has no
// TLS stream yet, so an https URL would be a promise the build cannot keep), an
// IP literal or localhost (it connects to an address, it does not resolve
// names), no path (the adapter's paths are Binance's own, /fapi/v1/order).
#include <boost/asio/ip/address.hpp>
#include <filesystem>
#include <string>

#include "config/market_parts.hpp"

namespace liqd::config::detail {

namespace {

// "http://HOST:PORT" (optionally one trailing '/') into host and port.
bool read_base_url(const Ctx& ctx, const YAML::Node& n, const std::string& key, OrderEntryConfig& out) {
  std::string u;
  if (!read_string(ctx, n, key, u)) return false;
  const std::string pre = "http://";
  if (u.rfind("https://", 0) == 0) {
    ctx.error(n, key, "'" + u + "': https is not supported by this build's REST adapter (no TLS stream); use http:// on a trusted link");
    return false;
  }
  if (u.rfind(pre, 0) != 0) {
    ctx.error(n, key, "'" + u + "' must start with http://");
    return false;
  }
  std::string rest = u.substr(pre.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    ctx.error(n, key, "'" + u + "' must not have a path (the adapter sends to Binance's /fapi/v1/order)");
    return false;
  }
  std::string host, port;
  if (!rest.empty() && rest[0] == '[') {  // [ipv6]:port
    const size_t close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      ctx.error(n, key, "'" + u + "' must be http://HOST:PORT");
      return false;
    }
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      ctx.error(n, key, "'" + u + "' must be http://HOST:PORT (the port is required)");
      return false;
    }
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  int p = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) {
    if (c < '0' || c > '9') digits = false;
    else p = p * 10 + (c - '0');
  }
  if (!digits || p < 1 || p > 65535) {
    ctx.error(n, key, "'" + u + "': port '" + port + "' is not in 1-65535");
    return false;
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) {
    ctx.error(n, key, "'" + u + "': host '" + host + "' is not an IP address (the adapter does not resolve names)");
    return false;
  }
  out.host = host;
  out.port = p;
  return true;
}

std::string resolve_against(const std::string& file, const std::string& p) {
  namespace fs = std::filesystem;
  fs::path path(p);
  if (path.is_relative()) path = fs::path(file).parent_path() / path;
  return path.lexically_normal().string();
}

}  // namespace

bool read_order_entry(const Ctx& ctx, const YAML::Node& n, const std::string& key, const std::string& kind,
                      OrderEntryConfig& out) {
  MapReader m(ctx, n, key);
  if (!m.valid()) return false;
  const size_t before = ctx.diag.size();
  out.line = m.line();
  YAML::Node type = m.require("type");
  if (read_enum(ctx, type, m.key_path("type"), {"binance-rest"}, out.type) && !kind.empty() && kind != "binance-usdm")
    ctx.error(type, m.key_path("type"), "binance-rest is order entry for a binance-usdm venue, not " + kind);
  read_base_url(ctx, m.require("base_url"), m.key_path("base_url"), out);
  if (read_string(ctx, m.require("api_key_file"), m.key_path("api_key_file"), out.api_key_file))
    out.api_key_file = resolve_against(ctx.file, out.api_key_file);
  if (read_string(ctx, m.require("secret_file"), m.key_path("secret_file"), out.secret_file))
    out.secret_file = resolve_against(ctx.file, out.secret_file);
  // Binance: recvWindow may not exceed 60000 ms (SIGNED endpoint security).
  if (YAML::Node r = m.get("recv_window_ms"); r.IsDefined())
    read_int(ctx, r, m.key_path("recv_window_ms"), 1, 60'000, out.recv_window_ms);
  if (YAML::Node r = m.get("request_timeout_ms"); r.IsDefined())
    read_int(ctx, r, m.key_path("request_timeout_ms"), 100, 60'000, out.request_timeout_ms);
  m.finish();
  return ctx.diag.size() == before;
}

}  // namespace liqd::config::detail
