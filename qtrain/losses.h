// Training losses (Keras' definitions) and the anomaly scores of the
// autoencoders, which are the same quantities per sample.
#pragma once

#include <ATen/core/Tensor.h>

namespace qtrain {

// Keras' categorical_crossentropy on probabilities (from_logits=False):
// probabilities clipped to [1e-7, 1 - 1e-7], mean over the batch of
// -log p[label].  `labels` are class indices.
at::Tensor categorical_crossentropy(const at::Tensor& probabilities, const at::Tensor& labels);

// Mean squared error of each sample (N,); with mask_zeros, entries whose
// target is exactly 0 (zero-padded particles) are left out of both the sum
// and the count.  This is the autoencoders' IO anomaly score.
at::Tensor squared_error_per_sample(const at::Tensor& prediction, const at::Tensor& target, bool mask_zeros);
// Its mean over the batch: the MSE loss.
at::Tensor mean_squared_error(const at::Tensor& prediction, const at::Tensor& target, bool mask_zeros);

// KL divergence of N(mean, exp(log_var)) from N(0, 1) per sample (N,),
// summed over the latent axis: -0.5 * sum(1 + log_var - mean^2 - exp(log_var)).
// The VAE's D_KL anomaly score.
at::Tensor kl_divergence_per_sample(const at::Tensor& mean, const at::Tensor& log_var);
// Its mean over the batch: the KL term of the VAE loss.
at::Tensor kl_divergence(const at::Tensor& mean, const at::Tensor& log_var);

// The R_z anomaly score of the VAE encoder (Govorkova et al. 2022):
// sum over the latent axis of mean^2 / sigma^2 = mean^2 / exp(log_var), (N,).
at::Tensor rz_score(const at::Tensor& mean, const at::Tensor& log_var);

// ADC reconstructions ((N, 57) or any (N, ...) of 19·3 elements, slot-major
// pT, η, φ): η → limit·tanh(η) with the slot's |η| acceptance
// (datasets::adc_eta_limits(), 0 for MET whose η is always 0) and
// φ → π·tanh(φ); pT unchanged.  The result has the input's shape.  Throws
// std::invalid_argument for another element count.
at::Tensor tanh_eta_phi(const at::Tensor& reconstruction);
// Its factor per element (57, float64): the slot's |η| acceptance for η, π
// for φ, and 0 for pT, which is not transformed.
at::Tensor tanh_eta_phi_factors();

}  // namespace qtrain
