#include "qtrain/weights_h5.h"

#include <hdf5.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "datasets/hdf5_util.h"
#include "qtrain/files.h"
#include "quantizers/field.h"

namespace qtrain {
namespace {

using datasets::hdf5::Handle;
using datasets::hdf5::QuietHdf5Errors;

WeightsFileError file_error(const std::string& path, const std::string& what) {
  return WeightsFileError(path + ": " + what);
}

bool has_link(hid_t location, const std::string& name) { return H5Lexists(location, name.c_str(), H5P_DEFAULT) > 0; }

// ---------------------------------------------------------------------------
// Writing

// Creation properties of a file or group that lists its members in creation
// order: h5py and h5dump then show layers in model order and weights in
// Keras' order rather than alphabetically.
Handle creation_ordered(hid_t property_class) {
  Handle properties(H5Pcreate(property_class), H5Pclose);
  if (properties.valid()) H5Pset_link_creation_order(properties.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  return properties;
}

// A scalar variable-length UTF-8 string, as h5py writes a Python str (and
// stored on the heap, so the model spec is not bound by the 64 kB limit of
// an attribute).
void write_attribute(hid_t object, const char* name, const std::string& value, const std::string& path,
                     const std::string& object_name) {
  const Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const bool typed = type.valid() && space.valid() && H5Tset_size(type.get(), H5T_VARIABLE) >= 0 &&
                     H5Tset_cset(type.get(), H5T_CSET_UTF8) >= 0;
  const Handle attribute(typed ? H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT) : -1,
                         H5Aclose);
  const char* text = value.c_str();
  if (!attribute.valid() || H5Awrite(attribute.get(), type.get(), &text) < 0)
    throw file_error(path, std::string("cannot write attribute '") + name + "' of '" + object_name + "'");
}

// A float32 data set of the tensor's shape; returned open for attributes.
Handle write_dataset(hid_t group, const std::string& name, const at::Tensor& value, const std::string& path,
                     const std::string& object_name) {
  const at::Tensor data = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
  const Handle space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(dims.size()), dims.data(), nullptr),
                     H5Sclose);
  Handle dataset(space.valid() ? H5Dcreate2(group, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                                            H5P_DEFAULT, H5P_DEFAULT)
                               : -1,
                 H5Dclose);
  if (!dataset.valid() ||
      H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data_ptr<float>()) < 0)
    throw file_error(path, "cannot write data set '" + object_name + "'");
  return dataset;
}

// A constructor argument of a quantizer by name (None when it has none).
quantizers::ArgValue argument(quantizers::Quantizer& q, std::string_view name) {
  for (const quantizers::Field& f : q.fields())
    if (f.name() == name) return f.get();
  return {};
}

// model_save_quantized_weights' hardware format of w_q = q(w) (qkeras.md §4).
struct HardwareWeight {
  const char* encoding;
  at::Tensor values;
  at::Tensor signs;  // undefined unless quantized_po2
  at::Tensor scale;  // undefined unless quantized_bits with alpha 'auto_po2'
};

HardwareWeight hardware_weight(quantizers::Quantizer& q, const at::Tensor& quantized) {
  const std::string_view name = q.name();
  if (name == "quantized_po2" || name == "quantized_relu_po2") {
    HardwareWeight hw{"exponent", torch::round(torch::log2(quantized.abs())), {}, {}};
    // QKeras keeps the signs of quantized_po2 only: quantized_relu_po2 is
    // taken as non-negative (its negative_slope values lose their sign).
    if (name == "quantized_po2") hw.signs = torch::ones_like(quantized).masked_fill_(quantized < 0, -1.0);
    return hw;
  }
  if (name == "quantized_bits" && argument(q, "alpha") == quantizers::ArgValue(std::string("auto_po2"))) {
    // m = 2^(bits - keep_negative), m_i = 2^integer, float32 as in QKeras.
    // scale() is QKeras' quantizer.scale of the call that produced w_q.
    const int unsigned_bits = q.bits() - (std::get<bool>(argument(q, "keep_negative")) ? 1 : 0);
    const float m = std::ldexp(1.0f, unsigned_bits);
    const float m_i = std::ldexp(1.0f, static_cast<int>(std::get<double>(argument(q, "integer"))));
    return {"auto_po2", quantized * m / m_i, {}, q.scale() * m_i / m};
  }
  return {"value", quantized, {}, {}};
}

