#include "datasets/labeled_data.h"

#include <torch/types.h>

#include <cmath>

#include "datasets/random.h"

namespace datasets {

int64_t LabeledData::size() const { return labels.defined() ? labels.size(0) : 0; }

LabeledData LabeledData::subset(const at::Tensor& indices) const {
  return {features.index_select(0, indices), labels.index_select(0, indices), feature_names, class_names};
}

Splits split(const LabeledData& data, double test_fraction, double validation_fraction, uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0) || !(validation_fraction >= 0.0 && validation_fraction < 1.0))
    throw std::invalid_argument("split: fractions must be in [0, 1), got test " + std::to_string(test_fraction) +
                                " and validation " + std::to_string(validation_fraction));
  const int64_t n = data.size();
  const auto n_test = static_cast<int64_t>(std::ceil(test_fraction * static_cast<double>(n)));
  const auto n_validation = static_cast<int64_t>(std::ceil(validation_fraction * static_cast<double>(n - n_test)));
  if (n - n_test - n_validation <= 0)
    throw std::invalid_argument("split: no rows left for training out of " + std::to_string(n));

  const at::Tensor order = torch::tensor(detail::Random(seed).permutation(n), torch::kInt64);
  return {data.subset(order.slice(0, n_test + n_validation)),
          data.subset(order.slice(0, n_test, n_test + n_validation)), data.subset(order.slice(0, 0, n_test))};
}

}  // namespace datasets
