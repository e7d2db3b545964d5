#pragma once
// Minimal URL split for the transports: ws://, wss://, http://, https://.
// host may be a name, an IPv4 address or a bracketed IPv6 address; the port
// defaults to the scheme's (80/443); target is the path plus query ("/" if none).
#include <cstdint>
#include <string>
#include <string_view>

namespace liqd::feeds {

struct Url {
  std::string scheme;  // lower case: ws, wss, http, https
  std::string host;    // without brackets
  uint16_t port = 0;
  std::string target;  // "/path?query"
  bool tls = false;
  // "host" or "host:port" when the port is not the scheme's default (the Host header).
  std::string host_header() const;
};

// Returns "" on success, else what is wrong with the URL.
std::string parse_url(std::string_view text, Url& out);

}  // namespace liqd::feeds
