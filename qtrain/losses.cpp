#include "qtrain/losses.h"

#include <torch/torch.h>

namespace qtrain {

at::Tensor categorical_crossentropy(const at::Tensor& probabilities, const at::Tensor& labels) {
  constexpr double kEpsilon = 1e-7;  // Keras' backend epsilon
  torch::Tensor p = probabilities.gather(1, labels.view({-1, 1})).squeeze(1);
  return -torch::log(p.clamp(kEpsilon, 1.0 - kEpsilon)).mean();
}

at::Tensor mean_squared_error(const at::Tensor& prediction, const at::Tensor& target, bool mask_zeros) {
  torch::Tensor squared = (prediction - target).square().flatten(1);
  if (!mask_zeros) return squared.mean();
  torch::Tensor mask = (target != 0).flatten(1).to(squared.scalar_type());
  torch::Tensor per_sample = (squared * mask).sum(1) / mask.sum(1).clamp_min(1.0);
  return per_sample.mean();
}

at::Tensor kl_divergence(const at::Tensor& mean, const at::Tensor& log_var) {
  return (-0.5 * (1.0 + log_var - mean.square() - log_var.exp()).flatten(1).sum(1)).mean();
}

}  // namespace qtrain
