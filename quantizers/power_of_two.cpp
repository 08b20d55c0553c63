// quantized_po2 and quantized_relu_po2: values rounded to signed / positive
// powers of two with a clipped exponent (qkeras.md §1.9).
#include <torch/types.h>
#include <torch/utils.h>

#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

using kernels::kEpsilon;
using kernels::kLn2;

// The exponent range and rounding shared by both quantizers: QKeras'
// _clip_power_of_two applied to a magnitude.
struct ExponentClip {
  float min_exp = 0, max_exp = 0;
  bool has_max_value = false;
  float max_value = 0;
  bool quadratic = false;
  bool floor_rounding = false;

  // `u` is a U[0,1) draw used only when `stochastic`.
  float operator()(float magnitude, bool stochastic, float u) const {
    if (magnitude < kEpsilon) return min_exp;  // not doubled in quadratic mode
    float xf = has_max_value && magnitude >= max_value ? max_value : magnitude;
    float xin = quadratic ? std::sqrt(xf) : xf;
    float e;
    if (floor_rounding) e = std::floor(std::log(xin) / kLn2);
    else if (stochastic) e = stochastic_round_po2(xin, u);
    else e = kernels::round_half_even(std::log(xin) / kLn2);
    return (quadratic ? 2.0f : 1.0f) * kernels::clip(e, min_exp, max_exp);
  }

  // QKeras' stochastic_round_po2: the lower or upper neighbouring exponent
  // with probabilities that keep the mean of 2^e equal to y.
  static float stochastic_round_po2(float y, float u) {
    float e = kernels::round_half_even(std::log(y + kEpsilon) / kLn2);
    float po2 = kernels::exp2_integral(e);
    float left = po2 > y ? e - 1.0f : e, right = po2 > y ? e : e + 1.0f;
    float lo = kernels::exp2_integral(left), hi = kernels::exp2_integral(right);
    float draw = lo + u * (hi - lo);
    return y < draw ? left : right;
  }
};

// _need_exponent_sign_bit_check: an exponent sign bit unless 0 <= max_value <= 1.
int exponent_sign_bit(const std::optional<double>& max_value) {
  if (!max_value) return 1;
  if (*max_value < 0) throw QuantizerError("po2 max_value should be non-negative, got " + format_number(*max_value));
  return *max_value > 1 ? 1 : 0;
}

class PowerOfTwoBase {
 protected:
  void validate_common(int exponent_bits) {
    if (bits_ < 1) throw QuantizerError("bits must be at least 1, got " + std::to_string(bits_));
    if (exponent_bits > 8) throw QuantizerError("bits too large: the exponent range exceeds float32");
    check_qnoise_factor(qnoise_);
    int max_exp = (1 << exponent_bits) - 1;
    if (quadratic_) max_exp = 2 * (max_exp / 2);  // Python floor division of a non-negative value
    clip_ = {-float(1 << exponent_bits), float(max_exp), max_value_.has_value(),
             max_value_ ? float(*max_value_) : 0.0f, quadratic_, log2_rounding_ == "floor"};
  }
  double po2_max() const { return max_value_ ? std::max(1.0, *max_value_) : std::max(1.0, std::ldexp(1.0, int(clip_.max_exp))); }

  int bits_ = 8;
  std::optional<double> max_value_;
  bool stochastic_ = false;
  bool quadratic_ = false;
  std::string log2_rounding_ = "rnd";
  double qnoise_ = 1.0;
  bool use_ste_ = true;
  ExponentClip clip_;
};

class QuantizedPo2 : public QuantizerBase<QuantizedPo2>, PowerOfTwoBase {
 public:
  std::string_view name() const override { return "quantized_po2"; }

  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"max_value", max_value_},
        {"use_stochastic_rounding", stochastic_, false},
        {"quadratic_approximation", quadratic_, false},
        {"log2_rounding", log2_rounding_, "rnd", {"rnd", "floor"}},
        {"qnoise_factor", qnoise_, 1.0},
        {"use_ste", use_ste_, true},
    };
  }
  void validate() override { validate_common(bits_ - 1 - exponent_sign_bit(max_value_)); }

  int bits() const override { return bits_; }
  double max() const override { return po2_max(); }
  double min() const override { return -po2_max(); }
  // hls4ml.md §3.2: weights become {sign, exponent} pairs; as an activation
  // hls4ml applies its fixed-point rule to bits with integer = bits.
  std::optional<HardwareType> hardware_type(Role role) const override {
    if (role == Role::Activation)
      return HardwareType{HardwareType::Kind::Fixed, FixedType::integer_type(bits_, true)};
    return HardwareType{HardwareType::Kind::Exponent, FixedType::integer_type(bits_, true)};
  }
  void set_qnoise_factor(double q) override {
    check_qnoise_factor(q);
    qnoise_ = q;
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    const ExponentClip clip = clip_;
    const bool stochastic = stochastic_ && training, ste = use_ste_;
    const float q = float(qnoise_), keep = float(1.0 - qnoise_);
    auto f = [=](float v, float u) {
      float xq = kernels::sign_nonzero(v) * kernels::exp2_integral(clip(std::fabs(v), stochastic, u));
      return ste ? v + q * (xq - v) : keep * v + q * xq;
    };
    torch::Tensor value = stochastic ? kernels::map(f, x, uniform_like(x))
                                     : kernels::map([=](float v) { return f(v, 0.0f); }, x);
    kernels::Backward backward;
    if (!ste) backward = kernels::elementwise_derivative([keep](float) { return keep; });
    return kernels::straight_through(x, value, backward);
  }
};

