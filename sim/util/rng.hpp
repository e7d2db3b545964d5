#pragma once
// Deterministic pseudo-random numbers for the simulator: SplitMix64 (Steele, Lea,
// Flood 2014, "Fast splittable pseudorandom number generators"). Every random choice
// in liqd-sim derives from the --seed, so the same seed gives the same run.
#include <cstdint>

namespace liqd::sim {

constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Hash of several words, order-sensitive: a stateless random value for (seed, a, b, c).
constexpr uint64_t mix(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return splitmix64(splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b) ^ c);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { state_ += 0x9E3779B97F4A7C15ull; return splitmix64(state_); }
  // Uniform in [0, n), n > 0 (modulo bias is negligible for the n used here).
  uint64_t below(uint64_t n) { return next() % n; }
  // Uniform in [0, 1) with 53 bits; for statistics only (never money decisions).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // True with probability ppm / 1e6.
  bool chance_ppm(uint32_t ppm) { return below(1'000'000) < ppm; }

 private:
  uint64_t state_;
};

}  // namespace liqd::sim
