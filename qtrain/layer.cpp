// Layer base class, LayerArgs and the layer-type registry.
#include "qtrain/layer.h"

#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <sstream>

#include "qtrain/layer_args.h"
#include "qtrain/layer_registry.h"

namespace qtrain {

int64_t element_count(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
}

std::string shape_to_string(const Shape& shape) {
  std::ostringstream out;
  out << "(None";
  for (int64_t d : shape) out << ", " << d;
  out << ")";
  return out.str();
}

torch::Tensor LayerWeight::quantized(bool training) const {
  return quantizer ? (*quantizer)(variable, training) : variable;
}

Layer::Layer(const LayerArgs& args, std::vector<Shape> input_shapes)
    : torch::nn::Module(args.name()), name_(args.name()), type_(args.type()), input_shapes_(std::move(input_shapes)) {}

const LayerWeight* Layer::weight(const std::string& weight_name) const {
  for (const LayerWeight& w : weights_)
    if (w.name == weight_name) return &w;
  return nullptr;
}

torch::Tensor& Layer::add_weight(const std::string& weight_name, torch::Tensor init, quantizers::QuantizerPtr quantizer,
                                 bool trainable) {
  torch::Tensor& registered = trainable ? register_parameter(weight_name, std::move(init))
                                        : register_buffer(weight_name, std::move(init));
  LayerWeight w{weight_name, registered, std::move(quantizer), trainable, std::nullopt};
  weights_.push_back(std::move(w));
  return registered;
}

void Layer::add_slot(const std::string& slot, const quantizers::QuantizerPtr& quantizer) {
  if (quantizer) slots_.emplace_back(slot, quantizer);
}

void Layer::apply_constraints() {
  torch::NoGradGuard no_grad;
  for (LayerWeight& w : weights_)
    if (w.clip) w.variable.clamp_(w.clip->first, w.clip->second);
}

ModelError Layer::error(const std::string& what) const {
  return ModelError("layer '" + name_ + "' (" + type_ + "): " + what);
}

// ---------------------------------------------------------------------------
// LayerArgs

namespace {
// Keys of a layer entry that are not constructor arguments.
bool is_structural_key(const std::string& key) { return key == "name" || key == "type" || key == "inputs"; }
}  // namespace

LayerArgs::LayerArgs(const nlohmann::json& spec) : spec_(spec) {
  if (!spec.is_object()) throw ModelError("a layer entry must be a JSON object, got " + spec.dump());
  auto name = spec.find("name");
  if (name == spec.end() || !name->is_string() || name->get<std::string>().empty())
    throw ModelError("layer entry without a \"name\" string: " + spec.dump());
  name_ = name->get<std::string>();
  auto type = spec.find("type");
  if (type == spec.end() || !type->is_string())
    throw ModelError("layer '" + name_ + "': missing \"type\" string");
  type_ = type->get<std::string>();
}

ModelError LayerArgs::error(const std::string& what) const {
  return ModelError("layer '" + name_ + "' (" + type_ + "): " + what);
}

bool LayerArgs::has(const char* key) const {
  auto it = spec_.find(key);
  return it != spec_.end() && !it->is_null();
}

const nlohmann::json& LayerArgs::at(const char* key) {
  used_.insert(key);
  return spec_.at(key);
}

template <class T>
T LayerArgs::scalar(const char* key, const std::optional<T>& fallback, bool (nlohmann::json::*is_kind)() const noexcept,
                    const char* expected) {
  used_.insert(key);
  if (!has(key)) {
    if (!fallback) throw error(std::string("missing argument '") + key + "'");
    return *fallback;
  }
  const nlohmann::json& v = at(key);
  if (!(v.*is_kind)()) throw error(std::string("argument '") + key + "' must be " + expected + ", got " + v.dump());
  return v.get<T>();
}

int64_t LayerArgs::integer(const char* key, std::optional<int64_t> fallback) {
  return scalar(key, fallback, &nlohmann::json::is_number_integer, "an integer");
}

double LayerArgs::number(const char* key, std::optional<double> fallback) {
  return scalar(key, fallback, &nlohmann::json::is_number, "a number");
}

bool LayerArgs::boolean(const char* key, bool fallback) {
  return scalar(key, std::optional<bool>(fallback), &nlohmann::json::is_boolean, "true or false");
}

std::string LayerArgs::string(const char* key, std::optional<std::string> fallback) {
  return scalar(key, fallback, &nlohmann::json::is_string, "a string");
}

std::vector<int64_t> LayerArgs::integers(const char* key, size_t n, std::optional<int64_t> fallback) {
  used_.insert(key);
  if (!has(key)) {
    if (!fallback) throw error(std::string("missing argument '") + key + "'");
    return std::vector<int64_t>(n, *fallback);
  }
  const nlohmann::json& v = at(key);
  if (v.is_number_integer()) return std::vector<int64_t>(n, v.get<int64_t>());
  std::vector<int64_t> out = integer_list(key);
  if (out.size() != n)
    throw error(std::string("argument '") + key + "' needs " + std::to_string(n) + " values, got " + v.dump());
  return out;
}

std::vector<int64_t> LayerArgs::integer_list(const char* key) {
  const nlohmann::json& v = at(key);
  std::vector<int64_t> out;
  if (v.is_array())
    for (const nlohmann::json& e : v) {
      if (!e.is_number_integer()) break;
      out.push_back(e.get<int64_t>());
    }
  if (!v.is_array() || out.size() != v.size())
    throw error(std::string("argument '") + key + "' must be a list of integers, got " + v.dump());
  return out;
}

quantizers::QuantizerPtr LayerArgs::quantizer(const char* key, const char* fallback) {
  used_.insert(key);
  if (!spec_.contains(key)) return fallback ? quantizers::parse_quantizer(fallback) : nullptr;
  const nlohmann::json& v = at(key);
  if (v.is_null()) return nullptr;
  try {
    return quantizers::parse_quantizer(v);
  } catch (const quantizers::QuantizerError& e) {
    throw error(std::string("argument '") + key + "': " + e.what());
  }
}

void LayerArgs::finish() const {
  for (const auto& [key, value] : spec_.items())
    if (!is_structural_key(key) && !used_.count(key)) throw error("unknown argument '" + key + "'");
}

// ---------------------------------------------------------------------------
// Registry

LayerFactories& layer_factories() {
  static LayerFactories factories = [] {
    LayerFactories f;
    register_weighted_layers(f);
    register_shape_layers(f);
    return f;
  }();
  return factories;
}

namespace {
struct Fans {
  double in, out;
};
// Keras' _compute_fans: the receptive field multiplies both fans.
Fans compute_fans(const std::vector<int64_t>& shape) {
  if (shape.size() < 2) {
    double n = shape.empty() ? 1.0 : static_cast<double>(shape[0]);
    return {n, n};
  }
  double receptive = 1.0;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= static_cast<double>(shape[i]);
  return {static_cast<double>(shape[shape.size() - 2]) * receptive, static_cast<double>(shape.back()) * receptive};
}

// Normal samples truncated at two standard deviations (Keras redraws them).
torch::Tensor truncated_normal(const std::vector<int64_t>& shape, double stddev) {
  torch::Tensor x = torch::randn(shape);
  for (torch::Tensor outside = x.abs() > 2.0; outside.any().item<bool>(); outside = x.abs() > 2.0)
    x = torch::where(outside, torch::randn(shape), x);
  return x * stddev;
}

// Keras' VarianceScaling: scale / fan, truncated normal (with the 0.8796
// correction for truncation) or uniform.
torch::Tensor variance_scaling(const std::vector<int64_t>& shape, double scale, const std::string& mode, bool normal) {
  Fans fans = compute_fans(shape);
  double fan = mode == "fan_in" ? fans.in : mode == "fan_out" ? fans.out : (fans.in + fans.out) / 2.0;
  double variance = scale / std::max(1.0, fan);
  if (normal) return truncated_normal(shape, std::sqrt(variance) / 0.87962566103423978);
  double limit = std::sqrt(3.0 * variance);
  return torch::rand(shape) * (2.0 * limit) - limit;
}

const std::map<std::string, std::function<torch::Tensor(const std::vector<int64_t>&)>>& initializers() {
  static const std::map<std::string, std::function<torch::Tensor(const std::vector<int64_t>&)>> table = {
      {"zeros", [](const auto& s) { return torch::zeros(s); }},
      {"ones", [](const auto& s) { return torch::ones(s); }},
      {"he_normal", [](const auto& s) { return variance_scaling(s, 2.0, "fan_in", true); }},
      {"he_uniform", [](const auto& s) { return variance_scaling(s, 2.0, "fan_in", false); }},
      {"glorot_normal", [](const auto& s) { return variance_scaling(s, 1.0, "fan_avg", true); }},
      {"glorot_uniform", [](const auto& s) { return variance_scaling(s, 1.0, "fan_avg", false); }},
      {"lecun_normal", [](const auto& s) { return variance_scaling(s, 1.0, "fan_in", true); }},
      {"lecun_uniform", [](const auto& s) { return variance_scaling(s, 1.0, "fan_in", false); }},
  };
  return table;
}
}  // namespace

torch::Tensor initial_weights(const std::string& initializer, const std::vector<int64_t>& shape) {
  return initializers().at(initializer)(shape).to(torch::kFloat32);
}

bool is_known_initializer(const std::string& initializer) { return initializers().count(initializer) > 0; }

Window window(int64_t in, int64_t size, int64_t stride, bool same) {
  Window w{size, stride};
  if (same) {
    w.out = (in + stride - 1) / stride;
    int64_t total = std::max<int64_t>((w.out - 1) * stride + size - in, 0);
    w.pad_before = total / 2;
    w.pad_after = total - w.pad_before;
  } else {
    w.out = in >= size ? (in - size) / stride + 1 : 0;
  }
  return w;
}

bool same_padding(LayerArgs& args, const char* fallback) {
  std::string padding = args.string("padding", std::string(fallback));
  std::transform(padding.begin(), padding.end(), padding.begin(), [](unsigned char c) { return std::tolower(c); });
  if (padding != "valid" && padding != "same")
    throw args.error("padding must be \"valid\" or \"same\", got \"" + padding + "\"");
  return padding == "same";
}

torch::Tensor to_channels_first(const torch::Tensor& x) {
  std::vector<int64_t> order{0, x.dim() - 1};
  for (int64_t d = 1; d + 1 < x.dim(); ++d) order.push_back(d);
  return x.permute(order);
}

torch::Tensor to_channels_last(const torch::Tensor& x) {
  std::vector<int64_t> order{0};
  for (int64_t d = 2; d < x.dim(); ++d) order.push_back(d);
  order.push_back(1);
  return x.permute(order);
}

torch::Tensor pad_spatial(const torch::Tensor& x, const std::vector<Window>& windows, double value) {
  std::vector<int64_t> pads;  // last axis first, as constant_pad_nd wants
  bool any = false;
  for (auto w = windows.rbegin(); w != windows.rend(); ++w) {
    pads.push_back(w->pad_before);
    pads.push_back(w->pad_after);
    any = any || w->pad_before || w->pad_after;
  }
  return any ? torch::constant_pad_nd(x, pads, value) : x;
}

LayerPtr make_layer(const nlohmann::json& spec, const std::vector<Shape>& input_shapes) {
  LayerArgs args(spec);
  const LayerFactories& factories = layer_factories();
  auto it = factories.find(args.type());
  if (it == factories.end()) throw args.error("unknown layer type (known: " + [] {
    std::string known;
    for (const std::string& t : layer_types()) known += (known.empty() ? "" : ", ") + t;
    return known;
  }() + ")");
  LayerPtr layer = it->second(args, input_shapes);
  args.finish();
  return layer;
}

std::vector<std::string> layer_types() {
  std::vector<std::string> types;
  for (const auto& [type, factory] : layer_factories()) types.push_back(type);
  return types;
}

}  // namespace qtrain