class QuantizedReluPo2 : public QuantizerBase<QuantizedReluPo2>, PowerOfTwoBase {
 public:
  std::string_view name() const override { return "quantized_relu_po2"; }

  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"max_value", max_value_},
        {"negative_slope", negative_slope_, 0.0},
        {"use_stochastic_rounding", stochastic_, false},
        {"quadratic_approximation", quadratic_, false},
        {"log2_rounding", log2_rounding_, "rnd", {"rnd", "floor"}},
        {"qnoise_factor", qnoise_, 1.0},
        {"use_ste", use_ste_, true},
    };
  }
  void validate() override {
    if (negative_slope_ < 0.0) throw QuantizerError("negative_slope must be >= 0");
    int exponent;
    if (negative_slope_ != 0.0 && std::frexp(negative_slope_, &exponent) != 0.5)
      throw QuantizerError("negative_slope must be a power of 2, got " + format_number(negative_slope_));
    validate_common(bits_ - exponent_sign_bit(max_value_));
  }

  int bits() const override { return bits_; }
  double max() const override { return po2_max(); }
  double min() const override {
    double smallest = std::ldexp(1.0, int(clip_.min_exp));
    if (negative_slope_ == 0.0 || bits_ - 1 <= 0) return smallest;
    return std::min(smallest, -negative_slope_ * std::ldexp(1.0, bits_ - 1));
  }
  // hls4ml.md §3.3: like quantized_relu with integer defaulting to bits − 1.
  std::optional<HardwareType> hardware_type(Role role) const override {
    if (role != Role::Activation) return std::nullopt;
    FixedType t{bits_, bits_ - 1, false, RoundingMode::RND_CONV, OverflowMode::SAT};
    return HardwareType{HardwareType::Kind::Fixed, t};
  }
  void set_qnoise_factor(double q) override {
    check_qnoise_factor(q);
    qnoise_ = q;
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    const ExponentClip clip = clip_;
    const bool stochastic = stochastic_ && training, ste = use_ste_;
    const float ns = float(negative_slope_), q = float(qnoise_), keep = float(1.0 - qnoise_);
    const bool has_max = max_value_.has_value();
    const float max_value = has_max ? float(*max_value_) : 0.0f;
    auto base = [=](float v) {
      if (has_max && !(v <= max_value)) return max_value;
      return v > 0.0f ? v : (ns == 0.0f ? 0.0f : ns * v);
    };
    auto f = [=](float v, float u0, float u1) {
      float xq;
      if (v >= 0.0f || ns == 0.0f) xq = kernels::exp2_integral(clip(std::fmax(v, 0.0f), stochastic, u0));
      else xq = -kernels::exp2_integral(clip(std::fmax(-v, 0.0f) * ns, stochastic, u1));
      float b = base(v);
      return ste ? b + q * (xq - b) : keep * b + q * xq;
    };
    torch::Tensor value = stochastic ? kernels::map(f, x, uniform_like(x), uniform_like(x))
                                     : kernels::map([=](float v) { return f(v, 0.0f, 0.0f); }, x);
    const float gain = ste ? 1.0f : keep;
    auto derivative = [=](float v) { return has_max && !(v <= max_value) ? 0.0f : gain * (v > 0.0f ? 1.0f : ns); };
    return kernels::straight_through(x, value, kernels::elementwise_derivative(derivative));
  }

 private:
  double negative_slope_ = 0.0;
};

}  // namespace

std::unique_ptr<Quantizer> make_quantized_po2() { return std::make_unique<QuantizedPo2>(); }
std::unique_ptr<Quantizer> make_quantized_relu_po2() { return std::make_unique<QuantizedReluPo2>(); }

}  // namespace quantizers
