#include "qtrain/keras_import.h"

#include <hdf5.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "datasets/hdf5_util.h"
#include "qtrain/files.h"
#include "qtrain/run_config.h"
#include "qtrain/train.h"
#include "qtrain/weights_h5.h"
#include "quantizers/quantizer.h"

namespace qtrain {
namespace {

namespace fs = std::filesystem;
using datasets::hdf5::Handle;
using datasets::hdf5::QuietHdf5Errors;
using nlohmann::json;

// ---------------------------------------------------------------------------
// The Keras config

// One entry of the config's layer list.
struct KerasLayer {
  std::string name, class_name;
  const json* config = nullptr;  // the entry's "config" object
  const json* entry = nullptr;   // the whole entry (Functional models keep "inbound_nodes" there)
  std::string source;

  KerasImportError error(const std::string& what) const {
    return KerasImportError(source + ": layer '" + name + "' (" + class_name + "): " + what);
  }
};

// The layers of a Sequential or Functional config, with their class names checked.
std::vector<KerasLayer> keras_layers(const json& keras_model, const std::string& source) {
  auto fail = [&](const std::string& what) { return KerasImportError(source + ": " + what); };
  if (!keras_model.is_object() || !keras_model.contains("class_name") || !keras_model.contains("config"))
    throw fail("not a Keras model config (expected an object with \"class_name\" and \"config\")");
  const json& config = keras_model["config"];
  // Keras < 2.2 wrote a Sequential config as the bare list of layers.
  const json* list = config.is_array() ? &config : (config.is_object() && config.contains("layers") ? &config["layers"] : nullptr);
  if (!list || !list->is_array() || list->empty()) throw fail("\"config\" has no list of \"layers\"");
  std::vector<KerasLayer> layers;
  for (const json& entry : *list) {
    if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string() ||
        !entry.contains("config") || !entry["config"].is_object())
      throw fail("layer entry without \"class_name\" and \"config\": " + entry.dump());
    const json& c = entry["config"];
    const json& name = entry.contains("name") ? entry["name"] : c.value("name", json());
    if (!name.is_string() || name.get<std::string>().empty())
      throw fail("layer entry of class " + entry["class_name"].get<std::string>() + " without a name");
    layers.push_back({name.get<std::string>(), entry["class_name"].get<std::string>(), &c, &entry, source});
  }
  return layers;
}

// How the arguments of a supported Keras class become our layer's.
struct ClassRule {
  const char* keras_class;
  const char* type;                   // our layer type
  std::vector<const char*> carried;   // arguments kept (translated where needed, see translate_argument)
  std::vector<const char*> ignored;   // class-specific arguments without effect
};

const std::vector<const char*> kConvArguments = {"filters", "kernel_size", "strides", "padding", "activation", "use_bias"};
const std::vector<const char*> kPoolArguments = {"pool_size", "strides", "padding"};

const std::vector<ClassRule>& class_rules() {
  static const std::vector<ClassRule> rules = [] {
    auto with = [](std::vector<const char*> base, std::initializer_list<const char*> more) {
      base.insert(base.end(), more);
      return base;
    };
    const auto q_conv = with(kConvArguments, {"kernel_quantizer", "bias_quantizer"});
    const std::vector<const char*> depthwise = {"kernel_size", "depth_multiplier", "strides", "padding", "activation",
                                                "use_bias"};
    const std::vector<const char*> bn = {"axis", "momentum", "epsilon", "center", "scale"};
    return std::vector<ClassRule>{
        {"Dense", "Dense", {"units", "activation", "use_bias"}, {}},
        {"QDense", "QDense", {"units", "activation", "use_bias", "kernel_quantizer", "bias_quantizer"}, {}},
        // hls4ml's binary/ternary examples (BinaryNet-style Keras layers); the
        // kernel quantizer is set by translate_layer.
        {"BinaryDense", "QDense", {"units", "activation", "use_bias"}, {}},
        {"TernaryDense", "QDense", {"units", "activation", "use_bias"}, {}},
        {"Conv1D", "Conv1D", kConvArguments, {}},
        {"Conv2D", "Conv2D", kConvArguments, {}},
        {"QConv1D", "QConv1D", q_conv, {}},
        {"QConv2D", "QConv2D", q_conv, {}},
        {"DepthwiseConv2D", "DepthwiseConv2D", depthwise, {}},
        {"QDepthwiseConv2D", "QDepthwiseConv2D", with(depthwise, {"depthwise_quantizer", "bias_quantizer"}), {}},
        {"SeparableConv2D", "SeparableConv2D", with(kConvArguments, {"depth_multiplier"}), {}},
        {"QSeparableConv2D", "QSeparableConv2D",
         with(kConvArguments, {"depth_multiplier", "depthwise_quantizer", "pointwise_quantizer", "bias_quantizer"}), {}},
        {"BatchNormalization", "BatchNormalization", bn, {}},
        // QKeras stores QBatchNormalization's `activation` but never applies it.
        {"QBatchNormalization", "QBatchNormalization",
         with(bn, {"gamma_quantizer", "beta_quantizer", "mean_quantizer", "variance_quantizer"}), {"activation"}},
        {"Activation", "Activation", {"activation"}, {}},
        {"QActivation", "QActivation", {"activation"}, {}},
        {"ReLU", "ReLU", {}, {}},
        {"LeakyReLU", "LeakyReLU", {"alpha"}, {}},
        {"Dropout", "Dropout", {"rate"}, {"seed"}},
        {"Flatten", "Flatten", {}, {}},
        {"Reshape", "Reshape", {"target_shape"}, {}},
        {"MaxPooling1D", "MaxPooling1D", kPoolArguments, {}},
        {"MaxPooling2D", "MaxPooling2D", kPoolArguments, {}},
        {"AveragePooling1D", "AveragePooling1D", kPoolArguments, {}},
        {"AveragePooling2D", "AveragePooling2D", kPoolArguments, {}},
        {"QAveragePooling2D", "QAveragePooling2D", with(kPoolArguments, {"average_quantizer", "activation"}), {}},
        {"GlobalAveragePooling1D", "GlobalAveragePooling1D", {}, {}},
        {"GlobalAveragePooling2D", "GlobalAveragePooling2D", {}, {}},
        {"GlobalMaxPooling1D", "GlobalMaxPooling1D", {}, {}},
        {"GlobalMaxPooling2D", "GlobalMaxPooling2D", {}, {}},
        {"QGlobalAveragePooling2D", "QGlobalAveragePooling2D", {"average_quantizer", "activation"}, {}},
        {"UpSampling1D", "UpSampling1D", {"size"}, {}},
        {"UpSampling2D", "UpSampling2D", {"size", "interpolation"}, {}},
        {"Add", "Add", {}, {}},
        {"Concatenate", "Concatenate", {"axis"}, {}},
    };
  }();
  return rules;
}

// Arguments of any class that do not change what the trained model computes:
// training-time settings (initializers, regularizers, constraints, learning
// rate multipliers), storage type, and QKeras' deprecated, unused ranges.
const std::set<std::string> kIgnoredArguments = {
    "name", "trainable", "dtype", "batch_input_shape", "batch_size",
    "kernel_initializer", "bias_initializer", "depthwise_initializer", "pointwise_initializer",
    "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
    "kernel_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_regularizer",
    "pointwise_regularizer", "beta_regularizer", "gamma_regularizer",
    "kernel_constraint", "bias_constraint", "depthwise_constraint", "pointwise_constraint",
    "beta_constraint", "gamma_constraint",
    "kernel_range", "bias_range", "depthwise_range", "pointwise_range",
    "kernel_lr_multiplier", "bias_lr_multiplier", "fused", "renorm_clipping", "renorm_momentum"};

// Arguments accepted only at the value (or null) with which our layers compute
// the same function: channels-last data, no dilation or groups, no batch
// renormalisation, plain ReLU, BinaryNet's H = 1, ...
const std::map<std::string, json>& neutral_arguments() {
  static const std::map<std::string, json> neutral = {
      {"data_format", "channels_last"}, {"dilation_rate", 1},      {"groups", 1},
      {"noise_shape", nullptr},         {"keepdims", false},       {"renorm", false},
      {"virtual_batch_size", nullptr},  {"adjustment", nullptr},   {"inverse_quantizer", nullptr},
      {"mask", nullptr},                {"max_value", nullptr},    {"negative_slope", 0},
      {"threshold", 0},                 {"H", 1}};
  return neutral;
}

bool is_neutral(const json& value, const json& neutral) {
  if (value.is_null() || value == neutral) return true;
  // Per-axis lists: dilation_rate [1, 1].
  return value.is_array() && !value.empty() &&
         std::all_of(value.begin(), value.end(), [&](const json& v) { return v == neutral; });
}

// A quantizer slot in QKeras call syntax (the canonical form of what Keras
// serialized: an object {"class_name", "config"} or a string); null stays null.
json quantizer_argument(const KerasLayer& layer, const std::string& argument, const json& value) {
  if (value.is_null()) return nullptr;
  try {
    return quantizers::parse_quantizer(value)->to_string();
  } catch (const quantizers::QuantizerError& e) {
    throw layer.error("argument '" + argument + "': " + e.what());
  }
}

// BinaryNet's activations (hls4ml's binary/ternary examples) as QKeras
// quantizers: binary_tanh is QKeras' own (2·round(hard_sigmoid(x)) − 1, so
// 0 → −1); ternary_tanh(x) = 1 if x > 0.5, −1 if x ≤ −0.5, else 0, which is
// ternary(alpha=1, threshold=0.5) except at x = +0.5 exactly (docs/keras-import.md).
const std::map<std::string, std::string>& keras_activations() {
  static const std::map<std::string, std::string> names = {
      {"linear", "linear"},   {"relu", "relu"},         {"tanh", "tanh"},
      {"sigmoid", "sigmoid"}, {"softmax", "softmax"},   {"elu", "elu"},
      {"selu", "selu"},       {"softplus", "softplus"}, {"softsign", "softsign"},
      {"swish", "swish"},     {"gelu", "gelu"},         {"binary_tanh", "binary_tanh"},
      {"ternary_tanh", "ternary(alpha=1,threshold=0.5)"}};
  return names;
}

// The `activation` argument: a Keras activation name for Keras classes; for
// QKeras classes anything QKeras' get_quantizer accepts (its own functions
// first, so "hard_sigmoid" there is QKeras' 0.5x + 0.5).
json activation_argument(const KerasLayer& layer, const json& value) {
  const bool qkeras = layer.class_name.front() == 'Q';
  if (qkeras) return quantizer_argument(layer, "activation", value);
  if (!value.is_string()) throw layer.error("argument 'activation' must be a Keras activation name, got " + value.dump());
  const std::string name = value.get<std::string>();
  auto it = keras_activations().find(name);
  if (it != keras_activations().end()) return it->second;
  if (name == "hard_sigmoid")
    throw layer.error("activation 'hard_sigmoid' (Keras' 0.2x + 0.5) is not supported: qtrain's hard_sigmoid is QKeras' 0.5x + 0.5");
  throw layer.error("unsupported activation '" + name + "'");
}

bool is_quantizer_slot(const std::string& argument) {
  const std::string suffix = "_quantizer";
  return argument.size() > suffix.size() && argument.compare(argument.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One carried argument in our spec's form; null means "leave it out".
json translate_argument(const KerasLayer& layer, const std::string& argument, const json& value) {
  if (argument == "activation") {
    json activation = activation_argument(layer, value);
    // Only the activation layers need an explicit "linear"; elsewhere it is the default.
    const bool activation_layer = layer.class_name == "Activation" || layer.class_name == "QActivation";
    return activation == "linear" && !activation_layer ? json() : activation;
  }
  if (is_quantizer_slot(argument)) return quantizer_argument(layer, argument, value);
  // BatchNormalization's axis may be serialized as a one-element list.
  if (argument == "axis" && value.is_array() && value.size() == 1) return value[0];
  return value;
}

// A layer entry of our spec (without "inputs") for a Keras layer.
json translate_layer(const KerasLayer& layer) {
  const auto& rules = class_rules();
  auto rule = std::find_if(rules.begin(), rules.end(),
                           [&](const ClassRule& r) { return layer.class_name == r.keras_class; });
  if (rule == rules.end()) throw layer.error("unsupported layer class");
  json out = {{"name", layer.name}, {"type", rule->type}};
  for (const auto& [argument, value] : layer.config->items()) {
    const bool carried = std::any_of(rule->carried.begin(), rule->carried.end(),
                                     [&](const char* a) { return argument == a; });
    const bool ignored = std::any_of(rule->ignored.begin(), rule->ignored.end(),
                                     [&](const char* a) { return argument == a; });
    if (carried) {
      json translated = translate_argument(layer, argument, value);
      // A null quantizer stays: for QBatchNormalization it switches a default off.
      if (!translated.is_null() || is_quantizer_slot(argument)) out[argument] = std::move(translated);
    } else if (auto neutral = neutral_arguments().find(argument); neutral != neutral_arguments().end()) {
      if (!is_neutral(value, neutral->second))
        throw layer.error("argument '" + argument + "' = " + value.dump() + " is not supported (only " +
                          neutral->second.dump() + ")");
    } else if (!ignored && !kIgnoredArguments.count(argument)) {
      throw layer.error("argument '" + argument + "' is not supported");
    }
  }
  if (layer.class_name == "BinaryDense") out["kernel_quantizer"] = "binary(alpha=1)";
  if (layer.class_name == "TernaryDense") out["kernel_quantizer"] = "ternary(alpha=1,threshold=0.5)";
  return out;
}

// The per-sample shape of an InputLayer or of the first layer of a Sequential model.
json input_shape(const KerasLayer& layer) {
  const json* shape = nullptr;
  for (const char* key : {"batch_input_shape", "batch_shape"})
    if (layer.config->contains(key)) shape = &(*layer.config)[key];
  if (!shape) throw layer.error("no \"batch_input_shape\": the model's input shape is unknown");
  bool ok = shape->is_array() && shape->size() >= 2;
  for (size_t i = 1; ok && i < shape->size(); ++i) ok = (*shape)[i].is_number_integer() && (*shape)[i].get<int64_t>() > 0;
  if (!ok) throw layer.error("input shape " + shape->dump() + " must be fixed positive sizes after the batch axis");
  return json(shape->begin() + 1, shape->end());
}

// [name, node_index, tensor_index(, kwargs)] references of a Functional layer's single call.
std::vector<std::string> inbound_layers(const KerasLayer& layer) {
  const json& nodes = layer.entry->value("inbound_nodes", json::array());
  if (!nodes.is_array() || nodes.empty()) throw layer.error("not connected (no \"inbound_nodes\")");
  if (nodes.size() > 1) throw layer.error("called " + std::to_string(nodes.size()) + " times; shared layers are not supported");
  std::vector<std::string> names;
  for (const json& ref : nodes[0]) {
    const bool ok = ref.is_array() && ref.size() >= 3 && ref[0].is_string() && ref[1] == 0 && ref[2] == 0 &&
                    (ref.size() == 3 || ref[3].empty());
    if (!ok) throw layer.error("unsupported inbound node " + ref.dump() + " (expected [\"layer\", 0, 0, {}])");
    names.push_back(ref[0].get<std::string>());
  }
  if (names.empty()) throw layer.error("not connected (empty inbound node)");
  return names;
}

// The names listed in Functional's "input_layers" / "output_layers":
// [[name, 0, 0], ...] or, for one tensor, [name, 0, 0].
std::vector<std::string> endpoint_layers(const json& config, const char* key, const std::string& source) {
  const json& list = config.value(key, json());
  std::vector<std::string> names;
  if (list.is_array() && !list.empty() && list[0].is_string()) {
    names.push_back(list[0].get<std::string>());
  } else if (list.is_array()) {
    for (const json& ref : list)
      if (ref.is_array() && !ref.empty() && ref[0].is_string()) names.push_back(ref[0].get<std::string>());
  }
  if (names.empty()) throw KerasImportError(source + ": \"" + key + "\" must list layers");
  return names;
}

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace

ModelSpec keras_config_to_spec(const json& keras_model, const std::string& source) {
  const std::vector<KerasLayer> layers = keras_layers(keras_model, source);
  const std::string class_name = keras_model["class_name"].is_string() ? keras_model["class_name"].get<std::string>() : "";
  const json& config = keras_model["config"];
  json spec = {{"name", config.is_object() ? config.value("name", stem(source)) : stem(source)},
               {"description", "imported from the Keras model " + fs::path(source).filename().string()},
               {"layers", json::array()}};

  if (class_name == "Sequential") {
    size_t first = 0;
    if (layers[0].class_name == "InputLayer") first = 1;
    if (first == layers.size()) throw KerasImportError(source + ": the model has no layers besides its input");
    spec["input_shape"] = input_shape(layers[0]);
    for (size_t i = first; i < layers.size(); ++i) {
      if (layers[i].class_name == "InputLayer") throw layers[i].error("an InputLayer must come first");
      spec["layers"].push_back(translate_layer(layers[i]));
    }
    return ModelSpec::from_json(std::move(spec), source);
  }
  if (class_name != "Model" && class_name != "Functional")
    throw KerasImportError(source + ": unsupported model class '" + class_name +
                           "' (expected Sequential, Model or Functional)");

  const std::vector<std::string> inputs = endpoint_layers(config, "input_layers", source);
  if (inputs.size() != 1)
    throw KerasImportError(source + ": models with " + std::to_string(inputs.size()) + " inputs are not supported");
  // Our spec lists layers in evaluation order; Keras' list usually is, but
  // only the inbound nodes guarantee it, so layers are emitted once their
  // inputs are (a stable topological order).
  std::map<std::string, std::string> emitted = {{inputs[0], "input"}};
  std::vector<std::pair<const KerasLayer*, std::vector<std::string>>> pending;
  for (const KerasLayer& layer : layers) {
    if (layer.class_name == "InputLayer") {
      if (layer.name != inputs[0]) throw layer.error("not the model's input layer '" + inputs[0] + "'");
      spec["input_shape"] = input_shape(layer);
    } else {
      pending.emplace_back(&layer, inbound_layers(layer));
    }
  }
  if (!spec.contains("input_shape")) throw KerasImportError(source + ": no InputLayer '" + inputs[0] + "'");
  std::string previous = "input";
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const auto& p) {
      return std::all_of(p.second.begin(), p.second.end(), [&](const std::string& n) { return emitted.count(n) > 0; });
    });
    if (ready == pending.end()) {
      const auto& [layer, names] = pending.front();
      for (const std::string& n : names)
        if (!emitted.count(n) && std::none_of(pending.begin(), pending.end(), [&](const auto& p) { return p.first->name == n; }))
          throw layer->error("input '" + n + "' is not a layer of the model");
      throw layer->error("its inputs form a cycle");
    }
    const KerasLayer& layer = *ready->first;
    json entry = translate_layer(layer);
    json input_names = json::array();
    for (const std::string& n : ready->second) input_names.push_back(emitted.at(n));
    // A single input from the previous layer is our spec's default.
    if (input_names.size() > 1 || input_names[0] != previous)
      entry["inputs"] = input_names.size() == 1 ? input_names[0] : input_names;
    spec["layers"].push_back(std::move(entry));
    emitted[layer.name] = previous = layer.name;
    pending.erase(ready);
  }
  json outputs = json::array();
  for (const std::string& n : endpoint_layers(config, "output_layers", source)) {
    if (!emitted.count(n) || n == inputs[0]) throw KerasImportError(source + ": output '" + n + "' is not a layer of the model");
    outputs.push_back(n);
  }
  spec["outputs"] = outputs;
  return ModelSpec::from_json(std::move(spec), source);
}

