// The search space of an AutoQKeras search: per selected layer of the float
// model and per quantizer slot (kernel, bias, activation) a menu of the
// quantizers the limit allows.  A configuration is one menu index per slot.
// Semantics: ../shared/spec/qkeras.md §6.4.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autoq/config.h"

namespace autoq {

struct Slot {
  std::string layer;  // layer name in the float spec
  std::string type;   // the layer's class ("Dense", "Activation", ...)
  // "kernel_quantizer", "bias_quantizer" or "activation_quantizer" (a
  // weighted layer's) or "activation" (an Activation layer's).
  std::string key;
  std::vector<MenuItem> choices;  // never empty
};

using Configuration = std::vector<int>;  // one menu index per slot

class SearchSpace {
 public:
  // Layers of the float spec (its "layers" array) that are Dense, Conv1D,
  // Conv2D, DepthwiseConv2D or non-softmax Activation, match
  // config.layers and have a limit entry (their class, the first name regex
  // that matches them, or "default"; an empty limit means 8 bits for all).
  // Throws std::invalid_argument when the layer regex matches no layer or a
  // limit leaves a slot with an empty menu, naming the layer.
  SearchSpace(const nlohmann::json& float_layers, const AutoqConfig& config);

  const std::vector<Slot>& slots() const { return slots_; }
  // The number of configurations (a double: it overflows integers quickly).
  double size() const;
  // model_quantize's quantizer config for a configuration: {layer: {key: quantizer}}
  // for weighted layers, {layer: quantizer} for Activation layers.
  nlohmann::json quantizer_config(const Configuration& configuration) const;
  // Throws std::invalid_argument unless every index is within its menu.
  void check(const Configuration& configuration) const;

 private:
  std::vector<Slot> slots_;
};

}  // namespace autoq
