#include "executors/orders/client_order_id.hpp"

namespace liqd::exec {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void put_hex(char* out, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) { out[i] = kHex[v & 0xf]; v >>= 4; }
}

bool get_hex(std::string_view s, uint64_t& v) {
  v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return true;
}

}  // namespace

ClientOrderId make_client_order_id(const OrderKey& k) {
  ClientOrderId id;
  id.s[0] = 'L';
  put_hex(id.s + 1, k.account, 16);
  put_hex(id.s + 17, k.market, 4);
  put_hex(id.s + 21, k.liquidation_seq, 8);
  put_hex(id.s + 29, k.chunk, 4);
  id.s[ClientOrderId::kLen] = 0;
  return id;
}

bool parse_client_order_id(std::string_view s, OrderKey& k) {
  if (s.size() != static_cast<size_t>(ClientOrderId::kLen) || s[0] != 'L') return false;
  uint64_t a, m, q, c;
  if (!get_hex(s.substr(1, 16), a) || !get_hex(s.substr(17, 4), m) || !get_hex(s.substr(21, 8), q) ||
      !get_hex(s.substr(29, 4), c))
    return false;
  k = OrderKey{a, static_cast<uint16_t>(m), static_cast<uint32_t>(q), static_cast<uint16_t>(c)};
  return true;
}

ClientOrderId client_order_id_from(std::string_view s) {
  ClientOrderId id;
  size_t n = s.size() < static_cast<size_t>(ClientOrderId::kLen) ? s.size() : static_cast<size_t>(ClientOrderId::kLen);
  std::memcpy(id.s, s.data(), n);
  id.s[n] = 0;
  return id;
}

}  // namespace liqd::exec
