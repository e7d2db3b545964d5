#include "feeds/crc32.hpp"

#include <boost/crc.hpp>

namespace liqd::feeds {

// boost::crc_32_type is exactly zlib's crc32 (reflected 0x04C11DB7, init and
// final xor 0xFFFFFFFF); continuing from `crc` means re-seeding with its
// pre-final-xor register value.
uint32_t crc32_update(uint32_t crc, const char* data, size_t len) {
  boost::crc_32_type c;
  c.reset(crc ^ 0xFFFFFFFFu);
  c.process_bytes(data, len);
  return c.checksum();
}

}  // namespace liqd::feeds