void write_weight(hid_t group, const Layer& layer, const LayerWeight& w, const std::string& path) {
  const std::string object_name = layer.name() + "/" + w.name;
  const Handle variable = write_dataset(group, w.name, w.variable, path, object_name);
  const at::Tensor quantized = w.quantized(/*training=*/false);
  write_dataset(group, w.name + "_quantized", quantized, path, object_name + "_quantized");
  if (!w.quantizer) return;
  write_attribute(variable.get(), "quantizer", w.quantizer->to_string(), path, object_name);
  const HardwareWeight hw = hardware_weight(*w.quantizer, quantized);
  const Handle values = write_dataset(group, w.name + "_hw", hw.values, path, object_name + "_hw");
  write_attribute(values.get(), "encoding", hw.encoding, path, object_name + "_hw");
  if (hw.signs.defined()) write_dataset(group, w.name + "_signs", hw.signs, path, object_name + "_signs");
  if (hw.scale.defined()) write_dataset(group, w.name + "_scale", hw.scale, path, object_name + "_scale");
}

// ---------------------------------------------------------------------------
// Reading

Handle open_file(const std::string& path) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) throw file_error(path, "no such file");
  if (!std::filesystem::is_regular_file(path, ignored)) throw file_error(path, "not a regular file");
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) throw file_error(path, "cannot read file");
  if (is_hdf5 == 0) throw file_error(path, "not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) throw file_error(path, "cannot open HDF5 file");
  return file;
}

// A string attribute, fixed- or variable-length.
std::string read_attribute(hid_t object, const std::string& name, const std::string& path,
                           const std::string& object_name) {
  const std::string what = "attribute '" + name + "' of '" + object_name + "'";
  if (H5Aexists(object, name.c_str()) <= 0) throw file_error(path, "no " + what);
  const Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  const Handle type(attribute.valid() ? H5Aget_type(attribute.get()) : -1, H5Tclose);
  const Handle space(attribute.valid() ? H5Aget_space(attribute.get()) : -1, H5Sclose);
  if (!type.valid() || !space.valid() || H5Tget_class(type.get()) != H5T_STRING ||
      H5Sget_simple_extent_npoints(space.get()) != 1)
    throw file_error(path, what + " is not a string");
  const Handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_cset(memory_type.get(), H5Tget_cset(type.get()));
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Tset_size(memory_type.get(), H5T_VARIABLE);
    char* text = nullptr;
    if (H5Aread(attribute.get(), memory_type.get(), &text) < 0) throw file_error(path, "cannot read " + what);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type.get()), '\0');
  H5Tset_size(memory_type.get(), value.size());
  H5Tset_strpad(memory_type.get(), H5T_STR_NULLPAD);
  if (H5Aread(attribute.get(), memory_type.get(), value.data()) < 0) throw file_error(path, "cannot read " + what);
  value.erase(std::min(value.find('\0'), value.size()));
  return value;
}

// A numeric data set as float32 (HDF5 converts integer and float64 data).
at::Tensor read_dataset(hid_t location, const std::string& name, const std::string& path,
                        const std::string& object_name) {
  const Handle dataset(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.valid()) throw file_error(path, "no data set '" + object_name + "'");
  const Handle type(H5Dget_type(dataset.get()), H5Tclose);
  const Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const H5T_class_t kind = type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if ((kind != H5T_FLOAT && kind != H5T_INTEGER) || rank < 0)
    throw file_error(path, "'" + object_name + "' is not a numeric data set");
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  at::Tensor value = torch::empty(std::vector<int64_t>(dims.begin(), dims.end()), torch::kFloat32);
  if (value.numel() > 0 &&
      H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data_ptr<float>()) < 0)
    throw file_error(path, "cannot read data set '" + object_name + "'");
  return value;
}

}  // namespace