namespace {

// ---------------------------------------------------------------------------
// The Keras weights

// A Keras HDF5 weights file: one group per layer (under /model_weights in a
// full-model file) whose attribute `weight_names` lists its data sets, in
// get_weights() order, as paths relative to the group ("fc1/kernel:0").
class KerasWeightsFile {
 public:
  explicit KerasWeightsFile(std::string path) : path_(std::move(path)), file_(open(path_)) {
    if (H5Lexists(file_.get(), "model_weights", H5P_DEFAULT) > 0) root_ = "/model_weights/";
  }

  const std::string& path() const { return path_; }
  bool has_layer(const std::string& layer) const {
    return H5Lexists(file_.get(), (root_ + layer).c_str(), H5P_DEFAULT) > 0;
  }
  std::string group(const std::string& layer) const { return root_ + layer; }

  // The layer group's `weight_names`, fixed- or variable-length strings.
  // Keras writes an empty float array for layers without weights.
  std::vector<std::string> weight_names(const std::string& layer) const {
    const std::string what = "attribute 'weight_names' of '" + group(layer) + "'";
    const Handle object(H5Oopen(file_.get(), group(layer).c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid() || H5Aexists(object.get(), "weight_names") <= 0)
      throw WeightsFileError(path_ + ": no " + what);
    const Handle attribute(H5Aopen(object.get(), "weight_names", H5P_DEFAULT), H5Aclose);
    const Handle type(H5Aget_type(attribute.get()), H5Tclose);
    const Handle space(H5Aget_space(attribute.get()), H5Sclose);
    const hssize_t count = space.valid() ? H5Sget_simple_extent_npoints(space.get()) : -1;
    if (count == 0) return {};
    if (count < 0 || !type.valid() || H5Tget_class(type.get()) != H5T_STRING)
      throw WeightsFileError(path_ + ": " + what + " is not a list of strings");
    const Handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
    std::vector<std::string> names;
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> texts(count, nullptr);
      H5Tset_size(memory_type.get(), H5T_VARIABLE);
      if (H5Aread(attribute.get(), memory_type.get(), texts.data()) < 0) throw WeightsFileError(path_ + ": cannot read " + what);
      for (char* text : texts) {
        names.emplace_back(text ? text : "");
        H5free_memory(text);
      }
      return names;
    }
    const size_t size = H5Tget_size(type.get());
    std::string buffer(size * count, '\0');
    H5Tset_size(memory_type.get(), size);
    H5Tset_strpad(memory_type.get(), H5T_STR_NULLPAD);  // numpy's "S" strings fill the whole width
    if (H5Aread(attribute.get(), memory_type.get(), buffer.data()) < 0) throw WeightsFileError(path_ + ": cannot read " + what);
    for (hssize_t i = 0; i < count; ++i) {
      std::string name = buffer.substr(i * size, size);
      names.push_back(name.substr(0, name.find('\0')));
    }
    return names;
  }

