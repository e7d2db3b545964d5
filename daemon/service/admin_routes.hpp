#pragma once
// The admin API's routes, served on the HTTP thread after the bearer token has
// been checked (http_front.cpp). Reads come from the core's published
// snapshots (seqlocks); lookups and actions travel to the core as AdminRequest
// on a ring and come back as AdminReply on another, matched by request id. The
// HTTP thread never touches core state.
//
//   GET  /healthz, /readyz
//   GET  /v1/accounts/{id}              health, positions, liquidation prices, ADL quantile
//   GET  /v1/markets                    every market's state (as below)
//   GET  /v1/markets/{symbol}           state, breaker, oracle, volatility, margin in force
//   GET  /v1/liquidation-map/{symbol}   notional liquidated per price bucket around the mark
//   POST /v1/markets/{symbol}/pause | /resume
//   POST /v1/pause-all | /v1/resume-all  (global kill switch)
//   POST /v1/dry-run/{symbol}           body: a market YAML file; answers how many accounts
//                                       it would make liquidatable (liqd --check-config --dry-run)
//
// Every action is journaled by the core with its time and caller (the
// X-Liqd-Caller header, else the peer address). Anything malformed is a 400
// with a JSON error naming what is wrong; an unknown route is 404.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/margin/market_risk.hpp"
#include "daemon/http/server.hpp"
#include "daemon/service/http_front.hpp"

namespace liqd::service {

class AdminRoutes {
 public:
  explicit AdminRoutes(const HttpFrontConfig& cfg) : cfg_(cfg) {}
  http::Response handle(const http::Request& req, const std::string& peer);

  static constexpr std::chrono::milliseconds kCoreTimeout{3000};

 private:
  http::Response account(const http::Request& req, std::string_view id_text);
  http::Response market(const http::Request& req, std::string_view symbol);
  http::Response markets(const http::Request& req);
  http::Response liquidation_map(const http::Request& req, std::string_view symbol);
  http::Response action(const http::Request& req, AdminOp op, std::optional<uint32_t> market, const std::string& peer);
  http::Response dry_run(const http::Request& req, std::string_view symbol);

  std::optional<uint32_t> market_index(std::string_view symbol) const;
  std::string market_json(uint32_t m, const CoreStats& cs) const;
  // Sends `r` to the core and waits for its reply (bounded); nullopt on timeout
  // or a full ring. Replies to requests that timed out earlier are dropped here.
  std::optional<AdminReply> ask(AdminRequest r);

  const HttpFrontConfig& cfg_;
  uint64_t next_id_ = 1;
  // Dry-run risks the core may still be reading (AdminRequest::risk points here),
  // kept until the reply with their id has been seen.
  std::map<uint64_t, std::unique_ptr<MarketRisk>> lent_;
};

}  // namespace liqd::service
