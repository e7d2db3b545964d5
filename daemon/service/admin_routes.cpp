#include "daemon/service/admin_routes.hpp"

#include <fmt/format.h>

#include <charconv>
#include <thread>

#include "config/market_config.hpp"
#include "core/money/decimal.hpp"
#include "core/policy/breaker/circuit_breaker.hpp"

namespace liqd::service {

namespace bhttp = boost::beast::http;

namespace {

http::Response json(const http::Request& req, bhttp::status st, std::string body) {
  return http::make_response(req, st, std::move(body));
}

// A JSON string literal of `s` (quotes, backslashes and control bytes escaped).
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    else out += c;
  }
  return out + '"';
}

std::string error_json(std::string_view what) { return R"({"error":)" + json_string(what) + "}"; }

std::string quoted(i128 units, int dp) { return '"' + format_decimal(units, dp) + '"'; }

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// A JSON-safe symbol: what market files allow (letters, digits, - _ . /).
bool plain_symbol(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

}  // namespace

std::optional<uint32_t> AdminRoutes::market_index(std::string_view symbol) const {
  for (uint32_t m = 0; m < cfg_.cfg->markets.size(); ++m)
    if (cfg_.cfg->markets[m].symbol == symbol) return m;
  return std::nullopt;
}

std::optional<AdminReply> AdminRoutes::ask(AdminRequest r) {
  r.id = next_id_++;
  if (!cfg_.requests->try_push(r)) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + kCoreTimeout;
  AdminReply out;
  while (std::chrono::steady_clock::now() < deadline) {
    while (cfg_.replies->try_pop(out)) {
      lent_.erase(out.id);
      if (out.id == r.id) return out;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return std::nullopt;
}

http::Response AdminRoutes::handle(const http::Request& req, const std::string& peer) {
  std::string_view target(req.target().data(), req.target().size());
  if (const std::size_t q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  const bool get = req.method() == bhttp::verb::get, post = req.method() == bhttp::verb::post;
  auto wrong_method = [&](const char* allowed) {
    return json(req, bhttp::status::method_not_allowed,
                error_json(fmt::format("{} {}: use {}", std::string(req.method_string()), target, allowed)));
  };
  if (target == "/healthz") return get ? json(req, bhttp::status::ok, R"({"status":"ok"})") : wrong_method("GET");
  if (target == "/readyz") {
    if (!get) return wrong_method("GET");
    const std::string why = cfg_.ready_reason();
    if (why.empty()) return json(req, bhttp::status::ok, R"({"ready":true})");
    return json(req, bhttp::status::service_unavailable, R"({"ready":false,"reason":)" + json_string(why) + "}");
  }
  std::string_view rest = target;
  if (consume(rest, "/v1/accounts/")) return get ? account(req, rest) : wrong_method("GET");
  if (consume(rest, "/v1/liquidation-map/")) return get ? liquidation_map(req, rest) : wrong_method("GET");
  if (target == "/v1/markets") return get ? markets(req) : wrong_method("GET");
  if (target == "/v1/pause-all") return post ? action(req, AdminOp::PauseAll, std::nullopt, peer) : wrong_method("POST");
  if (target == "/v1/resume-all") return post ? action(req, AdminOp::ResumeAll, std::nullopt, peer) : wrong_method("POST");
  if (consume(rest, "/v1/dry-run/")) return post ? dry_run(req, rest) : wrong_method("POST");
  if (consume(rest, "/v1/markets/")) {
    const std::size_t slash = rest.find('/');
    const std::string_view symbol = rest.substr(0, slash);
    if (slash == std::string_view::npos) return get ? market(req, symbol) : wrong_method("GET");
    const std::string_view verb = rest.substr(slash + 1);
    if (verb != "pause" && verb != "resume")
      return json(req, bhttp::status::not_found, error_json(fmt::format("no such route: {}", target)));
    if (!post) return wrong_method("POST");
    if (!plain_symbol(symbol)) return json(req, bhttp::status::bad_request, error_json("market symbol: not a symbol"));
    const std::optional<uint32_t> m = market_index(symbol);
    if (!m) return json(req, bhttp::status::not_found, error_json(fmt::format("market '{}' is not configured", symbol)));
    return action(req, verb == "pause" ? AdminOp::Pause : AdminOp::Resume, m, peer);
  }
  return json(req, bhttp::status::not_found, error_json(fmt::format("no such route: {}", target)));
}

http::Response AdminRoutes::account(const http::Request& req, std::string_view id_text) {
  uint64_t id = 0;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (id_text.empty() || ec != std::errc() || end != id_text.data() + id_text.size())
    return json(req, bhttp::status::bad_request, error_json("account id: expected a decimal number (the venue's account id)"));
  AdminRequest r;
  r.op = AdminOp::Account;
  r.account = id;
  const std::optional<AdminReply> a = ask(r);
  if (!a) return json(req, bhttp::status::service_unavailable, error_json("the core did not answer in time; try again"));
  if (a->status == AdminStatus::NotFound)
    return json(req, bhttp::status::not_found, error_json(fmt::format("account {} is not monitored", id)));
  const int qdp = cfg_.cfg->daemon.quote.quote_dp;
  std::string out = fmt::format(
      R"({{"id":{},"collateral":{},"equity":{},"maintenance_margin":{},"initial_margin":{},"slack":{},)"
      R"("liquidatable":{},"in_liquidation":{},"positions":[)",
      id, quoted(a->collateral, qdp), quoted(a->equity, qdp), quoted(a->mm, qdp), quoted(a->im, qdp),
      quoted(static_cast<i128>(a->equity) - a->mm, qdp), a->liquidatable, a->in_liquidation);
  for (uint8_t i = 0; i < a->n_positions; ++i) {
    const ReplyPosition& p = a->positions[i];
    if (p.market >= cfg_.cfg->markets.size()) continue;
    const config::MarketConfig& mc = cfg_.cfg->markets[p.market];
    const Scale& sc = mc.risk.scale;
    if (i > 0) out += ',';
    out += fmt::format(
        R"({{"market":"{}","margin":"{}","side":"{}","size":{},"entry_price":{},"liquidation_price":{},)"
        R"("maintenance_margin":{},"adl_quantile":{}}})",
        mc.symbol, p.isolated ? "isolated" : "cross", p.size >= 0 ? "long" : "short", quoted(p.size, sc.qty_dp),
        quoted(p.entry, sc.price_dp), p.liquidation_price > 0 ? quoted(p.liquidation_price, sc.price_dp) : "null",
        quoted(p.mm, qdp), p.adl_quantile);
  }
  out += "]}";
  return json(req, bhttp::status::ok, std::move(out));
}

std::string AdminRoutes::market_json(uint32_t m, const CoreStats& cs) const {
  const config::MarketConfig& mc = cfg_.cfg->markets[m];
  const MarketSnapshot& s = cs.markets[m];
  const int pdp = mc.risk.scale.price_dp, qdp = cfg_.cfg->daemon.quote.quote_dp;
  auto price = [&](int64_t v) { return v > 0 ? quoted(v, pdp) : std::string("null"); };
  std::string sources;
  for (std::size_t k = 0; k < mc.oracles.size() && k < kMaxSources; ++k) {
    if (k > 0) sources += ',';
    sources += fmt::format(R"({{"name":{},"kind":{},"price":{},"dropped":{}}})", json_string(mc.oracles[k].name),
                           json_string(mc.oracles[k].kind),
                           price(s.source_price[k]), s.source_dropped[k]);
  }
  return fmt::format(
      R"({{"symbol":"{}","mode":"{}","manual_pause":{},"paused_all":{},"oracle_stale":{},"mark":{},"index":{},)"
      R"("book_mid":{},"maintenance_ratio_in_force":{},"realized_volatility":{},"sources":[{}],)"
      R"("orders":{},"liquidations":{},"no_fill":{},"refused":{},"notional_liquidated":{},)"
      R"("breaker_changes":{},"margin_changes":{},"last_price_ms":{}}})",
      mc.symbol, policy::to_string(static_cast<policy::MarketMode>(s.mode)), s.manual_pause != 0, cs.paused_all,
      s.oracle_stale != 0, price(s.mark), price(s.index), price(s.book_mid), quoted(s.mmr_in_force, kRatioDp),
      fmt::format("{:.6g}", s.realized_vol), sources, s.liq_orders, s.liquidations, s.no_fill, s.refused,
      quoted(s.notional_liquidated, qdp), s.breaker_changes, s.margin_changes, s.last_price_ms);
}

http::Response AdminRoutes::market(const http::Request& req, std::string_view symbol) {
  if (!plain_symbol(symbol)) return json(req, bhttp::status::bad_request, error_json("market symbol: not a symbol"));
  const std::optional<uint32_t> m = market_index(symbol);
  if (!m) return json(req, bhttp::status::not_found, error_json(fmt::format("market '{}' is not configured", symbol)));
  CoreStats cs;
  if (!cfg_.snaps->core.try_load(cs)) return json(req, bhttp::status::service_unavailable, error_json("core snapshot busy"));
  return json(req, bhttp::status::ok, market_json(*m, cs));
}

http::Response AdminRoutes::markets(const http::Request& req) {
  CoreStats cs;
  if (!cfg_.snaps->core.try_load(cs)) return json(req, bhttp::status::service_unavailable, error_json("core snapshot busy"));
  std::string out = R"({"markets":[)";
  for (uint32_t m = 0; m < cfg_.cfg->markets.size(); ++m) out += (m ? "," : "") + market_json(m, cs);
  return json(req, bhttp::status::ok, out + "]}");
}

http::Response AdminRoutes::liquidation_map(const http::Request& req, std::string_view symbol) {
  if (!plain_symbol(symbol)) return json(req, bhttp::status::bad_request, error_json("market symbol: not a symbol"));
  const std::optional<uint32_t> m = market_index(symbol);
  if (!m) return json(req, bhttp::status::not_found, error_json(fmt::format("market '{}' is not configured", symbol)));
  LiquidationMap lm;
  if (!cfg_.snaps->maps[*m].try_load(lm)) return json(req, bhttp::status::service_unavailable, error_json("map busy"));
  const config::MarketConfig& mc = cfg_.cfg->markets[*m];
  const int pdp = mc.risk.scale.price_dp, qdp = cfg_.cfg->daemon.quote.quote_dp;
  std::string out = fmt::format(R"({{"symbol":"{}","mark":{},"bucket_width":{},"computed_ms":{},"passes":{})", mc.symbol,
                                lm.mark > 0 ? quoted(lm.mark, pdp) : "null", quoted(lm.bucket_width, kRatioDp),
                                lm.computed_ms, lm.passes);
  // Bucket i of a side spans i..i+1 bucket widths from the mark (prices rounded
  // to the market's tick decimals, toward the mark).
  auto edge = [&](int sign, std::size_t i) {
    const i128 f = static_cast<i128>(kRatioOne) + sign * static_cast<i128>(i) * lm.bucket_width;
    return quoted(div_round(static_cast<i128>(lm.mark) * f, kRatioOne, Round::HalfAwayFromZero), pdp);
  };
  for (int side = 0; side < 2; ++side) {
    const auto& buckets = side == 0 ? lm.below : lm.above;
    const int sign = side == 0 ? -1 : 1;
    out += side == 0 ? R"(,"below":[)" : R"(],"above":[)";
    for (std::size_t i = 0; i < kMapBuckets; ++i) {
      if (i > 0) out += ',';
      out += fmt::format(R"({{"from":{},"to":{},"notional":{}}})", edge(sign, i), edge(sign, i + 1), quoted(buckets[i], qdp));
    }
  }
  out += "]}";
  return json(req, bhttp::status::ok, std::move(out));
}

http::Response AdminRoutes::action(const http::Request& req, AdminOp op, std::optional<uint32_t> market,
                                   const std::string& peer) {
  AdminRequest r;
  r.op = op;
  r.market = market.value_or(0);
  r.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto who = req["X-Liqd-Caller"];
  std::string caller = who.empty() ? peer : std::string(who.data(), who.size()) + "@" + peer;
  const std::size_t n = std::min(caller.size(), r.caller.size() - 1);
  std::copy_n(caller.data(), n, r.caller.data());
  const std::optional<AdminReply> a = ask(r);
  if (!a) return json(req, bhttp::status::service_unavailable, error_json("the core did not answer in time; the action may still apply: check /v1/markets"));
  if (a->status == AdminStatus::BadMarket) return json(req, bhttp::status::not_found, error_json("no such market"));
  const char* what = op == AdminOp::Pause ? "paused" : op == AdminOp::Resume ? "resumed"
                   : op == AdminOp::PauseAll ? "all markets paused" : "all markets resumed";
  std::string market_part = market ? fmt::format(R"(,"market":"{}")", cfg_.cfg->markets[*market].symbol) : "";
  return json(req, bhttp::status::ok, fmt::format(R"({{"ok":true,"action":"{}"{},"caller":{},"journaled":true}})", what,
                                                  market_part, json_string(caller)));
}

http::Response AdminRoutes::dry_run(const http::Request& req, std::string_view symbol) {
  if (!plain_symbol(symbol)) return json(req, bhttp::status::bad_request, error_json("market symbol: not a symbol"));
  const std::optional<uint32_t> m = market_index(symbol);
  if (!m) return json(req, bhttp::status::not_found, error_json(fmt::format("market '{}' is not configured", symbol)));
  config::Diagnostics diag;
  config::MarketDefaults defaults{cfg_.cfg->daemon.quote.quote_dp};
  const std::optional<config::MarketConfig> mc = config::load_market_string(req.body(), "request body", defaults, diag);
  if (!mc) {
    std::string all;
    for (const config::ConfigError& e : diag.errors()) all += (all.empty() ? "" : "; ") + e.str();
    return json(req, bhttp::status::bad_request, error_json(all.empty() ? "market file: not valid" : all));
  }
  if (mc->symbol != symbol)
    return json(req, bhttp::status::bad_request, error_json(fmt::format("symbol: the file is for '{}', the route for '{}'", mc->symbol, symbol)));
  const Scale& now = cfg_.cfg->markets[*m].risk.scale;
  if (mc->risk.scale.price_dp != now.price_dp || mc->risk.scale.qty_dp != now.qty_dp)
    return json(req, bhttp::status::bad_request, error_json("tick_size/lot_size: units changed; that needs a restart, not a reload"));
  AdminRequest r;
  r.op = AdminOp::DryRunRisk;
  r.market = *m;
  // The core reads the risk through the pointer while it answers: the storage
  // is kept in lent_ until the reply with this id arrives (ask() frees it).
  auto risk = std::make_unique<MarketRisk>(mc->risk);
  r.risk = risk.get();
  lent_[next_id_] = std::move(risk);
  const std::optional<AdminReply> a = ask(r);
  if (!a) return json(req, bhttp::status::service_unavailable, error_json("the core did not answer in time; try again"));
  if (a->status != AdminStatus::Ok) return json(req, bhttp::status::service_unavailable, error_json("the core has no accounts yet"));
  std::string sample;
  for (uint8_t i = 0; i < a->n_sample; ++i) sample += (i ? "," : "") + std::to_string(a->sample[i]);
  return json(req, bhttp::status::ok, fmt::format(R"({{"market":"{}","would_become_liquidatable":{},"first_accounts":[{}]}})",
                                                  mc->symbol, a->would_flag, sample));
}

}  // namespace liqd::service
