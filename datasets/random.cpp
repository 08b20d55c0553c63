#include "datasets/random.h"

#include <cmath>
#include <numeric>
#include <utility>

namespace datasets::detail {

uint64_t Random::below(uint64_t n) {
  // Reject the top partial block of 2^64 so that every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = engine_();
  while (x >= limit);
  return x % n;
}

double Random::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u = 1.0 - uniform();  // (0, 1]: log(u) is finite
  const double v = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u));
  const double angle = 6.283185307179586 * v;  // 2π
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

std::vector<int64_t> Random::permutation(int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[below(static_cast<uint64_t>(i) + 1)]);
  return order;
}

}  // namespace datasets::detail
