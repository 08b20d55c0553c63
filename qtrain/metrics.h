// Evaluation metrics of the training loop: classification accuracy and the ROC
// quantities the LHC papers quote (per-class ROC AUC of the jet tagger, TPR at
// a fixed FPR of the anomaly-detection autoencoders).  Semantics follow
// numpy.argmax, sklearn.metrics.roc_curve / roc_auc_score and numpy.interp, so
// numbers compare directly with the Python tutorials.
//
// The ROC functions read scores as float64 (exact for every input type used
// here).  NaN scores throw std::invalid_argument naming the metric; the ROC
// functions, like sklearn, also reject ±inf.  An undefined rate (no negatives for the FPR, no
// positives for the TPR) is NaN, as sklearn's roc_curve returns after its
// warning, and every quantity derived from it is NaN too (where sklearn's
// roc_auc_score raises) so that one absent class does not abort a run.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace qtrain {

// Fraction of rows of `scores` (N, C) whose largest score is at `labels` (N,)
// (integer class indices in [0, C)).  On ties the first maximum wins, as
// numpy.argmax.  N == 0 gives NaN.
double accuracy(const at::Tensor& scores, const at::Tensor& labels);

// One point per distinct score, thresholds strictly decreasing: point i
// classifies `score >= thresholds[i]` as positive.  The first point is (0, 0)
// at threshold +inf.  Tied scores form a single (diagonal) step.  This is
// sklearn's roc_curve with drop_intermediate=False: collinear points are kept,
// which changes neither the area nor any interpolated TPR.
struct RocCurve {
  std::vector<double> fpr, tpr, thresholds;
};

// `scores` (N,) any floating or integer type; `is_positive` (N,) bool, or
// numbers that are all 0 or 1.
RocCurve roc_curve(const at::Tensor& scores, const at::Tensor& is_positive);

// Trapezoidal area under the curve, ties counted half: equals roc_auc_score
// (up to rounding) and the Mann-Whitney U / (P·N).
double roc_auc(const RocCurve& curve);
double roc_auc(const at::Tensor& scores, const at::Tensor& is_positive);

// One-vs-rest AUC of each class c: column c of `scores` (N, C) against
// labels == c, as the hls4ml jet-tagging tutorial plots them.  A class absent
// from `labels` (or the only one present) gets NaN.
std::vector<double> roc_auc_per_class(const at::Tensor& scores, const at::Tensor& labels);

// TPR at the given FPR by linear interpolation along the curve, exactly
// numpy.interp(fpr, curve.fpr, curve.tpr): where the curve is vertical at that
// FPR the highest TPR is taken; outside [fpr.front(), fpr.back()] the end
// values.  NaN when the curve's FPR is undefined or `fpr` is NaN.
double tpr_at_fpr(const RocCurve& curve, double fpr);

}  // namespace qtrain