 private:
  static Handle open(const std::string& path) {
    if (!fs::is_regular_file(path)) throw WeightsFileError(path + ": no such file");
    Handle file(H5Fis_hdf5(path.c_str()) > 0 ? H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT) : -1, H5Fclose);
    if (!file.valid()) throw WeightsFileError(path + ": not an HDF5 file");
    return file;
  }

  QuietHdf5Errors quiet_;
  std::string path_;
  Handle file_;
  std::string root_ = "/";
};

// "fc1/kernel:0" → "kernel": Keras' variable name without scope and output index.
std::string keras_weight_name(const std::string& stored) {
  std::string name = stored.substr(stored.find_last_of('/') + 1);
  return name.substr(0, name.find(':'));
}

// The one place where a Keras weight meets our layer's variable.  Keras and
// our layers share the channels-last layouts (Dense (in, out), Conv2D
// (kh, kw, in, out), DepthwiseConv2D (kh, kw, in, multiplier), ...), so the
// mapping is the identity and only the shape and values are checked.
torch::Tensor keras_to_layer_layout(const torch::Tensor& keras, const LayerWeight& weight, const std::string& where) {
  if (keras.sizes() != weight.variable.sizes())
    throw KerasImportError(where + " has shape " + c10::str(keras.sizes()) + ", the model expects " +
                           c10::str(weight.variable.sizes()));
  if (!torch::isfinite(keras).all().item<bool>()) throw KerasImportError(where + " holds NaN or infinite values");
  return keras;
}

