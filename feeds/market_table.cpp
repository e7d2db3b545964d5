#include "feeds/market_table.hpp"

#include <cassert>
#include <cstring>

namespace liqd::feeds {

namespace {
uint64_t fnv1a(Venue venue, std::string_view s) {
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(venue);
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}
}  // namespace

MarketTable::MarketTable(uint32_t capacity) : capacity_(capacity) {
  assert(capacity > 0 && capacity < kNoMarket);
  markets_.reserve(capacity);
  uint32_t n = 16;
  while (n < capacity * 2) n <<= 1;
  slots_.assign(n, kNoMarket);
}

uint32_t MarketTable::slot_of(Venue venue, std::string_view symbol) const {
  const uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
  uint32_t i = static_cast<uint32_t>(fnv1a(venue, symbol)) & mask;
  while (true) {
    MarketId id = slots_[i];
    if (id == kNoMarket) return i;
    const MarketInfo& m = markets_[id];
    if (m.venue == venue && m.symbol() == symbol) return i;
    i = (i + 1) & mask;
  }
}

MarketId MarketTable::find(Venue venue, std::string_view symbol) const {
  return slots_[slot_of(venue, symbol)];
}

MarketId MarketTable::add(Venue venue, std::string_view symbol, Scale scale) {
  if (symbol.empty() || symbol.size() > kMaxSymbolLen) return kNoMarket;
  uint32_t slot = slot_of(venue, symbol);
  if (slots_[slot] != kNoMarket) return slots_[slot];
  if (markets_.size() >= capacity_) return kNoMarket;
  MarketInfo m;
  std::memcpy(m.sym.data(), symbol.data(), symbol.size());
  m.sym_len = static_cast<uint8_t>(symbol.size());
  m.venue = venue;
  m.scale = scale;
  markets_.push_back(m);  // never reallocates: reserved in the constructor
  slots_[slot] = static_cast<MarketId>(markets_.size() - 1);
  return slots_[slot];
}

MarketId MarketTable::resolve(Venue venue, std::string_view symbol) {
  MarketId id = find(venue, symbol);
  if (id != kNoMarket || !default_scale_) return id;
  return add(venue, symbol, *default_scale_);
}

}  // namespace liqd::feeds
