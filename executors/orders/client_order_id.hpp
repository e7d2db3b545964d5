#pragma once
// Idempotent client order ids. The id is a pure function of (account, market,
// liquidation sequence, chunk): a retry of the same chunk, or a restart that
// replays the journal, produces the same id, and the venue refuses a second
// order with an id it has seen, so a chunk is never sent twice. A reroute of a
// chunk's remainder is a new chunk number, hence a new id.
// Format: "L" + 16 hex (account) + 4 hex (market) + 8 hex (seq) + 4 hex (chunk)
// = 33 characters of [0-9a-fL], inside Binance's newClientOrderId rule
// ^[\.A-Z\:/a-z0-9_-]{1,36}$. Fixed size, no allocation.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace liqd::exec {

struct ClientOrderId {
  static constexpr int kLen = 33;
  char s[kLen + 1] = {};
  std::string_view view() const { return std::string_view(s, std::strlen(s)); }
  bool operator==(const ClientOrderId& o) const { return std::memcmp(s, o.s, sizeof s) == 0; }
  bool empty() const { return s[0] == 0; }
};

struct OrderKey {
  uint64_t account = 0;
  uint16_t market = 0;
  uint32_t liquidation_seq = 0;
  uint16_t chunk = 0;
};

ClientOrderId make_client_order_id(const OrderKey& k);
// Parses an id made by make_client_order_id; false for anything else.
bool parse_client_order_id(std::string_view s, OrderKey& k);
// From text received from a venue (copied, truncated to kLen).
ClientOrderId client_order_id_from(std::string_view s);

}  // namespace liqd::exec
