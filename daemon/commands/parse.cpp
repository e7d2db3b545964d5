// `liqd parse --format F [--market SYM]`: raw venue messages on stdin, one per
// line, as they come off the socket -> normalized events as JSONL on stdout.
// Never stops on a bad line: it prints {"type":"error","line":N,"reason":...}
// and goes on. A summary of the handler's counters goes to stderr.
#include <cstdio>
#include <iostream>
#include <string>

#include "daemon/commands/commands.hpp"
#include "feeds/feed_factory.hpp"
#include "feeds/jsonl_sink.hpp"

namespace liqd::cmd {

namespace {

struct ParseOpts {
  std::string format;
  std::string market;
  int price_dp = 12;
  int qty_dp = 8;
  int64_t stale_ms = 0;
  size_t max_bytes = 1u << 22;
  int levels = 10;
};

int run_parse(const ParseOpts& o) {
  using namespace liqd::feeds;
  auto venue = venue_from_name(o.format);
  if (!venue) {
    std::fprintf(stderr, "liqd parse: unknown --format '%s' (binance-usdm, bybit-v5, okx-v5, dydx-v4, hyperliquid, pyth-hermes)\n",
                 o.format.c_str());
    return 2;
  }
  if (o.price_dp < 0 || o.price_dp > 18 || o.qty_dp < 0 || o.qty_dp > 18) {
    std::fprintf(stderr, "liqd parse: --price-dp and --qty-dp must be in [0, 18]\n");
    return 2;
  }
  if (o.levels < 1 || o.max_bytes < 16 || o.stale_ms < 0) {
    std::fprintf(stderr, "liqd parse: --levels must be >= 1, --max-bytes >= 16, --stale-ms >= 0\n");
    return 2;
  }
  MarketTable markets(4096);
  Scale sc;
  sc.price_dp = static_cast<int8_t>(o.price_dp);
  sc.qty_dp = static_cast<int8_t>(o.qty_dp);
  markets.set_default_scale(sc);
  std::string out;
  out.reserve(1 << 16);
  JsonlSink sink(markets, out, static_cast<uint32_t>(o.levels));
  FeedOptions fo;
  fo.max_message_bytes = o.max_bytes;
  fo.only_symbol = o.market;
  fo.snapshot_symbol = o.market;
  fo.stale_after_ns = o.stale_ms * 1'000'000;
  fo.book_levels = 16384;
  auto feed = make_feed(*venue, markets, sink, fo);
  std::ios::sync_with_stdio(false);
  std::string line;
  uint64_t n = 0;
  while (std::getline(std::cin, line)) {
    ++n;
    // A blank line is not a message; skip it silently.
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Status st = feed->on_message(line, 0);
    if (!st.ok()) sink.error(n, st);
    else sink.clear_pending();
    if (out.size() > (1 << 15)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  const FeedCounters& c = feed->counters();
  std::fprintf(stderr,
               "liqd parse: %llu lines, %llu used, %llu ignored, %llu filtered, %llu errors; "
               "snapshots %llu, deltas %llu (buffered %llu, skipped %llu), gaps %llu, checksum ok %llu / "
               "mismatch %llu, crossed %llu, resyncs %llu, stale %llu\n",
               static_cast<unsigned long long>(n), static_cast<unsigned long long>(c.used),
               static_cast<unsigned long long>(c.ignored), static_cast<unsigned long long>(c.filtered),
               static_cast<unsigned long long>(c.errors_total), static_cast<unsigned long long>(c.snapshots),
               static_cast<unsigned long long>(c.deltas), static_cast<unsigned long long>(c.deltas_buffered),
               static_cast<unsigned long long>(c.deltas_skipped), static_cast<unsigned long long>(c.gaps),
               static_cast<unsigned long long>(c.checksum_ok), static_cast<unsigned long long>(c.checksum_mismatches),
               static_cast<unsigned long long>(c.crossed), static_cast<unsigned long long>(c.resyncs),
               static_cast<unsigned long long>(c.stale_events));
  return 0;
}

}  // namespace

void add_parse(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ParseOpts>();
  auto* sub = app.add_subcommand("parse", "raw venue messages on stdin (one per line) -> normalized events as JSONL");
  sub->add_option("--format", opts->format, "binance-usdm, bybit-v5, okx-v5, dydx-v4, hyperliquid, pyth-hermes")->required();
  sub->add_option("--market", opts->market, "keep only this market (the venue's symbol); Binance REST snapshot lines apply to it");
  sub->add_option("--price-dp", opts->price_dp, "decimal places of prices (default 12): more is an error");
  sub->add_option("--qty-dp", opts->qty_dp, "decimal places of quantities (default 8): more is an error");
  sub->add_option("--stale-ms", opts->stale_ms, "emit a stale event when a book has no update for this long (event time)");
  sub->add_option("--max-bytes", opts->max_bytes, "longest accepted message (default 4 MiB)");
  sub->add_option("--levels", opts->levels, "book levels per side in book events (default 10)");
  sub->callback([opts, &exit_code] { exit_code = run_parse(*opts); });
}

}  // namespace liqd::cmd
