// QTools' layer data type map (generate_layer_data_type_map.py): for every
// layer of a model, the number formats of its inputs, parameters, products,
// sums and output, and how many operations it performs.  Each layer's output
// type becomes the input type of the layers it feeds, starting from the
// source quantizer of the model input.  Semantics: ../shared/spec/qkeras.md §5.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "energy/data_type.h"
#include "qtrain/model.h"

namespace energy {

// QTools' default for anything without a quantizer: quantized_bits(8, 0, 1).
inline constexpr const char* kDefaultQuantizer = "quantized_bits(8, 0, 1)";

struct DataTypeOptions {
  // The number format of the model input ("int8", "fp32" or a quantizer).
  std::string source_quantizer = kDefaultQuantizer;
  // Reference mode (QTools' for_reference): price the model as if nothing
  // were quantized — weights in keras_quantizer, every product, sum and
  // output in keras_accumulator.
  bool for_reference = false;
  // Weights and biases of layers without quantizers (Keras classes); empty
  // means the default quantizer.
  std::string keras_quantizer;
  // Products, sums and outputs of layers without quantizers; empty means the
  // default quantizer.
  std::string keras_accumulator;
};

// A product followed by its accumulation.
struct MacStage {
  Operation multiplier;
  DataType accumulator;  // after the bias addition, if the stage adds the bias
  int64_t operations = 0;  // products per sample
};

// A tensor read from parameter memory.
struct Parameter {
  std::string weight;  // Keras weight name: kernel, bias, gamma, ...
  DataType type;
  int64_t elements = 0;
};

struct LayerDataTypes {
  std::string name, type;  // type: the spec's class name (QDense, Activation, ...)
  std::vector<DataType> inputs;  // one per input tensor
  std::vector<qtrain::Shape> input_shapes;
  std::vector<Parameter> parameters;
  // Dense, Conv1D/2D, DepthwiseConv2D: one stage; SeparableConv2D: the
  // depthwise then the pointwise stage.
  std::vector<MacStage> macs;
  // BatchNormalization: gamma / stddev, then its product with the input.
  std::optional<Operation> divider;
  // BatchNormalization: the product above; merge layers: the merge;
  // quantized average pooling: the product with the quantized 1/area.
  std::optional<Operation> multiplier;
  // Average pooling: the window sum; BatchNormalization: the beta addition.
  std::optional<DataType> accumulator;
  DataType output;
  qtrain::Shape output_shape;
  int64_t operation_count = 0;  // per sample, as QTools counts them
  bool reads_model_input = false;    // fed by the model input
  bool writes_model_output = false;  // feeds no other layer
};

// The map, in layer order.  Dropout layers are left out (QTools removes
// them from the graph).  Throws std::invalid_argument for an unknown
// source/keras type or a quantizer QTools cannot divide by (BN variance).
std::vector<LayerDataTypes> data_type_map(qtrain::Model& model, const DataTypeOptions& options = {});

// QTools-style JSON of one layer's types.
nlohmann::json to_json(const LayerDataTypes& layer);

}  // namespace energy
