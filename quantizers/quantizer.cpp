#include "quantizers/quantizer.h"

#include <torch/types.h>

#include <algorithm>
#include <atomic>
#include <cctype>

#include <nlohmann/json.hpp>

#include "quantizers/call_syntax.h"
#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

using Factory = std::unique_ptr<Quantizer> (*)();

struct Entry {
  std::string_view name;
  Factory make;
};

constexpr Entry kQuantizers[] = {
    {"quantized_bits", make_quantized_bits},
    {"quantized_linear", make_quantized_linear},
    {"quantized_relu", make_quantized_relu},
    {"binary", make_binary},
    {"stochastic_binary", make_stochastic_binary},
    {"ternary", make_ternary},
    {"stochastic_ternary", make_stochastic_ternary},
    {"bernoulli", make_bernoulli},
    {"quantized_po2", make_quantized_po2},
    {"quantized_relu_po2", make_quantized_relu_po2},
    {"quantized_tanh", make_quantized_tanh},
    {"quantized_sigmoid", make_quantized_sigmoid},
    {"quantized_ulaw", make_quantized_ulaw},
    {"quantized_hswish", make_quantized_hswish},
};

// Constructor arguments QKeras accepts that only affect TensorFlow variable
// bookkeeping, not the numbers; accepted and ignored.
constexpr std::string_view kIgnoredArguments[] = {"var_name", "use_variables"};

std::unique_ptr<Quantizer> make_by_name(std::string_view name) {
  for (const auto& e : kQuantizers)
    if (e.name == name) return e.make();
  return make_activation(name);
}

std::atomic<InternalSigmoid> g_internal_sigmoid{InternalSigmoid::Hard};

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Sets the arguments on a fresh quantizer; `where` names the source for errors.
QuantizerPtr bind_arguments(std::string_view name, const std::vector<ArgValue>& positional,
                  const std::vector<std::pair<std::string, ArgValue>>& keywords, const std::string& where) {
  std::unique_ptr<Quantizer> q = make_by_name(name);
  if (!q) throw QuantizerError("unknown quantizer '" + std::string(name) + "' in " + where);
  std::vector<Field> fields = q->fields();
  if (positional.size() > fields.size())
    throw QuantizerError(std::string(name) + " takes at most " + std::to_string(fields.size()) +
                         " positional arguments, got " + std::to_string(positional.size()) + " in " + where);
  try {
    for (size_t i = 0; i < positional.size(); ++i) fields[i].set(positional[i]);
    for (const auto& [key, value] : keywords) {
      auto field = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name() == key; });
      if (field == fields.end()) {
        if (std::find(std::begin(kIgnoredArguments), std::end(kIgnoredArguments), key) !=
            std::end(kIgnoredArguments))
          continue;
        throw QuantizerError("unknown argument '" + key + "' for " + std::string(name));
      }
      if (static_cast<size_t>(field - fields.begin()) < positional.size())
        throw QuantizerError("argument '" + key + "' of " + std::string(name) + " given twice");
      field->set(value);
    }
    q->validate();
  } catch (const QuantizerError& e) {
    throw QuantizerError(std::string(e.what()) + " in " + where);
  }
  return q;
}

}  // namespace

std::string HardwareType::to_string() const {
  switch (kind) {
    case Kind::Xnor: return "xnor<ap_uint<1>>";
    case Kind::Exponent: return "exponent<" + std::to_string(fixed.width) + ">";
    case Kind::Fixed: break;
  }
  return fixed.to_string();
}

HardwareType HardwareType::parse(std::string_view text) {
  auto trimmed = [](std::string_view t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    return t;
  };
  std::string_view t = trimmed(text);
  if (t == "xnor" || t == "xnor<ap_uint<1>>") return {Kind::Xnor, FixedType::integer_type(1, false)};
  constexpr std::string_view exponent = "exponent<";
  if (t.substr(0, exponent.size()) == exponent) {
    std::string_view digits = trimmed(t.substr(exponent.size(), t.size() - exponent.size() - 1));
    int width = 0;
    bool ok = t.back() == '>' && !digits.empty() && digits.size() < 4;
    for (char c : digits) ok = ok && std::isdigit(static_cast<unsigned char>(c));
    if (ok) width = std::stoi(std::string(digits));
    if (!ok || width < 1) throw FixedTypeError("bad exponent type '" + std::string(text) + "': expected exponent<W>");
    return {Kind::Exponent, FixedType::integer_type(width, true)};
  }
  return {Kind::Fixed, FixedType::parse(t)};
}

