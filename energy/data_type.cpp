#include "energy/data_type.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <variant>

#include <nlohmann/json.hpp>

#include "quantizers/field.h"

namespace energy {
namespace {

// A constructor argument of q by name (quantizers expose them as fields;
// fields() is non-const only because fields can also set the members).
quantizers::ArgValue argument(const quantizers::Quantizer& q, std::string_view name) {
  for (const quantizers::Field& f : const_cast<quantizers::Quantizer&>(q).fields())
    if (f.name() == name) return f.get();
  return {};
}
double number(const quantizers::Quantizer& q, std::string_view name, double fallback = 0) {
  quantizers::ArgValue v = argument(q, name);
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const bool* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
  return fallback;
}

DataType fixed(int bits, int int_bits, bool is_signed, std::string name = "quantized_bits") {
  DataType t;
  t.mode = Mode::Fixed;
  t.name = std::move(name);
  t.bits = bits;
  t.int_bits = int_bits;
  t.is_signed = is_signed;
  return t;
}
DataType floating(int bits) {
  DataType t;
  t.mode = Mode::Float;
  t.name = "floating_point";
  t.bits = bits;
  t.int_bits = -1;
  return t;
}
DataType po2(int bits, bool is_signed, double max_value) {
  DataType t;
  t.mode = Mode::Po2;
  t.name = is_signed ? "quantized_po2" : "quantized_relu_po2";
  t.bits = bits;
  t.int_bits = bits;
  t.is_signed = is_signed;
  t.po2_max_value = max_value;
  return t;
}
DataType binary(bool use_01, std::string name = "binary") {
  DataType t;
  t.mode = use_01 ? Mode::Binary01 : Mode::Binary;
  t.name = std::move(name);
  t.bits = 1;
  t.int_bits = 1;
  t.is_signed = !use_01;
  return t;
}
DataType ternary(std::string name = "ternary") {
  DataType t;
  t.mode = Mode::Ternary;
  t.name = std::move(name);
  t.bits = 2;
  t.int_bits = 2;
  return t;
}

int log2_ceil(int64_t n) { return n <= 1 ? 0 : static_cast<int>(std::ceil(std::log2(static_cast<double>(n)))); }

// The class of a product's result in multiplier_factory's table (row weight,
// column input): which gate implements it and what kind of number comes out.
enum class Impl { FixedMul, Shifter, Mux, Xor, And, Po2Add, FloatMul };
constexpr Impl kImpl[6][6] = {
    {Impl::FixedMul, Impl::Shifter, Impl::Mux, Impl::Mux, Impl::And, Impl::FloatMul},
    {Impl::Shifter, Impl::Po2Add, Impl::Mux, Impl::Mux, Impl::And, Impl::FloatMul},
    {Impl::Mux, Impl::Mux, Impl::Mux, Impl::Mux, Impl::And, Impl::FloatMul},
    {Impl::Mux, Impl::Mux, Impl::Mux, Impl::Xor, Impl::And, Impl::FloatMul},
    {Impl::And, Impl::And, Impl::And, Impl::And, Impl::And, Impl::FloatMul},
    {Impl::FloatMul, Impl::FloatMul, Impl::FloatMul, Impl::FloatMul, Impl::FloatMul, Impl::FloatMul},
};
constexpr Mode F = Mode::Fixed, P = Mode::Po2, T = Mode::Ternary, B = Mode::Binary, B01 = Mode::Binary01,
               X = Mode::Float;
constexpr Mode kProductMode[6][6] = {
    {F, F, F, F, F, X}, {F, P, P, P, P, X}, {F, P, T, T, T, X},
    {F, P, T, B, T, X}, {F, P, T, T, B01, X}, {X, X, X, X, X, X},
};

// The blank result quantizer of a product, as the table creates it.
DataType product_template(Mode mode) {
  switch (mode) {
    case Mode::Fixed: return fixed(-1, -1, true);
    case Mode::Po2: return po2(-1, true, -1);
    case Mode::Ternary: return ternary();
    case Mode::Binary: return binary(false);
    case Mode::Binary01: return binary(true);
    case Mode::Float: break;
  }
  return floating(0);
}

// A po2 result takes its name from its sign (multiplier_impl).
void name_po2(DataType& t) {
  if (t.is_po2()) t.name = t.is_signed ? "quantized_po2" : "quantized_relu_po2";
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// A shifter's gate (multiplier_impl.Shifter / divider_impl.Shifter): a
// programmable shifter over 2^po2_bits positions of a q_bits operand.
void shifter_gate(Operation& op, const DataType& po2_operand, int q_bits) {
  op.gate = Gate::Shifter;
  op.gate_factor = 1;
  double b = std::sqrt(std::pow(2.0, po2_operand.bits) * q_bits);
  op.gate_bits = b * std::log10(b);
}

}  // namespace

std::string DataType::to_string() const {
  switch (mode) {
    case Mode::Fixed:
      return is_signed ? "fixed<" + std::to_string(bits) + "," + std::to_string(int_bits + 1) + ">"
                       : "ufixed<" + std::to_string(bits) + "," + std::to_string(int_bits) + ">";
    case Mode::Po2: return std::string(is_signed ? "po2<" : "upo2<") + std::to_string(bits) + ">";
    case Mode::Ternary: return "ternary";
    case Mode::Binary: return "binary";
    case Mode::Binary01: return "binary01";
    case Mode::Float: return "fp" + std::to_string(bits);
  }
  return "";
}

nlohmann::json DataType::to_json() const {
  nlohmann::json j = {{"quantizer_type", name}, {"bits", bits}, {"is_signed", is_signed}};
  if (!is_float()) j["int_bits"] = int_bits + (is_signed ? 1 : 0);
  return j;
}

std::optional<DataType> data_type(const quantizers::Quantizer* q) {
  if (!q) return std::nullopt;
  const std::string name(q->name());
  const int bits = q->bits();
  const int integer = static_cast<int>(number(*q, "integer"));
  if (name == "quantized_bits" || name == "quantized_linear")
    return fixed(bits, integer, number(*q, "keep_negative", 1) != 0, "quantized_bits");
  if (name == "quantized_hswish") return fixed(bits, integer, true, "quantized_bits");
  if (name == "quantized_ulaw") return fixed(bits, integer, true, name);
  // quantize_tanh's values lie in (-1, 1): no integer bits (QTools leaves -1).
  if (name == "quantized_tanh") return fixed(bits, 0, true, name);
  if (name == "quantized_sigmoid") return fixed(bits, 0, false, name);
  if (name == "quantized_relu") {
    DataType t = fixed(bits, integer, number(*q, "negative_slope") != 0, name);
    if (bits == 1 && integer == 1) t.mode = Mode::Binary01;
    return t;
  }
  if (name == "binary") return binary(number(*q, "use_01") != 0);
  if (name == "stochastic_binary") return binary(false, name);
  if (name == "bernoulli") return binary(true, name);
  if (name == "ternary" || name == "stochastic_ternary") return ternary(name);
  if (name == "quantized_po2" || name == "quantized_relu_po2") {
    double max_value = number(*q, "max_value", -1);
    return po2(bits, name == "quantized_po2", max_value == 0 ? -1 : max_value);
  }
  return std::nullopt;  // a float Keras activation
}

DataType named_type(std::string_view text) {
  if (text == "int8") return fixed(8, 0, true);
  if (text == "int16") return fixed(16, 7, true);
  if (text == "int32") return fixed(32, 10, true);
  if (text == "fp16") return floating(16);
  if (text == "fp32") return floating(32);
  quantizers::QuantizerPtr q;
  try {
    q = quantizers::parse_quantizer(text);
  } catch (const quantizers::QuantizerError& e) {
    throw std::invalid_argument("'" + std::string(text) + "' is neither int8/int16/int32/fp16/fp32 nor a quantizer: " +
                                e.what());
  }
  std::optional<DataType> t = data_type(q.get());
  if (!t) throw std::invalid_argument("'" + std::string(text) + "' is a float activation, not a number format");
  return *t;
}

std::pair<int, int> po2_exponents(const DataType& p) {
  int non_sign_bits = p.bits - (p.is_signed ? 1 : 0);
  int min_exp = -(1 << std::max(non_sign_bits - 1, 0));
  int max_exp = (1 << std::max(non_sign_bits - 1, 0)) - 1;
  // max_value caps the integer bits actually used.
  if (p.po2_max_value != -1)
    max_exp = p.po2_max_value <= 0 ? 0 : std::min(static_cast<int>(std::ceil(std::log2(p.po2_max_value))), max_exp);
  return {-min_exp, std::max(0, max_exp)};
}

DataType po2_as_fixed(const DataType& p) {
  auto [min_exp, max_exp] = po2_exponents(p);
  return fixed((p.is_signed ? 1 : 0) + min_exp + max_exp, max_exp, p.is_signed);
}

std::string_view to_string(Gate gate) {
  switch (gate) {
    case Gate::Mul: return "mul";
    case Gate::Add: return "add";
    case Gate::Mux: return "mux";
    case Gate::Xor: return "xor";
    case Gate::And: return "and";
    case Gate::Shifter: return "shifter";
  }
  return "";
}

Operation multiply(const DataType& w, const DataType& x) {
  const int wi = static_cast<int>(w.mode), xi = static_cast<int>(x.mode);
  Operation op;
  op.output = product_template(kProductMode[wi][xi]);
  DataType& out = op.output;
  switch (kImpl[wi][xi]) {
    case Impl::FixedMul: {
      out.int_bits = x.int_bits + w.int_bits;
      int frac = (x.bits - x.is_signed - x.int_bits) + (w.bits - w.is_signed - w.int_bits);
      out.is_signed = x.is_signed || w.is_signed;
      out.bits = out.int_bits + frac + out.is_signed;
      op.gate = Gate::Mul;
      op.gate_bits = std::sqrt(static_cast<double>(x.bits) * w.bits);
      break;
    }
    case Impl::Shifter: {
      const DataType& p = w.is_po2() ? w : x;
      const DataType& q = w.is_po2() ? x : w;
      auto [min_exp, max_exp] = po2_exponents(p);
      // min/max_exp count no sign: an unsigned q times a signed po2 needs one.
      out.bits = q.bits + max_exp + min_exp + (!q.is_signed && p.is_signed ? 1 : 0);
      out.int_bits = q.int_bits + max_exp;
      out.is_signed = q.is_signed || p.is_signed;
      shifter_gate(op, p, q.bits);
      break;
    }
    case Impl::Mux: {
      out.is_signed = x.is_signed || w.is_signed;
      if (contains(w.name, "binary") || contains(w.name, "ternary")) {
        // The +-1 (or 0) weight selects the input or its negation.
        out.bits = x.bits + (!x.is_signed && w.is_signed ? 1 : 0);
        out.int_bits = x.int_bits;
        op.gate_factor = contains(w.name, "binary") ? 0.3 : 0.6;
        op.gate_bits = x.bits;
      } else {
        out.bits = w.bits + (!w.is_signed && x.is_signed ? 1 : 0);
        out.int_bits = w.int_bits;
        op.gate_factor = x.name == "binary" ? 0.3 : 0.6;
        op.gate_bits = w.bits;
      }
      if (out.is_po2()) {
        out.po2_max_value = w.is_po2() ? w.po2_max_value : x.po2_max_value;
        out.int_bits = out.bits;
      }
      op.gate = Gate::Mux;
      break;
    }
    case Impl::Xor:
      out.bits = std::max(x.bits, w.bits);
      out.int_bits = std::max(x.int_bits, w.int_bits);
      out.is_signed = x.is_signed || w.is_signed;
      op.gate = Gate::Xor;
      op.gate_factor = 0.3;
      op.gate_bits = 1;
      break;
    case Impl::And:
      if (out.mode != Mode::Ternary) {
        out.bits = std::max(x.bits, w.bits);
        out.is_signed = x.is_signed || w.is_signed;
        // binary(use_01) * x keeps x's integer bits.
        out.int_bits = w.name == "binary" && w.mode == Mode::Binary01 ? x.int_bits : w.int_bits;
        if (out.is_po2()) out.po2_max_value = w.is_po2() ? w.po2_max_value : x.po2_max_value;
      }
      op.gate = Gate::And;
      op.gate_factor = 0.1;
      op.gate_bits = out.bits;
      break;
    case Impl::Po2Add:
      // 2^a * 2^b = 2^(a+b): the exponents are added.
      out.bits = std::max(x.bits, w.bits) + 1;
      out.int_bits = std::max(x.int_bits, w.int_bits) + 1;
      out.is_signed = x.is_signed || w.is_signed;
      out.po2_max_value = x.po2_max_value == -1 || w.po2_max_value == -1 ? -1 : x.po2_max_value * w.po2_max_value;
      op.gate = Gate::Add;
      op.gate_bits = out.bits;
      break;
    case Impl::FloatMul:
      out = floating(std::max(x.is_float() ? x.bits : 0, w.is_float() ? w.bits : 0));
      op.gate = Gate::Mul;
      op.gate_bits = out.bits;
      break;
  }
  name_po2(out);
  return op;
}

DataType accumulate(const DataType& product, int64_t fan_in) {
  if (product.is_float()) return floating(product.bits);
  const DataType p = product.is_po2() ? po2_as_fixed(product) : product;
  const int n = log2_ceil(fan_in);
  return fixed(p.bits + n, p.int_bits + n, product.is_signed);
}

DataType add(const DataType& a, const DataType& b) {
  if (a.is_float() || b.is_float()) return floating(std::max(a.bits, b.bits));
  const DataType x = a.is_po2() ? po2_as_fixed(a) : a;
  const DataType y = b.is_po2() ? po2_as_fixed(b) : b;
  const bool is_signed = x.is_signed || y.is_signed;
  const int int_bits = std::max(x.int_bits, y.int_bits) + 1;
  const int frac = std::max(x.bits - x.is_signed - x.int_bits, y.bits - y.is_signed - y.int_bits);
  return fixed(int_bits + is_signed + frac, int_bits, is_signed);
}

Operation divide(const DataType& num, const DataType& den) {
  if (den.mode != Mode::Fixed && den.mode != Mode::Po2 && den.mode != Mode::Float)
    throw std::invalid_argument("cannot divide by a " + den.to_string() + " value");
  Operation op;
  if (num.is_float() || den.is_float() || !den.is_po2()) {
    // Floating point; a fixed-point denominator yields fp32.
    int bits = 0;
    if (num.is_float()) bits = num.bits;
    if (den.is_float()) bits = std::max(bits, den.bits);
    op.output = floating(bits ? bits : 32);
    op.gate = Gate::Mul;  // QTools prices a division as a multiplication
    op.gate_bits = op.output.bits;
    return op;
  }
  if (num.is_po2()) {
    // 2^a / 2^b = 2^(a-b): the exponents are subtracted.
    op.output = po2(std::max(num.bits, den.bits) + 1, true, -1);
    op.output.int_bits = std::max(num.int_bits, den.int_bits) + 1;
    if (num.po2_max_value != -1 && den.po2_max_value != -1) op.output.po2_max_value = num.po2_max_value / den.po2_max_value;
    op.gate = Gate::Add;
    op.gate_bits = op.output.bits;
    return op;
  }
  // x / 2^e is a shift; dividing swaps the roles of the exponent limits.
  auto [min_exp, max_exp] = po2_exponents(den);
  op.output = num.mode == Mode::Binary || num.mode == Mode::Binary01 ? po2(-1, true, -1) : fixed(-1, -1, true);
  op.output.bits = num.bits + max_exp + min_exp + (!num.is_signed && den.is_signed ? 1 : 0);
  op.output.int_bits = num.int_bits + min_exp;
  op.output.is_signed = num.is_signed || den.is_signed;
  name_po2(op.output);
  shifter_gate(op, den, num.bits);
  return op;
}

Operation merge(std::string_view layer_type, const std::vector<DataType>& inputs) {
  if (inputs.empty()) throw std::invalid_argument("a merge needs inputs");
  const bool is_add = layer_type == "Add";
  if (!is_add && layer_type != "Concatenate")
    throw std::invalid_argument("no merge rule for layer type " + std::string(layer_type));
  Operation op;
  op.gate = Gate::Add;
  op.gate_factor = is_add ? 1 : 0;  // concatenation moves data only
  const DataType& first = inputs.front();
  bool all_same = true;
  for (const DataType& t : inputs)
    all_same = all_same && t.name == first.name && t.bits == first.bits && t.int_bits == first.int_bits &&
               t.is_signed == first.is_signed;
  if (!is_add && all_same) {
    op.output = first;
  } else {
    int float_bits = 0, bits = -1, int_bits = -1;
    bool is_signed = false;
    for (const DataType& t : inputs) {
      if (t.is_float()) {
        float_bits = std::max(float_bits, t.bits);
      } else {
        const DataType f = t.is_po2() ? po2_as_fixed(t) : t;
        bits = std::max(bits, f.bits);
        int_bits = std::max(int_bits, f.int_bits);
      }
      is_signed = is_signed || t.is_signed;
    }
    // A sum needs one more bit than its widest operand.
    const int carry = is_add ? 1 : 0;
    op.output = float_bits ? floating(float_bits) : fixed(bits + carry, int_bits + carry, is_signed);
  }
  op.gate_bits = op.output.bits;
  return op;
}

}  // namespace energy
