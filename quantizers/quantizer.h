// Quantizer: one QKeras quantizer (quantized_bits, quantized_relu, binary, ...)
// as a value with a fake-quant forward, the straight-through gradient QKeras
// uses, its textual spec in QKeras syntax, its range and the hardware type it
// maps to.  Semantics: ../shared/spec/qkeras.md §0-§1, hls4ml.md §3.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "quantizers/fixed_type.h"

namespace quantizers {

// A malformed quantizer spec or argument; the message names the offending token.
struct QuantizerError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Where a quantizer is used: hls4ml maps the same quantizer to different types
// for kernels, biases and activations (hls4ml.md §3.2-§3.3).
enum class Role { Kernel, Bias, Activation };

// The firmware type of a quantized tensor.
struct HardwareType {
  enum class Kind {
    Fixed,     // ap_fixed / ap_ufixed / ap_int / ap_uint: `fixed`
    Xnor,      // binary weights stored as ap_uint<1> (0 means -1)
    Exponent,  // power-of-two weights: sign bit + ap_int exponent of `fixed.width` bits
  };
  Kind kind = Kind::Fixed;
  FixedType fixed;
  // `xnor<ap_uint<1>>`, `exponent<W>`, or a FixedType.
  std::string to_string() const;
  // Parses to_string()'s forms (also bare `xnor`); throws FixedTypeError.
  static HardwareType parse(std::string_view text);
  friend bool operator==(const HardwareType& a, const HardwareType& b);
};

class Field;  // one constructor argument (quantizers/field.h)

class Quantizer {
 public:
  virtual ~Quantizer() = default;

  // The QKeras class name, e.g. "quantized_bits".
  virtual std::string_view name() const = 0;

  // Fake-quantizes x (cast to float32 first, as QKeras does).  `training`
  // plays the role of Keras' learning phase: stochastic quantizers sample only
  // when it is true.  Auto-scaled quantizers update scale().
  at::Tensor operator()(const at::Tensor& x, bool training = false);

  // Bit width as QKeras reports it (`quantizer.bits`).
  virtual int bits() const = 0;
  // QKeras' max()/min(): bounds used for Clip constraints and initialisers;
  // not always the extreme representable values (google/qkeras#71).
  virtual double max() const = 0;
  virtual double min() const = 0;
  // QKeras' range(): every representable value in ascending code order.
  // Throws QuantizerError where QKeras does not define it.
  virtual std::vector<double> range() const;

  // The per-channel scale of the last call for "auto"/"auto_po2" alphas
  // (undefined tensor before the first call), a fixed alpha as a tensor, or
  // an undefined tensor when the quantizer has no scale.
  const at::Tensor& scale() const { return scale_; }

  // The hardware type hls4ml gives this quantizer in `role`; nullopt where
  // hls4ml has no exact mapping (it falls back to the model default).
  virtual std::optional<HardwareType> hardware_type(Role role) const = 0;

  // Blend factor between the float input (0) and the quantized value (1);
  // only quantizers with a `qnoise_factor` argument accept it.
  virtual void set_qnoise_factor(double q);

  // Canonical QKeras call syntax: leading arguments positionally, the rest
  // as keywords when they differ from the default.  Parses back to *this.
  std::string to_string() const;
  // The Keras JSON form {"class_name": ..., "config": {...}} with every argument.
  nlohmann::json to_json() const;

  std::unique_ptr<Quantizer> clone() const;

  friend bool operator==(const Quantizer& a, const Quantizer& b);
  friend bool operator!=(const Quantizer& a, const Quantizer& b) { return !(a == b); }

  // The constructor arguments, in QKeras signature order.  Used to parse,
  // print and compare; every argument of the quantizer is one field.
  virtual std::vector<Field> fields() = 0;
  // Checks the arguments after they are set (QKeras' constructor asserts) and
  // derives cached values from them.  Throws QuantizerError.
  virtual void validate() {}
  // QKeras' _set_trainable_parameter(): what a Q-layer does to its kernel
  // quantizers.  No-op for quantizers without an alpha.
  virtual void apply_kernel_rule() {}

 protected:
  Quantizer() = default;
  Quantizer(const Quantizer&) = default;
  Quantizer& operator=(const Quantizer&) = default;

  virtual std::unique_ptr<Quantizer> clone_impl() const = 0;
  // Keras activation names print bare ("relu") when every argument is default.
  virtual bool prints_bare_name() const { return false; }
  virtual at::Tensor quantize(const at::Tensor& x, bool training) = 0;

  at::Tensor scale_;
};

using QuantizerPtr = std::shared_ptr<Quantizer>;

// Parses QKeras call syntax, `quantized_bits(6, 0, alpha=1)`, `binary()`, a
// bare class name (`ternary`, default arguments) or a Keras activation name
// (`relu`, `softmax`, `leaky_relu(alpha=0.1)`).  Throws QuantizerError.
QuantizerPtr parse_quantizer(std::string_view text);
// (Text overloads resolve the ambiguity between string_view and json.)
inline QuantizerPtr parse_quantizer(const std::string& text) { return parse_quantizer(std::string_view(text)); }
inline QuantizerPtr parse_quantizer(const char* text) { return parse_quantizer(std::string_view(text)); }
// Parses the Keras JSON form {"class_name": ..., "config": {...}}, or a JSON
// string holding call syntax.  Throws QuantizerError.
QuantizerPtr parse_quantizer(const nlohmann::json& spec);

// The Q-layer constructor rule (qkeras.md §0.1): a copy of `q` as a kernel-like
// slot (kernel, depthwise, pointwise, recurrent, BN gamma/variance) uses it,
// i.e. with alpha=None turned into "auto_po2" (and symmetric for
// quantized_bits / quantized_linear).  Bias and activation slots use q as is.
QuantizerPtr as_kernel_quantizer(const Quantizer& q);

// Names of every quantizer and activation parse_quantizer accepts.
std::vector<std::string_view> quantizer_names();

// QKeras' module-global internal sigmoid used by hard-sigmoid based
// quantizers (set_internal_sigmoid): "hard" (default), "smooth" or "real".
enum class InternalSigmoid { Hard, Smooth, Real };
void set_internal_sigmoid(InternalSigmoid mode);
InternalSigmoid internal_sigmoid();

}  // namespace quantizers
