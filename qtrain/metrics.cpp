#include "qtrain/metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace qtrain {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

[[noreturn]] void fail(const char* metric, const std::string& what) {
  throw std::invalid_argument(std::string(metric) + ": " + what);
}

std::string shape_of(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

struct ScoredSample {
  double score;
  bool positive;
};

void check_vector(const char* metric, const char* name, const at::Tensor& t, int64_t n) {
  if (!t.defined() || t.dim() != 1 || t.size(0) != n)
    fail(metric, std::string(name) + " must have shape [" + std::to_string(n) + "], got " +
                     (t.defined() ? shape_of(t) : "an undefined tensor"));
}

// Bool view of `is_positive`: bool as is, numbers only when every value is 0 or 1
// (a stray 2 or -1 means the caller passed class indices, not a binary target).
at::Tensor binary_target(const char* metric, const at::Tensor& is_positive) {
  if (is_positive.scalar_type() == torch::kBool) return is_positive.contiguous();
  const at::Tensor bad = is_positive.ne(0).logical_and(is_positive.ne(1));
  if (bad.any().item<bool>()) {
    const int64_t i = bad.nonzero()[0][0].item<int64_t>();
    fail(metric, "is_positive must be bool or 0/1, got " +
                     number_text(is_positive[i].item<double>()) + " at index " + std::to_string(i));
  }
  return is_positive.ne(0).contiguous();
}

// Scores of one column as float64, rejecting what sklearn rejects (NaN, ±inf):
// an infinite score would collide with the +inf threshold of the first point.
std::vector<ScoredSample> scored_samples(const char* metric, const at::Tensor& column,
                                         const std::string& where) {
  const at::Tensor values = column.to(torch::kDouble).contiguous();
  const double* v = values.data_ptr<double>();
  const int64_t n = values.numel();
  std::vector<ScoredSample> samples(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i]))
      fail(metric, "score " + number_text(v[i]) + " at index " + std::to_string(i) + where +
                       " (scores must be finite)");
    samples[static_cast<size_t>(i)].score = v[i];
  }
  return samples;
}

// sklearn's _binary_clf_curve plus the leading (0, 0, +inf) point: sort by
// decreasing score, accumulate TP and FP counts, emit a point at the last sample
// of each group of equal scores.  Counts stay exact in doubles (< 2^53).
RocCurve curve_from_samples(std::vector<ScoredSample> samples) {
  std::sort(samples.begin(), samples.end(),
            [](const ScoredSample& a, const ScoredSample& b) { return a.score > b.score; });
  RocCurve curve;
  curve.fpr.push_back(0);
  curve.tpr.push_back(0);
  curve.thresholds.push_back(kInf);
  double positives = 0, negatives = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    (samples[i].positive ? positives : negatives) += 1;
    if (i + 1 == samples.size() || samples[i + 1].score != samples[i].score) {
      curve.tpr.push_back(positives);
      curve.fpr.push_back(negatives);
      curve.thresholds.push_back(samples[i].score);
    }
  }
  for (double& x : curve.fpr) x = negatives > 0 ? x / negatives : kNaN;
  for (double& x : curve.tpr) x = positives > 0 ? x / positives : kNaN;
  return curve;
}

void check_curve(const char* metric, const RocCurve& curve) {
  if (curve.fpr.empty() || curve.fpr.size() != curve.tpr.size())
    fail(metric, "the curve needs matching, non-empty fpr and tpr (got " +
                     std::to_string(curve.fpr.size()) + " and " + std::to_string(curve.tpr.size()) +
                     " points)");
}

}  // namespace

double accuracy(const at::Tensor& scores, const at::Tensor& labels) {
  if (!scores.defined() || scores.dim() != 2)
    fail("accuracy", "scores must be (N, C), got " +
                         (scores.defined() ? shape_of(scores) : "an undefined tensor"));
  const int64_t n = scores.size(0), classes = scores.size(1);
  check_vector("accuracy", "labels", labels, n);
  if (!at::isIntegralType(labels.scalar_type(), /*includeBool=*/false))
    fail("accuracy", "labels must be integer class indices");
  if (n == 0) return kNaN;
  if (classes == 0) fail("accuracy", "scores have no class column");
  if (scores.is_floating_point()) {
    const at::Tensor nan_rows = torch::isnan(scores).any(1);
    if (nan_rows.any().item<bool>())
      fail("accuracy", "NaN score in row " + std::to_string(nan_rows.nonzero()[0][0].item<int64_t>()));
  }
  const at::Tensor target = labels.to(torch::kLong);
  const int64_t lowest = target.min().item<int64_t>(), highest = target.max().item<int64_t>();
  if (lowest < 0 || highest >= classes)
    fail("accuracy", "label " + std::to_string(lowest < 0 ? lowest : highest) + " is outside [0, " +
                         std::to_string(classes) + ")");
  // LibTorch's argmax returns the first maximal index, as numpy's.
  const int64_t correct = scores.argmax(1).eq(target).sum().item<int64_t>();
  return static_cast<double>(correct) / static_cast<double>(n);
}

