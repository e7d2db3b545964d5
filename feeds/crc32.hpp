#pragma once
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the zlib crc32 that
// OKX uses for its order-book checksum, computed by zlib itself (Debian's
// zlib1g-dev, already required by libprotobuf-dev and libwebsockets-dev).
// zlib's braided implementation is several times faster than Boost.CRC's
// byte-at-a-time table (it was 29 % of the OKX handler's time, bench/RESULTS.md).
#include <cstddef>
#include <cstdint>

namespace liqd::feeds {

uint32_t crc32_update(uint32_t crc, const char* data, size_t len);
inline uint32_t crc32(const char* data, size_t len) { return crc32_update(0, data, len); }

}  // namespace liqd::feeds
