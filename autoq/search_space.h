// The search space of an AutoQKeras search: per selected layer of the float
// model and per quantizer slot (kernel, bias, activation) a menu of the
// quantizers the limit allows; the layers of a group share one slot per
// menu.  With tune_filters, width choices pick a multiplier of units or
// filters (kWidthMultipliers) per layer or for the whole space.  A
// configuration is one menu index per slot, then one multiplier index per
// width choice, then, with learning_rate_optimizer, the index of the trial's
// learning rate.
// Semantics: ../shared/spec/qkeras.md §6.4 and §6.1.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autoq/config.h"

namespace autoq {

// Where a slot's choice goes: a layer and its quantizer key,
// "kernel_quantizer", "bias_quantizer" or "activation_quantizer" (a weighted
// layer's) or "activation" (an Activation layer's).
struct SlotTarget {
  std::string layer;
  std::string key;
};

struct Slot {
  std::string layer;  // layer name in the float spec (a group's first layer)
  std::string type;   // the layer's class ("Dense", "Activation", ...)
  std::string key;    // the first target's key
  std::vector<MenuItem> choices;  // never empty
  std::string menu;               // "kernel", "bias", "activation" or "linear"
  std::string group;              // the group's name; empty for a slot of its own
  std::vector<SlotTarget> targets;  // every layer and key the choice goes to, the first is layer/key
};

// A width choice: the layers whose units or filters one multiplier scales.
struct WidthChoice {
  std::string name;                 // the layer's name, or "block" for a shared choice
  std::vector<std::string> layers;  // never empty
};

// One index per slot, then per width choice, then the learning-rate index
// when the space tunes it.
using Configuration = std::vector<int>;

// `spec` (a model spec's JSON) with the units or filters of every layer of
// `widths` ({layer: multiplier}) scaled to max(int(n·multiplier), 1), as
// AutoQKeras scales them.
nlohmann::json scale_widths(nlohmann::json spec, const nlohmann::json& widths);

class SearchSpace {
 public:
  // Layers of the float spec (its "layers" array) that are Dense, Conv1D,
  // Conv2D, DepthwiseConv2D or non-softmax Activation, match
  // config.layers and have a limit entry (their class, the first name regex
  // that matches them, or "default"; an empty limit means 8 bits for all).
  // Throws std::invalid_argument when the layer regex matches no layer or a
  // limit leaves a slot with an empty menu, naming the layer; when a group's
  // regex matches no searched layer, a layer matches two groups or a group's
  // members have no quantizer of a menu in common, naming the group.
  //
  // Width choices (config.tune_filters) cover the searched Dense, Conv1D and
  // Conv2D layers whose names tune_filters_exceptions is not found in,
  // except those feeding a model output through layers without units or
  // filters (the classifier's last Dense keeps its class count).
  //
  // `float_spec` is the float model spec's JSON, or only its "layers" array
  // (the model's output is then its last layer).
  //
  // A non-empty `block` (a regex matched at the start of names) restricts
  // the space to the layers it matches: the block scheduler's search of one
  // block.  Groups without a member in the block are then no error.
  SearchSpace(const nlohmann::json& float_spec, const AutoqConfig& config, const std::string& block = "");

  const std::vector<Slot>& slots() const { return slots_; }
  const std::vector<WidthChoice>& width_choices() const { return widths_; }
  bool tunes_learning_rate() const { return learning_rate_; }
  // The choices a sampler draws: the slots, the widths, then the learning rate.
  size_t dimensions() const { return slots_.size() + widths_.size() + (learning_rate_ ? 1 : 0); }
  int choices(size_t dimension) const;
  // The Gaussian process' coordinates of a configuration, each in [0, 1]:
  // per slot the chosen quantizer's bit cost relative to the slot's menu
  // (cheapest 0, dearest 1), per width choice (multiplier − 0.5)/1.5, for
  // the learning rate its index / 4.
  std::vector<double> encode(const Configuration& configuration) const;
  // The number of configurations (a double: it overflows integers quickly).
  double size() const;
  // model_quantize's quantizer config for a configuration: {layer: {key: quantizer}}
  // for weighted layers, {layer: quantizer} for Activation layers.
  nlohmann::json quantizer_config(const Configuration& configuration) const;
  // {layer: multiplier} of the configuration's width choices (empty without tune_filters).
  nlohmann::json widths(const Configuration& configuration) const;
  // Throws std::invalid_argument unless every index is within its menu.
  void check(const Configuration& configuration) const;

 private:
  void merge_groups(const AutoqConfig& config, bool whole_model);
  void add_width_choices(const nlohmann::json& float_spec, const AutoqConfig& config);

  std::vector<Slot> slots_;
  std::vector<WidthChoice> widths_;
  bool learning_rate_ = false;
};

}  // namespace autoq
