#include "qtrain/losses.h"

#include <torch/torch.h>

#include <vector>

#include "datasets/adc.h"

namespace qtrain {

at::Tensor categorical_crossentropy(const at::Tensor& probabilities, const at::Tensor& labels) {
  constexpr double kEpsilon = 1e-7;  // Keras' backend epsilon
  torch::Tensor p = probabilities.gather(1, labels.view({-1, 1})).squeeze(1);
  return -torch::log(p.clamp(kEpsilon, 1.0 - kEpsilon)).mean();
}

at::Tensor squared_error_per_sample(const at::Tensor& prediction, const at::Tensor& target, bool mask_zeros) {
  torch::Tensor squared = (prediction - target).square().flatten(1);
  if (!mask_zeros) return squared.mean(1);
  torch::Tensor mask = (target != 0).flatten(1).to(squared.scalar_type());
  return (squared * mask).sum(1) / mask.sum(1).clamp_min(1.0);
}

at::Tensor mean_squared_error(const at::Tensor& prediction, const at::Tensor& target, bool mask_zeros) {
  return squared_error_per_sample(prediction, target, mask_zeros).mean();
}

at::Tensor kl_divergence_per_sample(const at::Tensor& mean, const at::Tensor& log_var) {
  return -0.5 * (1.0 + log_var - mean.square() - log_var.exp()).flatten(1).sum(1);
}

at::Tensor kl_divergence(const at::Tensor& mean, const at::Tensor& log_var) {
  return kl_divergence_per_sample(mean, log_var).mean();
}

at::Tensor rz_score(const at::Tensor& mean, const at::Tensor& log_var) {
  return (mean.square() / log_var.exp()).flatten(1).sum(1);
}

at::Tensor tanh_eta_phi_factors() {
  constexpr int64_t kElements = datasets::kAdcSlots * datasets::kAdcFeatures;
  std::vector<double> factor(kElements, 0.0);
  for (int64_t s = 0; s < datasets::kAdcSlots; ++s) {
    factor[static_cast<size_t>(s * 3 + 1)] = datasets::adc_eta_limits()[static_cast<size_t>(s)];
    factor[static_cast<size_t>(s * 3 + 2)] = M_PI;
  }
  return torch::tensor(factor, torch::kFloat64);
}

at::Tensor tanh_eta_phi(const at::Tensor& reconstruction) {
  constexpr int64_t kElements = datasets::kAdcSlots * datasets::kAdcFeatures;
  if (reconstruction.dim() < 1 || reconstruction.numel() != reconstruction.size(0) * kElements)
    throw std::invalid_argument("tanh_eta_phi: needs " + std::to_string(kElements) +
                                " outputs per sample (19 particles x pT, eta, phi), got " +
                                std::to_string(reconstruction.dim() < 1 || reconstruction.size(0) == 0
                                                   ? 0
                                                   : reconstruction.numel() / reconstruction.size(0)));
  static const at::Tensor factors = tanh_eta_phi_factors().to(torch::kFloat32);
  static const at::Tensor is_pt = torch::arange(kElements) % datasets::kAdcFeatures == 0;
  const at::Tensor flat = reconstruction.reshape({reconstruction.size(0), kElements});
  const at::Tensor scale = factors.to(flat.scalar_type());
  return torch::where(is_pt, flat, scale * torch::tanh(flat)).view(reconstruction.sizes());
}

}  // namespace qtrain
