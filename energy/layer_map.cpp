#include "energy/layer_map.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "energy/layer_info.h"

namespace energy {
namespace {

using qtrain::Layer;
using qtrain::Shape;

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool is_mac_layer(const std::string& type) {
  for (const char* t : {"Dense", "Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"})
    if (type == t || type == std::string("Q") + t) return true;
  return false;
}
bool is_average_pooling(const std::string& type) {
  return type == "AveragePooling2D" || type == "GlobalAveragePooling2D" || type == "QAveragePooling2D" ||
         type == "QGlobalAveragePooling2D";
}
// Layers that only move data: QTools passes their input type through.
bool is_shape_layer(const std::string& type) {
  return type.find("MaxPool") != std::string::npos || type == "Reshape" || type == "Flatten" ||
         starts_with(type, "UpSampling");
}

// Builds the map of one model; the state shared by the per-class rules.
class MapBuilder {
 public:
  MapBuilder(qtrain::Model& model, const DataTypeOptions& options)
      : model_(model),
        options_(options),
        source_(named_type(options.source_quantizer)),
        default_(named_type(kDefaultQuantizer)),
        weight_default_(options.keras_quantizer.empty() ? default_ : named_type(options.keras_quantizer)),
        interm_(options.keras_accumulator.empty() ? default_ : named_type(options.keras_accumulator)),
        output_(model.layers().size()) {}

  std::vector<LayerDataTypes> build() {
    const auto& layers = model_.layers();
    // QTools drops Dropout layers and reconnects their neighbours: resolve
    // every input to the layer that really produces it.
    std::vector<bool> consumed(layers.size(), false);
    for (size_t l = 0; l < layers.size(); ++l) {
      if (is_dropout(l)) continue;
      for (int i : model_.layer_inputs(l))
        if (int p = producer(i); p >= 0) consumed[p] = true;
    }
    std::vector<LayerDataTypes> map;
    for (size_t l = 0; l < layers.size(); ++l) {
      const Layer& layer = *layers[l];
      if (is_dropout(l)) {
        int p = producer(model_.layer_inputs(l).front());
        output_[l] = p < 0 ? source_ : output_[p];
        continue;
      }
      LayerDataTypes t;
      t.name = layer.name();
      t.type = layer.type();
      t.input_shapes = layer.input_shapes();
      t.output_shape = layer.output_shape();
      t.writes_model_output = !consumed[l];
      for (int i : model_.layer_inputs(l)) {
        int p = producer(i);
        t.reads_model_input = t.reads_model_input || p < 0;
        t.inputs.push_back(p < 0 ? source_ : output_[p]);
      }
      describe(l, t);
      output_[l] = t.output;
      map.push_back(std::move(t));
    }
    return map;
  }

 private:
  bool is_dropout(size_t l) const { return model_.layers()[l]->type() == "Dropout"; }
  int producer(int i) const {
    while (i >= 0 && is_dropout(static_cast<size_t>(i))) i = model_.layer_inputs(static_cast<size_t>(i)).front();
    return i;
  }

  // A quantizer slot's type, or `fallback` where QTools would find none.
  static DataType type_or(const quantizers::Quantizer* q, const DataType& fallback) {
    std::optional<DataType> t = data_type(q);
    return t ? *t : fallback;
  }
  // Whether the layer's own quantizers count: QTools uses them for QKeras
  // classes only; a Keras class given quantizers is the same layer here.
  bool uses_quantizers(const Layer& layer) const {
    if (options_.for_reference) return false;
    if (starts_with(layer.type(), "Q")) return true;
    for (const qtrain::LayerWeight& w : layer.weights())
      if (w.quantizer) return true;
    return false;
  }

  // A layer's output type: its activation quantizer where it has one QTools
  // knows (not in reference mode), else what its arithmetic produces.
  DataType output_type(const Layer& layer, const DataType& computed) const {
    if (options_.for_reference) return computed;
    std::optional<DataType> activation = data_type(quantizer_slot(layer, "activation"));
    return activation ? *activation : computed;
  }

