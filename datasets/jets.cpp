#include "datasets/jets.h"

#include <torch/types.h>

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <filesystem>

#include "datasets/jet_readers.h"

namespace datasets {

const std::vector<std::string>& jet_feature_names() {
  static const std::vector<std::string> names = {"zlogz",         "c1_b0_mmdt",    "c1_b1_mmdt", "c1_b2_mmdt",
                                                 "c2_b1_mmdt",    "c2_b2_mmdt",    "d2_b1_mmdt", "d2_b2_mmdt",
                                                 "d2_a1_b1_mmdt", "d2_a1_b2_mmdt", "m2_b1_mmdt", "m2_b2_mmdt",
                                                 "n2_b1_mmdt",    "n2_b2_mmdt",    "mass_mmdt",  "multiplicity"};
  return names;
}

const std::vector<std::string>& jet_class_names() {
  static const std::vector<std::string> names = {"g", "q", "t", "w", "z"};
  return names;
}

namespace detail {

namespace {

std::optional<int> index_in(const std::vector<std::string>& names, std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<int>(it - names.begin());
}

}  // namespace

std::optional<int> jet_feature_index(std::string_view name) { return index_in(jet_feature_names(), name); }
std::optional<int> jet_class_index(std::string_view name) { return index_in(jet_class_names(), name); }

const char* feature_value_problem(double value) {
  if (!std::isfinite(value)) return "not a finite number";
  if (std::fabs(value) > FLT_MAX) return "too large for float32";
  return nullptr;
}

LabeledData make_jet_data(const std::vector<float>& features, const std::vector<int64_t>& labels) {
  const auto n = static_cast<int64_t>(labels.size());
  const auto f = static_cast<int64_t>(jet_feature_names().size());
  at::Tensor x = torch::empty({n, f}, torch::kFloat32);
  at::Tensor y = torch::empty({n}, torch::kInt64);
  std::copy(features.begin(), features.end(), x.data_ptr<float>());
  std::copy(labels.begin(), labels.end(), y.data_ptr<int64_t>());
  return {x, y, jet_feature_names(), jet_class_names()};
}

}  // namespace detail

namespace {

std::string lower_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool is_hdf5_extension(const std::string& ext) { return ext == ".h5" || ext == ".hdf5"; }

// The Zenodo release splits the jets over many files of 10 000 jets each.
LabeledData read_jets_directory(const std::string& path) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error))
    if (entry.is_regular_file() && is_hdf5_extension(lower_extension(entry.path()))) files.push_back(entry.path());
  if (error) throw DataError(path + ": cannot list directory: " + error.message());
  if (files.empty()) throw DataError(path + ": directory holds no .h5 or .hdf5 file");
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.filename() < b.filename(); });

  std::vector<at::Tensor> features, labels;
  for (const auto& file : files) {
    LabeledData part = detail::read_jets_hdf5(file.string());
    features.push_back(part.features);
    labels.push_back(part.labels);
  }
  return {torch::cat(features), torch::cat(labels), jet_feature_names(), jet_class_names()};
}

}  // namespace

LabeledData read_jets(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) throw DataError(path + ": no such file or directory");
  if (status.type() == std::filesystem::file_type::directory) return read_jets_directory(path);

  const std::string ext = lower_extension(path);
  if (ext == ".csv") return detail::read_jets_csv(path);
  if (ext == ".arff") return detail::read_jets_arff(path);
  if (is_hdf5_extension(ext)) return detail::read_jets_hdf5(path);
  throw DataError(path + ": unknown jet file type '" + ext + "' (expected .csv, .arff, .h5, .hdf5 or a directory)");
}

}  // namespace datasets
