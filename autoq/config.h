// autoq.json: what an AutoQKeras search explores and how it scores trials.
//
//   {"run": "../jet_tagger/run_float.json",        // base run config (float model)
//    "quantization_config": {"kernel": {"quantized_bits(4,0,1)": 4, ...}, ...},
//    "limit": {"Dense": [8, 4, 8], "Activation": [4], "default": 8},
//    "layers": "fc[12]|relu[12]",                   // regex on layer names
//    "goal": {"type": "energy", "params": {"delta_p": 8, "delta_n": 8, "rate": 2, "stress": 1}},
//    "groups": {"hidden": "fc[12]$"},              // layers sharing one choice
//    "metric": "accuracy", "max_trials": 20, "epochs": 5, "seed": 1, "activation_bits": 4,
//    "tuner": "bayesian", "initial_trials": 3, "hyperband_factor": 3,
//    "learning_rate_optimizer": false,
//    "tune_filters": "layer", "tune_filters_exceptions": "fc1",
//    "blocks": ["fc1|relu1", "fc2|relu2"], "schedule": "energy"}
//
// Every field but "run" is optional; the defaults are AutoQKeras' (qkeras.md
// §6.4).  docs/autoq.md describes each.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "energy/memory.h"

namespace autoq {

// One entry of a menu: a quantizer string and its bit cost.
struct MenuItem {
  std::string quantizer;
  int bits = 0;
};
// Menus by parameter type: "kernel", "bias", "activation", "linear".
using QuantizationConfig = std::map<std::string, std::vector<MenuItem>>;
QuantizationConfig default_quantization_config();

// A limit entry for one parameter type: a maximum bit cost or an explicit
// list of menu quantizers.
using LimitEntry = std::variant<int, std::vector<std::string>>;
// Per layer class (or layer-name regex, or "default"): the limits of
// [kernel, bias, activation]; an Activation layer uses the last one.
using Limit = std::map<std::string, std::vector<LimitEntry>>;

struct Goal {
  enum class Kind { Bits, Energy };
  Kind kind = Kind::Bits;
  double delta_p = 8, delta_n = 8;  // percent
  double rate = 2, stress = 1;
  // energy (ForgivingFactorPower's parameters): the types the reference is
  // priced in; the energy table; where the reference ([0]) and the trial
  // ([1]) keep parameters and activations (by default parameters are
  // hard-wired and activations in DRAM); and the number format of the
  // trial's input (empty: QTools' default, quantized_bits(8, 0, 1)).
  std::string reference_internal = "fp32", reference_accumulator = "fp32";
  std::string process = "horowitz";
  static constexpr energy::Placement kPowerPlacement{energy::Memory::Fixed, energy::Memory::Dram};
  std::array<energy::Placement, 2> placement{kPowerPlacement, kPowerPlacement};
  std::string source_quantizer;
};

// How trials are drawn: uniformly at random, by a Gaussian process with
// expected improvement, or by hyperband's successive halving over epochs.
enum class Tuner { Random, Bayesian, Hyperband };

// The learning rates a trial chooses from under learning_rate_optimizer.
inline constexpr int kLearningRateChoices = 5;

// Width tuning (AutoQKeras' tune_filters): no width choice, one multiplier
// per layer, or one multiplier shared by every tuned layer of the search
// (of the block, under the block scheduler).
enum class TuneFilters { None, Layer, Block };
// The multipliers of units or filters a width choice picks from.
inline constexpr double kWidthMultipliers[] = {0.5, 0.75, 1.0, 1.5, 2.0};
inline constexpr int kWidthChoices = 5;

// The order the block scheduler searches its blocks in: as the layers come
// from input to output, or dearest block first by the float model's energy.
enum class Schedule { InputToOutput, Energy };

struct AutoqConfig {
  std::string source;    // autoq.json's path
  std::string base_run;  // the base run config, resolved against autoq.json's directory
  QuantizationConfig menus = default_quantization_config();
  Limit limit;           // empty: every registered class limited to 8 bits
  std::string layers;    // regex on layer names; empty: every layer
  // (name, regex matched at the start of layer names): the searched layers a
  // group's regex matches share one choice per menu.  In name order.
  std::vector<std::pair<std::string, std::string>> groups;
  Goal goal;
  std::string metric = "accuracy";  // key of the trial's test metrics
  int max_trials = 10;
  int epochs = 1;                   // per trial; hyperband's largest budget
  uint64_t seed = 1;
  int activation_bits = 4;          // model_quantize's for activations the search does not tune
  Tuner tuner = Tuner::Random;
  int initial_trials = 3;           // bayesian: random trials before the Gaussian process decides
  int hyperband_factor = 3;         // hyperband: η, the fraction 1/η of a round goes on with η× the epochs
  // §6.1: each trial also chooses its learning rate among
  // lr·linspace(delta_lr, 1.1, 5), delta_lr = 1 + min((T − R)/R, 0).
  bool learning_rate_optimizer = false;
  TuneFilters tune_filters = TuneFilters::None;
  std::string tune_filters_exceptions;  // regex found anywhere in a name (re.search): not width-tuned; empty: none
  // Block scheduler: regexes matched at the start of layer names, each block
  // searched with max_trials trials after the other; empty: one search of all.
  std::vector<std::string> blocks;
  Schedule schedule = Schedule::InputToOutput;

  // Throws std::invalid_argument naming the file and the field; quantizer
  // strings of the menus are parsed.
  static AutoqConfig load(const std::string& path);
  static AutoqConfig from_json(const nlohmann::json& json, const std::string& source, const std::string& base_dir);
};

}  // namespace autoq
