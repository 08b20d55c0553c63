// Internal: the per-format jet readers behind read_jets() and the checks and
// assembly they share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/labeled_data.h"

namespace datasets::detail {

LabeledData read_jets_csv(const std::string& path);
LabeledData read_jets_arff(const std::string& path);
LabeledData read_jets_hdf5(const std::string& path);

// Index of `name` in jet_feature_names() / jet_class_names().
std::optional<int> jet_feature_index(std::string_view name);
std::optional<int> jet_class_index(std::string_view name);

// Why `value` cannot be a float32 feature ("not a finite number", "too large
// for float32"), or nullptr when it can.
const char* feature_value_problem(double value);

// Copies row-major (N, 16) features and N labels into tensors.
LabeledData make_jet_data(const std::vector<float>& features, const std::vector<int64_t>& labels);

}  // namespace datasets::detail
