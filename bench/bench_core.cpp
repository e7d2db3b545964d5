#include <cstdio>

#include "bench/benches.hpp"

namespace liqd::bench {
// Placeholder until its issue lands.
int run_core(int, char**) {
  std::fprintf(stderr, "liqd-bench core: not built yet\n");
  return 1;
}
}  // namespace liqd::bench
