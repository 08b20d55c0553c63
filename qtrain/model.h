// ModelSpec, the JSON description of a model (docs/model-spec.md), and Model,
// the LibTorch graph built from it.
//
//   {"name": "jet_tagger", "input_shape": [16],
//    "layers": [{"name": "fc1", "type": "QDense", "units": 64,
//                "kernel_quantizer": "quantized_bits(6,0,alpha=1)"}, ...],
//    "outputs": ["softmax"]}
//
// A layer's input is the previous layer unless it names "inputs" (layer
// names, or "input" for the model input).  The spec is kept as read and
// written back unchanged.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/layer.h"

namespace qtrain {

struct ModelSpec {
  nlohmann::json json;  // the document as read
  std::string source;   // file name (or a description) for error messages

  // Reads and checks the top-level structure; errors name the file.
  static ModelSpec load(const std::string& path);
  static ModelSpec from_json(nlohmann::json json, std::string source);
  // Writes json unchanged (atomically).
  void save(const std::string& path) const;

  std::string name() const;
  Shape input_shape() const;
  const nlohmann::json& layers() const { return json.at("layers"); }
};

class Model : public torch::nn::Module {
 public:
  // Builds every layer and checks shapes; throws ModelError naming the
  // source and the layer.
  explicit Model(ModelSpec spec);

  // The model's outputs for a batch (N, input_shape...), in "outputs" order.
  std::vector<torch::Tensor> forward_outputs(const torch::Tensor& x);
  // The first output.
  torch::Tensor forward(const torch::Tensor& x) { return forward_outputs(x).front(); }
  // Every layer's output, in layer order (for profiling and inspection).
  std::vector<torch::Tensor> forward_layers(const torch::Tensor& x);

  const ModelSpec& spec() const { return spec_; }
  const std::vector<LayerPtr>& layers() const { return layers_; }
  // Indices of a layer's inputs in layers(); -1 is the model input.
  const std::vector<int>& layer_inputs(size_t layer) const { return inputs_[layer]; }
  const std::vector<int>& output_layers() const { return outputs_; }
  // The layer named `name`, or nullptr.
  LayerPtr layer(const std::string& name) const;

  // Clip constraints of every layer (after an optimizer step).
  void apply_constraints();

 private:
  ModelSpec spec_;
  std::vector<LayerPtr> layers_;
  std::vector<std::vector<int>> inputs_;
  std::vector<int> outputs_;
};

}  // namespace qtrain
