// quantized_tanh, quantized_sigmoid and quantized_ulaw: saturating
// activations on a uniform (or u-law) grid, gradients by autodiff of QKeras'
// expression with the rounding passed straight through (qkeras.md §1.10).
#include <torch/types.h>
#include <torch/utils.h>

#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

using kernels::round_half_even;

// Rounds t with tf.round, or stochastically (QKeras' default precision 0.5).
inline float round_maybe_stochastic(float t, bool stochastic, float u) {
  return stochastic ? kernels::stochastic_round(t, 2.0f, u) : round_half_even(t);
}

// clip(round(p·m)/m, lo, hi) for p = f(x); the gradient is f'(x) where the
// rounded value lies inside [lo, hi] (K.clip passes it on the closed interval).
template <class P, class DP>
torch::Tensor uniform_grid(const torch::Tensor& x, bool stochastic, float m, float lo, float hi, P p, DP dp) {
  auto forward = [=](float v, float u) {
    return kernels::clip(round_maybe_stochastic(p(v) * m, stochastic, u) / m, lo, hi);
  };
  torch::Tensor value = stochastic ? kernels::map(forward, x, uniform_like(x))
                                   : kernels::map([=](float v) { return forward(v, 0.0f); }, x);
  // Under stochastic rounding the clip test uses the deterministic round.
  auto derivative = [=](float v) {
    float r = round_half_even(p(v) * m) / m;
    return r >= lo && r <= hi ? dp(v) : 0.0f;
  };
  return kernels::straight_through(x, value, kernels::elementwise_derivative(derivative));
}

class QuantizedTanh : public QuantizerBase<QuantizedTanh> {
 public:
  std::string_view name() const override { return "quantized_tanh"; }
  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"use_stochastic_rounding", stochastic_, false},
        {"symmetric", symmetric_, false},
        {"use_real_tanh", real_tanh_, false},
    };
  }
  void validate() override {
    if (bits_ < 1) throw QuantizerError("bits must be at least 1, got " + std::to_string(bits_));
  }
  int bits() const override { return bits_; }
  double max() const override { return 1.0 - std::ldexp(1.0, -(bits_ - 1)); }
  double min() const override { return -1.0 + double(symmetric_) * std::ldexp(1.0, -(bits_ - 1)); }
  std::optional<HardwareType> hardware_type(Role role) const override {
    if (role != Role::Activation) return std::nullopt;
    FixedType t{bits_, 1, true, RoundingMode::RND_CONV, symmetric_ ? OverflowMode::SAT_SYM : OverflowMode::SAT};
    if (t.width - t.integer <= 0) t = FixedType::integer_type(1, true);
    return HardwareType{HardwareType::Kind::Fixed, t};
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    const float m = std::ldexp(1.0f, bits_ - 1);
    const float lo = -1.0f + float(symmetric_) / m, hi = 1.0f - 1.0f / m;
    const InternalSigmoid mode = internal_sigmoid();
    const bool stochastic = stochastic_ && training;
    if (real_tanh_)
      return uniform_grid(x, stochastic, m, lo, hi, [](float v) { return std::tanh(v); },
                          [](float v) {
                            float t = std::tanh(v);
                            return 1.0f - t * t;
                          });
    return uniform_grid(
        x, stochastic, m, lo, hi, [mode](float v) { return 2.0f * internal_sigmoid_value(v, mode) - 1.0f; },
        [mode](float v) { return 2.0f * internal_sigmoid_derivative(v, mode); });
  }

 private:
  int bits_ = 8;
  bool stochastic_ = false;
  bool symmetric_ = false;
  bool real_tanh_ = false;
};