bool operator==(const HardwareType& a, const HardwareType& b) { return a.kind == b.kind && a.fixed == b.fixed; }

at::Tensor Quantizer::operator()(const at::Tensor& x, bool training) {
  kernels::FlushDenormals ftz;
  try {
    return quantize(kernels::as_float32(x), training);
  } catch (const c10::Error& e) {
    throw QuantizerError(to_string() + ": " + e.what_without_backtrace());
  }
}

std::vector<double> Quantizer::range() const {
  throw QuantizerError(std::string(name()) + " does not define range()");
}

void Quantizer::set_qnoise_factor(double) {
  throw QuantizerError(std::string(name()) + " has no qnoise_factor");
}

std::string Quantizer::to_string() const {
  // fields() binds to members for reading and writing; printing only reads.
  std::vector<Field> fields = const_cast<Quantizer*>(this)->fields();
  std::string args;
  for (const Field& f : fields) {
    if (!f.lead() && f.is_default()) continue;
    if (!args.empty()) args += ",";
    if (!f.lead()) args += std::string(f.name()) + "=";
    args += format_value(f.get());
  }
  if (args.empty() && prints_bare_name()) return std::string(name());
  return std::string(name()) + "(" + args + ")";
}

nlohmann::json Quantizer::to_json() const {
  nlohmann::json config = nlohmann::json::object();
  for (const Field& f : const_cast<Quantizer*>(this)->fields()) config[std::string(f.name())] = value_to_json(f.get());
  return {{"class_name", std::string(name())}, {"config", config}};
}

std::unique_ptr<Quantizer> Quantizer::clone() const { return clone_impl(); }

bool operator==(const Quantizer& a, const Quantizer& b) {
  if (a.name() != b.name()) return false;
  std::vector<Field> fa = const_cast<Quantizer&>(a).fields();
  std::vector<Field> fb = const_cast<Quantizer&>(b).fields();
  for (size_t i = 0; i < fa.size(); ++i)
    if (fa[i].get() != fb[i].get()) return false;
  return true;
}

QuantizerPtr parse_quantizer(std::string_view text) {
  CallExpr call = parse_call(text);
  return bind_arguments(call.name, call.positional, call.keywords, quoted(text));
}

QuantizerPtr parse_quantizer(const nlohmann::json& spec) {
  if (spec.is_string()) return parse_quantizer(std::string_view(spec.get_ref<const std::string&>()));
  if (!spec.is_object() || !spec.contains("class_name") || !spec["class_name"].is_string())
    throw QuantizerError("a quantizer must be a string or an object with a \"class_name\", got " + spec.dump());
  std::string name = spec["class_name"].get<std::string>();
  std::vector<std::pair<std::string, ArgValue>> keywords;
  if (spec.contains("config")) {
    const auto& config = spec["config"];
    if (!config.is_object()) throw QuantizerError("\"config\" of quantizer " + name + " must be an object");
    for (const auto& [key, value] : config.items()) keywords.emplace_back(key, value_from_json(value, key));
  }
  return bind_arguments(name, {}, keywords, spec.dump());
}

QuantizerPtr as_kernel_quantizer(const Quantizer& q) {
  QuantizerPtr kernel = q.clone();
  kernel->apply_kernel_rule();
  return kernel;
}

std::vector<std::string_view> quantizer_names() {
  std::vector<std::string_view> names;
  for (const auto& e : kQuantizers) names.push_back(e.name);
  for (auto n : activation_names()) names.push_back(n);
  return names;
}

void set_internal_sigmoid(InternalSigmoid mode) { g_internal_sigmoid = mode; }
InternalSigmoid internal_sigmoid() { return g_internal_sigmoid; }

}  // namespace quantizers
