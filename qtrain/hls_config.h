// The firmware precision config: hls4ml's HLSConfig (../shared/spec/hls4ml.md
// §5.2) kept in a model spec's "hls" key, the one place where a model's
// hardware number formats live.  The emulator, the exporter and PTQ read it;
// `qtrain hlsconfig` derives it from the QAT quantizers (hls4ml's QKeras
// mapping, §3).
//
//   "hls": {
//     "Model": {"Precision": {"default": "ap_fixed<16,6>"}, "ReuseFactor": 1, "Strategy": "Latency"},
//     "LayerType": {"Dense": {...}},
//     "LayerName": {"fc1": {"Precision": {"weight": "ap_fixed<6,1>", "result": "auto"}, "ReuseFactor": 4}},
//     "IOType": "io_parallel", "Part": "xcvu13p-flga2577-2-e", "ClockPeriod": 5
//   }
//
// Lookup order for a setting: LayerName, then LayerType, then Model.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "quantizers/quantizer.h"

namespace qtrain {

class Model;

// A malformed precision config; the message names the file and the field.
struct HlsConfigError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A type in the config: a hardware type, or "auto" (inferred from the
// layer's inputs, §3.8).
struct ConfigType {
  std::optional<quantizers::HardwareType> type;  // nullopt: auto

  bool is_auto() const { return !type; }
  static ConfigType parse(const std::string& text);  // throws FixedTypeError
  std::string to_string() const;                      // "auto" or the type
  friend bool operator==(const ConfigType& a, const ConfigType& b) { return a.type == b.type; }
};

// The settings of one LayerName / LayerType entry (or of Model).
struct LayerSettings {
  std::map<std::string, ConfigType> precision;  // result, accum, weight, bias, scale, table, exp_table, ...
  std::optional<int> reuse_factor;
  std::optional<std::string> strategy;        // Latency | Resource
  std::optional<int> table_size;              // activation lookup tables
  std::optional<std::string> implementation;  // softmax: latency | stable | legacy | argmax
};

struct HlsConfig {
  ConfigType default_precision{quantizers::HardwareType{quantizers::HardwareType::Kind::Fixed,
                                                        quantizers::FixedType::parse("ap_fixed<16,6>")}};
  std::optional<quantizers::FixedType> maximum_precision;  // caps inferred types
  LayerSettings model;  // Model-level per-variable precisions, reuse factor, strategy
  std::map<std::string, LayerSettings> layer_type, layer_name;
  std::string io_type = "io_parallel";
  std::string part = "xcvu13p-flga2577-2-e";
  double clock_period = 5.0;

  // Reads the "hls" value of a spec; `source` names it in errors.  Every key
  // is checked: an unknown key or type string is an error.
  static HlsConfig from_json(const nlohmann::json& json, const std::string& source);
  nlohmann::json to_json() const;

  // The configured type of `variable` for a layer (LayerName > LayerType >
  // Model's per-variable keys), or nullopt when none of them sets it.
  std::optional<ConfigType> precision(const std::string& layer, const std::string& layer_class,
                                      const std::string& variable) const;
  int reuse_factor(const std::string& layer, const std::string& layer_class) const;
  std::string strategy(const std::string& layer, const std::string& layer_class) const;
  std::optional<int> table_size(const std::string& layer, const std::string& layer_class) const;
  std::optional<std::string> implementation(const std::string& layer, const std::string& layer_class) const;
};

// The config of a model spec: its "hls" key, or hls4ml's defaults without one.
HlsConfig hls_config_of(const Model& model);

// config_from_keras_model (§5.3): Model defaults only, one entry per layer
// class, or one per layer with the types the QAT quantizers fix (§3.2, §3.3)
// and "auto" for the rest.
enum class Granularity { Model, Type, Name };
HlsConfig derive_hls_config(const Model& model, Granularity granularity, const std::string& default_precision);

}  // namespace qtrain