class QuantizedSigmoid : public QuantizerBase<QuantizedSigmoid> {
 public:
  std::string_view name() const override { return "quantized_sigmoid"; }
  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"symmetric", symmetric_, false},
        {"use_real_sigmoid", real_sigmoid_, false},
        {"use_stochastic_rounding", stochastic_, false},
    };
  }
  void validate() override {
    if (bits_ < 1) throw QuantizerError("bits must be at least 1, got " + std::to_string(bits_));
  }
  int bits() const override { return bits_; }
  double max() const override { return 1.0 - std::ldexp(1.0, -bits_); }
  double min() const override { return double(symmetric_) * std::ldexp(1.0, -bits_); }
  std::optional<HardwareType> hardware_type(Role role) const override {
    if (role != Role::Activation) return std::nullopt;
    return HardwareType{HardwareType::Kind::Fixed,
                        FixedType{bits_, 0, false, RoundingMode::RND_CONV, OverflowMode::SAT}};
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    const float m = std::ldexp(1.0f, bits_);
    const float lo = float(symmetric_) / m, hi = 1.0f - 1.0f / m;
    const InternalSigmoid mode = real_sigmoid_ ? InternalSigmoid::Real : internal_sigmoid();
    return uniform_grid(
        x, stochastic_ && training, m, lo, hi, [mode](float v) { return internal_sigmoid_value(v, mode); },
        [mode](float v) { return internal_sigmoid_derivative(v, mode); });
  }

 private:
  int bits_ = 8;
  bool symmetric_ = false;
  bool real_sigmoid_ = false;
  bool stochastic_ = false;
};

class QuantizedUlaw : public QuantizerBase<QuantizedUlaw> {
 public:
  std::string_view name() const override { return "quantized_ulaw"; }
  std::vector<Field> fields() override {
    return {{"bits", bits_, 8, true}, {"integer", integer_, 0, true}, {"symmetric", symmetric_, false}, {"u", u_, 255.0}};
  }
  void validate() override {
    if (bits_ < 1) throw QuantizerError("bits must be at least 1, got " + std::to_string(bits_));
    if (!(u_ > 0)) throw QuantizerError("u must be positive, got " + format_number(u_));
  }
  int bits() const override { return bits_; }
  double max() const override { return bits_ - 1 > 0 ? std::max(1.0, std::ldexp(1.0, integer_)) : 1.0; }
  double min() const override { return -max(); }
  std::optional<HardwareType> hardware_type(Role) const override { return std::nullopt; }

 protected:
  // m_i·clip(sign(rp)·ln(1 + u|rp|)/ln(1 + u), lo, hi) with
  // rp = 2·round(σ(x/m_i)·m)/m − 1; QKeras returns it without an STE wrapper,
  // so the gradient is the chain rule through every step but the round.
  torch::Tensor quantize(const torch::Tensor& x, bool) override {
    const float m = std::ldexp(1.0f, bits_ - 1), m_i = std::ldexp(1.0f, integer_);
    const float u = float(u_), log1pu = std::log(1.0f + u);
    const float lo = -1.0f + float(symmetric_) / m, hi = 1.0f - 1.0f / m;
    const InternalSigmoid mode = internal_sigmoid();
    auto companded = [=](float v) {
      float rp = 2.0f * (round_half_even(internal_sigmoid_value(v / m_i, mode) * m) / m) - 1.0f;
      return kernels::sign(rp) * std::log(1.0f + u * std::fabs(rp)) / log1pu;
    };
    torch::Tensor value = kernels::map([=](float v) { return m_i * kernels::clip(companded(v), lo, hi); }, x);
    auto derivative = [=](float v) {
      float ul = companded(v);
      if (!(ul >= lo && ul <= hi)) return 0.0f;
      float rp = 2.0f * (round_half_even(internal_sigmoid_value(v / m_i, mode) * m) / m) - 1.0f;
      float s = kernels::sign(rp);
      // d/dx: m_i · s²·u/((1 + u|rp|)·ln(1+u)) · (2/m) · m · σ'(x/m_i)/m_i
      return s * s * u / ((1.0f + u * std::fabs(rp)) * log1pu) * 2.0f * internal_sigmoid_derivative(v / m_i, mode);
    };
    return kernels::straight_through(x, value, kernels::elementwise_derivative(derivative));
  }

 private:
  int bits_ = 8;
  int integer_ = 0;
  bool symmetric_ = false;
  double u_ = 255.0;
};

}  // namespace

std::unique_ptr<Quantizer> make_quantized_tanh() { return std::make_unique<QuantizedTanh>(); }
std::unique_ptr<Quantizer> make_quantized_sigmoid() { return std::make_unique<QuantizedSigmoid>(); }
std::unique_ptr<Quantizer> make_quantized_ulaw() { return std::make_unique<QuantizedUlaw>(); }

}  // namespace quantizers
