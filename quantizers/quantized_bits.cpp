// quantized_bits (QKeras' legacy fixed-point quantizer), quantized_hswish (a
// quantized_bits of the hard swish) and quantized_linear (its cleaner
// successor): qkeras.md §1.1, §1.2, §1.10.
#include <torch/types.h>
#include <torch/utils.h>

#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

using kernels::round_half_even;

class QuantizedBits : public QuantizerBase<QuantizedBits> {
 public:
  std::string_view name() const override { return "quantized_bits"; }

  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"integer", integer_, 0, true},
        {"symmetric", symmetric_, false},
        {"keep_negative", keep_negative_, true},
        {"alpha", alpha_},
        {"use_stochastic_rounding", stochastic_, false},
        {"scale_axis", scale_options_.scale_axis},
        {"qnoise_factor", qnoise_, 1.0},
        {"use_ste", use_ste_, true},
        {"elements_per_scale", scale_options_.elements_per_scale},
        {"min_po2_exponent", scale_options_.min_po2_exponent},
        {"max_po2_exponent", scale_options_.max_po2_exponent},
        {"post_training_scale", post_training_scale_},
    };
  }

  void validate() override {
    if (bits_ < 1) throw QuantizerError("bits must be at least 1, got " + std::to_string(bits_));
    if (alpha_.is_auto()) {
      symmetric_ = true;  // "auto*" forces a symmetric grid
    } else if (post_training_scale_.kind != Alpha::Kind::None) {
      throw QuantizerError("post_training_scale needs alpha 'auto' or 'auto_po2'");
    }
    if (post_training_scale_.is_auto()) throw QuantizerError("post_training_scale must be numbers");
    bool po2_options = scale_options_.elements_per_scale || scale_options_.min_po2_exponent || scale_options_.max_po2_exponent;
    if (po2_options && alpha_.kind != Alpha::Kind::AutoPo2)
      throw QuantizerError("elements_per_scale and min/max_po2_exponent need alpha 'auto_po2'");
    if (scale_options_.elements_per_scale && !scale_options_.scale_axis)
      throw QuantizerError("elements_per_scale needs scale_axis");
    check_qnoise_factor(qnoise_);
    scale_ = alpha_.is_auto() ? torch::Tensor() : alpha_tensor(alpha_);
  }

  void apply_kernel_rule() override {
    if (alpha_.kind != Alpha::Kind::None) return;
    alpha_.kind = Alpha::Kind::AutoPo2;
    validate();
  }

  int bits() const override { return bits_; }
  double max() const override { return unsigned_bits() > 0 ? std::max(1.0, std::ldexp(1.0, integer_)) : 1.0; }
  double min() const override {
    if (!keep_negative_) return 0.0;
    return unsigned_bits() > 0 ? -std::max(1.0, std::ldexp(1.0, integer_)) : -1.0;
  }
  std::vector<double> range() const override {
    if (symmetric_ || !keep_negative_ || !(alpha_.kind == Alpha::Kind::None ||
                                           (alpha_.kind == Alpha::Kind::Fixed && alpha_.values == std::vector{1.0})))
      throw QuantizerError("quantized_bits.range() needs symmetric=0, keep_negative=True and alpha None or 1");
    std::vector<double> values;
    const int64_t codes = int64_t{1} << bits_, half = codes / 2;
    for (int64_t c = 0; c < codes; ++c) values.push_back(std::ldexp(double(c >= half ? c - codes : c), integer_ - bits_ + 1));
    return values;
  }

  std::optional<HardwareType> hardware_type(Role role) const override {
    if (role == Role::Activation) return activation_type(bits_, integer_);
    if (bits_ == integer_)
      return bits_ == 1 ? HardwareType{HardwareType::Kind::Xnor, FixedType::integer_type(1, false)}
                        : HardwareType{HardwareType::Kind::Fixed, FixedType::integer_type(bits_, true)};
    return HardwareType{HardwareType::Kind::Fixed, FixedType{bits_, integer_ + 1, true}};
  }

  void set_qnoise_factor(double q) override {
    check_qnoise_factor(q);
    qnoise_ = q;
  }

  // hls4ml's result type for a quantized_bits activation (hls4ml.md §3.3).
  static HardwareType activation_type(int bits, int integer) {
    FixedType t{bits, integer + 1, true, RoundingMode::RND_CONV, OverflowMode::SAT};
    if (t.width - t.integer <= 0) t = FixedType::integer_type(t.integer, true);
    return {HardwareType::Kind::Fixed, t};
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    if (alpha_.is_auto()) return quantize_auto(x);
    const float m = std::ldexp(1.0f, unsigned_bits());
    const float m_i = std::ldexp(1.0f, integer_);
    const float lo = keep_negative_ ? -m + float(symmetric_) : 0.0f;
    const float hi = m - 1.0f;
    const bool binary = unsigned_bits() <= 0, keep_negative = keep_negative_;
    // m and m_i are powers of two, so multiplying by their exact reciprocals
    // gives the same float32 results as QKeras' divisions, at a fraction of the cost.
    const float inv_m = 1.0f / m, inv_m_i = 1.0f / m_i;
    auto grid = [=](float v, float rounded) {  // QKeras' xq before alpha, from round(p) or a stochastic draw
      if (binary) {
        float s = kernels::sign_nonzero(v);
        return keep_negative ? s : (s + 1.0f) / 2.0f;
      }
      return (m_i * kernels::clip(rounded, lo, hi)) * inv_m;
    };
    torch::Tensor unit;  // the grid value before alpha
    if (stochastic_ && training) {
      unit = kernels::map([=](float v, float u) { return grid(v, kernels::stochastic_round((v * m) * inv_m_i, 1.0f, u)); },
                          x, uniform_like(x));
    } else if (alpha_.values.size() <= 1) {
      // The common case in one pass: grid, alpha and blend fused per element.
      const float a = alpha_.kind == Alpha::Kind::Fixed ? float(alpha_.values[0]) : 1.0f;
      const bool ste = use_ste_;
      const float q = float(qnoise_), keep = float(1.0 - qnoise_);
      torch::Tensor value = kernels::map(
          [=](float v) {
            float xq = a * grid(v, round_half_even((v * m) * inv_m_i));
            return ste ? v + q * (xq - v) : keep * v + q * xq;
          },
          x);
      return kernels::straight_through(x, value, backward());
    } else {
      unit = kernels::map([=](float v) { return grid(v, round_half_even((v * m) * inv_m_i)); }, x);
    }
    return kernels::straight_through(x, mix(x, alpha_tensor(alpha_) * unit), backward());
  }

  // The "auto"/"auto_po2" path: an integer grid z times a per-channel scale
  // (qkeras.md §1.1b); rounding is half away from zero here.
  torch::Tensor quantize_auto(const torch::Tensor& x_in) {
    if (x_in.dim() == 0) throw QuantizerError(to_string() + " needs a tensor of rank >= 1 for its auto scale");
    torch::Tensor value;
    {
      torch::NoGradGuard no_grad;
      const float m = std::ldexp(1.0f, unsigned_bits());
      const float m_i = std::ldexp(1.0f, integer_);
      const float half = float((int64_t{1} << (bits_ - 1)) - 1);
      const float levels = 2.0f * half;
      torch::Tensor x = x_in / m_i;
      auto grid = [&](const torch::Tensor& s) {
        torch::Tensor v = torch::floor(x.abs() / s + 0.5f);
        return torch::sign(x) * torch::where(v < half, v, torch::full({}, half));
      };
      torch::Tensor s;
      if (post_training_scale_.kind == Alpha::Kind::Fixed) {
        s = alpha_tensor(post_training_scale_) / m;
      } else {
        auto axes = x.dim() > 1 ? kernels::scaling_axes(x.dim(), scale_options_.scale_axis) : std::vector<int64_t>{0};
        s = (x.abs().amax(axes, /*keepdim=*/true) * 2.0f) / levels;
        if (alpha_.kind == Alpha::Kind::AutoPo2) {
          s = kernels::round_to_power_of_two(s);
          for (int i = 0; i < 5; ++i) s = least_squares_scale(Alpha::Kind::AutoPo2, x, grid(s), scale_options_);
        }
      }
      torch::Tensor z = grid(s);
      scale_ = s * m;
      torch::Tensor xq = scale_ * ((m_i * z) / m);
      value = mix(m_i * x, xq);  // m_i·(x/m_i) is QKeras' STE base
    }
    return kernels::straight_through(x_in, value, backward());
  }

  int unsigned_bits() const { return bits_ - int(keep_negative_); }


  // QKeras' output blend: use_ste gives x + q(xq − x) (gradient 1), otherwise
  // (1 − q)x + q·xq (gradient 1 − q).
  torch::Tensor mix(const torch::Tensor& x, const torch::Tensor& xq) const {
    const float q = float(qnoise_);
    if (use_ste_) return x + q * (xq - x);
    return float(1.0 - qnoise_) * x + q * xq;
  }
  kernels::Backward backward() const {
    if (use_ste_) return {};
    const float keep = float(1.0 - qnoise_);
    return kernels::elementwise_derivative([keep](float) { return keep; });
  }

  int bits_ = 8;
  int integer_ = 0;
  bool symmetric_ = false;
  bool keep_negative_ = true;
  Alpha alpha_;
  bool stochastic_ = false;
  double qnoise_ = 1.0;
  bool use_ste_ = true;
  ScaleOptions scale_options_;
  Alpha post_training_scale_;

  friend class QuantizedHswish;
};