void save_weights_h5(Model& model, const std::string& path) {
  torch::NoGradGuard no_grad;
  const QuietHdf5Errors quiet;
  write_atomically(path, [&](const std::string& temporary) {
    const Handle file_properties = creation_ordered(H5P_FILE_CREATE);
    const Handle file(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, file_properties.get(), H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw file_error(path, "cannot create file");
    write_attribute(file.get(), "format", kWeightsFormat, path, "/");
    write_attribute(file.get(), "model", model.spec().json.dump(), path, "/");
    const Handle group_properties = creation_ordered(H5P_GROUP_CREATE);
    for (const LayerPtr& layer : model.layers()) {
      // HDF5 would read "a/b" as group b inside group a.
      if (layer->name().find('/') != std::string::npos)
        throw file_error(path, "layer '" + layer->name() + "': a name with '/' cannot be an HDF5 group");
      const Handle group(
          H5Gcreate2(file.get(), layer->name().c_str(), H5P_DEFAULT, group_properties.get(), H5P_DEFAULT), H5Gclose);
      if (!group.valid()) throw file_error(path, "cannot create group '" + layer->name() + "'");
      write_attribute(group.get(), "type", layer->type(), path, layer->name());
      for (const LayerWeight& w : layer->weights()) write_weight(group.get(), *layer, w, path);
    }
    if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) throw file_error(path, "cannot write file");
  });
}

void load_weights_h5(Model& model, const std::string& path) {
  const QuietHdf5Errors quiet;
  const Handle file = open_file(path);
  if (H5Aexists(file.get(), "format") <= 0) throw file_error(path, "not a qtrain weights file (no 'format' attribute)");
  const std::string format = read_attribute(file.get(), "format", path, "/");
  if (format != kWeightsFormat)
    throw file_error(path, "unsupported format '" + format + "' (expected '" + kWeightsFormat + "')");

  std::vector<std::pair<at::Tensor, at::Tensor>> assignments;  // (variable, value read)
  for (const LayerPtr& layer : model.layers()) {
    if (layer->weights().empty()) continue;
    const std::string& name = layer->name();
    if (!has_link(file.get(), name)) throw file_error(path, "no layer '" + name + "'");
    const Handle group(H5Gopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.valid()) throw file_error(path, "'" + name + "' is not a layer group");
    for (const LayerWeight& w : layer->weights()) {
      if (!has_link(group.get(), w.name)) throw file_error(path, "layer '" + name + "' has no weight '" + w.name + "'");
      at::Tensor value = read_dataset(group.get(), w.name, path, name + "/" + w.name);
      if (value.sizes() != w.variable.sizes())
        throw file_error(path, "layer '" + name + "' weight '" + w.name + "' has shape " + c10::str(value.sizes()) +
                                   ", the model expects " + c10::str(w.variable.sizes()));
      assignments.emplace_back(w.variable, std::move(value));
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& [variable, value] : assignments) variable.copy_(value);
}

at::Tensor read_h5_dataset(const std::string& path, const std::string& dataset) {
  const QuietHdf5Errors quiet;
  const Handle file = open_file(path);
  return read_dataset(file.get(), dataset, path, dataset);
}

std::string read_h5_attribute(const std::string& path, const std::string& object, const std::string& attribute) {
  const QuietHdf5Errors quiet;
  const Handle file = open_file(path);
  const Handle target(H5Oopen(file.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!target.valid()) throw file_error(path, "no group or data set '" + object + "'");
  return read_attribute(target.get(), attribute, path, object);
}

}  // namespace qtrain
