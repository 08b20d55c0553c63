// Training losses, Keras' definitions.
#pragma once

#include <ATen/core/Tensor.h>

namespace qtrain {

// Keras' categorical_crossentropy on probabilities (from_logits=False):
// probabilities clipped to [1e-7, 1 - 1e-7], mean over the batch of
// -log p[label].  `labels` are class indices.
at::Tensor categorical_crossentropy(const at::Tensor& probabilities, const at::Tensor& labels);

// Mean squared error per sample averaged over the batch; with mask_zeros,
// entries whose target is exactly 0 (zero-padded particles) are left out of
// both the sum and the count.
at::Tensor mean_squared_error(const at::Tensor& prediction, const at::Tensor& target, bool mask_zeros);

// KL divergence of N(mean, exp(log_var)) from N(0, 1), summed over the latent
// axis and averaged over the batch: -0.5 * sum(1 + log_var - mean^2 - exp(log_var)).
at::Tensor kl_divergence(const at::Tensor& mean, const at::Tensor& log_var);

}  // namespace qtrain
