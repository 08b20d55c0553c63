// Layer: one node of a model, a LibTorch module with QKeras's quantizer slots.
// Semantics: ../shared/spec/qkeras.md §3.  A layer without quantizers is its
// float Keras counterpart, so `Dense` and `QDense` are the same class.
//
// Tensors are channels-last as in Keras ((N, features), (N, T, C),
// (N, H, W, C)) and weights keep Keras' layout (Dense kernel (in, out), Conv2D
// kernel (kh, kw, in, out)): per-channel quantizer scales are per last axis,
// and weights import from / export to Keras and hls4ml without reordering.
// Convolutions permute to LibTorch's NCHW inside forward().
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "quantizers/quantizer.h"

namespace qtrain {

// A per-sample shape (no batch dimension), channels last.
using Shape = std::vector<int64_t>;
// "(None, 32, 32, 3)", as Keras prints an output shape.
std::string shape_to_string(const Shape& shape);
// The number of values in a tensor of this shape.
int64_t element_count(const Shape& shape);

// A model spec or layer that cannot be built; the message names the file
// and/or the layer and the offending argument.
struct ModelError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// One weight of a layer: the float variable (never overwritten by
// quantization) and the quantizer applied to it on every forward.
struct LayerWeight {
  std::string name;                     // Keras' weight name: kernel, bias, gamma, moving_mean, ...
  torch::Tensor variable;               // float32, Keras layout
  quantizers::QuantizerPtr quantizer;   // nullptr: used as is
  bool trainable = true;
  // Clip(min, max) constraint applied after optimizer steps: QKeras' automatic
  // one for quantized weights, or a user's.
  std::optional<std::pair<double, double>> clip;
  // The value the layer computes with: quantizer(variable), or variable.
  torch::Tensor quantized(bool training = false) const;
};

class LayerArgs;

class Layer : public torch::nn::Module {
 public:
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  const Shape& output_shape() const { return output_shape_; }

  virtual torch::Tensor forward(const std::vector<torch::Tensor>& inputs) = 0;

  // Weights in Keras' get_weights() order.
  const std::vector<LayerWeight>& weights() const { return weights_; }
  std::vector<LayerWeight>& weights() { return weights_; }
  const LayerWeight* weight(const std::string& weight_name) const;

  // Quantizer slots by their QKeras argument name ("kernel_quantizer",
  // "activation", ...), set ones only, for summaries and the precision config.
  const std::vector<std::pair<std::string, quantizers::QuantizerPtr>>& quantizer_slots() const { return slots_; }

  // The layer's multiply-accumulate products per sample as QKeras'
  // extract_model_operations counts them; 0 for layers without products.
  virtual int64_t multiplications() const { return 0; }
  // Additions per sample of the products' accumulation, bias included.
  virtual int64_t additions() const { return 0; }
  // What this layer does to the quantizer of its input, as QKeras'
  // print_qstats tracks tensor types: a new output quantizer (activation
  // quantizers; nullptr meaning float), or nullopt to pass its input's through.
  virtual std::optional<quantizers::QuantizerPtr> output_quantizer() const { return std::nullopt; }

  // Applies the Clip constraints after an optimizer step.
  void apply_constraints();

 protected:
  Layer(const LayerArgs& args, std::vector<Shape> input_shapes);
  void set_output_shape(Shape shape) { output_shape_ = std::move(shape); }
  // Registers a Keras weight as a parameter (trainable) or buffer.
  torch::Tensor& add_weight(const std::string& weight_name, torch::Tensor init, quantizers::QuantizerPtr quantizer,
                            bool trainable = true);
  void add_slot(const std::string& slot, const quantizers::QuantizerPtr& quantizer);
  // An error naming this layer: "layer 'fc1' (QDense): <what>".
  ModelError error(const std::string& what) const;

 private:
  std::string name_, type_;
  std::vector<Shape> input_shapes_;
  Shape output_shape_;
  std::vector<LayerWeight> weights_;
  std::vector<std::pair<std::string, quantizers::QuantizerPtr>> slots_;
};

using LayerPtr = std::shared_ptr<Layer>;

// Builds the layer a spec entry describes ({"name", "type", arguments...})
// for the given input shapes; validates every argument and the shapes.
// `type` is a Keras/QKeras class name (layer_types() lists them).
LayerPtr make_layer(const nlohmann::json& spec, const std::vector<Shape>& input_shapes);
std::vector<std::string> layer_types();

}  // namespace qtrain