// Sets every weight of the model from the file; all are read and checked first.
void load_keras_weights(Model& model, const KerasWeightsFile& file) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> assignments;  // (variable, value)
  for (const LayerPtr& layer : model.layers()) {
    if (layer->weights().empty()) continue;
    const std::string layer_where = file.path() + ": layer '" + layer->name() + "'";
    if (!file.has_layer(layer->name())) throw KerasImportError(layer_where + " has no weights in the file");
    std::map<std::string, std::string> stored;  // Keras weight name → data set
    for (const std::string& name : file.weight_names(layer->name()))
      if (!stored.emplace(keras_weight_name(name), name).second)
        throw KerasImportError(layer_where + ": weight '" + keras_weight_name(name) + "' is stored twice");
    for (const LayerWeight& w : layer->weights()) {
      auto it = stored.find(w.name);
      if (it == stored.end()) throw KerasImportError(layer_where + " has no weight '" + w.name + "' in the file");
      const torch::Tensor value = read_h5_dataset(file.path(), file.group(layer->name()) + "/" + it->second);
      assignments.emplace_back(w.variable, keras_to_layer_layout(value, w, layer_where + " weight '" + w.name + "'"));
      stored.erase(it);
    }
    if (!stored.empty())
      throw KerasImportError(layer_where + ": the file has a weight '" + stored.begin()->first +
                             "' that the layer does not have (do the config and the weights belong together?)");
  }
  torch::NoGradGuard no_grad;
  for (auto& [variable, value] : assignments) variable.copy_(value);
}