// quantized_hswish: quantized_bits(bits, integer, symmetric, alpha) of
// x·min(relu(x + shift), bound)/bound.  Only the arguments QKeras' signature
// takes are exposed.
class QuantizedHswish : public QuantizerBase<QuantizedHswish, QuantizedBits> {
 public:
  std::string_view name() const override { return "quantized_hswish"; }

  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"integer", integer_, 0, true},
        {"symmetric", symmetric_, false},
        {"alpha", alpha_},
        {"use_stochastic_rounding", stochastic_, false},
        {"scale_axis", scale_options_.scale_axis},
        {"qnoise_factor", qnoise_, 1.0},
        {"relu_shift", relu_shift_, 3.0},
        {"relu_upper_bound", relu_upper_bound_, 6.0},
    };
  }

  void validate() override {
    if (!(relu_shift_ > 0)) throw QuantizerError("relu_shift must be positive");
    if (!(relu_upper_bound_ > 0)) throw QuantizerError("relu_upper_bound must be positive");
    QuantizedBits::validate();
  }

  // QKeras intends the quantized minimum of the parabola x(x + shift)/bound
  // when it lies above the grid minimum (its own min() calls a missing method).
  double min() const override {
    double grid_min = QuantizedBits::min();
    double parabola_min = -relu_shift_ * relu_shift_ / (4.0 * relu_upper_bound_);
    if (grid_min >= parabola_min) return grid_min;
    QuantizedBits plain(*this);
    return plain(torch::full({1}, parabola_min)).item<double>();
  }

  std::optional<HardwareType> hardware_type(Role) const override { return std::nullopt; }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    const float shift = float(relu_shift_), bound = float(relu_upper_bound_);
    torch::Tensor shifted = x + shift;
    torch::Tensor relu = torch::where(shifted <= bound, torch::relu(shifted), torch::full({}, bound));
    return QuantizedBits::quantize((x * relu) / bound, training);
  }

 private:
  double relu_shift_ = 3.0;
  double relu_upper_bound_ = 6.0;
};

