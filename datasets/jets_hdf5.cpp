// The Zenodo jet files (spec §4b): a float data set `jets` (N, 59) whose
// columns are named by the string array `jetFeatureNames`; the 16 features
// and the one-hot labels are picked out of it by name.
#include <hdf5.h>

#include <algorithm>
#include <array>
#include <sstream>
#include <utility>

#include "datasets/file_check.h"
#include "datasets/hdf5_util.h"
#include "datasets/jet_readers.h"
#include "datasets/jets.h"

namespace datasets::detail {

namespace {

using hdf5::Handle;
using hdf5::QuietHdf5Errors;

// Rows read per HDF5 call: bounds memory for merged files of any length.
constexpr hsize_t kRowsPerRead = 1 << 14;

class ZenodoFile {
 public:
  explicit ZenodoFile(const std::string& path)
      : path_(path), file_(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose) {
    if (!file_.valid()) throw error("not an HDF5 file");
  }

  DataError error(const std::string& what) const { return DataError(path_ + ": " + what); }

  Handle open_dataset(const char* name) const {
    if (H5Lexists(file_.get(), name, H5P_DEFAULT) <= 0) throw error(std::string("no data set '") + name + "'");
    Handle dataset(H5Dopen2(file_.get(), name, H5P_DEFAULT), H5Dclose);
    if (!dataset.valid()) throw error(std::string("cannot open data set '") + name + "'");
    return dataset;
  }

  // The strings of a 1-D array of fixed- or variable-length strings
  // (h5py writes numpy bytes as the first, Python str as the second).
  std::vector<std::string> read_strings(const char* name) const {
    const Handle dataset = open_dataset(name);
    const Handle type(H5Dget_type(dataset.get()), H5Tclose);
    const Handle space(H5Dget_space(dataset.get()), H5Sclose);
    if (H5Tget_class(type.get()) != H5T_STRING) throw error(std::string("'") + name + "' is not an array of strings");
    const auto count = static_cast<size_t>(H5Sget_simple_extent_npoints(space.get()));
    const Handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_cset(memory_type.get(), H5Tget_cset(type.get()));
    std::vector<std::string> strings;
    if (H5Tis_variable_str(type.get()) > 0) {
      H5Tset_size(memory_type.get(), H5T_VARIABLE);
      std::vector<char*> pointers(count, nullptr);
      if (H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
        throw error(std::string("cannot read '") + name + "'");
      for (const char* p : pointers) strings.emplace_back(p ? p : "");
      H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, pointers.data());
    } else {
      const size_t size = H5Tget_size(type.get());
      H5Tset_size(memory_type.get(), size);
      H5Tset_strpad(memory_type.get(), H5T_STR_NULLPAD);
      std::vector<char> buffer(count * size);
      if (H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
        throw error(std::string("cannot read '") + name + "'");
      for (size_t i = 0; i < count; ++i) {
        std::string s(buffer.data() + i * size, size);
        s.erase(std::min(s.find('\0'), s.size()));
        s.erase(s.find_last_not_of(' ') + 1);
        strings.push_back(std::move(s));
      }
    }
    return strings;
  }

 private:
  const std::string& path_;
  Handle file_;
};

// The column of `names` called `j_<name>` (Zenodo) or `<name>`.
size_t column_of(const ZenodoFile& file, const std::vector<std::string>& names, const std::string& name) {
  for (const std::string& candidate : {"j_" + name, name}) {
    const auto it = std::find(names.begin(), names.end(), candidate);
    if (it != names.end()) return static_cast<size_t>(it - names.begin());
  }
  throw file.error("jetFeatureNames has no column 'j_" + name + "'");
}

}  // namespace

LabeledData read_jets_hdf5(const std::string& path) {
  require_readable_file(path);
  const QuietHdf5Errors quiet;
  const ZenodoFile file(path);
  const std::vector<std::string> names = file.read_strings("jetFeatureNames");
  const Handle jets = file.open_dataset("jets");
  const Handle space(H5Dget_space(jets.get()), H5Sclose);
  std::array<hsize_t, 2> shape{};
  if (H5Sget_simple_extent_ndims(space.get()) != 2) throw file.error("'jets' is not a 2-D array");
  H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
  const hsize_t rows = shape[0], columns = shape[1];
  if (columns != names.size())
    throw file.error("'jets' has " + std::to_string(columns) + " columns but jetFeatureNames names " +
                     std::to_string(names.size()));
  if (rows == 0) throw file.error("'jets' has no rows");

  std::vector<size_t> feature_columns, class_columns;
  for (const std::string& feature : jet_feature_names()) feature_columns.push_back(column_of(file, names, feature));
  for (const std::string& label : jet_class_names()) class_columns.push_back(column_of(file, names, label));

  std::vector<float> features;
  std::vector<int64_t> labels;
  features.reserve(rows * feature_columns.size());
  labels.reserve(rows);
  std::vector<double> block;
  for (hsize_t first = 0; first < rows; first += kRowsPerRead) {
    const std::array<hsize_t, 2> start{first, 0}, count{std::min(kRowsPerRead, rows - first), columns};
    block.resize(count[0] * count[1]);
    const Handle memory(H5Screate_simple(2, count.data(), nullptr), H5Sclose);
    if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0 ||
        H5Dread(jets.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT, block.data()) < 0)
      throw file.error("cannot read 'jets' as numbers");

    for (hsize_t r = 0; r < count[0]; ++r) {
      const double* row = block.data() + r * columns;
      const auto where = [&] { return "row " + std::to_string(first + r + 1); };
      for (const size_t c : feature_columns) {
        if (const char* problem = feature_value_problem(row[c]))
          throw file.error(where() + ", column " + std::to_string(c + 1) + " (" + names[c] + "): " + problem);
        features.push_back(static_cast<float>(row[c]));
      }
      int64_t hot = -1;
      bool one_hot = true;
      for (size_t k = 0; k < class_columns.size(); ++k) {
        const double v = row[class_columns[k]];
        if (v == 1.0 && hot < 0)
          hot = static_cast<int64_t>(k);
        else if (v != 0.0)
          one_hot = false;
      }
      if (!one_hot || hot < 0) {
        std::ostringstream values;
        for (size_t k = 0; k < class_columns.size(); ++k)
          values << (k ? ", " : "") << names[class_columns[k]] << '=' << row[class_columns[k]];
        throw file.error(where() + ": labels are not one-hot (" + values.str() + ")");
      }
      labels.push_back(hot);
    }
  }
  return make_jet_data(features, labels);
}

}  // namespace datasets::detail
