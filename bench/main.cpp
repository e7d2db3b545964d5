// liqd-bench FAMILY [flags]: runs one benchmark family and writes its JSON.
#include <cstdio>
#include <cstring>

#include "bench/benches.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: liqd-bench core|feeds|route [flags]\n");
    return 2;
  }
  const char* f = argv[1];
  if (std::strcmp(f, "core") == 0) return liqd::bench::run_core(argc - 1, argv + 1);
  if (std::strcmp(f, "feeds") == 0) return liqd::bench::run_feeds(argc - 1, argv + 1);
  if (std::strcmp(f, "route") == 0) return liqd::bench::run_route(argc - 1, argv + 1);
  std::fprintf(stderr, "liqd-bench: unknown family '%s' (core, feeds, route)\n", f);
  return 2;
}