class QuantizedLinear : public QuantizerBase<QuantizedLinear> {
 public:
  std::string_view name() const override { return "quantized_linear"; }

  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"integer", integer_, 0, true},
        {"symmetric", symmetric_, true},
        {"keep_negative", keep_negative_, true},
        {"alpha", alpha_},
        {"use_stochastic_rounding", stochastic_, false},
        {"scale_axis", scale_axis_},
        {"qnoise_factor", qnoise_, 1.0},
    };
  }

  void validate() override {
    if (bits_ <= 0) throw QuantizerError("Bit count " + std::to_string(bits_) + " must be positive");
    check_qnoise_factor(qnoise_);
    scale_ = alpha_.is_auto() ? torch::Tensor() : fixed_quantization_scale() / data_type_scale();
  }

  void apply_kernel_rule() override {
    if (alpha_.kind != Alpha::Kind::None) return;
    alpha_.kind = Alpha::Kind::AutoPo2;
    symmetric_ = true;
    validate();
  }

  int bits() const override { return bits_; }
  double max() const override { return clip_max() * scalar_quantization_scale(); }
  double min() const override { return clip_min() * scalar_quantization_scale(); }
  std::vector<double> range() const override {
    double qs = scalar_quantization_scale();
    if (sign_mode()) return {max(), min()};
    std::vector<double> values;
    for (double c = 0; c <= clip_max(); ++c) values.push_back(c * qs);
    for (double c = clip_min(); c < 0; ++c) values.push_back(c * qs);
    return values;
  }
  std::optional<HardwareType> hardware_type(Role) const override { return std::nullopt; }
  void set_qnoise_factor(double q) override {
    check_qnoise_factor(q);
    qnoise_ = q;
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    torch::Tensor qs = alpha_.is_auto() ? auto_quantization_scale(x) : fixed_quantization_scale();
    if (alpha_.is_auto()) scale_ = qs / data_type_scale();
    torch::Tensor xq;
    {
      torch::NoGradGuard no_grad;
      xq = scale_clip_round(x, qs, training && stochastic_) * qs;
    }
    const float q = float(qnoise_);
    torch::Tensor value = x + q * (xq - x);
    // Gradient (1 − q) + q·[x/qs inside the clip range]: the round is a
    // straight-through estimate, the clip is not (qkeras.md §1.2).  The test
    // is on the float32 quotient x/qs that K.clip sees, not on x against
    // qs·clip_max: the two differ by an ulp at a channel's max under "auto".
    const double lo = clip_min(), hi = clip_max();
    kernels::Backward backward = [q, qs, lo, hi](const torch::Tensor& xv, const torch::Tensor& grad) {
      torch::Tensor scaled = xv / qs;
      torch::Tensor inside = ((scaled >= lo) & (scaled <= hi)).to(torch::kFloat32);
      return grad * ((1.0f - q) + q * inside);
    };
    return kernels::straight_through(x, value.detach(), backward);
  }

 private:
  bool sign_mode() const { return bits_ == 1 && keep_negative_; }
  double clip_min() const {
    if (sign_mode()) return -0.5;
    return keep_negative_ ? -std::ldexp(1.0, bits_ - 1) + double(symmetric_) : 0.0;
  }
  double clip_max() const { return sign_mode() ? 0.5 : std::ldexp(1.0, bits_ - int(keep_negative_)) - 1.0; }
  float data_type_scale() const { return std::ldexp(1.0f, integer_ - bits_ + int(keep_negative_)); }
  torch::Tensor fixed_quantization_scale() const { return alpha_tensor(alpha_) * data_type_scale(); }
  double scalar_quantization_scale() const {
    torch::Tensor s = alpha_.is_auto() ? scale_ : torch::Tensor();
    if (s.defined() && s.numel() == 1) return s.item<double>() * data_type_scale();
    if (alpha_.is_auto()) throw QuantizerError(to_string() + ": max()/min() need a scalar scale from a call");
    torch::Tensor fixed = fixed_quantization_scale();
    if (fixed.numel() != 1) throw QuantizerError(to_string() + ": max()/min() need a scalar alpha");
    return fixed.item<double>();
  }

  torch::Tensor scale_clip_round(const torch::Tensor& x, const torch::Tensor& qs, bool stochastic) const {
    const float shift = sign_mode() ? 0.5f : 0.0f;
    torch::Tensor clipped = torch::clamp(x / qs, clip_min(), clip_max()) - shift;
    torch::Tensor rounded;
    if (stochastic) {
      rounded = kernels::map([](float v, float u) { return kernels::stochastic_round(v, 1.0f, u); },
                             clipped.contiguous(), uniform_like(clipped));
    } else {
      rounded = torch::round(clipped);
    }
    return rounded + shift;
  }

  torch::Tensor auto_quantization_scale(const torch::Tensor& x) const {
    torch::NoGradGuard no_grad;
    // For rank 1 the scaling axes are empty: every entry is its own channel.
    auto axes = kernels::scaling_axes(x.dim(), scale_axis_);
    const float range = float(clip_max() - clip_min());
    torch::Tensor data_max = keep_negative_ ? x.abs() : x;
    if (!axes.empty()) data_max = data_max.amax(axes, /*keepdim=*/true);
    torch::Tensor qs = keep_negative_ ? (data_max * 2.0f) / range : data_max / range;
    qs = torch::clamp_min(qs, kernels::kEpsilon);
    if (alpha_.kind != Alpha::Kind::AutoPo2) return qs;
    qs = kernels::round_to_power_of_two(qs);
    ScaleOptions options{scale_axis_, std::nullopt, std::nullopt, std::nullopt};
    const int iterations = sign_mode() ? 1 : 5;  // stops early once the scale is unchanged
    for (int i = 0; i < iterations; ++i) {
      torch::Tensor next = least_squares_scale(Alpha::Kind::AutoPo2, x, scale_clip_round(x, qs, false), options);
      bool converged = torch::equal(next, qs);
      qs = next;
      if (converged) break;
    }
    return qs;
  }

  int bits_ = 8;
  int integer_ = 0;
  bool symmetric_ = true;
  bool keep_negative_ = true;
  Alpha alpha_;
  bool stochastic_ = false;
  AxisList scale_axis_;
  double qnoise_ = 1.0;
};

}  // namespace

std::unique_ptr<Quantizer> make_quantized_bits() { return std::make_unique<QuantizedBits>(); }
std::unique_ptr<Quantizer> make_quantized_hswish() { return std::make_unique<QuantizedHswish>(); }
std::unique_ptr<Quantizer> make_quantized_linear() { return std::make_unique<QuantizedLinear>(); }

}  // namespace quantizers