  void describe(size_t l, LayerDataTypes& t) {
    const Layer& layer = *model_.layers()[l];
    const std::string& type = layer.type();
    const int64_t input_elements = element_count(t.input_shapes.front());
    if (type == "Add" || type == "Concatenate") {
      Operation op = merge(type, t.inputs);
      if (options_.for_reference) op.output = interm_;
      t.multiplier = op;
      t.output = output_type(layer, op.output);
      // Inputs of a merge may broadcast: QTools counts the largest.
      for (const Shape& s : t.input_shapes) t.operation_count = std::max(t.operation_count, element_count(s));
    } else if (is_shape_layer(type)) {
      t.output = t.inputs.front();
      t.operation_count = starts_with(type, "UpSampling") ? element_count(t.output_shape) : input_elements;
    } else if (is_average_pooling(type)) {
      describe_average_pooling(l, t);
    } else if (type == "Activation" || type == "QActivation") {
      t.operation_count = input_elements;
      DataType computed = interm_;
      if (uses_quantizers(layer)) computed = type_or(quantizer_slot(layer, "activation"), interm_);
      t.output = output_type(layer, computed);
    } else if (type == "BatchNormalization" || type == "QBatchNormalization") {
      describe_batch_normalization(layer, t);
    } else if (is_mac_layer(type)) {
      describe_mac(layer, t);
    } else {
      // Any other layer (ReLU, LeakyReLU, Sampling, 1-D average pooling)
      // passes its input's type on.
      DataType in = t.inputs.front();
      if (options_.for_reference && !options_.keras_accumulator.empty() && !t.reads_model_input) in = interm_;
      t.output = in;
    }
  }

  void describe_mac(const Layer& layer, LayerDataTypes& t) {
    const bool quantized = uses_quantizers(layer);
    const qtrain::LayerWeight* bias = layer.weight("bias");
    std::optional<DataType> bias_type;
    if (bias) bias_type = quantized ? type_or(bias->quantizer.get(), default_) : weight_default_;
    for (const qtrain::LayerWeight& w : layer.weights()) {
      if (&w == bias) continue;
      t.parameters.push_back({w.name, quantized ? type_or(w.quantizer.get(), default_) : weight_default_,
                              w.variable.numel()});
    }
    const Shape& out = t.output_shape;
    auto stage = [&](const DataType& weight, const DataType& input, int64_t fan_in, int64_t operations) {
      MacStage s;
      s.multiplier = multiply(weight, input);
      s.accumulator = accumulate(s.multiplier.output, fan_in);
      s.operations = operations;
      return s;
    };
    const std::vector<int64_t> kernel = layer.weights().front().variable.sizes().vec();
    if (layer.type() == "SeparableConv2D" || layer.type() == "QSeparableConv2D") {
      // Depthwise (kh, kw, in, multiplier) then pointwise (1, 1, in*multiplier, out).
      const int64_t positions = out[0] * out[1];
      const int64_t depthwise_outputs = positions * kernel[2] * kernel[3];
      t.macs.push_back(stage(t.parameters[0].type, t.inputs.front(), kernel[0] * kernel[1],
                             depthwise_outputs * kernel[0] * kernel[1]));
      t.macs.push_back(stage(t.parameters[1].type, t.macs[0].accumulator, kernel[2] * kernel[3],
                             depthwise_outputs * out.back()));
    } else {
      // The fan-in: every kernel axis but the output one; a depthwise kernel
      // (kh, kw, in, multiplier) sums over its window only.
      const bool depthwise = layer.type() == "DepthwiseConv2D" || layer.type() == "QDepthwiseConv2D";
      int64_t fan_in = depthwise ? kernel[0] * kernel[1]
                                 : std::accumulate(kernel.begin(), kernel.end() - 1, int64_t{1}, std::multiplies<int64_t>());
      t.macs.push_back(stage(t.parameters[0].type, t.inputs.front(), fan_in, layer.multiplications()));
    }
    if (bias_type) {
      t.macs.back().accumulator = add(t.macs.back().accumulator, *bias_type);
      t.parameters.push_back({"bias", *bias_type, bias->variable.numel()});
    }
    if (!quantized) {
      for (MacStage& s : t.macs) s.multiplier.output = s.accumulator = interm_;
    }
    for (const MacStage& s : t.macs) t.operation_count += s.operations;
    t.output = output_type(layer, t.macs.back().accumulator);
  }

