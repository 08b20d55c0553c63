// Internal: the concrete quantizer classes, one factory per QKeras name, and
// the pieces they share.  Public code goes through quantizer.h.
#pragma once

#include <torch/types.h>

#include <memory>
#include <string_view>

#include "quantizers/field.h"
#include "quantizers/quantizer.h"

namespace quantizers {

// CRTP base providing clone() for a concrete quantizer.
template <class Derived, class Base = Quantizer>
class QuantizerBase : public Base {
 protected:
  std::unique_ptr<Quantizer> clone_impl() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// qnoise_factor blends float (0) and quantized (1) values; anything else is an error.
inline void check_qnoise_factor(double q) {
  if (!(q >= 0.0 && q <= 1.0)) throw QuantizerError("qnoise_factor must be in [0, 1], got " + format_number(q));
}

// Factories, one per family file.
std::unique_ptr<Quantizer> make_quantized_bits();
std::unique_ptr<Quantizer> make_quantized_linear();
std::unique_ptr<Quantizer> make_quantized_hswish();
std::unique_ptr<Quantizer> make_quantized_relu();
std::unique_ptr<Quantizer> make_binary();
std::unique_ptr<Quantizer> make_stochastic_binary();
std::unique_ptr<Quantizer> make_ternary();
std::unique_ptr<Quantizer> make_stochastic_ternary();
std::unique_ptr<Quantizer> make_bernoulli();
std::unique_ptr<Quantizer> make_quantized_po2();
std::unique_ptr<Quantizer> make_quantized_relu_po2();
std::unique_ptr<Quantizer> make_quantized_tanh();
std::unique_ptr<Quantizer> make_quantized_sigmoid();
std::unique_ptr<Quantizer> make_quantized_ulaw();
// A float Keras activation ("relu", "softmax", "leaky_relu", ...); nullptr if
// `name` is not one.
std::unique_ptr<Quantizer> make_activation(std::string_view name);
std::vector<std::string_view> activation_names();

// Shared numerics (auto_scale.cpp).

// QKeras' _get_least_squares_scale for "auto"/"auto_po2": per channel
// mean(x·q)/(mean(q·q) + eps) over the scaling axes (element-wise for rank-1
// tensors), po2-rounded and clipped to [2^min_exp, 2^max_exp] for auto_po2.
struct ScaleOptions {
  AxisList scale_axis;
  AxisList elements_per_scale;
  std::optional<int> min_po2_exponent;
  std::optional<int> max_po2_exponent;
};
torch::Tensor least_squares_scale(Alpha::Kind kind, const torch::Tensor& x, const torch::Tensor& q,
                                  const ScaleOptions& options = {});
// The bounds auto_po2 scales are clipped to: [2^min_po2_exponent,
// 2^max_po2_exponent], an unset side infinite, hi raised to lo as K.clip does.
std::pair<float, float> po2_scale_limits(const ScaleOptions& options);

// A fixed alpha as a tensor broadcasting over the last (channel) axis.
torch::Tensor alpha_tensor(const Alpha& alpha);

// The internal sigmoid (hard / smooth / real) of the current mode and its
// derivative, element-wise in float32.
float internal_sigmoid_value(float x, InternalSigmoid mode);
float internal_sigmoid_derivative(float x, InternalSigmoid mode);

// Uniform [0,1) samples shaped like x from LibTorch's default generator.
torch::Tensor uniform_like(const torch::Tensor& x);

}  // namespace quantizers
