// A classification data set as two tensors plus the names that give them
// meaning, the error every reader throws for bad input, and the seeded
// train/validation/test split.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace datasets {

// Bad input data.  One line that names the file and, where there is one, the
// row (1-based line of a text file, 1-based row of an HDF5 data set) and the
// column.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LabeledData {
  at::Tensor features;  // (N, F) float32, contiguous
  at::Tensor labels;    // (N,) int64 class index in [0, class_names.size())
  std::vector<std::string> feature_names;
  std::vector<std::string> class_names;

  int64_t size() const;
  // The rows at `indices` (an int64 index tensor), in that order.
  LabeledData subset(const at::Tensor& indices) const;
};

struct Splits {
  LabeledData train, validation, test;
};

// Shuffles the rows with `seed`, gives the first ceil(test_fraction · N) to
// test, then the first ceil(validation_fraction · rest) of the rest to
// validation and what remains to train (sklearn's train_test_split sizes).
// The permutation is our own Fisher-Yates over std::mt19937_64, so it is the
// same on every platform.  Throws std::invalid_argument for fractions outside
// [0, 1) or when no row would be left for training.
Splits split(const LabeledData& data, double test_fraction = 0.2, double validation_fraction = 0.2, uint64_t seed = 42);

}  // namespace datasets
