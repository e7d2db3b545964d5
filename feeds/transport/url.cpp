#include "feeds/transport/url.hpp"

#include <cctype>
#include <charconv>

namespace liqd::feeds {

std::string Url::host_header() const {
  const uint16_t def = tls ? 443 : 80;
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != def) h += ":" + std::to_string(port);
  return h;
}

std::string parse_url(std::string_view text, Url& out) {
  out = Url{};
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) return "url: missing scheme (ws://, wss://, http://, https://)";
  for (char c : text.substr(0, sep)) out.scheme.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (out.scheme == "ws" || out.scheme == "http") out.tls = false;
  else if (out.scheme == "wss" || out.scheme == "https") out.tls = true;
  else return "url: unsupported scheme '" + out.scheme + "'";
  std::string_view rest = text.substr(sep + 3);
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return "url: user info is not supported";
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return "url: unterminated IPv6 address";
    out.host.assign(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "url: junk after IPv6 address";
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host.assign(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return "url: missing host";
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
      return "url: bad port '" + std::string(port_text) + "'";
    out.port = static_cast<uint16_t>(v);
  }
  out.target = target.empty() ? "/" : std::string(target);
  if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  return "";
}

}  // namespace liqd::feeds
