#include "config/summary.hpp"

#include <cstdio>

#include "core/money/decimal.hpp"

namespace liqd::config {

namespace {

std::string ratio(Ratio r) { return format_decimal(r.v, kRatioDp); }

void line(std::string& out, const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  out += buf;
  out += '\n';
}

std::string pinning(const std::vector<int>& cpus) {
  if (cpus.empty()) return "unpinned";
  std::string s;
  for (int c : cpus) s += (s.empty() ? "" : ",") + std::to_string(c);
  return s;
}

std::string cpu(int c) { return c < 0 ? "unpinned" : std::to_string(c); }

}  // namespace

std::string describe_market(const MarketConfig& m) {
  const MarketRisk& r = m.risk;
  const int q = r.scale.quote_dp;
  const int wide = q + kRatioDp;
  std::string out;
  line(out, "market %s (%s)", m.symbol.c_str(), m.file.c_str());
  line(out, "  tick %s, lot %s (price_dp %d, qty_dp %d, quote_dp %d), liquidation_fee %s, fillable %s",
       format_decimal(r.tick.v, r.scale.price_dp).c_str(), format_decimal(r.lot.v, r.scale.qty_dp).c_str(),
       r.scale.price_dp, r.scale.qty_dp, r.scale.quote_dp, ratio(r.liquidation_fee).c_str(),
       r.has_fillable ? ("bankruptcy_adjustment " + ratio(r.bankruptcy_adjustment) + ", spread_to_mmr " +
                         ratio(r.spread_to_mmr)).c_str()
                      : "none");
  line(out, "  %d tiers:  %-16s %-10s %-10s %-24s %s", r.n_tiers, "max_notional", "imr", "mmr",
       "maintenance_deduction", "initial_deduction");
  for (int i = 0; i < r.n_tiers; ++i) {
    const MarginTier& t = r.tiers[i];
    std::string mm = format_decimal(t.mm_deduction_w, wide) + (m.explicit_mm[i] ? "" : " (derived)");
    std::string im = format_decimal(t.im_deduction_w, wide) + (m.explicit_im[i] ? "" : " (derived)");
    line(out, "    %-7d %-16s %-10s %-10s %-24s %s", i + 1,
         t.unbounded() ? "unbounded" : format_decimal(t.max_notional.v, q).c_str(), ratio(t.imr).c_str(),
         ratio(t.mmr).c_str(), mm.c_str(), im.c_str());
  }
  line(out, "  %zu oracle sources:", m.oracles.size());
  for (const OracleSource& o : m.oracles)
    line(out, "    %s: %s id %s, max staleness %lld ms, max deviation %s", o.name.c_str(), o.kind.c_str(),
         o.id.c_str(), static_cast<long long>(o.max_staleness_ms), ratio(o.max_deviation).c_str());
  line(out, "  %zu venues:", m.venues.size());
  for (const VenueConfig& v : m.venues) {
    line(out, "    %s: %s symbol %s, taker fee %s, lot %s, min qty %s, max qty %s", v.name.c_str(), v.kind.c_str(),
         v.symbol.c_str(), ratio(v.taker_fee).c_str(), format_decimal(v.lot.v, r.scale.qty_dp).c_str(),
         format_decimal(v.min_qty.v, r.scale.qty_dp).c_str(),
         v.max_qty ? format_decimal(v.max_qty->v, r.scale.qty_dp).c_str() : "unlimited");
    // Where the key files are, never what they hold (they are not even read here).
    if (const auto& oe = v.order_entry)
      line(out, "      order entry: %s to %s://%s:%d%s%s, key file %s, secret file %s, recv window %lld ms", oe->type.c_str(),
           oe->tls ? "https" : "http", oe->host.c_str(), oe->port, oe->ca_file.empty() ? "" : ", CA file ",
           oe->ca_file.c_str(), oe->api_key_file.c_str(), oe->secret_file.c_str(),
           static_cast<long long>(oe->recv_window_ms));
  }
  return out;
}

std::string describe(const Config& cfg) {
  const DaemonConfig& d = cfg.daemon;
  std::string out;
  line(out, "config OK: %s (instance %s)", d.file.c_str(), d.instance.c_str());
  line(out, "  quote %s, %d decimals; insurance fund starts at %s", d.quote.asset.c_str(), d.quote.quote_dp,
       format_decimal(d.insurance_fund.start_balance.v, d.quote.quote_dp).c_str());
  line(out, "  journal %s, fsync %s%s, segments of %lld MB", d.journal.dir.c_str(), to_string(d.journal.fsync),
       d.journal.fsync == FsyncPolicy::Interval ? (" every " + std::to_string(d.journal.fsync_interval_ms) + " ms").c_str()
                                                : "",
       static_cast<long long>(d.journal.segment_mb));
  line(out, "  admin %s (token %s), metrics %s", d.admin.listen.str().c_str(), d.admin.token_file.c_str(),
       d.metrics.listen.str().c_str());
  line(out, "  threads: %lld core shards on CPUs %s, feeds on %s, executor on %s, http on %s",
       static_cast<long long>(d.threads.core_shards), pinning(d.threads.core_cpus).c_str(),
       pinning(d.threads.feed_cpus).c_str(), cpu(d.threads.executor_cpu).c_str(), cpu(d.threads.http_cpu).c_str());
  line(out, "  logging %s, %s, to %s", d.logging.level.c_str(), d.logging.format.c_str(),
       d.logging.file.empty() ? "stderr" : d.logging.file.c_str());
  line(out, "%zu markets", cfg.markets.size());
  for (const MarketConfig& m : cfg.markets) out += describe_market(m);
  return out;
}

}  // namespace liqd::config
