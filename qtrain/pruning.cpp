#include "qtrain/pruning.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <tuple>

namespace qtrain {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

bool is_sparsity(double s) { return s >= 0 && s < 1; }  // false for NaN

}  // namespace

void PolynomialDecay::validate() const {
  const std::string who = "PolynomialDecay: ";
  require(is_sparsity(initial_sparsity),
          who + "initial_sparsity must be in [0, 1), got " + std::to_string(initial_sparsity));
  require(is_sparsity(final_sparsity),
          who + "final_sparsity must be in [0, 1), got " + std::to_string(final_sparsity));
  require(begin_step >= 0, who + "begin_step must be >= 0, got " + std::to_string(begin_step));
  require(end_step != -1, who + "end_step cannot be -1: the decay needs an end");
  require(end_step > begin_step, who + "end_step (" + std::to_string(end_step) +
                                     ") must be greater than begin_step (" +
                                     std::to_string(begin_step) + ")");
  require(frequency > 0, who + "frequency must be > 0, got " + std::to_string(frequency));
  require(std::isfinite(power) && power > 0,
          who + "power must be finite and > 0, got " + std::to_string(power));
}

std::pair<bool, double> PolynomialDecay::operator()(int64_t step) const {
  validate();
  const bool in_range = step >= begin_step && step <= end_step;
  const bool on_turn = (step - begin_step) % frequency == 0;
  // TF-MOT's float32 graph: the step difference and the span are cast to
  // float32, the sparsity difference is a Python double rounded to float32 when
  // it meets the float32 power.  Each operation rounds on its own (the project
  // builds with -ffp-contract=off).
  const float progress =
      static_cast<float>(step - begin_step) / static_cast<float>(end_step - begin_step);
  const float p = std::min(1.0f, std::max(0.0f, progress));
  const float decay = std::pow(1.0f - p, static_cast<float>(power));
  const float target = static_cast<float>(initial_sparsity - final_sparsity) * decay +
                       static_cast<float>(final_sparsity);
  return {in_range && on_turn, static_cast<double>(target)};
}

at::Tensor magnitude_mask(const at::Tensor& weights, double sparsity) {
  require(weights.defined() && weights.is_floating_point(),
          "magnitude_mask: weights must be a floating-point tensor");
  require(sparsity >= 0 && sparsity <= 1,
          "magnitude_mask: sparsity must be in [0, 1], got " + std::to_string(sparsity));
  const int64_t n = weights.numel();
  if (n == 0) return torch::ones_like(weights);
  require(!torch::isnan(weights).any().item<bool>(), "magnitude_mask: weights contain NaN");

  // k = max(round(float32(n) * (1 - float32(sparsity))), 1) as TF-MOT computes
  // it; nearbyint in the default rounding mode rounds halves to even like
  // tf.math.round (std::round would keep one weight more at n·(1-s) = 2.5).
  const float kept = static_cast<float>(n) * (1.0f - static_cast<float>(sparsity));
  int64_t k = std::max<int64_t>(static_cast<int64_t>(std::nearbyint(kept)), 1);
  // Beyond 2^24 elements float32(n) may round above n, where TF-MOT's gather
  // would fail; keep everything instead.
  k = std::min(k, n);

  const at::Tensor magnitude = weights.abs();
  // The k-th largest magnitude is the (n - k + 1)-th smallest.
  const at::Tensor threshold = std::get<0>(magnitude.flatten().kthvalue(n - k + 1));
  return magnitude.ge(threshold).to(weights.scalar_type());
}

double sparsity(const at::Tensor& weights) {
  const int64_t n = weights.numel();
  if (n == 0) return 0;
  return static_cast<double>(weights.eq(0).sum().item<int64_t>()) / static_cast<double>(n);
}

}  // namespace qtrain
