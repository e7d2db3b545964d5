#include "feeds/crc32.hpp"

#include <zlib.h>

#include <climits>

namespace liqd::feeds {

// zlib's crc32 continues from `crc` (0 to start) and takes a uInt length, so
// longer inputs go in pieces.
uint32_t crc32_update(uint32_t crc, const char* data, size_t len) {
  uLong c = crc;
  const auto* p = reinterpret_cast<const Bytef*>(data);
  while (len > 0) {
    const uInt n = len > UINT_MAX ? UINT_MAX : static_cast<uInt>(len);
    c = ::crc32(c, p, n);
    p += n;
    len -= n;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace liqd::feeds
