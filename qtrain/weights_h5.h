// A model's weights as an HDF5 file: QKeras' model_save_quantized_weights
// (qkeras.md §4) plus the float variables, so the same file both feeds a
// hardware generator and restores a model.
//
// Layout (every data set float32, Keras layout and shape; groups list their
// members in creation order, i.e. layers in model order and weights in
// Keras' get_weights() order):
//   /                      attributes "format" (kWeightsFormat), "model" (the spec JSON)
//   /<layer>/              one group per layer, attribute "type" (the spec's layer type)
//     <weight>             the float variable; attribute "quantizer" (QKeras call syntax) if quantized
//     <weight>_quantized   the value the layer computes with (inference mode): QKeras' software format
//   and for quantized weights QKeras' hardware format:
//     <weight>_hw          attribute "encoding":
//                            "value":    the quantized value itself
//                            "exponent": round(log2|w_q|) (quantized_po2, quantized_relu_po2)
//                            "auto_po2": w_q · 2^(bits − keep_negative − integer) (quantized_bits, alpha 'auto_po2')
//     <weight>_signs       quantized_po2 only: sign of w_q, 0 counted as +1
//     <weight>_scale       "auto_po2" only: per-channel quantizer.scale · 2^(integer − bits + keep_negative)
// QKeras' auto_po2 formulas are copied as they are: <weight>_hw · <weight>_scale
// equals w_q only for channels whose quantizer scale is 1.
#pragma once

#include <ATen/core/Tensor.h>

#include <stdexcept>
#include <string>

#include "qtrain/model.h"

namespace qtrain {

// Value of the root "format" attribute; load_weights_h5 accepts only this.
inline constexpr const char* kWeightsFormat = "qtrain-weights/1";

// A weights file that cannot be written or read, or does not fit the model.
// One line naming the file and, where there is one, the layer and weight.
struct WeightsFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes every layer's weights as above.  Atomic: an existing file is
// replaced only by a complete one.  The model is not modified (QKeras
// overwrites the float weights with the quantized ones; here they stay).
void save_weights_h5(Model& model, const std::string& path);

// Sets every weight of the model from the float data set of the same layer and
// weight name (other groups and data sets are ignored, so the weights of a
// float model load into its quantized version).  Everything is read and
// checked before the first weight is set: on error the model is unchanged.
void load_weights_h5(Model& model, const std::string& path);

// One data set of any HDF5 file ("/fc1/kernel") as a float32 tensor of its shape.
at::Tensor read_h5_dataset(const std::string& path, const std::string& dataset);
// A string attribute of a group or data set ("/" is the root group).
std::string read_h5_attribute(const std::string& path, const std::string& object, const std::string& attribute);

}  // namespace qtrain
