// Readers of the daemon file's sections. Each checks its own keys, types and
// ranges; cross-section rules (admin vs metrics port) are in read_daemon.
#include "config/daemon_sections.hpp"

#include <arpa/inet.h>

#include <cstdint>
#include <initializer_list>
#include <set>

#include "core/money/decimal.hpp"

namespace liqd::config::detail {

namespace {

bool word_chars(const std::string& s, size_t max_len, bool upper_only) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!upper_only) ok = ok || (c >= 'a' && c <= 'z') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool is_ipv4(const std::string& h) {
  in_addr a{};
  return inet_pton(AF_INET, h.c_str(), &a) == 1;
}
bool is_ipv6(const std::string& h) {
  in6_addr a{};
  return inet_pton(AF_INET6, h.c_str(), &a) == 1;
}
bool is_loopback(const std::string& h) {
  return h == "localhost" || h == "::1" || (is_ipv4(h) && h.rfind("127.", 0) == 0);
}

// "host:port" or "[v6]:port".
bool read_listen(const Ctx& ctx, const YAML::Node& n, const std::string& key, bool loopback_only,
                 ListenAddress& out) {
  std::string s;
  if (!read_string(ctx, n, key, s)) return false;
  std::string host, port;
  if (s.size() > 0 && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      ctx.error(n, key, "'" + s + "' is not host:port or [ipv6]:port");
      return false;
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (!is_ipv6(host)) {
      ctx.error(n, key, "'" + host + "' is not an IPv6 address");
      return false;
    }
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string::npos || s.find(':') != colon) {
      ctx.error(n, key, "'" + s + "' is not host:port or [ipv6]:port");
      return false;
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host != "localhost" && !is_ipv4(host)) {
      ctx.error(n, key, "'" + host + "' is not an IPv4 address or localhost");
      return false;
    }
  }
  int64_t p = 0;
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      parse_decimal(port, 0, p) != DecimalError::Ok || p < 1 || p > 65535) {
    ctx.error(n, key, "port '" + port + "' is not in [1, 65535]");
    return false;
  }
  if (loopback_only && !is_loopback(host)) {
    ctx.error(n, key, "'" + host + "' is not a loopback address (the admin API must not be reachable from outside)");
    return false;
  }
  out.host = host;
  out.port = static_cast<int>(p);
  return true;
}

bool read_cpu(const Ctx& ctx, const YAML::Node& n, const std::string& key, int& out) {
  int64_t v = 0;
  if (!read_int(ctx, n, key, 0, 1023, v)) return false;
  out = static_cast<int>(v);
  return true;
}

void read_cpu_list(const Ctx& ctx, const YAML::Node& n, const std::string& key, std::vector<int>& out) {
  if (!expect_sequence(ctx, n, key, false)) return;
  for (size_t i = 0; i < n.size(); ++i) {
    int c = 0;
    if (read_cpu(ctx, n[i], key + "[" + std::to_string(i) + "]", c)) out.push_back(c);
  }
}

void read_quote(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  YAML::Node asset = m.require("asset");
  if (read_string(ctx, asset, m.key_path("asset"), out.quote.asset) && !word_chars(out.quote.asset, 12, true))
    ctx.error(asset, m.key_path("asset"), "'" + out.quote.asset + "' must be 1-12 capital letters or digits");
  YAML::Node scale = m.require("scale");
  std::string s;
  if (read_scalar(ctx, scale, m.key_path("scale"), s)) {
    std::optional<int> dp = scale_decimals(s);
    if (!dp)
      ctx.error(scale, m.key_path("scale"), "'" + s + "' must be a power of ten such as 0.000001");
    else
      out.quote.quote_dp = *dp;
  }
}

void read_markets(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  YAML::Node dir = m.get("dir");
  YAML::Node files = m.get("files");
  if (dir.IsDefined() == files.IsDefined()) {
    ctx.error_line(m.line(), m.path(), "give exactly one of dir or files");
  }
  if (dir.IsDefined()) read_string(ctx, dir, m.key_path("dir"), out.markets.dir);
  if (files.IsDefined() && expect_sequence(ctx, files, m.key_path("files"), false)) {
    std::set<std::string> seen;
    for (size_t i = 0; i < files.size(); ++i) {
      std::string key = m.key_path("files") + "[" + std::to_string(i) + "]";
      std::string f;
      if (!read_string(ctx, files[i], key, f)) continue;
      if (!seen.insert(f).second) {
        ctx.error(files[i], key, "'" + f + "' is listed twice");
        continue;
      }
      out.markets.files.push_back(f);
    }
  }
}

void read_insurance_fund(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  YAML::Node b = m.require("start_balance");
  int64_t v = 0;
  if (read_decimal(ctx, b, m.key_path("start_balance"), out.quote.quote_dp, v)) {
    if (v < 0)
      ctx.error(b, m.key_path("start_balance"), "must not be negative, got " + b.Scalar());
    else
      out.insurance_fund.start_balance = Quote(v);
  }
}