  void describe_batch_normalization(const Layer& layer, LayerDataTypes& t) {
    const bool quantized = uses_quantizers(layer);
    const DataType& input = t.inputs.front();
    auto quantizer = [&](const char* weight) {
      const qtrain::LayerWeight* w = layer.weight(weight);
      return w ? w->quantizer.get() : nullptr;
    };
    // A QBatchNormalization's missing quantizers: beta and mean take the
    // input's type, gamma and variance the default.
    DataType gamma = quantized ? type_or(quantizer("gamma"), default_) : weight_default_;
    DataType beta = quantized ? type_or(quantizer("beta"), input) : weight_default_;
    DataType mean = quantized ? type_or(quantizer("moving_mean"), input) : weight_default_;
    DataType variance = quantized ? type_or(quantizer("moving_variance"), default_) : weight_default_;
    // QTools reads all four vectors, whether or not scale and center are used.
    const int64_t channels = t.input_shapes.front().back();
    t.parameters = {{"gamma", gamma, channels},
                    {"beta", beta, channels},
                    {"moving_mean", mean, channels},
                    {"moving_variance", variance, channels}};

    // y = gamma / stddev * x + beta, stddev = sqrt(variance): a po2 variance
    // has a po2 square root with one bit less.
    DataType stddev = variance;
    if (stddev.is_po2()) {
      if (variance.po2_max_value >= 0) stddev.po2_max_value = std::round(std::sqrt(variance.po2_max_value));
      stddev.bits = variance.bits - 1;
      stddev.int_bits = stddev.bits;
    }
    const bool scale = layer.weight("gamma") != nullptr, center = layer.weight("beta") != nullptr;
    DataType result;
    try {
      if (scale) {
        t.divider = divide(gamma, stddev);
        t.multiplier = multiply(t.divider->output, input);
        result = t.multiplier->output;
      } else {
        t.divider = divide(input, stddev);
        result = t.divider->output;
      }
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("layer '" + layer.name() + "' (" + layer.type() + "): " + e.what());
    }
    if (center) {
      t.accumulator = add(result, beta);
      result = *t.accumulator;
    }
    if (!quantized) {
      t.divider->output = interm_;
      if (t.multiplier) t.multiplier->output = interm_;
      if (t.accumulator) t.accumulator = interm_;
      // QTools sets the un-quantized BN's output to the default type before
      // applying keras_accumulator to the internals, and never to it.
      result = default_;
    }
    t.operation_count = element_count(t.input_shapes.front());
    t.output = output_type(layer, result);
  }

  void describe_average_pooling(size_t l, LayerDataTypes& t) {
    const Layer& layer = *model_.layers()[l];
    const std::string& type = layer.type();
    const Shape& in = t.input_shapes.front();
    const bool global = type.find("Global") != std::string::npos;
    int64_t window = 1;
    if (global) {
      window = element_count(Shape(in.begin(), in.end() - 1));
    } else {
      // pool_size: an int or a list (default 2), as the layer reads it.
      const nlohmann::json& spec = model_.spec().layers()[l];
      nlohmann::json size = spec.contains("pool_size") ? spec["pool_size"] : nlohmann::json(2);
      if (size.is_array())
        for (const auto& s : size) window *= s.get<int64_t>();
      else
        window = size.get<int64_t>() * size.get<int64_t>();
    }
    // The sum of the window, then (quantized layers) the product with Q(1/area).
    DataType sum = accumulate(t.inputs.front(), window);
    DataType result = sum;
    const bool quantized_layer = type[0] == 'Q';
    if (quantized_layer) {
      t.multiplier = multiply(sum, type_or(quantizer_slot(layer, "average_quantizer"), default_));
      result = t.multiplier->output;
    }
    if (options_.for_reference) {
      sum = result = interm_;
      if (t.multiplier) t.multiplier->output = interm_;
    }
    t.accumulator = sum;
    // QTools counts channels x window additions, and none for QAveragePooling2D.
    t.operation_count = type == "QAveragePooling2D" ? 0 : t.output_shape.back() * window;
    t.output = output_type(layer, result);
  }

  qtrain::Model& model_;
  const DataTypeOptions& options_;
  DataType source_, default_, weight_default_, interm_;
  std::vector<DataType> output_;  // per layer index
};

nlohmann::json operation_json(const Operation& op) {
  nlohmann::json j = op.output.to_json();
  j["op_type"] = std::string(to_string(op.gate));
  j["gate_factor"] = op.gate_factor;
  j["gate_bits"] = op.gate_bits;
  return j;
}

}  // namespace

std::vector<LayerDataTypes> data_type_map(qtrain::Model& model, const DataTypeOptions& options) {
  return MapBuilder(model, options).build();
}

nlohmann::json to_json(const LayerDataTypes& t) {
  nlohmann::json j;
  j["layer_type"] = t.type;
  j["input_quantizer_list"] = nlohmann::json::array();
  for (const DataType& in : t.inputs) j["input_quantizer_list"].push_back(in.to_json());
  for (const Parameter& p : t.parameters) {
    nlohmann::json q = p.type.to_json();
    q["elements"] = p.elements;
    j["parameters"][p.weight] = q;
  }
  for (const MacStage& s : t.macs) {
    nlohmann::json stage;
    stage["multiplier"] = operation_json(s.multiplier);
    stage["accumulator"] = s.accumulator.to_json();
    stage["operations"] = s.operations;
    j["mac"].push_back(stage);
  }
  if (t.divider) j["divider"] = operation_json(*t.divider);
  if (t.multiplier) j["multiplier"] = operation_json(*t.multiplier);
  if (t.accumulator) j["accumulator"] = t.accumulator->to_json();
  j["output_quantizer"] = t.output.to_json();
  j["operation_count"] = t.operation_count;
  return j;
}

}  // namespace energy
