// The control endpoint (HTTP on loopback): fault switches, pacing and stepping at
// run time, and a status document. Every answer is JSON; a bad request gets 400
// naming the parameter.
//   POST /control/fault?stream=<binance|hyperliquid|pyth|orders|accounts|own>&mode=<none|drop|delay|duplicate|gap|stale>[&rate=0.2][&ms=500]
//   POST /control/step?n=<1..100000>       advance n path steps now
//   POST /control/pause | /control/resume  (resume at the configured pace)
//   POST /control/pace?bar_ms=<n>          wall ms per bar; 0 = as fast as possible; -1 = paused
//   GET  /control/status
#include "core/money/decimal.hpp"
#include "sim/server/impl.hpp"

namespace liqd::sim {

namespace {

net::Response bad(const net::Request& req, const std::string& why) {
  return net::make_response(req, net::http::status::bad_request, "{\"error\":\"" + why + "\"}");
}

bool parse_int(const std::string& s, int64_t lo, int64_t hi, int64_t& out) {
  if (s.empty()) return false;
  if (parse_decimal(s, 0, out) != DecimalError::Ok) return false;
  return out >= lo && out <= hi;
}

}  // namespace

net::Response Simulator::Impl::control(const net::Request& req) {
  std::string_view target(req.target().data(), req.target().size());
  std::string_view route = net::target_path(target);
  const bool post = req.method() == net::http::verb::post;
  if (route == "/control/status") return net::make_response(req, net::http::status::ok, status_json());
  if (!post) return net::make_response(req, net::http::status::method_not_allowed, "{\"error\":\"POST required\"}");
  if (route == "/control/fault") {
    StreamId s;
    if (!parse_stream(net::query_param(target, "stream"), s))
      return bad(req, "stream: expected binance, hyperliquid, pyth, orders, accounts or own");
    FaultSetting f = gates[static_cast<int>(s)].setting();
    if (!parse_fault_mode(net::query_param(target, "mode"), f.mode))
      return bad(req, "mode: expected none, drop, delay, duplicate, gap or stale");
    if (auto r = net::query_param(target, "rate"); !r.empty() && !parse_rate_ppm(r, f.drop_ppm))
      return bad(req, "rate: expected a decimal in [0, 1]");
    if (auto ms = net::query_param(target, "ms"); !ms.empty()) {
      int64_t v = 0;
      if (!parse_int(ms, 0, 600'000, v)) return bad(req, "ms: expected an integer in [0, 600000]");
      f.delay_ms = static_cast<uint32_t>(v);
    }
    set_fault(s, f);
    return net::make_response(req, net::http::status::ok,
                              std::string("{\"stream\":\"") + to_string(s) + "\",\"mode\":\"" + to_string(f.mode) + "\"}");
  }
  if (route == "/control/step") {
    int64_t n = 1;
    if (auto v = net::query_param(target, "n"); !v.empty() && !parse_int(v, 1, 100'000, n))
      return bad(req, "n: expected an integer in [1, 100000]");
    for (int64_t i = 0; i < n; ++i)
      if (!advance_one()) break;
    return net::make_response(req, net::http::status::ok, status_json());
  }
  if (route == "/control/pause") {
    set_pacing(-1);
    return net::make_response(req, net::http::status::ok, status_json());
  }
  if (route == "/control/resume") {
    set_pacing(cfg.bar_wall_ms < 0 ? 500 : cfg.bar_wall_ms);
    return net::make_response(req, net::http::status::ok, status_json());
  }
  if (route == "/control/pace") {
    int64_t ms = 0;
    if (!parse_int(net::query_param(target, "bar_ms"), -1, 3'600'000, ms))
      return bad(req, "bar_ms: expected an integer in [-1, 3600000]");
    set_pacing(ms);
    return net::make_response(req, net::http::status::ok, status_json());
  }
  return net::make_response(req, net::http::status::not_found, "{\"error\":\"unknown control path\"}");
}

std::string Simulator::Impl::reject_reasons_json() const {
  std::string o;
  for (const auto& [why, n] : venue.reject_reasons) {
    if (!o.empty()) o += ",";
    o += "\"";
    for (char c : why) o += c == '"' || c == '\\' ? '_' : c;
    o += "\":" + std::to_string(n);
  }
  return o;
}

// The venue's own view of the damage, independent of liqd. Underwater: an account with
// open positions whose cross unit (collateral + the unrealised PnL of its cross
// positions) or any isolated position (its margin + its PnL) is below zero at the
// current mid: closing it now leaves a loss. Negative balance: a flat account whose
// collateral is below zero, a loss already realised (this venue leaves it on the
// account; liqd's fund or ADL is what covers it). Unrealised PnL = size × (mid −
// entry), floored like a fill's.
Simulator::Impl::Damage Simulator::Impl::damage() const {
  Damage d;
  for (const SimAccount& a : accounts) {
    Quote cross = a.collateral;
    bool under = false, open = false;
    for (const SimPosition& p : a.positions) {
      if (p.size.v == 0 || p.market >= markets.size()) continue;
      open = true;
      const auto& m = markets[p.market];
      const Quote pnl = mul_qty_price(p.size, m.mid - p.entry, m.spec.scale, Round::Floor);
      if (p.isolated) {
        under = under || (p.isolated_margin + pnl).v < 0;
      } else {
        cross += pnl;
      }
    }
    if (open) {
      d.underwater += under || cross.v < 0;
    } else if (a.collateral.v < 0) {
      ++d.negative_accounts;
      d.negative_total -= a.collateral.v;
    }
  }
  return d;
}

std::string Simulator::Impl::status_json() const {
  const Damage dmg = damage();
  std::string o = "{\"step\":" + std::to_string(step_idx) + ",\"steps\":" + std::to_string(path.size()) +
                  ",\"sim_ms\":" + std::to_string(sim_ms) + ",\"bar_ms\":" + std::to_string(bar_wall_ms) +
                  ",\"path_end\":" + (step_idx + 1 >= path.size() ? "true" : "false") + ",\"markets\":[";
  for (size_t i = 0; i < markets.size(); ++i) {
    const auto& m = markets[i];
    if (i) o += ",";
    o += "{\"symbol\":\"" + m.spec.symbol + "\",\"mid\":\"" + format_decimal(m.mid.v, m.spec.scale.price_dp) +
         "\",\"last_update_id\":" + std::to_string(m.hedge_book().last_u) +
         (m.has_ext ? ",\"own_last_update_id\":" + std::to_string(m.own.last_u) : std::string()) + "}";
  }
  o += "],\"streams\":{";
  for (int s = 0; s < kStreamCount; ++s) {
    const auto& g = gates[s];
    const auto& c = g.counters();
    size_t clients = 0;
    if (is_ws_stream(static_cast<StreamId>(s))) {
      for (auto& w : ws_sessions) clients += w->kind() == s;
    } else {
      for (auto& f : frame_sessions) clients += f->kind() == s;
    }
    if (s) o += ",";
    o += std::string("\"") + to_string(static_cast<StreamId>(s)) + "\":{\"mode\":\"" + to_string(g.setting().mode) +
         "\",\"clients\":" + std::to_string(clients) + ",\"sent\":" + std::to_string(c.sent) +
         ",\"dropped\":" + std::to_string(c.dropped) + ",\"delayed\":" + std::to_string(c.delayed) +
         ",\"duplicated\":" + std::to_string(c.duplicated) + ",\"gaps\":" + std::to_string(c.gaps) +
         ",\"stale_dropped\":" + std::to_string(c.stale_dropped) + "}";
  }
  o += "},\"orders\":{\"received\":" + std::to_string(venue.received) + ",\"bad_messages\":" + std::to_string(venue.bad_messages) +
       ",\"acked\":" + std::to_string(venue.acked) + ",\"rejected\":" + std::to_string(venue.rejected) +
       ",\"duplicates\":" + std::to_string(venue.duplicates) + ",\"fills\":" + std::to_string(venue.fills) +
       ",\"filled\":" + std::to_string(venue.filled) + ",\"expired\":" + std::to_string(venue.expired) +
       ",\"cancelled\":" + std::to_string(venue.cancelled) + ",\"queries\":" + std::to_string(venue.queries) + ",\"new_orders\":" + std::to_string(venue.new_orders) +
       ",\"transfers\":" + std::to_string(venue.transfers) + ",\"deleverages\":" + std::to_string(venue.deleverages) +
       ",\"fees\":\"" + format_decimal(venue.fees, 6) + "\"" +
       ",\"reject_reasons\":{" + reject_reasons_json() + "}},\"accounts\":{\"count\":" + std::to_string(accounts.size()) +
       ",\"seq\":" + std::to_string(account_seq) + ",\"underwater\":" + std::to_string(dmg.underwater) +
       ",\"negative_balance\":" + std::to_string(dmg.negative_accounts) + ",\"negative_total\":\"" +
       format_decimal(dmg.negative_total, 6) + "\",\"isolated_losses\":\"" + format_decimal(venue.isolated_losses, 6) + "\"}";
  // The backstop vault as the venue holds it: what a test compares with liqd's journal.
  if (const SimAccount* b = cfg.backstop_account != 0 ? find_account(cfg.backstop_account) : nullptr) {
    o += ",\"backstop\":{\"account\":" + std::to_string(b->id) + ",\"collateral\":\"" + format_decimal(b->collateral.v, 6) +
         "\",\"positions\":[";
    bool first = true;
    for (const SimPosition& p : b->positions) {
      if (p.size.v == 0 || p.market >= markets.size()) continue;
      const MarketSpec& s = markets[p.market].spec;
      o += std::string(first ? "" : ",") + "{\"market\":\"" + s.symbol + "\",\"size_units\":" + std::to_string(p.size.v) +
           ",\"entry\":\"" + format_decimal(p.entry.v, s.scale.price_dp) + "\"}";
      first = false;
    }
    o += "]}";
  }
  o += ",\"hedge\":" + hedge_status_json();
  o += "}";
  return o;
}

}  // namespace liqd::sim
