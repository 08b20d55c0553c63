// binary, stochastic_binary, ternary, stochastic_ternary and bernoulli:
// one- and two-level quantizers with optional least-squares channel scales
// (qkeras.md §1.4-§1.8).  Straight-through gradients: identity, or the tanh
// derivative when alpha is None and the base is tanh(x).
#include <torch/types.h>
#include <torch/utils.h>

#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

// sign(x) with 0 mapped to +1.
torch::Tensor sign_nonzero(const torch::Tensor& x) {
  torch::Tensor s = torch::sign(x);
  return s + (1.0f - s.abs());
}

// Axes of the max/std reductions: all but the channel axis; rank-1 tensors
// reduce over their single axis.
std::vector<int64_t> channel_axes(const torch::Tensor& x) {
  if (x.dim() <= 1) return {0};
  return kernels::all_axes_but(x.dim(), {static_cast<int>(x.dim()) - 1});
}

torch::Tensor scale_for(const Alpha& alpha, const torch::Tensor& x, const torch::Tensor& q,
                        const ScaleOptions& options = {}) {
  if (alpha.is_auto()) return least_squares_scale(alpha.kind, x, q, options);
  return alpha_tensor(alpha);
}

double alpha_max(const Alpha& alpha) {
  if (alpha.kind != Alpha::Kind::Fixed) return 1.0;
  return std::max(1.0, *std::max_element(alpha.values.begin(), alpha.values.end()));
}

// tanh base gradient for alpha None, identity otherwise.
kernels::Backward base_gradient(bool tanh_base) {
  if (!tanh_base) return {};
  return kernels::elementwise_derivative([](float v) {
    float t = std::tanh(v);
    return 1.0f - t * t;
  });
}

// The sigmoid probabilities of the stochastic quantizers.
torch::Tensor probability(const torch::Tensor& t, bool real_sigmoid) {
  if (real_sigmoid) return torch::sigmoid(t);
  const InternalSigmoid mode = internal_sigmoid();
  return kernels::map([mode](float v) { return internal_sigmoid_value(v, mode); }, t.contiguous());
}

// std over the channel axes plus epsilon for string alphas, else 1.
torch::Tensor sampling_std(const Alpha& alpha, const torch::Tensor& x) {
  if (!alpha.is_auto()) return torch::ones({}, torch::kFloat32);
  return x.std(channel_axes(x), /*unbiased=*/false, /*keepdim=*/true) + kernels::kEpsilon;
}

// Hardware types of the binary family (hls4ml.md §3.2-§3.3): xnor weights,
// ap_int<2> biases and activations.
std::optional<HardwareType> binary_hardware_type(Role role) {
  if (role == Role::Kernel) return HardwareType{HardwareType::Kind::Xnor, FixedType::integer_type(1, false)};
  return HardwareType{HardwareType::Kind::Fixed, FixedType::integer_type(2, true)};
}

class Binary : public QuantizerBase<Binary> {
 public:
  std::string_view name() const override { return "binary"; }
  std::vector<Field> fields() override {
    return {
        {"use_01", use_01_, false},
        {"alpha", alpha_},
        {"use_stochastic_rounding", stochastic_, false},
        {"scale_axis", options_.scale_axis},
        {"elements_per_scale", options_.elements_per_scale},
        {"min_po2_exponent", options_.min_po2_exponent},
        {"max_po2_exponent", options_.max_po2_exponent},
    };
  }
  void validate() override {
    if (options_.elements_per_scale && !options_.scale_axis) throw QuantizerError("elements_per_scale needs scale_axis");
    scale_ = alpha_.is_auto() ? torch::Tensor() : alpha_tensor(alpha_);
  }
  void apply_kernel_rule() override {
    if (alpha_.kind == Alpha::Kind::None) alpha_.kind = Alpha::Kind::AutoPo2;
    validate();
  }
  int bits() const override { return 1; }
  double max() const override { return alpha_max(alpha_); }
  double min() const override { return use_01_ ? 0.0 : -alpha_max(alpha_); }
  std::optional<HardwareType> hardware_type(Role role) const override { return binary_hardware_type(role); }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    torch::Tensor value;
    {
      torch::NoGradGuard no_grad;
      torch::Tensor xs = x;
      if (stochastic_ && training) {
        // Round x/f to multiples of 1/8 stochastically, f = 2·min(max|x|, 1),
        // so that small weights still flip sign (a global max for rank 1).
        std::vector<int64_t> axes = x.dim() <= 1 ? kernels::all_axes_but(x.dim(), {}) : channel_axes(x);
        torch::Tensor m = x.abs().amax(axes, /*keepdim=*/true);
        torch::Tensor f = 2.0f * torch::where(m > 1.0f, torch::ones_like(m), m);
        torch::Tensor scaled = (x / f).contiguous();
        xs = f * kernels::map([](float v, float u) { return kernels::stochastic_round(v, 8.0f, u); }, scaled,
                              uniform_like(scaled));
      }
      torch::Tensor k = torch::sign(xs);
      if (stochastic_ && training) k = k + (1.0f - k.abs()) * (2.0f * torch::round(uniform_like(xs)) - 1.0f);
      k = k + (1.0f - k.abs());
      if (use_01_) k = (k + 1.0f) / 2.0f;
      torch::Tensor base = alpha_.kind == Alpha::Kind::None ? torch::tanh(xs) : xs;
      torch::Tensor scale = scale_for(alpha_, xs, k, options_);
      scale_ = scale;
      value = base + (-base + scale * k);
    }
    return kernels::straight_through(x, value, base_gradient(alpha_.kind == Alpha::Kind::None));
  }

  bool use_01_ = false;
  Alpha alpha_;
  bool stochastic_ = false;
  ScaleOptions options_;
};

