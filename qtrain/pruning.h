// Magnitude pruning with the semantics of the TensorFlow Model Optimization
// Toolkit (tfmot.sparsity.keras: PolynomialDecay in pruning_schedule.py, the
// element-wise mask of pruning_impl.py), so that "70% sparsity, begin 2000,
// end 10000, frequency 100" prunes the same weights at the same steps.
//
// TF-MOT's step: the wrapper evaluates the schedule with step = number of
// optimizer updates done so far + 1 (the 1-based batch number), and at a
// pruning step updates the mask and multiplies the weights by it before that
// batch's forward pass; the weights are masked again at every epoch end.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>

namespace qtrain {

// sparsity(step) = final + (initial - final) * (1 - p)^power with
// p = clamp((step - begin) / (end - begin), 0, 1), evaluated in float32 as
// TF-MOT does (the float32 value decides how many weights are kept).
struct PolynomialDecay {
  double initial_sparsity = 0;
  double final_sparsity = 0;
  int64_t begin_step = 0;
  int64_t end_step = 0;
  double power = 3;
  int64_t frequency = 100;

  // TF-MOT's checks: sparsities in [0, 1), begin_step >= 0, frequency > 0, and
  // an end: end_step = -1 ("prune forever") is refused for a decay, as TF-MOT
  // does.  Stricter than TF-MOT, end_step must exceed begin_step (TF-MOT accepts
  // equality and then divides 0 by 0) and power must be finite and > 0.
  // Throws std::invalid_argument.
  void validate() const;

  // (prune at this step, target sparsity).  Pruning happens when
  // begin_step <= step <= end_step (both ends included) and
  // (step - begin_step) % frequency == 0.  The sparsity is reported for every
  // step: `initial` before begin_step, `final` after end_step.  Validates first.
  std::pair<bool, double> operator()(int64_t step) const;
};

// TF-MOT's element-wise mask (block size 1×1): keep k = max(round(n·(1 −
// sparsity)), 1) weights, computed in float32 with round-half-to-even as
// tf.math.round; the threshold is the k-th largest |w| and the mask is
// |w| >= threshold, so weights tied with the threshold are all kept (the mask
// may keep more than k).  Returns 0/1 in the weights' dtype and shape.
// `weights` must be floating point without NaN, `sparsity` in [0, 1]; throws
// std::invalid_argument otherwise.
at::Tensor magnitude_mask(const at::Tensor& weights, double sparsity);

// Fraction of the elements that are exactly zero (0 for an empty tensor).
double sparsity(const at::Tensor& weights);

}  // namespace qtrain
