// A model's size in bits as AutoQKeras' ForgivingFactorBits counts it:
// parameters at their quantizers' widths and activations (layer outputs) at
// their activation quantizers' widths, per layer class as a config selects.
// Semantics: ../shared/spec/qkeras.md §6.2.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "qtrain/model.h"

namespace energy {

struct BitsOptions {
  int input_bits = 8;   // the model input
  int output_bits = 8;  // softmax / sigmoid outputs
  int ref_bits = 8;     // anything un-quantized
  // Per layer class ("QDense", "Activation", ..., "InputLayer" for the model
  // input) the parts counted, "parameters" and/or "activations"; classes
  // not listed use "default".  A class with neither is not counted.
  std::map<std::string, std::vector<std::string>> config = {{"default", {"parameters", "activations"}}};
};

struct LayerBits {
  std::string name, type;
  int64_t parameters = 0, activations = 0;
  int64_t total = 0;  // the parts the config counts
};

struct ModelBits {
  std::vector<LayerBits> layers;  // the model input ("input", InputLayer) first
  int64_t total = 0, parameters = 0, activations = 0;
};

// Throws std::invalid_argument for a config part other than parameters/activations.
ModelBits model_bits(qtrain::Model& model, const BitsOptions& options = {});

nlohmann::json to_json(const ModelBits& bits);

}  // namespace energy
