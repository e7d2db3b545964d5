// Driver for fuzz targets when libFuzzer is not available (g++ builds):
// feeds every file of the seed corpus, then a bounded number of deterministic
// mutations of each (bit flips, truncations, byte insertions), to
// LLVMFuzzerTestOneInput. A crash or sanitizer report fails the test.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) { std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]); return 2; }
  std::vector<std::string> seeds;
  for (const auto& e : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  if (seeds.empty()) { std::fprintf(stderr, "empty corpus %s\n", argv[1]); return 2; }
  std::mt19937_64 rng(12345);
  size_t runs = 0;
  for (const std::string& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
    for (int k = 0; k < 200; ++k) {
      std::string m = s;
      switch (rng() % 4) {
        case 0: if (!m.empty()) m[rng() % m.size()] ^= static_cast<char>(1u << (rng() % 8)); break;
        case 1: m.resize(m.empty() ? 0 : rng() % m.size()); break;
        case 2: m.insert(m.begin() + static_cast<long>(m.empty() ? 0 : rng() % m.size()), static_cast<char>(rng() % 256)); break;
        case 3: if (!m.empty()) m[rng() % m.size()] = "{}[]\",:0-.e\\"[rng() % 12]; break;
      }
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(m.data()), m.size());
      ++runs;
    }
  }
  std::printf("standalone fuzz smoke: %zu inputs from %zu seeds, no crash\n", runs, seeds.size());
  return 0;
}
