#pragma once
// HTTP(S) requests with Boost.Beast, bounded in time: one call resolves, connects,
// (TLS handshake with SNI and peer verification), writes, reads, and gives up
// when timeout_ms has passed in total. Blocking on the caller's thread; each call
// has its own io_context, so a RestClient may be used from several threads.
// Used for Binance REST depth snapshots (off the WebSocket thread) and by
// liqd's own command-line client of its admin API.
#include <cstdint>
#include <string>
#include <string_view>

namespace liqd::feeds {

struct RestOptions {
  int64_t timeout_ms = 5000;           // whole request: resolve .. last body byte
  size_t max_body_bytes = 32u << 20;   // a larger body is an error
  bool verify_peer = true;             // https: verify the chain and the host name
  std::string ca_file;                 // https: extra PEM CA file (added to the system store)
  std::string user_agent = "liqd";
};

struct RestResult {
  int status = 0;       // HTTP status, 0 when no response was read
  std::string body;
  std::string error;    // "" when a response was read (whatever its status)
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

class RestClient {
 public:
  explicit RestClient(RestOptions opts = {}) : opts_(std::move(opts)) {}
  // GET `url` (http:// or https://). Never throws.
  RestResult get(std::string_view url) const;
  // Any method with an optional body and bearer token (the `liqd --check-config
  // --dry-run` client of the admin API). Never throws.
  RestResult request(std::string_view method, std::string_view url, std::string_view body = {},
                     std::string_view bearer = {}) const;
  const RestOptions& options() const { return opts_; }

 private:
  RestOptions opts_;
};

}  // namespace liqd::feeds
