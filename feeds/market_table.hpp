#pragma once
// Venue symbol -> market id and fixed-point scale. Sized at construction; a
// lookup hashes the symbol bytes (FNV-1a) into an open-addressing table, so the
// hot path neither allocates nor compares std::strings. With a default scale set,
// unknown symbols are registered on first sight (what `liqd parse` does);
// otherwise they are an error (what the daemon does: markets come from config).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/money/fixed.hpp"
#include "feeds/events.hpp"

namespace liqd::feeds {

inline constexpr size_t kMaxSymbolLen = 80;  // Pyth ids are 64 hex digits (+ "0x")

struct MarketInfo {
  std::array<char, kMaxSymbolLen> sym{};
  uint8_t sym_len = 0;
  Venue venue = Venue::Own;
  Scale scale{};
  std::string_view symbol() const { return {sym.data(), sym_len}; }
};

class MarketTable {
 public:
  explicit MarketTable(uint32_t capacity = 1024);

  // Adds a market; returns its id, kNoMarket if full, the symbol is too long or
  // empty. Adding an existing (venue, symbol) returns the existing id.
  MarketId add(Venue venue, std::string_view symbol, Scale scale);
  MarketId find(Venue venue, std::string_view symbol) const;
  // find(), or add() with the default scale when auto-registration is on.
  MarketId resolve(Venue venue, std::string_view symbol);

  void set_default_scale(std::optional<Scale> s) { default_scale_ = s; }
  const MarketInfo& info(MarketId id) const { return markets_[id]; }
  uint32_t size() const { return static_cast<uint32_t>(markets_.size()); }
  uint32_t capacity() const { return capacity_; }

 private:
  uint32_t slot_of(Venue venue, std::string_view symbol) const;
  uint32_t capacity_;
  std::vector<MarketInfo> markets_;     // reserved to capacity_
  std::vector<MarketId> slots_;         // power of two >= 2 * capacity_
  std::optional<Scale> default_scale_;
};

}  // namespace liqd::feeds
