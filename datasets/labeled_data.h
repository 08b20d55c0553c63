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
  at::Tensor features;  // (N, F) float32, contiguous; (N, H, W, C) images, (N, 19, 3) particles
  // (feature_names is empty when the features are not a flat list)
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

// k-fold cross-validation over the same permutation as split(): the first
// ceil(test_fraction · N) rows are the test set, the rest is cut into `folds`
// consecutive parts (numpy.array_split sizes: the first N mod k parts one
// row longer); part `fold` (1-based) is the validation set and the others,
// in order, the training set.  Throws std::invalid_argument for folds < 2,
// fold outside 1..folds, a test_fraction outside [0, 1) or fewer rows than
// folds.
Splits split_fold(const LabeledData& data, double test_fraction, int folds, int fold, uint64_t seed = 42);

}  // namespace datasets
