#include "qtrain/model_quantize.h"

#include <torch/torch.h>

#include <set>

namespace qtrain {
namespace {

using nlohmann::json;

const std::set<std::string> kClassKeys = {
    "QDense", "QConv1D", "QConv2D", "QDepthwiseConv2D", "QSeparableConv2D", "QActivation",
    "QBatchNormalization", "QAveragePooling2D", "QGlobalAveragePooling2D"};

class Quantize {
 public:
  Quantize(const json& config, int activation_bits, std::string source)
      : config_(config), bits_(std::to_string(activation_bits)), source_(std::move(source)) {}

  // Rewrites one layer entry in place.
  void layer(json& entry) {
    std::string type = entry.at("type").get<std::string>();
    std::string name = entry.at("name").get<std::string>();
    if (type == "Dense" || type == "Conv1D" || type == "Conv2D") {
      weighted(entry, name, "Q" + type, "kernel_quantizer");
    } else if (type == "DepthwiseConv2D") {
      weighted(entry, name, "QDepthwiseConv2D", "depthwise_quantizer");
    } else if (type == "Activation" || type == "ReLU" || type == "LeakyReLU") {
      activation_layer(entry, name, type);
    } else if (type == "BatchNormalization") {
      const json* cfg = section(name, "QBatchNormalization");
      if (!cfg) return;
      entry["type"] = "QBatchNormalization";
      // Missing keys mean "not quantized", not QBatchNormalization's defaults.
      for (const char* key : {"gamma_quantizer", "beta_quantizer", "mean_quantizer", "variance_quantizer"})
        entry[key] = cfg->contains(key) ? (*cfg)[key] : json(nullptr);
    } else if (type == "AveragePooling2D" || type == "GlobalAveragePooling2D") {
      const json* cfg = section(name, "Q" + type);
      if (!cfg || !cfg->contains("average_quantizer")) return;
      entry["type"] = "Q" + type;
      entry["average_quantizer"] = (*cfg)["average_quantizer"];
      if (cfg->contains("activation_quantizer")) entry["activation"] = (*cfg)["activation_quantizer"];
    }
  }

  ModelError error(const std::string& what) const { return ModelError(source_ + ": " + what); }

 private:
  // The config entry for a layer: its name first, then its Q-class.
  const json* section(const std::string& name, const std::string& class_key) const {
    for (const std::string& key : {name, class_key}) {
      auto it = config_.find(key);
      if (it == config_.end()) continue;
      if (class_key != "QActivation" && !it->is_object())
        throw error("entry '" + key + "' must be an object of quantizer arguments");
      return &*it;
    }
    return nullptr;
  }

  void weighted(json& entry, const std::string& name, const std::string& q_type, const char* kernel_key) {
    const json* cfg = section(name, q_type);
    if (!cfg || !cfg->contains(kernel_key)) return;  // QKeras skips layers without a kernel quantizer
    entry["type"] = q_type;
    entry[kernel_key] = (*cfg)[kernel_key];
    bool use_bias = !entry.contains("use_bias") || entry["use_bias"] != false;
    if (use_bias && cfg->contains("bias_quantizer")) entry["bias_quantizer"] = (*cfg)["bias_quantizer"];
    if (cfg->contains("activation_quantizer")) {
      entry["activation"] = (*cfg)["activation_quantizer"];
    } else if (entry.contains("activation") && entry["activation"].is_string()) {
      std::string activation = entry["activation"].get<std::string>();
      if (activation == "relu" || activation == "tanh" || activation == "sigmoid")
        entry["activation"] = "quantized_" + activation + "(" + bits_ + ")";
    }
  }

  void activation_layer(json& entry, const std::string& name, const std::string& type) {
    const json* cfg = section(name, "QActivation");
    if (!cfg) return;
    std::string activation = type == "ReLU" ? "relu" : type == "LeakyReLU" ? "leakyrelu" : "";
    if (type == "Activation") {
      if (!entry.contains("activation") || !entry["activation"].is_string()) return;
      activation = entry["activation"].get<std::string>();
    }
    json quantizer;
    if (cfg->is_string()) {
      quantizer = *cfg;
    } else if (cfg->is_object()) {
      if (!cfg->contains(activation)) return;  // e.g. softmax stays float
      quantizer = (*cfg)[activation];
    } else {
      throw error("QActivation entry must be a quantizer string or an object {activation: quantizer}");
    }
    entry.erase("alpha");
    entry["type"] = "QActivation";
    entry["activation"] = quantizer;
  }

  const json& config_;
  std::string bits_, source_;
};

}  // namespace

ModelSpec model_quantize(const ModelSpec& float_spec, const nlohmann::json& config, int activation_bits,
                         const std::string& config_source) {
  Model float_model(float_spec);  // a malformed float spec is reported as such, naming its layer
  Quantize quantize(config, activation_bits, config_source);
  if (!config.is_object()) throw quantize.error("a quantizer config must be a JSON object");
  std::set<std::string> layer_names;
  for (const json& entry : float_spec.layers()) layer_names.insert(entry.value("name", ""));
  for (const auto& [key, value] : config.items())
    if (!kClassKeys.count(key) && !layer_names.count(key))
      throw quantize.error("'" + key + "' is neither a layer of " + float_spec.source + " nor a Q-layer class");

  ModelSpec quantized = float_spec;
  for (json& entry : quantized.json["layers"]) quantize.layer(entry);
  quantized.source = float_spec.source + " quantized by " + config_source;
  Model check(quantized);  // every quantizer string parses and every layer builds
  return quantized;
}

}  // namespace qtrain
