// quantized_bits (QKeras' legacy fixed-point quantizer), quantized_hswish (a
// quantized_bits of the hard swish) and quantized_linear (its cleaner
// successor): qkeras.md §1.1, §1.2, §1.10.
#include <torch/types.h>
#include <torch/utils.h>

#include <cstring>
#include <numeric>

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
    // finish(x, rounded) over x, where `rounded` is round(p) for p = x·m/m_i,
    // or a stochastic draw.
    auto map_rounded = [&](auto finish) {
      auto scaled = [=](float v) { return (v * m) * inv_m_i; };
      if (!(stochastic_ && training))
        return kernels::map([=](float v) { return finish(v, round_half_even(scaled(v))); }, x);
      return kernels::map(
          [=](float v, float u) { return finish(v, kernels::stochastic_round(scaled(v), 1.0f, u)); }, x,
          uniform_like(x));
    };
    if (alpha_.values.size() > 1) {
      // Per-channel alpha: the grid in one pass, alpha and the blend broadcast.
      torch::Tensor unit = map_rounded(grid);
      return kernels::straight_through(x, mix(x, alpha_tensor(alpha_) * unit), gradient());
    }
    // The common case in one pass: grid, alpha and blend fused per element.
    const float a = alpha_.kind == Alpha::Kind::Fixed ? float(alpha_.values[0]) : 1.0f;
    const bool ste = use_ste_;
    const float q = float(qnoise_), keep = float(1.0 - qnoise_);
    torch::Tensor value = map_rounded([=](float v, float rounded) {
      float xq = a * grid(v, rounded);
      return ste ? v + q * (xq - v) : keep * v + q * xq;
    });
    return kernels::straight_through(x, value, gradient());
  }

  // The "auto"/"auto_po2" path: an integer grid z times a per-channel scale
  // (qkeras.md §1.1b); rounding is half away from zero here.
  torch::Tensor quantize_auto(const torch::Tensor& x_in) {
    if (x_in.dim() == 0) throw QuantizerError(to_string() + " needs a tensor of rank >= 1 for its auto scale");
    if (auto matrix = channel_matrix(x_in)) return quantize_auto_fused(x_in, matrix->first, matrix->second);
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
          for (int i = 0; i < kLeastSquaresSteps; ++i) {
            torch::Tensor next = least_squares_scale(Alpha::Kind::AutoPo2, x, grid(s), scale_options_);
            bool converged = next.sizes() == s.sizes() && torch::equal(next, s);
            s = next;
            if (converged) break;  // a fixed point: further steps change nothing
          }
        }
      }
      torch::Tensor z = grid(s);
      scale_ = s * m;
      torch::Tensor xq = scale_ * ((m_i * z) / m);
      value = mix(m_i * x, xq);  // m_i·(x/m_i) is QKeras' STE base
    }
    return kernels::straight_through(x_in, value, gradient());
  }

  static constexpr int kLeastSquaresSteps = 5;

  // x as the row-major [rows, channels] matrix of quantize_auto_fused: the
  // per-channel (kept) axes must be the trailing ones; a rank-1 tensor is one
  // row, every element its own channel.  nullopt for the cases left to the
  // tensor path: leading channel axes, elements_per_scale, a
  // post_training_scale, empty tensors.
  std::optional<std::pair<int64_t, int64_t>> channel_matrix(const torch::Tensor& x) const {
    if (post_training_scale_.kind == Alpha::Kind::Fixed || scale_options_.elements_per_scale || x.numel() == 0)
      return std::nullopt;
    if (x.dim() == 1) return std::pair{int64_t{1}, x.numel()};
    std::vector<int64_t> reduced = kernels::scaling_axes(x.dim(), scale_options_.scale_axis);
    int64_t rows = 1;
    for (size_t i = 0; i < reduced.size(); ++i) {
      if (reduced[i] != int64_t(i)) return std::nullopt;
      rows *= x.size(reduced[i]);
    }
    return std::pair{rows, x.numel() / rows};
  }

  // quantize_auto in a few passes over x instead of a dozen tensor operations
  // per least-squares step: one for the channel maxima, one per step (z and
  // both sums together) and one for the output.  The same float32 operations
  // per element; the channel means are summed in double, which makes them
  // independent of the summation order and of the thread count.
  torch::Tensor quantize_auto_fused(const torch::Tensor& x_in, int64_t rows, int64_t channels) {
    const float m = std::ldexp(1.0f, unsigned_bits()), m_i = std::ldexp(1.0f, integer_);
    const float inv_m = 1.0f / m, inv_m_i = 1.0f / m_i;  // exact: powers of two
    const float half = float((int64_t{1} << (bits_ - 1)) - 1);
    const float levels = 2.0f * half;
    const float* x = x_in.data_ptr<float>();
    // z = sign(x)·min(floor(|x|/s + 1/2), half) for x already divided by m_i;
    // sign(NaN) = 0 as in torch::sign.
    auto grid = [half](float xs, float s) {
      float v = kernels::floor_nonnegative(std::fabs(xs) / s + 0.5f);
      float sign = xs > 0.0f ? 1.0f : (xs < 0.0f ? -1.0f : 0.0f);
      return sign * (v < half ? v : half);
    };

    // s = 2·max|x/m_i|/levels per channel, a NaN in the channel giving NaN as
    // amax does; over the whole tensor for rank 1.
    auto max_nan = [](float a, float b) { return b > a || b != b ? b : a; };
    std::vector<float> s = kernels::reduce_rows(
        rows, channels, 0.0f,
        [x, channels, inv_m_i, max_nan](int64_t r0, int64_t r1, float* __restrict acc) {
          for (int64_t r = r0; r < r1; ++r) {
            const float* __restrict row = x + r * channels;
            for (int64_t c = 0; c < channels; ++c) acc[c] = max_nan(acc[c], std::fabs(row[c] * inv_m_i));
          }
        },
        max_nan);
    const bool rank1 = x_in.dim() == 1;
    if (rank1) s.assign(s.size(), std::accumulate(s.begin(), s.end(), 0.0f, max_nan));
    for (float& v : s) v = (v * 2.0f) / levels;

    if (alpha_.kind == Alpha::Kind::AutoPo2) {
      const auto [lo, hi] = po2_scale_limits(scale_options_);
      for (float& v : s) v = kernels::round_to_power_of_two(v);
      for (int i = 0; i < kLeastSquaresSteps; ++i) {
        // Sums of x·z (accumulators [0, channels)) and z·z ([channels, 2·channels)).
        const float* scale = s.data();
        std::vector<double> sums = kernels::reduce_rows(
            rows, 2 * channels, 0.0,
            [x, channels, inv_m_i, grid, scale](int64_t r0, int64_t r1, double* __restrict acc) {
              for (int64_t r = r0; r < r1; ++r) {
                const float* __restrict row = x + r * channels;
                for (int64_t c = 0; c < channels; ++c) {
                  float xs = row[c] * inv_m_i, z = grid(xs, scale[c]);
                  acc[c] += double(xs * z);
                  acc[channels + c] += double(z * z);
                }
              }
            },
            std::plus<>());
        // least_squares_scale: po2(mean(x·z)/(mean(z·z) + eps)), clipped to the exponent limits.
        std::vector<float> next(channels);
        for (int64_t c = 0; c < channels; ++c) {
          float xz = float(sums[c] / double(rows)), zz = float(sums[channels + c] / double(rows));
          next[c] = kernels::clip(kernels::round_to_power_of_two(xz / (zz + kernels::kEpsilon)), lo, hi);
        }
        bool converged = std::memcmp(next.data(), s.data(), s.size() * sizeof(float)) == 0;
        s = std::move(next);
        if (converged) break;  // a fixed point: further steps change nothing
      }
    }

    // scale = s·m, shaped like x with the reduced axes as 1: one global value
    // for a rank-1 "auto" scale, else one per channel.
    std::vector<float> sm(s.size());
    for (size_t c = 0; c < s.size(); ++c) sm[c] = s[c] * m;
    if (rank1 && alpha_.kind != Alpha::Kind::AutoPo2) {
      scale_ = torch::full({1}, sm[0], torch::kFloat32);
    } else {
      std::vector<int64_t> scale_shape(x_in.dim(), 1);
      for (int64_t a = x_in.dim() - 1, n = 1; n < channels; n *= x_in.size(a--)) scale_shape[a] = x_in.size(a);
      scale_ = torch::tensor(sm, torch::kFloat32).reshape(scale_shape);
    }

    // xq = (s·m)·((m_i·z)/m), blended with the STE base m_i·(x/m_i).
    torch::Tensor value = torch::empty_like(x_in);
    float* out = value.data_ptr<float>();
    const float* scale = s.data();
    const float* scale_m = sm.data();
    const bool ste = use_ste_;
    const float q = float(qnoise_), keep = float(1.0 - qnoise_);
    kernels::for_each_row_piece(rows, channels, [=](int64_t r, int64_t c0, int64_t c1) {
      const float* __restrict row = x + r * channels;
      float* __restrict o = out + r * channels;
      for (int64_t c = c0; c < c1; ++c) {
        float xs = row[c] * inv_m_i;
        float xq = scale_m[c] * ((m_i * grid(xs, scale[c])) * inv_m);
        float base = m_i * xs;
        o[c] = ste ? base + q * (xq - base) : keep * base + q * xq;
      }
    });
    return kernels::straight_through(x_in, value, gradient());
  }

  int unsigned_bits() const { return bits_ - int(keep_negative_); }

  // QKeras' output blend: use_ste gives x + q(xq − x) (gradient 1), otherwise
  // (1 − q)x + q·xq (gradient 1 − q).
  torch::Tensor mix(const torch::Tensor& x, const torch::Tensor& xq) const {
    const float q = float(qnoise_);
    if (use_ste_) return x + q * (xq - x);
    return float(1.0 - qnoise_) * x + q * xq;
  }
  // The matching gradient: identity or the constant 1 − q.
  kernels::Pieces gradient() const { return {{}, {use_ste_ ? 1.0f : float(1.0 - qnoise_)}}; }

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