class StochasticBinary : public QuantizerBase<StochasticBinary, Binary> {
 public:
  std::string_view name() const override { return "stochastic_binary"; }
  std::vector<Field> fields() override {
    return {{"alpha", alpha_}, {"temperature", temperature_, 6.0}, {"use_real_sigmoid", real_sigmoid_, true}};
  }
  double min() const override { return -alpha_max(alpha_); }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    if (!training) return Binary::quantize(x, false);
    torch::Tensor value;
    {
      torch::NoGradGuard no_grad;
      torch::Tensor p = probability((float(temperature_) * x) / sampling_std(alpha_, x), real_sigmoid_);
      torch::Tensor q = sign_nonzero(p - uniform_like(x));
      torch::Tensor scale = scale_for(alpha_, x, sign_nonzero(x));
      scale_ = scale;
      value = x + (-x + scale * q);
    }
    return kernels::straight_through(x, value);
  }

 private:
  double temperature_ = 6.0;
  bool real_sigmoid_ = true;
};

class Ternary : public QuantizerBase<Ternary> {
 public:
  std::string_view name() const override { return "ternary"; }
  std::vector<Field> fields() override {
    return {
        {"alpha", alpha_},
        {"threshold", threshold_},
        {"use_stochastic_rounding", stochastic_, false},
        {"number_of_unrolls", unrolls_, 5},
    };
  }
  void validate() override {
    if (unrolls_ < 1) throw QuantizerError("number_of_unrolls must be at least 1");
    if (alpha_.is_auto() && threshold_) throw QuantizerError("threshold must be None with alpha 'auto'/'auto_po2'");
    if (!alpha_.is_auto() && stochastic_)
      throw QuantizerError("use_stochastic_rounding needs alpha 'auto' or 'auto_po2'");
    scale_ = alpha_.is_auto() ? torch::Tensor() : alpha_tensor(alpha_);
  }
  void apply_kernel_rule() override {
    if (alpha_.kind == Alpha::Kind::None) alpha_.kind = Alpha::Kind::AutoPo2;
    validate();
  }
  int bits() const override { return 2; }
  double max() const override { return alpha_max(alpha_); }
  double min() const override { return -alpha_max(alpha_); }
  std::optional<HardwareType> hardware_type(Role) const override {
    return HardwareType{HardwareType::Kind::Fixed, FixedType::integer_type(2, true)};
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    torch::Tensor value;
    {
      torch::NoGradGuard no_grad;
      torch::Tensor q, scale;
      if (alpha_.is_auto()) {
        // Weight mode: a threshold at half the scale and least-squares
        // refinement, starting from 2/3 of the channel maximum.
        std::vector<int64_t> axes = x.dim() <= 1 ? kernels::all_axes_but(x.dim(), {}) : channel_axes(x);
        scale = (2.0f * x.abs().amax(axes, /*keepdim=*/true)) / 3.0f;
        if (alpha_.kind == Alpha::Kind::AutoPo2) scale = kernels::round_to_power_of_two(scale);
        for (int i = 0; i < unrolls_; ++i) {
          torch::Tensor threshold = scale / 2.0f;
          torch::Tensor ratio = (x / scale).contiguous();
          torch::Tensor rounded =
              stochastic_ && training
                  ? kernels::map([](float v, float u) { return kernels::stochastic_round(v, 3.0f, u); }, ratio,
                                 uniform_like(ratio))
                  : torch::round(ratio);
          q = ((scale * rounded).abs() >= threshold).to(torch::kFloat32) * torch::sign(x);
          scale = scale_for(alpha_, x, q);
        }
      } else {
        q = (x.abs() >= float(threshold_.value_or(0.33))).to(torch::kFloat32) * torch::sign(x);
        scale = alpha_tensor(alpha_);
      }
      scale_ = scale;
      torch::Tensor base = alpha_.kind == Alpha::Kind::None ? torch::tanh(x) : x;
      value = base + (-base + scale * q);
    }
    return kernels::straight_through(x, value, base_gradient(alpha_.kind == Alpha::Kind::None));
  }

