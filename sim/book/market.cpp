#include "sim/book/market.hpp"

#include <cstdio>

#include "core/money/decimal.hpp"
#include "sim/util/rng.hpp"

namespace liqd::sim {

std::string pyth_feed_id(std::string_view coin) {
  // Ids as published by Pyth (hermes.pyth.network); ETH's is the one in the shared
  // Hermes example response (tests/data provenance), SOL's and BTC's from public clients.
  if (coin == "BTC") return "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43";
  if (coin == "ETH") return "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace";
  if (coin == "SOL") return "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
  uint64_t h = 1469598103934665603ull;
  for (char c : coin) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::string id = "51a1";
  char buf[17];
  for (int i = 0; id.size() < 64; ++i) {
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mix(h, static_cast<uint64_t>(i))));
    id += buf;
  }
  id.resize(64);
  return id;
}

std::string parse_market_spec(std::string_view text, MarketSpec& out) {
  out = MarketSpec{};
  size_t colon = text.find(':');
  std::string_view sym = text.substr(0, colon);
  if (sym.empty()) return "market spec: empty symbol";
  for (char c : sym)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return "market spec '" + std::string(text) + "': symbol must be upper-case letters/digits";
  out.symbol = std::string(sym);
  out.coin = out.symbol;
  for (std::string_view quote : {"USDT", "USDC", "USD"}) {
    if (out.coin.size() > quote.size() && out.coin.ends_with(quote)) {
      out.coin.resize(out.coin.size() - quote.size());
      break;
    }
  }
  std::string tick = "0.1", lot = "0.001", ref;
  while (colon != std::string_view::npos) {
    size_t next = text.find(':', colon + 1);
    std::string_view part = text.substr(colon + 1, next == std::string_view::npos ? std::string_view::npos : next - colon - 1);
    colon = next;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return "market spec: part '" + std::string(part) + "' is not key=value";
    std::string_view k = part.substr(0, eq), v = part.substr(eq + 1);
    if (k == "tick") tick = v;
    else if (k == "lot") lot = v;
    else if (k == "ref") ref = v;
    else return "market spec: unknown key '" + std::string(k) + "' (tick, lot, ref)";
  }
  int pdp = 0, qdp = 0;
  if (decimal_places(tick, pdp) != DecimalError::Ok || pdp > 8) return "market spec " + out.symbol + ": bad tick '" + tick + "'";
  if (decimal_places(lot, qdp) != DecimalError::Ok || qdp > 8) return "market spec " + out.symbol + ": bad lot '" + lot + "'";
  out.scale = Scale{static_cast<int8_t>(pdp), static_cast<int8_t>(qdp), 6};
  if (parse_decimal(tick, pdp, out.tick) != DecimalError::Ok || out.tick <= 0) return "market spec " + out.symbol + ": bad tick";
  if (parse_decimal(lot, qdp, out.lot) != DecimalError::Ok || out.lot <= 0) return "market spec " + out.symbol + ": bad lot";
  if (!ref.empty()) {
    int64_t r = 0;
    if (parse_decimal_rounded(ref, pdp, Round::HalfAwayFromZero, r) != DecimalError::Ok || r <= 0)
      return "market spec " + out.symbol + ": bad ref '" + ref + "'";
    out.ref = Price(r);
  }
  out.pyth_id = pyth_feed_id(out.coin);
  return {};
}

}  // namespace liqd::sim
