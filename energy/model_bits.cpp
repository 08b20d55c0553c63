#include "energy/model_bits.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "energy/data_type.h"
#include "energy/layer_info.h"

namespace energy {
namespace {

using qtrain::Layer;

bool is_one_of(const std::string& type, std::initializer_list<const char*> types) {
  for (const char* t : types)
    if (type == t) return true;
  return false;
}

// Dense, Conv1D, Conv2D, DepthwiseConv2D and their Q classes.  A float
// Keras layer has no quantizers, so one rule covers both: quantizer widths
// where there are quantizers, ref_bits elsewhere.
bool is_weighted(const std::string& type) {
  const std::string base = type[0] == 'Q' ? type.substr(1) : type;
  return is_one_of(base, {"Dense", "Conv1D", "Conv2D", "DepthwiseConv2D"});
}

int64_t parameter_bits(const Layer& layer, const BitsOptions& options) {
  const std::string& type = layer.type();
  int64_t bits = 0;
  if (is_weighted(type)) {
    for (const qtrain::LayerWeight& w : layer.weights())
      bits += (w.quantizer ? w.quantizer->bits() : options.ref_bits) * w.variable.numel();
  } else if (is_one_of(type, {"BatchNormalization", "QBatchNormalization"})) {
    // Only the scale and the shift reach the hardware: the variance stands
    // for the scale and beta for the shift.  ForgivingFactorBits counts a
    // QBatchNormalization's at its default quantizers' 6 and 5 bits.
    const bool q = type[0] == 'Q';
    bits += (q ? 6 : options.ref_bits) * layer.weight("moving_variance")->variable.numel();
    if (const qtrain::LayerWeight* beta = layer.weight("beta")) bits += (q ? 5 : options.ref_bits) * beta->variable.numel();
  }
  return bits;
}

// Bits per output element; 0 for layers whose outputs are not counted.
int64_t activation_width(const Layer& layer, const BitsOptions& options) {
  const std::string& type = layer.type();
  const bool activation_layer = is_one_of(type, {"Activation", "QActivation"});
  if (!is_weighted(type) && !activation_layer) return 0;
  const quantizers::Quantizer* a = quantizer_slot(layer, "activation");  // nullptr: linear
  if (!a || a->name() == "linear") return 0;
  if (a->name() == "softmax" || (activation_layer && a->name() == "sigmoid")) return options.output_bits;
  // A quantizer has a width; a float activation counts as un-quantized.
  return data_type(a) ? a->bits() : options.ref_bits;
}

}  // namespace

ModelBits model_bits(qtrain::Model& model, const BitsOptions& options) {
  for (const auto& [type, parts] : options.config)
    for (const std::string& part : parts)
      if (part != "parameters" && part != "activations")
        throw std::invalid_argument("bits config '" + type + "': unknown part '" + part +
                                    "' (expected parameters or activations)");
  ModelBits result;
  auto count = [&](LayerBits b) {
    auto it = options.config.find(b.type);
    if (it == options.config.end()) it = options.config.find("default");
    if (it == options.config.end() || it->second.empty()) return;
    bool p = false, a = false;
    for (const std::string& part : it->second) (part == "parameters" ? p : a) = true;
    b.total = (p ? b.parameters : 0) + (a ? b.activations : 0);
    result.parameters += p ? b.parameters : 0;
    result.activations += a ? b.activations : 0;
    result.total += b.total;
    result.layers.push_back(std::move(b));
  };
  count({"input", "InputLayer", 0, options.input_bits * element_count(model.spec().input_shape()), 0});
  for (const qtrain::LayerPtr& layer : model.layers())
    count({layer->name(), layer->type(), parameter_bits(*layer, options),
           activation_width(*layer, options) * element_count(layer->output_shape()), 0});
  return result;
}

nlohmann::json to_json(const ModelBits& bits) {
  nlohmann::json j;
  j["layers"] = nlohmann::json::array();
  for (const LayerBits& b : bits.layers)
    j["layers"].push_back({{"name", b.name},
                           {"class_name", b.type},
                           {"parameters", b.parameters},
                           {"activations", b.activations},
                           {"total", b.total}});
  j["total"] = bits.total;
  j["parameters"] = bits.parameters;
  j["activations"] = bits.activations;
  return j;
}

}  // namespace energy