// BinaryDense / TernaryDense kernels map onto QKeras' binary / ternary, which
// agree with BinaryNet's binarize / ternarize except at the ties: a weight of
// exactly 0 (binarize: −1, binary: +1) or exactly +0.5 (ternarize: 0,
// ternary: +1).  A kernel holding one is refused rather than imported wrong.
void check_binarized_kernels(const std::vector<KerasLayer>& layers, const Model& model) {
  for (const KerasLayer& layer : layers) {
    const bool binary = layer.class_name == "BinaryDense", ternary = layer.class_name == "TernaryDense";
    if (!binary && !ternary) continue;
    const torch::Tensor& kernel = model.layer(layer.name)->weight("kernel")->variable;
    const double tie = binary ? 0.0 : 0.5;
    if ((kernel == tie).any().item<bool>())
      throw layer.error("kernel holds a weight of exactly " + std::string(binary ? "0" : "0.5") +
                        ", where QKeras' " + (binary ? "binary" : "ternary") + " quantizer and Keras' " +
                        (binary ? "binarize" : "ternarize") + " differ");
  }
}

// The run config as run.json of an imported run: checked against the model,
// "model" pointing at the model.json beside it and the data path absolute (as
// `qtrain train` writes it), so open_run() works from anywhere.
json imported_run_config(const std::string& path, const ModelSpec& spec) {
  json config = read_json_file(path);
  if (!config.is_object()) throw RunError(path + ": a run config must be a JSON object");
  config["model"] = spec.json;
  const RunConfig checked = RunConfig::from_json(config, path, fs::path(path).parent_path().string());
  config["model"] = "model.json";
  if (!checked.data.path.empty()) config["data"]["path"] = fs::absolute(checked.data.path).lexically_normal().string();
  return config;
}