void read_journal(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  read_string(ctx, m.require("dir"), m.key_path("dir"), out.journal.dir);
  if (YAML::Node f = m.get("fsync"); f.IsDefined()) {
    std::string p;
    if (read_enum(ctx, f, m.key_path("fsync"), {"always", "batch", "interval", "never"}, p))
      out.journal.fsync = p == "always" ? FsyncPolicy::Always
                          : p == "batch" ? FsyncPolicy::Batch
                          : p == "interval" ? FsyncPolicy::Interval
                                            : FsyncPolicy::Never;
  }
  YAML::Node iv = m.get("fsync_interval_ms");
  if (out.journal.fsync == FsyncPolicy::Interval) {
    if (!iv.IsDefined())
      ctx.error_line(m.line_of_key("fsync"), m.key_path("fsync_interval_ms"), "missing field (fsync is interval)");
    else
      read_int(ctx, iv, m.key_path("fsync_interval_ms"), 1, 10'000, out.journal.fsync_interval_ms);
  } else if (iv.IsDefined()) {
    ctx.error(iv, m.key_path("fsync_interval_ms"), "only allowed with fsync: interval");
  }
  if (YAML::Node s = m.get("segment_mb"); s.IsDefined())
    read_int(ctx, s, m.key_path("segment_mb"), 1, 65'536, out.journal.segment_mb);
}

void read_admin(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  read_listen(ctx, m.require("listen"), m.key_path("listen"), true, out.admin.listen);
  read_string(ctx, m.require("token_file"), m.key_path("token_file"), out.admin.token_file);
}

void read_metrics(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  read_listen(ctx, m.require("listen"), m.key_path("listen"), false, out.metrics.listen);
}

void read_threads(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  ThreadsSection& t = out.threads;
  if (YAML::Node n = m.get("core_shards"); n.IsDefined()) read_int(ctx, n, m.key_path("core_shards"), 1, 64, t.core_shards);
  YAML::Node cc = m.get("core_cpus");
  if (cc.IsDefined()) {
    read_cpu_list(ctx, cc, m.key_path("core_cpus"), t.core_cpus);
    if (cc.IsSequence() && cc.size() > 0 && static_cast<int64_t>(cc.size()) != t.core_shards)
      ctx.error(cc, m.key_path("core_cpus"),
                std::to_string(cc.size()) + " CPUs for " + std::to_string(t.core_shards) +
                    " core shards (give one per shard)");
  }
  if (YAML::Node n = m.get("feed_cpus"); n.IsDefined()) read_cpu_list(ctx, n, m.key_path("feed_cpus"), t.feed_cpus);
  YAML::Node ex = m.get("executor_cpu");
  if (ex.IsDefined()) read_cpu(ctx, ex, m.key_path("executor_cpu"), t.executor_cpu);
  if (YAML::Node n = m.get("http_cpu"); n.IsDefined()) read_cpu(ctx, n, m.key_path("http_cpu"), t.http_cpu);
  // Hot threads spin on their rings: two on one CPU starve each other.
  // (Only when every entry parsed, so that index i is the file's i-th entry.)
  std::set<int> hot;
  const size_t checked = cc.IsDefined() && cc.IsSequence() && cc.size() == t.core_cpus.size() ? t.core_cpus.size() : 0;
  for (size_t i = 0; i < checked; ++i) {
    if (!hot.insert(t.core_cpus[i]).second)
      ctx.error(cc[i], m.key_path("core_cpus") + "[" + std::to_string(i) + "]",
                "CPU " + std::to_string(t.core_cpus[i]) + " is given to two core shards");
  }
  if (t.executor_cpu >= 0 && hot.count(t.executor_cpu))
    ctx.error(ex, m.key_path("executor_cpu"),
              "CPU " + std::to_string(t.executor_cpu) + " is also a core shard's (hot threads need their own CPU)");
}

void read_logging(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  if (YAML::Node n = m.get("level"); n.IsDefined())
    read_enum(ctx, n, m.key_path("level"), {"trace", "debug", "info", "warn", "error", "critical", "off"},
              out.logging.level);
  if (YAML::Node n = m.get("format"); n.IsDefined())
    read_enum(ctx, n, m.key_path("format"), {"text", "json"}, out.logging.format);
  if (YAML::Node n = m.get("file"); n.IsDefined()) read_string(ctx, n, m.key_path("file"), out.logging.file);
}

// host:port of a server liqd connects to (any host; names are resolved at connect).
bool read_remote(const Ctx& ctx, const YAML::Node& n, const std::string& key, ListenAddress& out) {
  return read_listen(ctx, n, key, false, out);
}

void read_venue(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  VenueSection v;
  read_remote(ctx, m.require("account_stream"), m.key_path("account_stream"), v.account_stream);
  read_remote(ctx, m.require("order_entry"), m.key_path("order_entry"), v.order_entry);
  if (YAML::Node n = m.get("order_account"); n.IsDefined()) {
    int64_t id = 0;
    if (read_int(ctx, n, m.key_path("order_account"), 0, INT64_MAX, id)) v.order_account = static_cast<uint64_t>(id);
  }
  out.venue = v;
}

void read_url(const Ctx& ctx, MapReader& m, const char* key, std::initializer_list<const char*> schemes,
              std::string& out) {
  YAML::Node n = m.get(key);
  if (!n.IsDefined()) return;
  std::string u;
  if (!read_string(ctx, n, m.key_path(key), u)) return;
  for (const char* s : schemes) {
    const std::string pre = std::string(s) + "://";
    if (u.rfind(pre, 0) == 0 && u.size() > pre.size()) {
      out = u;
      return;
    }
  }
  std::string want;
  for (const char* s : schemes) want += std::string(want.empty() ? "" : " or ") + s + "://";
  ctx.error(n, m.key_path(key), "'" + u + "' must start with " + want);
}

void read_feeds(const Ctx& ctx, MapReader& m, DaemonConfig& out) {
  FeedsSection& f = out.feeds;
  read_url(ctx, m, "binance_ws", {"ws", "wss"}, f.binance_ws);
  read_url(ctx, m, "binance_rest", {"http", "https"}, f.binance_rest);
  read_url(ctx, m, "hyperliquid_ws", {"ws", "wss"}, f.hyperliquid_ws);
  read_url(ctx, m, "pyth_ws", {"ws", "wss"}, f.pyth_ws);
  read_url(ctx, m, "own_book_ws", {"ws", "wss"}, f.own_book_ws);
  read_url(ctx, m, "own_book_rest", {"http", "https"}, f.own_book_rest);
  if (YAML::Node n = m.get("stale_after_ms"); n.IsDefined())
    read_int(ctx, n, m.key_path("stale_after_ms"), 10, 3'600'000, f.stale_after_ms);
  if (f.binance_ws.empty() != f.binance_rest.empty())
    ctx.error_line(m.line(), m.path(), "give both binance_ws and binance_rest (depth needs REST snapshots) or neither");
  if (f.own_book_ws.empty() != f.own_book_rest.empty())
    ctx.error_line(m.line(), m.path(), "give both own_book_ws and own_book_rest (depth needs REST snapshots) or neither");
}

constexpr Section kSections[] = {
    {"quote", true, read_quote},
    {"markets", true, read_markets},
    {"insurance_fund", false, read_insurance_fund},
    {"journal", true, read_journal},
    {"admin", true, read_admin},
    {"metrics", false, read_metrics},
    {"threads", false, read_threads},
    {"logging", false, read_logging},
    {"venue", false, read_venue},
    {"feeds", false, read_feeds},
    {"liquidation", false, read_liquidation},
    {"circuit_breaker", false, read_circuit_breaker},
    {"dynamic_margin", false, read_dynamic_margin},
    {"backstop", false, read_backstop},
    {"executor", false, read_executor},
};

}  // namespace

std::span<const Section> daemon_sections() { return kSections; }

void read_daemon(const Ctx& ctx, const YAML::Node& doc, DaemonConfig& out, bool& quote_ok) {
  quote_ok = false;
  MapReader root(ctx, doc, "");
  if (!root.valid()) return;
  if (YAML::Node n = root.get("instance"); n.IsDefined()) {
    if (read_string(ctx, n, "instance", out.instance) && !word_chars(out.instance, 64, false))
      ctx.error(n, "instance", "'" + out.instance + "' must be 1-64 letters, digits, '-', '_' or '.'");
  }
  bool admin_ok = false, metrics_ok = true;  // metrics is optional: its default is valid
  for (const Section& s : kSections) {
    YAML::Node n = s.required ? root.require(s.name) : root.get(s.name);
    if (!n.IsDefined()) continue;
    size_t before = ctx.diag.size();
    MapReader m(ctx, n, std::string(s.name));
    if (m.valid()) {
      s.read(ctx, m, out);
      m.finish();
    }
    const bool ok = m.valid() && ctx.diag.size() == before;
    if (s.name == "quote") quote_ok = ok;
    if (s.name == "admin") admin_ok = ok;
    if (s.name == "metrics") metrics_ok = ok;
  }
  root.finish();
  finish_policy_defaults(out);
  const ListenAddress& a = out.admin.listen;
  const ListenAddress& b = out.metrics.listen;
  bool same_host = a.host == b.host || b.host == "0.0.0.0" || b.host == "::";
  if (admin_ok && metrics_ok && a.port == b.port && same_host)
    ctx.error_line(root.line_of_key("admin"), "admin.listen",
                   "port " + std::to_string(a.port) + " is also metrics.listen's");
}

}  // namespace liqd::config::detail
