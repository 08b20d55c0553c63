#include "datasets/labeled_data.h"

#include <torch/types.h>

#include <algorithm>
#include <cmath>

#include "datasets/random.h"

namespace datasets {

int64_t LabeledData::size() const { return labels.defined() ? labels.size(0) : 0; }

LabeledData LabeledData::subset(const at::Tensor& indices) const {
  return {features.index_select(0, indices), labels.index_select(0, indices), feature_names, class_names};
}

namespace {

int64_t test_rows(double test_fraction, int64_t n) {
  return static_cast<int64_t>(std::ceil(test_fraction * static_cast<double>(n)));
}

}  // namespace

Splits split(const LabeledData& data, double test_fraction, double validation_fraction, uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0) || !(validation_fraction >= 0.0 && validation_fraction < 1.0))
    throw std::invalid_argument("split: fractions must be in [0, 1), got test " + std::to_string(test_fraction) +
                                " and validation " + std::to_string(validation_fraction));
  const int64_t n = data.size();
  const int64_t n_test = test_rows(test_fraction, n);
  const auto n_validation = static_cast<int64_t>(std::ceil(validation_fraction * static_cast<double>(n - n_test)));
  if (n - n_test - n_validation <= 0)
    throw std::invalid_argument("split: no rows left for training out of " + std::to_string(n));

  const at::Tensor order = torch::tensor(detail::Random(seed).permutation(n), torch::kInt64);
  return {data.subset(order.slice(0, n_test + n_validation)),
          data.subset(order.slice(0, n_test, n_test + n_validation)), data.subset(order.slice(0, 0, n_test))};
}

Splits split_fold(const LabeledData& data, double test_fraction, int folds, int fold, uint64_t seed) {
  if (folds < 2 || fold < 1 || fold > folds || !(test_fraction >= 0.0 && test_fraction < 1.0))
    throw std::invalid_argument("split_fold: need folds >= 2, fold in 1..folds and a test fraction in [0, 1), got " +
                                std::to_string(folds) + ", " + std::to_string(fold) + " and " +
                                std::to_string(test_fraction));
  const int64_t n = data.size();
  const int64_t n_test = test_rows(test_fraction, n);
  const int64_t rest = n - n_test;
  if (rest < folds)
    throw std::invalid_argument("split_fold: " + std::to_string(rest) + " rows cannot make " + std::to_string(folds) +
                                " folds");
  // Part k starts at k·(rest / folds) + min(k, rest mod folds).
  const auto start = [&](int k) { return n_test + k * (rest / folds) + std::min<int64_t>(k, rest % folds); };
  const at::Tensor order = torch::tensor(detail::Random(seed).permutation(n), torch::kInt64);
  const int64_t begin = start(fold - 1), end = start(fold);
  const at::Tensor train = torch::cat({order.slice(0, n_test, begin), order.slice(0, end)});
  return {data.subset(train), data.subset(order.slice(0, begin, end)), data.subset(order.slice(0, 0, n_test))};
}

}  // namespace datasets
