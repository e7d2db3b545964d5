// `venues[i].order_entry:` of a market file: where and how liqd sends the
// backstop vault's hedge orders to an external venue.
//
//   order_entry: {type: binance-rest, base_url: "https://fapi.binance.com",
//                 api_key_file: keys/binance.key, secret_file: keys/binance.secret,
//                 ca_file: keys/private-ca.pem, recv_window_ms: 5000, request_timeout_ms: 2000}
//
// base_url is https://HOST[:PORT] (TLS, peer and host name verified; port 443 by
// default) or http://HOST:PORT (plain, for a trusted link such as loopback). HOST
// is a DNS name, an IPv4 address or [IPv6]. No path: the adapter's paths are
// Binance's own (/fapi/v1/order). ca_file (https only) adds a PEM CA file to the
// system's store, for a venue behind a private CA.
#include <boost/asio/ip/address.hpp>
#include <filesystem>
#include <string>

#include "config/market_parts.hpp"

namespace liqd::config::detail {

namespace {

// A DNS name as RFC 1123 allows it: labels of letters, digits and '-', not
// starting or ending with '-', at most 63 characters each, 253 in all.
bool is_dns_name(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i <= h.size(); ++i) {
    const char c = i < h.size() ? h[i] : '.';
    if (c == '.') {
      if (label == 0 || label > 63 || h[i - 1] == '-' || h[i - label] == '-') return false;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
      ++label;
    } else {
      return false;
    }
  }
  return true;
}

// "http://HOST:PORT" or "https://HOST[:PORT]" (optionally one trailing '/').
bool read_base_url(const Ctx& ctx, const YAML::Node& n, const std::string& key, OrderEntryConfig& out) {
  std::string u;
  if (!read_string(ctx, n, key, u)) return false;
  const bool tls = u.rfind("https://", 0) == 0;
  if (!tls && u.rfind("http://", 0) != 0) {
    ctx.error(n, key, "'" + u + "' must start with https:// (or http:// on a trusted link)");
    return false;
  }
  const std::string shape = tls ? "https://HOST[:PORT]" : "http://HOST:PORT";
  std::string rest = u.substr(tls ? 8 : 7);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    ctx.error(n, key, "'" + u + "' must not have a path (the adapter sends to Binance's /fapi/v1/order)");
    return false;
  }
  std::string host, port;
  bool bracketed = false;
  if (!rest.empty() && rest[0] == '[') {  // [ipv6] or [ipv6]:port
    const size_t close = rest.find(']');
    if (close == std::string::npos || (close + 1 < rest.size() && rest[close + 1] != ':')) {
      ctx.error(n, key, "'" + u + "' must be " + shape);
      return false;
    }
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) port = rest.substr(close + 2);
    bracketed = true;
  } else {
    const size_t colon = rest.rfind(':');
    host = colon == std::string::npos ? rest : rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  if (port.empty() && tls && rest.find(bracketed ? "]:" : ":") == std::string::npos) port = "443";
  if (port.empty()) {
    ctx.error(n, key, "'" + u + "' must be " + shape + (tls ? "" : " (the port is required)"));
    return false;
  }
  int p = 0;
  bool digits = port.size() <= 5;
  for (char c : port) {
    if (c < '0' || c > '9') digits = false;
    else p = p * 10 + (c - '0');
  }
  if (!digits || p < 1 || p > 65535) {
    ctx.error(n, key, "'" + u + "': port '" + port + "' is not in 1-65535");
    return false;
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec && (bracketed || !is_dns_name(host))) {
    ctx.error(n, key, "'" + u + "': host '" + host + "' is neither an IP address nor a DNS name");
    return false;
  }
  // Plain http to localhost goes to 127.0.0.1 (no ::1 attempt first); over
  // https the name stays, as the certificate is checked against it.
  out.host = !tls && host == "localhost" ? "127.0.0.1" : host;
  out.port = p;
  out.tls = tls;
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
  if (YAML::Node c = m.get("ca_file"); c.IsDefined()) {
    if (!out.tls)
      ctx.error(c, m.key_path("ca_file"), "is for https only; base_url is plain http");
    else if (read_string(ctx, c, m.key_path("ca_file"), out.ca_file))
      out.ca_file = resolve_against(ctx.file, out.ca_file);
  }
  // Binance: recvWindow may not exceed 60000 ms (SIGNED endpoint security).
  if (YAML::Node r = m.get("recv_window_ms"); r.IsDefined())
    read_int(ctx, r, m.key_path("recv_window_ms"), 1, 60'000, out.recv_window_ms);
  if (YAML::Node r = m.get("request_timeout_ms"); r.IsDefined())
    read_int(ctx, r, m.key_path("request_timeout_ms"), 100, 60'000, out.request_timeout_ms);
  m.finish();
  return ctx.diag.size() == before;
}

}  // namespace liqd::config::detail