  Alpha alpha_;
  std::optional<double> threshold_;
  bool stochastic_ = false;
  int unrolls_ = 5;
};

class StochasticTernary : public QuantizerBase<StochasticTernary, Ternary> {
 public:
  std::string_view name() const override { return "stochastic_ternary"; }
  std::vector<Field> fields() override {
    return {
        {"alpha", alpha_},
        {"threshold", threshold_},
        {"temperature", temperature_, 8.0},
        {"use_real_sigmoid", real_sigmoid_, true},
        {"number_of_unrolls", unrolls_, 5},
    };
  }
  void validate() override {
    if (threshold_ && *threshold_ == 1.0) throw QuantizerError("threshold must not be 1");
    Ternary::validate();
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    if (!training) return Ternary::quantize(x, false);
    if (!alpha_.is_auto()) throw QuantizerError("stochastic_ternary samples only with alpha 'auto' or 'auto_po2'");
    torch::Tensor value;
    {
      torch::NoGradGuard no_grad;
      auto axes = channel_axes(x);
      torch::Tensor x_std = x.std(axes, /*unbiased=*/false, /*keepdim=*/true);
      torch::Tensor scale = (2.0f * x.abs().amax(axes, /*keepdim=*/true)) / 3.0f;
      if (alpha_.kind == Alpha::Kind::AutoPo2) scale = kernels::round_to_power_of_two(scale);
      for (int i = 0; i < unrolls_; ++i) {
        torch::Tensor q_ns = (x.abs() >= scale / 2.0f).to(torch::kFloat32) * torch::sign(x);
        scale = scale_for(alpha_, x, q_ns);
      }
      torch::Tensor x_norm = x / (x_std + kernels::kEpsilon);
      torch::Tensor threshold = scale / (2.0f * (x_std + kernels::kEpsilon));
      const float temperature = float(temperature_);
      torch::Tensor p0 = probability(temperature * (x_norm - threshold), real_sigmoid_);
      torch::Tensor p1 = probability(temperature * (x_norm + threshold), real_sigmoid_);
      torch::Tensor q0 = sign_nonzero(p0 - uniform_like(p0));
      torch::Tensor q1 = sign_nonzero(p1 - uniform_like(p1));
      scale_ = scale;
      value = x + (-x + scale * ((q0 + q1) / 2.0f));
    }
    return kernels::straight_through(x, value);
  }

 private:
  double temperature_ = 8.0;
  bool real_sigmoid_ = true;
};

class Bernoulli : public QuantizerBase<Bernoulli> {
 public:
  std::string_view name() const override { return "bernoulli"; }
  std::vector<Field> fields() override {
    return {{"alpha", alpha_}, {"temperature", temperature_, 6.0}, {"use_real_sigmoid", real_sigmoid_, true}};
  }
  void apply_kernel_rule() override {
    if (alpha_.kind == Alpha::Kind::None) alpha_.kind = Alpha::Kind::AutoPo2;
  }
  int bits() const override { return 1; }
  double max() const override { return alpha_max(alpha_); }
  double min() const override { return 0.0; }
  std::optional<HardwareType> hardware_type(Role) const override { return std::nullopt; }

 protected:
  // Always samples, in training and inference alike (as QKeras).
  torch::Tensor quantize(const torch::Tensor& x, bool) override {
    torch::Tensor value;
    {
      torch::NoGradGuard no_grad;
      torch::Tensor p = probability((float(temperature_) * x) / sampling_std(alpha_, x), real_sigmoid_);
      torch::Tensor q = (sign_nonzero(p - uniform_like(x)) + 1.0f) / 2.0f;
      torch::Tensor scale = scale_for(alpha_, x, (sign_nonzero(x) + 1.0f) / 2.0f);
      scale_ = scale;
      value = x + (-x + scale * q);
    }
    return kernels::straight_through(x, value);
  }

 private:
  Alpha alpha_;
  double temperature_ = 6.0;
  bool real_sigmoid_ = true;
};

}  // namespace

std::unique_ptr<Quantizer> make_binary() { return std::make_unique<Binary>(); }
std::unique_ptr<Quantizer> make_stochastic_binary() { return std::make_unique<StochasticBinary>(); }
std::unique_ptr<Quantizer> make_ternary() { return std::make_unique<Ternary>(); }
std::unique_ptr<Quantizer> make_stochastic_ternary() { return std::make_unique<StochasticTernary>(); }
std::unique_ptr<Quantizer> make_bernoulli() { return std::make_unique<Bernoulli>(); }

}  // namespace quantizers
