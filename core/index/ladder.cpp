#include "core/index/ladder.hpp"

#include <cassert>

namespace liqd {

void Ladder::init(int bucket_bits, int64_t mark) {
  assert(bucket_bits >= 4 && bucket_bits <= 24);
  assert(mark > 0);
  // Width: the largest power of two not above 1 bp of the mark (at least 1 unit).
  int s = 0;
  while ((int64_t{2} << s) <= mark / 10000) ++s;
  shift_ = (int64_t{1} << s) <= mark / 10000 ? s : 0;
  nb_ = 1u << bucket_bits;
  heads_.assign(nb_, kNil);
  base_ = mark - static_cast<int64_t>(nb_ / 2) * (int64_t{1} << shift_);
}

}  // namespace liqd