RocCurve roc_curve(const at::Tensor& scores, const at::Tensor& is_positive) {
  if (!scores.defined() || scores.dim() != 1)
    fail("roc_curve", "scores must be one-dimensional, got " +
                          (scores.defined() ? shape_of(scores) : "an undefined tensor"));
  check_vector("roc_curve", "is_positive", is_positive, scores.size(0));
  std::vector<ScoredSample> samples = scored_samples("roc_curve", scores, "");
  const at::Tensor target = binary_target("roc_curve", is_positive);
  const bool* positive = target.data_ptr<bool>();
  for (size_t i = 0; i < samples.size(); ++i) samples[i].positive = positive[i];
  return curve_from_samples(std::move(samples));
}

double roc_auc(const RocCurve& curve) {
  check_curve("roc_auc", curve);
  // Neumaier-compensated sum of the trapezoids: a curve of millions of points
  // keeps a few-ulp error (sklearn gets the same from numpy's pairwise sum).
  double area = 0, lost = 0;
  for (size_t i = 1; i < curve.fpr.size(); ++i) {
    const double trapezoid = (curve.fpr[i] - curve.fpr[i - 1]) * (curve.tpr[i] + curve.tpr[i - 1]) / 2;
    const double sum = area + trapezoid;
    lost += std::abs(area) >= std::abs(trapezoid) ? (area - sum) + trapezoid : (trapezoid - sum) + area;
    area = sum;
  }
  return area + lost;
}

double roc_auc(const at::Tensor& scores, const at::Tensor& is_positive) {
  return roc_auc(roc_curve(scores, is_positive));
}

std::vector<double> roc_auc_per_class(const at::Tensor& scores, const at::Tensor& labels) {
  const char* metric = "roc_auc_per_class";
  if (!scores.defined() || scores.dim() != 2)
    fail(metric, "scores must be (N, C), got " +
                     (scores.defined() ? shape_of(scores) : "an undefined tensor"));
  const int64_t n = scores.size(0), classes = scores.size(1);
  check_vector(metric, "labels", labels, n);
  if (!at::isIntegralType(labels.scalar_type(), /*includeBool=*/false))
    fail(metric, "labels must be integer class indices");
  const at::Tensor target = labels.to(torch::kLong).contiguous();
  const int64_t* label = target.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    if (label[i] < 0 || label[i] >= classes)
      fail(metric, "label " + std::to_string(label[i]) + " at index " + std::to_string(i) +
                       " is outside [0, " + std::to_string(classes) + ")");

  std::vector<double> aucs;
  for (int64_t c = 0; c < classes; ++c) {
    std::vector<ScoredSample> samples =
        scored_samples(metric, scores.select(1, c), " of class " + std::to_string(c));
    for (int64_t i = 0; i < n; ++i) samples[static_cast<size_t>(i)].positive = label[i] == c;
    aucs.push_back(roc_auc(curve_from_samples(std::move(samples))));
  }
  return aucs;
}

double tpr_at_fpr(const RocCurve& curve, double fpr) {
  check_curve("tpr_at_fpr", curve);
  const std::vector<double>& xs = curve.fpr;
  const std::vector<double>& ys = curve.tpr;
  // An undefined FPR makes the whole column NaN; numpy.interp would search an
  // unordered array.
  if (std::isnan(fpr) || std::isnan(xs.back())) return kNaN;
  if (fpr < xs.front()) return ys.front();
  // numpy's search: the last j with xs[j] <= fpr, so on a vertical stretch of
  // the curve (repeated FPR) the point with the highest TPR.
  const size_t j = static_cast<size_t>(std::upper_bound(xs.begin(), xs.end(), fpr) - xs.begin()) - 1;
  if (j + 1 == xs.size() || xs[j] == fpr) return ys[j];
  const double slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]);
  return slope * (fpr - xs[j]) + ys[j];
}

}  // namespace qtrain