// A new, empty, uniquely named directory next to `target`.
fs::path sibling_directory(const fs::path& target, const std::string& purpose) {
  std::string pattern = (target.parent_path() / ("." + target.filename().string() + "." + purpose + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error(target.string() + ": cannot create a directory next to it");
  // mkdtemp's 0700 would become the run directory's mode.
  fs::permissions(pattern, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
  return pattern;
}

}  // namespace

std::shared_ptr<Model> import_keras(const std::string& model_path, const std::string& weights_path) {
  const bool full_model = weights_path.empty();
  json keras_model;
  if (full_model) {
    const std::string config = read_h5_attribute(model_path, "/", "model_config");
    try {
      keras_model = json::parse(config);
    } catch (const json::exception& e) {
      throw KerasImportError(model_path + ": attribute 'model_config' is not valid JSON: " + e.what());
    }
  } else {
    keras_model = read_json_file(model_path);
  }
  auto model = std::make_shared<Model>(keras_config_to_spec(keras_model, model_path));
  load_keras_weights(*model, KerasWeightsFile(full_model ? model_path : weights_path));
  check_binarized_kernels(keras_layers(keras_model, model_path), *model);
  model->eval();
  return model;
}

void write_imported_run(Model& model, const std::string& run_dir, const ImportedRunOptions& options) {
  fs::path target = fs::path(run_dir).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "runs/x/"
  if (fs::exists(target) && !options.force) throw std::invalid_argument(run_dir + ": exists (use --force to replace it)");
  const json run_config = options.run_config.empty() ? json() : imported_run_config(options.run_config, model.spec());
  if (!target.parent_path().empty()) fs::create_directories(target.parent_path());

  const fs::path staging = sibling_directory(target, "import");
  try {
    model.spec().save((staging / "model.json").string());
    fs::create_directory(staging / "checkpoints");
    save_model_weights(model, (staging / "checkpoints" / "best.pt").string());
    if (!run_config.is_null()) write_json_atomically((staging / "run.json").string(), run_config);
    if (!fs::exists(target)) {
      fs::rename(staging, target);
      return;
    }
    // Replace: the old directory moves aside (onto an empty directory, which
    // rename() allows) and comes back if the new one cannot take its place.
    const fs::path old = sibling_directory(target, "replaced");
    fs::rename(target, old);
    try {
      fs::rename(staging, target);
    } catch (...) {
      fs::rename(old, target);
      throw;
    }
    fs::remove_all(old);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
}

}  // namespace qtrain
