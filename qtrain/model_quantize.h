// model_quantize: a float model spec turned into a quantized one from a
// QKeras-style quantizer config, as qkeras.utils.model_quantize does
// (qkeras.md §4).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "qtrain/model.h"

namespace qtrain {

// `config` maps layer names or Q-class names ("QDense", "QActivation",
// "QBatchNormalization", ...) to quantizer arguments; a layer-name entry beats
// its class entry.  QActivation's value is one quantizer string for every
// activation or a map {activation name: quantizer}.  Float "relu", "tanh" and
// "sigmoid" activations of converted layers without an activation_quantizer
// become quantized_relu/tanh/sigmoid(activation_bits).  Layers the config
// does not cover stay float.  Throws ModelError for config keys that are
// neither a layer of the model nor a Q-class, and for malformed entries; the
// result is checked by building it.
ModelSpec model_quantize(const ModelSpec& float_spec, const nlohmann::json& config, int activation_bits,
                         const std::string& config_source = "quantizer config");

}  // namespace qtrain
