#include "qtrain/hls_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "qtrain/layer_args.h"
#include "qtrain/layer_registry.h"
#include "qtrain/losses.h"
#include "qtrain/model.h"
#include "quantizers/field.h"
#include "quantizers/fixed_quantize.h"

namespace qtrain {
namespace {

using nlohmann::json;
using quantizers::FixedType;
using quantizers::HardwareType;
using quantizers::OverflowMode;
using quantizers::QuantizerPtr;
using quantizers::Role;
using quantizers::RoundingMode;

HardwareType fixed_type(const std::string& text) { return {HardwareType::Kind::Fixed, FixedType::parse(text)}; }

// Keras class without QKeras' Q prefix: QDense and Dense build the same layer.
std::string keras_class(const std::string& type) {
  static const std::set<std::string> q_classes = {"QDense", "QConv1D", "QConv2D", "QActivation",
                                                 "QBatchNormalization", "QAveragePooling2D",
                                                 "QGlobalAveragePooling2D", "QDepthwiseConv2D",
                                                 "QSeparableConv2D"};
  return q_classes.count(type) ? type.substr(1) : type;
}

const QuantizerPtr* slot(const Layer& layer, const std::string& name) {
  for (const auto& [slot_name, q] : layer.quantizer_slots())
    if (slot_name == name) return &q;
  return nullptr;
}

double number_field(quantizers::Quantizer& q, std::string_view field) {
  for (const quantizers::Field& f : q.fields())
    if (f.name() == field) {
      quantizers::ArgValue v = f.get();
      if (const double* d = std::get_if<double>(&v)) return *d;
      if (const bool* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
    }
  return 0.0;
}

// The firmware layer an activation function (a quantizer slot or QActivation)
// becomes (§3.3), or a ModelError naming the layer.
HlsLayer activation_layer(const Layer& layer, const quantizers::QuantizerPtr& q, const std::string& name) {
  HlsLayer a;
  a.name = name;
  a.source = layer.name();
  a.shape = layer.output_shape();
  a.variables = {"result"};
  const std::string f(q->name());
  if (auto t = q->hardware_type(Role::Activation)) a.quantizer_types["result"] = *t;
  auto table = [&](const std::string& function) {
    a.layer_class = "Activation";
    a.activation = function;
    a.variables.push_back("table");
  };
  if (f == "linear" || f == "quantized_bits" || f == "quantized_po2") {
    a.layer_class = "Activation";
    a.activation = "linear";
  } else if (f == "relu" || f == "quantized_relu_po2") {
    a.layer_class = "Activation";
    a.activation = "relu";
  } else if (f == "quantized_relu") {
    double slope = number_field(*q, "negative_slope");
    a.layer_class = slope == 0.0 ? "Activation" : "LeakyReLU";
    a.activation = slope == 0.0 ? "relu" : "leaky_relu";
    a.parameter = slope;
  } else if (f == "leaky_relu") {
    a.layer_class = "LeakyReLU";
    a.activation = "leaky_relu";
    a.parameter = number_field(*q, "alpha");
  } else if (f == "sigmoid" || f == "tanh") {
    table(f);
  } else if (f == "quantized_sigmoid" || f == "quantized_tanh") {
    a.layer_class = "HardActivation";
    a.activation = f == "quantized_sigmoid" ? "hard_sigmoid" : "hard_tanh";
  } else if (f == "binary" || f == "stochastic_binary" || f == "binary_tanh") {
    a.layer_class = "Activation";
    a.activation = "binary_tanh";
    a.quantizer_types["result"] = fixed_type("ap_int<2>");
  } else if (f == "ternary" || f == "stochastic_ternary") {
    a.layer_class = "TernaryTanh";
    a.activation = "ternary_tanh";
    a.parameter = 0.5;
    a.quantizer_types["result"] = fixed_type("ap_int<2>");
  } else if (f == "softmax") {
    a.layer_class = "Softmax";
    a.activation = "softmax";
    a.variables.insert(a.variables.end(), {"exp_table", "inv_table", "accum"});
  } else {
    throw ModelError("layer '" + layer.name() + "' (" + layer.type() + "): activation " + q->to_string() +
                     " has no firmware implementation");
  }
  return a;
}

// Geometry of a convolution or pooling layer from its spec entry.
void read_geometry(HlsLayer& h, const json& entry, const Shape& in, size_t rank, bool pooling) {
  LayerArgs args(entry);
  std::vector<int64_t> sizes = pooling ? args.integers("pool_size", rank, 2) : args.integers("kernel_size", rank);
  std::vector<int64_t> strides = args.has("strides") ? args.integers("strides", rank) : pooling ? sizes
                                                                                                 : std::vector<int64_t>(rank, 1);
  bool same = same_padding(args, "valid");
  for (size_t d = 0; d < rank; ++d) {
    Window w = window(in[d], sizes[d], strides[d], same);
    h.kernel.push_back(sizes[d]);
    h.strides.push_back(strides[d]);
    h.pad_before.push_back(w.pad_before);
    h.pad_after.push_back(w.pad_after);
  }
}

// Dense / Conv: weights through their QAT quantizers; a kernel quantizer with
// a scale factorised into an ApplyAlpha layer (§3.7).
void add_weighted(std::vector<HlsLayer>& out, HlsLayer h, const Layer& layer) {
  torch::NoGradGuard no_grad;
  const LayerWeight* kernel = layer.weight("kernel");
  const LayerWeight* bias = layer.weight("bias");
  h.variables = {"result", "accum", "weight", "bias"};
  h.weight = kernel->quantized().to(torch::kFloat64);
  h.bias = bias ? bias->quantized().to(torch::kFloat64) : torch::zeros({h.weight.size(-1)}, torch::kFloat64);
  if (kernel->quantizer)
    if (auto t = kernel->quantizer->hardware_type(Role::Kernel)) h.quantizer_types["weight"] = *t;
  if (bias && bias->quantizer)
    if (auto t = bias->quantizer->hardware_type(Role::Bias)) h.quantizer_types["bias"] = *t;

  torch::Tensor scale = kernel->quantizer ? kernel->quantizer->scale() : torch::Tensor();
  bool factorise = scale.defined() && !torch::all(scale.to(torch::kFloat64) == 1.0).item<bool>();
  if (factorise) {
    torch::Tensor s = scale.to(torch::kFloat64).reshape({-1}).expand({h.weight.size(-1)}).contiguous();
    HlsLayer alpha;
    alpha.name = h.name + "_alpha";
    alpha.layer_class = "ApplyAlpha";
    alpha.source = h.source;
    alpha.shape = h.shape;
    alpha.variables = {"result", "scale", "bias"};
    alpha.scale = s;
    alpha.bias = h.bias;
    if (h.quantizer_types.count("bias")) alpha.quantizer_types["bias"] = h.quantizer_types["bias"];
    // auto_po2 scales are powers of two: an exponent type wide enough for them.
    if (torch::all(torch::log2(s) == torch::round(torch::log2(s))).item<bool>()) {
      int bits = std::max(2, static_cast<int>(torch::log2(s).abs().max().item<double>()) + 1);
      alpha.quantizer_types["scale"] = {HardwareType::Kind::Exponent, FixedType::integer_type(bits, true)};
    }
    h.weight = h.weight / s;
    h.bias = torch::zeros_like(h.bias);
    out.push_back(std::move(h));
    alpha.inputs = {static_cast<int>(out.size()) - 1};
    out.push_back(std::move(alpha));
  } else {
    out.push_back(std::move(h));
  }
  if (const QuantizerPtr* act = slot(layer, "activation"); act && *act && (*act)->name() != "linear") {
    HlsLayer a = activation_layer(layer, *act, layer.name() + "_" + std::string((*act)->name()));
    a.inputs = {static_cast<int>(out.size()) - 1};
    out.push_back(std::move(a));
  }
}

// BatchNormalization as scale and bias, computed in float32 as hls4ml does
// with numpy, but from the weights as the trained model's forward uses them:
// through QBatchNormalization's gamma/beta/mean/variance quantizers.  hls4ml
// ignores those (§3.2, left unfinished in its converter), which makes its
// firmware differ from the QAT model it was trained as (the Q6 jet tagger
// loses 5 points).
void add_batchnorm(std::vector<HlsLayer>& out, HlsLayer h, const Layer& layer, const json& entry) {
  torch::NoGradGuard no_grad;
  LayerArgs args(entry);
  const float epsilon = static_cast<float>(args.has("epsilon") ? args.number("epsilon") : 1e-3);
  auto w = [&](const char* name, double fallback) {
    const LayerWeight* v = layer.weight(name);
    return v ? v->quantized().to(torch::kFloat32) : torch::full({layer.output_shape().back()}, fallback, torch::kFloat32);
  };
  torch::Tensor scale = w("gamma", 1.0) / torch::sqrt(w("moving_variance", 1.0) + epsilon);
  torch::Tensor bias = w("beta", 0.0) - scale * w("moving_mean", 0.0);
  h.layer_class = "BatchNormalization";
  h.variables = {"result", "scale", "bias"};
  h.scale = scale.to(torch::kFloat64);
  h.bias = bias.to(torch::kFloat64);
  out.push_back(std::move(h));
}

}  // namespace

const HardwareType& HlsLayer::type(const std::string& variable) const {
  auto it = types.find(variable);
  if (it == types.end()) throw ModelError("firmware layer '" + name + "' has no " + variable + " type");
  return it->second;
}

const FixedType& HlsLayer::fixed(const std::string& variable) const {
  const HardwareType& t = type(variable);
  if (t.kind != HardwareType::Kind::Fixed)
    throw ModelError("firmware layer '" + name + "': " + variable + " type " + t.to_string() + " is not fixed-point");
  return t.fixed;
}

bool HlsLayer::has_padding() const {
  for (size_t d = 0; d < kernel.size(); ++d)
    if (pad_before[d] || pad_after[d]) return true;
  return false;
}

bool HlsLayer::pads_in_own_layer(bool stream) const {
  return stream && (layer_class == "Conv1D" || layer_class == "Conv2D") && has_padding();
}

namespace {

// The spec layers an output needs: `roots` and everything they read from.
std::vector<bool> layers_needed(const Model& model, const std::vector<int>& roots) {
  std::vector<bool> needed(model.layers().size(), false);
  for (int r : roots) needed[static_cast<size_t>(r)] = true;
  for (size_t i = needed.size(); i-- > 0;)
    if (needed[i])
      for (int j : model.layer_inputs(i))
        if (j >= 0) needed[static_cast<size_t>(j)] = true;
  return needed;
}

// The score layer reading the firmware layers `inputs` (AnomalyScore).
HlsLayer score_layer(const HlsModel& m, const AnomalyScore& score, std::vector<int> inputs) {
  HlsLayer h;
  h.name = "score";
  h.layer_class = "Score";
  h.inputs = std::move(inputs);
  h.shape = {1};
  h.variables = {"result", "accum"};
  const Shape& a = m.layers[h.inputs[0]].shape;
  const Shape& b = m.layers[h.inputs[1]].shape;
  if (score.kind == AnomalyScore::Kind::Kl) {
    h.operation = "kl";
    if (a != b)
      throw ModelError(m.source + ": the kl score needs z_mean and z_log_var of one shape, got '" +
                       m.layers[h.inputs[0]].name + "' " + shape_to_string(a) + " and '" +
                       m.layers[h.inputs[1]].name + "' " + shape_to_string(b));
    h.variables.push_back("exp_table");
    return h;
  }
  h.operation = "mse";
  h.mask_zeros = score.mask_zeros;
  h.variables.push_back("reco");
  if (element_count(a) != element_count(b))
    throw ModelError(m.source + ": the io score compares the input " + shape_to_string(a) +
                     " with the reconstruction '" + m.layers[h.inputs[1]].name + "' " + shape_to_string(b) +
                     ", which differ in size");
  if (score.tanh_eta_phi) {
    const at::Tensor factors = tanh_eta_phi_factors();
    if (element_count(a) != factors.numel())
      throw ModelError(m.source + ": tanh_eta_phi needs ADC events of " + std::to_string(factors.numel()) +
                       " values, the input is " + shape_to_string(a));
    h.activation = "tanh_eta_phi";
    h.scale = factors;
    h.variables.insert(h.variables.end(), {"table", "scale"});
  }
  return h;
}

}  // namespace

HlsModel plan_hls_layers(const Model& model, const AnomalyScore& score) {
  const std::vector<int>& model_outputs = model.output_layers();
  std::vector<int> roots;  // the spec layers the firmware outputs
  switch (score.kind) {
    case AnomalyScore::Kind::None:
      roots = model_outputs;
      break;
    case AnomalyScore::Kind::Io:
      roots = {model_outputs.front()};
      break;
    case AnomalyScore::Kind::Kl:
      if (model_outputs.size() < 3)
        throw ModelError(model.spec().source + ": the kl score needs a VAE's outputs [reconstruction, z_mean, "
                         "z_log_var], the model has " + std::to_string(model_outputs.size()));
      roots = {model_outputs[1], model_outputs[2]};
      break;
  }
  const std::vector<bool> needed = layers_needed(model, roots);
  HlsModel m;
  m.name = model.spec().name();
  m.source = model.spec().source;
  std::vector<HlsLayer>& out = m.layers;
  HlsLayer input;
  input.name = "input";
  input.layer_class = "Input";
  input.shape = model.spec().input_shape();
  input.variables = {"result"};
  out.push_back(input);

  std::vector<int> produced(model.layers().size());  // spec layer -> position of its output in `out`
  for (size_t i = 0; i < model.layers().size(); ++i) {
    if (!needed[i]) continue;
    const Layer& layer = *model.layers()[i];
    const json& entry = model.spec().layers()[i];
    std::vector<int> inputs;
    for (int j : model.layer_inputs(i)) inputs.push_back(j < 0 ? 0 : produced[j]);
    const std::string cls = keras_class(layer.type());
    const Shape& in = layer.input_shapes()[0];
    HlsLayer h;
    h.name = layer.name();
    h.source = layer.name();
    h.inputs = inputs;
    h.shape = layer.output_shape();
    h.variables = {"result"};
    auto unsupported = [&](const std::string& what) {
      return ModelError("layer '" + layer.name() + "' (" + layer.type() + "): " + what);
    };

    if (cls == "Dropout") {
      produced[i] = inputs[0];
      continue;
    }
    if (cls == "Dense") {
      if (in.size() != 1) throw unsupported("firmware Dense needs a flat input, got " + shape_to_string(in));
      h.layer_class = "Dense";
      add_weighted(out, std::move(h), layer);
    } else if (cls == "Conv1D" || cls == "Conv2D") {
      h.layer_class = cls;
      read_geometry(h, entry, in, cls == "Conv1D" ? 1 : 2, false);
      LayerArgs args(entry);
      if (args.has("dilation_rate"))
        for (int64_t d : args.integers("dilation_rate", h.kernel.size()))
          if (d != 1) throw unsupported("dilation_rate != 1 has no firmware implementation");
      add_weighted(out, std::move(h), layer);
    } else if (cls == "BatchNormalization") {
      add_batchnorm(out, std::move(h), layer, entry);
    } else if (cls == "Activation") {
      const QuantizerPtr* act = slot(layer, "activation");
      if (!act || !*act) throw unsupported("no activation");
      HlsLayer a = activation_layer(layer, *act, layer.name());
      a.inputs = inputs;
      out.push_back(std::move(a));
    } else if (cls == "ReLU" || cls == "LeakyReLU") {
      LayerArgs args(entry);
      double slope = cls == "LeakyReLU" ? (args.has("alpha") ? args.number("alpha") : 0.3)
                                        : (args.has("negative_slope") ? args.number("negative_slope") : 0.0);
      if (cls == "ReLU" && ((args.has("max_value") && !entry.at("max_value").is_null()) ||
                            (args.has("threshold") && args.number("threshold") != 0.0)))
        throw unsupported("ReLU with max_value or threshold has no firmware implementation");
      h.layer_class = slope == 0.0 ? "Activation" : "LeakyReLU";
      h.activation = slope == 0.0 ? "relu" : "leaky_relu";
      h.parameter = slope;
      out.push_back(std::move(h));
    } else if (cls == "MaxPooling1D" || cls == "MaxPooling2D" || cls == "AveragePooling1D" ||
               cls == "AveragePooling2D") {
      if (slot(layer, "average_quantizer") || slot(layer, "activation"))
        throw unsupported("QAveragePooling2D quantizers have no firmware implementation");
      size_t rank = cls.back() == '1' || cls.find("1D") != std::string::npos ? 1 : 2;
      h.layer_class = rank == 1 ? "Pooling1D" : "Pooling2D";
      h.operation = cls.rfind("Max", 0) == 0 ? "max" : "average";
      read_geometry(h, entry, in, rank, true);
      if (h.operation == "average")
        h.variables.push_back("accum");
      out.push_back(std::move(h));
    } else if (cls == "GlobalMaxPooling1D" || cls == "GlobalMaxPooling2D" || cls == "GlobalAveragePooling1D" ||
               cls == "GlobalAveragePooling2D") {
      if (slot(layer, "average_quantizer") || slot(layer, "activation"))
        throw unsupported("QGlobalAveragePooling2D quantizers have no firmware implementation");
      h.layer_class = cls.find("1D") != std::string::npos ? "GlobalPooling1D" : "GlobalPooling2D";
      h.operation = cls.find("Max") != std::string::npos ? "max" : "average";
      if (h.operation == "average") h.variables.push_back("accum");
      out.push_back(std::move(h));
    } else if (cls == "Flatten" || cls == "Reshape") {
      h.layer_class = "Reshape";
      out.push_back(std::move(h));
    } else if (cls == "UpSampling1D" || cls == "UpSampling2D") {
      h.layer_class = cls;
      LayerArgs args(entry);
      h.kernel = args.integers("size", cls == "UpSampling1D" ? 1 : 2, 2);
      out.push_back(std::move(h));
    } else if (cls == "Add") {
      h.layer_class = "Merge";
      h.operation = "add";
      out.push_back(std::move(h));
    } else if (cls == "Concatenate") {
      h.layer_class = "Concatenate";
      LayerArgs args(entry);
      int64_t axis = args.has("axis") ? args.integer("axis") : -1;
      int64_t rank = static_cast<int64_t>(h.shape.size());
      h.axis = axis < 0 ? rank + axis : axis - 1;
      out.push_back(std::move(h));
    } else {
      throw unsupported("no firmware implementation for " + layer.type());
    }
    produced[i] = static_cast<int>(out.size()) - 1;
  }
  for (HlsLayer& h : out)
    if (h.activation == "leaky_relu") h.variables.push_back("param");  // the slope's param_t
  std::vector<int> outputs;
  for (int r : roots) outputs.push_back(produced[r]);
  if (score.kind == AnomalyScore::Kind::None) {
    m.outputs = outputs;
  } else {
    if (score.kind == AnomalyScore::Kind::Io) outputs.insert(outputs.begin(), 0);  // the input is the target
    out.push_back(score_layer(m, score, outputs));
    m.outputs = {static_cast<int>(out.size()) - 1};
  }
  return m;
}

namespace {

using Kind = HardwareType::Kind;

// An inferred type of `width` and `integer` bits, capped at the config's
// maximum precision (hls4ml's max_precision).
FixedType inferred_type(int width, int integer, bool is_signed, const std::optional<FixedType>& maximum) {
  FixedType t;
  t.width = maximum ? std::min(width, maximum->width) : width;
  t.integer = maximum ? std::min(integer, maximum->integer) : integer;
  t.is_signed = is_signed;
  return t;
}

// §3.8: the accumulator a Dense/Conv needs so that no product or sum rounds
// or overflows.
FixedType inferred_accumulator(const FixedType& in, const FixedType& w, const FixedType& b, int64_t n,
                               const std::optional<FixedType>& maximum) {
  int log2n = static_cast<int>(std::ceil(std::log2(static_cast<double>(n))));
  int width = w.width + in.width + log2n, integer = w.integer + in.integer + log2n;
  bool is_signed = w.is_signed || in.is_signed;
  int fractional = width - integer;
  integer = std::max(integer + (b.is_signed && !is_signed), b.integer + (is_signed && !b.is_signed)) + 1;
  width = integer + std::max(fractional, b.width - b.integer);
  return inferred_type(width, integer, is_signed || b.is_signed, maximum);
}

// §3.8 for BatchNormalization / ApplyAlpha results.
FixedType inferred_normalize(const FixedType& in, const FixedType& s, const FixedType& b,
                             const std::optional<FixedType>& maximum) {
  bool is_signed = in.is_signed || s.is_signed;
  int integer = std::max(in.integer + s.integer + (b.is_signed && !is_signed), b.integer + (is_signed && !b.is_signed)) + 1;
  int width = integer + std::max(in.fractional() + s.fractional(), b.fractional());
  return inferred_type(width, integer, is_signed || b.is_signed, maximum);
}

// Converts a parameter tensor into its type: fixed-point values are
// quantized as the C++ initialiser would be; xnor weights become 0/1; exponent
// weights must already be signed powers of two within the exponent's range.
torch::Tensor convert_parameter(const torch::Tensor& values, const HardwareType& type, const std::string& what) {
  torch::Tensor v = values.to(torch::kFloat64).contiguous();
  if (!torch::isfinite(v).all().item<bool>()) throw ModelError(what + " holds NaN or infinite values");
  switch (type.kind) {
    case Kind::Xnor:
      return (v >= 0).to(torch::kFloat64);
    case Kind::Exponent: {
      torch::Tensor e = torch::log2(v.abs());
      int64_t lo = -(int64_t(1) << (type.fixed.width - 1)), hi = (int64_t(1) << (type.fixed.width - 1)) - 1;
      if (!(torch::round(e) == e).all().item<bool>() || (e < lo).any().item<bool>() || (e > hi).any().item<bool>())
        throw ModelError(what + " are not powers of two with exponents in [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "] for " + type.to_string());
      return v;
    }
    case Kind::Fixed:
      break;
  }
  return quantizers::fake_quantize(v, type.fixed);
}

// The narrowest fixed type with `frac` fractional bits whose range holds
// [-bound, bound] (signed) or [0, bound], capped like every inferred type.
FixedType holding(double bound, int frac, bool is_signed, const std::optional<FixedType>& maximum) {
  int integer = is_signed ? 1 : 0;
  while (std::ldexp(1.0, integer - (is_signed ? 1 : 0)) - std::ldexp(1.0, -frac) < bound) ++integer;
  return inferred_type(integer + frac, integer, is_signed, maximum);
}

double largest_magnitude(const FixedType& t) { return std::max(-t.min_value(), t.max_value()); }

// A Score layer's accum and result types when the config leaves them unset
// or "auto": wide enough that no sum rounds or overflows, since hls4ml's
// default precision would wrap a score of unknown range.  mse
// (nnet_score.h): d = t - r in the finer fraction, acc sums n values
// (accum_t)(d·d) >= 0, res = acc / count keeps accum's fraction.  kl: acc
// sums n brackets 1 + logvar - (accum_t)(mu²) - e, res = acc · -0.5 has one
// more fractional bit.  `a`, `b`: the types of the two inputs (for mse the
// target's and reco_t).
void infer_score_types(HlsLayer& h, const FixedType& a, const FixedType& b, int64_t n,
                       const std::vector<std::string>& inferred, const std::optional<FixedType>& maximum) {
  const bool kl = h.operation == "kl";
  auto is_inferred = [&](const char* v) { return std::find(inferred.begin(), inferred.end(), v) != inferred.end(); };
  if (is_inferred("accum")) {
    if (kl) {
      const FixedType& e = h.fixed("exp_table");
      const double bracket = 1.0 + largest_magnitude(b) + std::pow(largest_magnitude(a), 2) + e.max_value();
      const int frac = std::max({b.fractional(), 2 * a.fractional(), e.fractional()});
      h.types["accum"] = {Kind::Fixed, holding(static_cast<double>(n) * bracket, frac, true, maximum)};
    } else {
      const double d = largest_magnitude(a) + largest_magnitude(b);
      const int frac = 2 * std::max(a.fractional(), b.fractional());
      h.types["accum"] = {Kind::Fixed, holding(static_cast<double>(n) * d * d, frac, false, maximum)};
    }
  }
  if (is_inferred("result")) {
    const FixedType& acc = h.fixed("accum");
    h.types["result"] = {Kind::Fixed, kl ? holding(largest_magnitude(acc) / 2, acc.fractional() + 1, true, maximum)
                                         : holding(acc.max_value(), acc.fractional(), acc.is_signed, maximum)};
  }
}

int floor_log2(int64_t n) {
  int bits = 0;
  while ((int64_t(2) << bits) <= n) ++bits;
  return bits;
}

// Softmax types and table sizes (hls4ml.md §1.6): inv_inp_t is exp_table_t
// unless set; stable normalises max - x into ap_ufixed<W - s, I - s>; a table
// addressed by the top bits of a type has at most 2^W entries.
void resolve_softmax(HlsLayer& h, const HardwareType& input, const HlsConfig& config) {
  h.implementation = config.implementation(h.name, h.layer_class).value_or("stable");
  if (!config.precision(h.name, h.layer_class, "inv_inp")) h.types["inv_inp"] = h.types["exp_table"];
  if (input.kind != Kind::Fixed) throw ModelError("layer '" + h.name + "': softmax needs a fixed-point input");
  FixedType index = input.fixed;
  if (h.implementation == "stable") {
    FixedType norm;
    norm.width = input.fixed.width - (input.fixed.is_signed ? 1 : 0);
    norm.integer = input.fixed.integer - (input.fixed.is_signed ? 1 : 0);
    norm.is_signed = false;
    h.types["inp_norm"] = {Kind::Fixed, norm};
    index = norm;
  }
  auto cap = [](int size, const FixedType& t) {
    return static_cast<int>(std::min<int64_t>(int64_t(1) << std::min(t.width, 30), int64_t(1) << floor_log2(size)));
  };
  h.table_size = cap(h.table_size, index);
  h.inv_table_size = cap(h.inv_table_size, h.fixed("inv_inp"));
}

}  // namespace

HlsModel build_hls_model(const Model& model, const HlsConfig& config, const AnomalyScore& score) {
  return build_hls_model(plan_hls_layers(model, score), config);
}

HlsModel build_hls_model(HlsModel plan, const HlsConfig& config) {
  HlsModel m = std::move(plan);
  m.config = config;
  std::set<std::string> names;
  for (const HlsLayer& h : m.layers) names.insert(h.name);
  for (const auto& [name, settings] : config.layer_name)
    if (!names.count(name))
      throw HlsConfigError(m.source + ": hls.LayerName." + name + " names no layer of the model");

  const HardwareType default_type = *config.default_precision.type;
  const std::optional<FixedType>& maximum = config.maximum_precision;
  for (HlsLayer& h : m.layers) {
    auto configured = [&](const std::string& variable) { return config.precision(h.name, h.layer_class, variable); };
    auto input_type = [&](size_t k = 0) -> const HardwareType& { return m.layers[h.inputs[k]].type("result"); };
    std::vector<std::string> inferred;  // "auto" variables resolved below
    for (const std::string& v : h.variables) {
      std::optional<ConfigType> c = configured(v);
      auto q = h.quantizer_types.find(v);
      // Weights and biases always take the quantizer's type (their values are on its grid).
      if (q != h.quantizer_types.end() && (v == "weight" || v == "bias" || v == "scale" || (c && c->is_auto()))) {
        h.types[v] = q->second;
      } else if (c && !c->is_auto()) {
        h.types[v] = *c->type;
      } else if (h.layer_class == "Score" && (v == "result" || v == "accum")) {
        inferred.push_back(v);
      } else if (h.layer_class == "Score" && v == "exp_table") {
        h.types[v] = fixed_type("ap_ufixed<24,12>");  // e^8 needs 12 integer bits
      } else if (v == "table" || v == "exp_table" || v == "inv_table") {
        h.types[v] = fixed_type(h.layer_class == "Softmax" ? "ap_fixed<18,8,AP_RND,AP_SAT>" : "ap_fixed<18,8>");
      } else if (c && c->is_auto() && (v == "result" || v == "accum") && h.layer_class != "Input" &&
                 h.layer_class != "Activation" && h.layer_class != "Softmax" && h.layer_class != "LeakyReLU" &&
                 h.layer_class != "HardActivation" && h.layer_class != "TernaryTanh") {
        inferred.push_back(v);
      } else {
        h.types[v] = default_type;
      }
    }
    if (!inferred.empty()) {
      std::optional<HardwareType> t;
      bool fixed_inputs = input_type().kind == Kind::Fixed;
      if ((h.layer_class == "Dense" || h.layer_class == "Conv1D" || h.layer_class == "Conv2D") && fixed_inputs &&
          h.type("weight").kind == Kind::Fixed && h.type("bias").kind == Kind::Fixed) {
        int64_t n = h.weight.numel() / h.weight.size(-1);
        t = HardwareType{Kind::Fixed, inferred_accumulator(input_type().fixed, h.fixed("weight"), h.fixed("bias"), n, maximum)};
      } else if ((h.layer_class == "BatchNormalization" || h.layer_class == "ApplyAlpha") && fixed_inputs &&
                 h.type("scale").kind == Kind::Fixed && h.type("bias").kind == Kind::Fixed) {
        t = HardwareType{Kind::Fixed, inferred_normalize(input_type().fixed, h.fixed("scale"), h.fixed("bias"), maximum)};
      } else if (h.layer_class == "Score") {
        // mse compares the target with the reconstruction in reco_t.
        const HardwareType& b = h.operation == "mse" ? h.type("reco") : input_type(1);
        if (!fixed_inputs || b.kind != Kind::Fixed || input_type(1).kind != Kind::Fixed)
          throw ModelError("layer '" + h.name + "': the score needs fixed-point inputs");
        infer_score_types(h, input_type().fixed, b.fixed, element_count(m.layers[h.inputs[0]].shape), inferred,
                          maximum);
        inferred.clear();
      } else if (h.layer_class.rfind("Pooling", 0) == 0 || h.layer_class.rfind("GlobalPooling", 0) == 0 ||
                 h.layer_class.rfind("UpSampling", 0) == 0 || h.layer_class == "Concatenate") {
        t = input_type();
      }
      for (const std::string& v : inferred) h.types[v] = t.value_or(default_type);
    }
    // A Reshape passes its input's values and type through, whatever the config says.
    if (h.layer_class == "Reshape") h.types["result"] = input_type();
    h.table_size = h.inv_table_size = config.table_size(h.name, h.layer_class).value_or(1024);
    if (h.layer_class == "Softmax") resolve_softmax(h, input_type(), config);
    h.reuse_factor = config.reuse_factor(h.name, h.layer_class);
    h.strategy = config.strategy(h.name, h.layer_class);

    const std::string what = "layer '" + h.name + "' ";
    if (h.weight.defined()) h.weight = convert_parameter(h.weight, h.type("weight"), what + "weights");
    if (h.bias.defined()) h.bias = convert_parameter(h.bias, h.type("bias"), what + "biases");
    if (h.scale.defined()) h.scale = convert_parameter(h.scale, h.type("scale"), what + "scales");
  }
  return m;
}

std::string hls_type_report(const HlsModel& model) {
  std::ostringstream os;
  for (const HlsLayer& h : model.layers) {
    os << h.name << " (" << h.layer_class << ") " << shape_to_string(h.shape);
    for (const auto& [variable, type] : h.types) os << "  " << variable << "=" << type.to_string();
    os << "\n";
  }
  return os.str();
}

}  // namespace qtrain
