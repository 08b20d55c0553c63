// Internal: random numbers that are the same on every platform.  The
// distributions of <random> are implementation-defined, so everything the
// data sets draw goes through these few formulas over std::mt19937_64.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace datasets::detail {

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n > 0, without modulo bias.
  uint64_t below(uint64_t n);

  // Standard normal (Box-Muller; the second variate is kept for the next call).
  double normal();

  // A uniformly random permutation of 0..n-1 (Fisher-Yates).
  std::vector<int64_t> permutation(int64_t n);

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace datasets::detail
