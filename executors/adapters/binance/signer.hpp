#pragma once
// Binance-compatible request signing: HMAC-SHA256 over the percent-encoded
// query string (plus body), hex encoded, sent as `signature`. Source: Binance
// Spot API docs, "SIGNED Endpoint Examples for POST /api/v3/order" (rest-api.md);
// USD-M futures use the same scheme.
#include <string>
#include <string_view>

namespace liqd::exec::binance {

// Lower-case hex of HMAC-SHA256(key, payload).
std::string hmac_sha256_hex(std::string_view key, std::string_view payload);

// RFC 3986 percent-encoding of a parameter value (unreserved characters kept).
std::string percent_encode(std::string_view s);

// Appends "&signature=<hex>" to a query string signed with `secret`.
std::string sign_query(std::string_view query, std::string_view secret);

}  // namespace liqd::exec::binance
