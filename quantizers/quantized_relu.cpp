// quantized_relu: a ReLU (or power-of-two leaky ReLU) on a fixed-point grid
// with a clipped straight-through gradient (qkeras.md §1.3).
#include <torch/types.h>
#include <torch/utils.h>

#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

using kernels::clip;
using kernels::round_half_even;

class QuantizedRelu : public QuantizerBase<QuantizedRelu> {
 public:
  std::string_view name() const override { return "quantized_relu"; }

  std::vector<Field> fields() override {
    return {
        {"bits", bits_, 8, true},
        {"integer", integer_, 0, true},
        {"use_sigmoid", use_sigmoid_, false},
        {"negative_slope", negative_slope_, 0.0},
        {"use_stochastic_rounding", stochastic_, false},
        {"relu_upper_bound", relu_upper_bound_},
        {"is_quantized_clip", is_quantized_clip_, true},
        {"qnoise_factor", qnoise_, 1.0},
        {"use_ste", use_ste_, true},
        {"enable_fast_inference", fast_inference_, false},
    };
  }

  void validate() override {
    if (bits_ < 1) throw QuantizerError("bits must be at least 1, got " + std::to_string(bits_));
    if (negative_slope_ < 0.0) throw QuantizerError("negative_slope must be >= 0");
    int exponent;
    if (negative_slope_ != 0.0 && std::frexp(negative_slope_, &exponent) != 0.5)
      throw QuantizerError("negative_slope must be a power of 2, got " + format_number(negative_slope_));
    check_qnoise_factor(qnoise_);
  }

  int bits() const override { return bits_; }
  double max() const override { return sign_free_bits() > 0 ? std::max(1.0, std::ldexp(1.0, integer_)) : 1.0; }
  double min() const override {
    if (negative_slope_ == 0.0) return 0.0;
    return bits_ - 1 > 0 ? std::min(-0.0, -negative_slope_ * std::ldexp(1.0, integer_)) : -1.0;
  }
  std::vector<double> range() const override {
    if (use_sigmoid_ || negative_slope_ != 0.0)
      throw QuantizerError("quantized_relu.range() needs use_sigmoid=0 and negative_slope=0");
    std::vector<double> values;
    for (int64_t k = 0; k < (int64_t{1} << bits_); ++k) values.push_back(std::ldexp(double(k), integer_ - bits_));
    return values;
  }

  // hls4ml.md §3.3: ap_ufixed<bits, integer, RND_CONV, SAT>; a leaky slope
  // needs the sign bit: ap_fixed<bits, integer + 1, ...>.
  std::optional<HardwareType> hardware_type(Role role) const override {
    if (role != Role::Activation) return std::nullopt;
    bool is_signed = negative_slope_ != 0.0;
    FixedType t{bits_, integer_ + int(is_signed), is_signed, RoundingMode::RND_CONV, OverflowMode::SAT};
    if (t.width - t.integer <= 0) t = FixedType::integer_type(t.integer, is_signed);
    return HardwareType{HardwareType::Kind::Fixed, t};
  }

  void set_qnoise_factor(double q) override {
    check_qnoise_factor(q);
    qnoise_ = q;
  }

 protected:
  torch::Tensor quantize(const torch::Tensor& x, bool training) override {
    if (fast_inference_) return fast_quantize(x);
    const float m = std::ldexp(1.0f, sign_free_bits());
    const float m_i = std::ldexp(1.0f, integer_);
    const float m_f = std::ldexp(1.0f, integer_ - sign_free_bits());
    const float ns = float(negative_slope_);
    const float top = 1.0f - 1.0f / m;
    const float inv_m = 1.0f / m, inv_m_i = 1.0f / m_i;
    const float neg_factor = 1.0f / (ns * m);
    const bool has_upper = relu_upper_bound_.has_value();
    const float upper = has_upper ? float(*relu_upper_bound_) : 0.0f;
    // The base whose gradient the STE passes: leaky ReLU, clipped at the top
    // of the grid (is_quantized_clip) or at relu_upper_bound.
    const float bound = is_quantized_clip_ ? m_i - m_f : upper;
    const bool clipped = is_quantized_clip_ || has_upper;
    const bool clip_output = has_upper && !is_quantized_clip_;
    auto leaky = [ns](float v) { return v > 0.0f ? v : (ns == 0.0f ? 0.0f : ns * v); };
    auto base = [=](float v) { return clipped && !(v <= bound) ? bound : leaky(v); };

    const bool sigmoid = use_sigmoid_;
    const InternalSigmoid mode = internal_sigmoid();
    // `round` is tf.round or a stochastic draw; QKeras rounds relu values with
    // its default stochastic precision 0.5.
    auto quantized = [=](float v, auto round) {
      float xq, p;
      if (sigmoid) {
        p = internal_sigmoid_value(v / m_i, mode) * m;
        xq = m_i * clip(2.0f * (round(p, 0) / m) - 1.0f, 0.0f, top);
        if (ns > 0.0f) xq = xq + (m_i * ns) * clip(2.0f * (round(p * ns, 1) * neg_factor) - 1.0f, -1.0f, 0.0f);
      } else {
        p = (v * m) / m_i;
        xq = m_i * clip(round(p, 0) / m, 0.0f, top);
        if (ns > 0.0f) xq = xq + (m_i * ns) * clip(round(p * ns, 1) * neg_factor, -1.0f, 0.0f);
      }
      if (clip_output && !(xq <= upper)) xq = upper;
      return xq;
    };
    const bool ste = use_ste_;
    const float q = float(qnoise_), keep = float(1.0 - qnoise_);
    auto mix = [=](float v, float xq) {
      float b = base(v);
      return ste ? b + q * (xq - b) : keep * b + q * xq;
    };

    // The straight-through gradient, constant on three pieces: 0 above the
    // clip, the STE gain on the positive side and gain·slope below.  The
    // forward pass records each element's piece when a gradient is wanted.
    const float gain = ste ? 1.0f : keep;
    kernels::Pieces pieces{{}, {0.0f, gain, gain * ns}};
    auto piece = [=](float v) -> uint8_t { return clipped && !(v <= bound) ? 0 : (v > 0.0f ? 1 : 2); };
    // Without a negative slope, pieces 0 and 2 share the slope 0: one test.
    auto inside = [=](float v) -> uint8_t { return v > 0.0f && !(clipped && !(v <= bound)) ? 1 : 0; };
    torch::Tensor* record = kernels::wants_gradient(x) ? &pieces.index : nullptr;

    torch::Tensor value;
    if (!sigmoid && ns == 0.0f && !clip_output && !(stochastic_ && training)) {
      // The common ReLU in a loop the compiler can vectorise.
      value = kernels::map_recording(
          [=](float v) {
            // Power-of-two divisions as exact reciprocal multiplications.
            float xq = m_i * clip(round_half_even((v * m) * inv_m_i) * inv_m, 0.0f, top);
            float b = clipped && !(v <= bound) ? bound : (v > 0.0f ? v : 0.0f);
            return ste ? b + q * (xq - b) : keep * b + q * xq;
          },
          inside, record, x);
    } else if (stochastic_ && training) {
      value = kernels::map_recording(
          [=](float v, float u0, float u1) {
            auto draw = [u0, u1](float t, int which) { return kernels::stochastic_round(t, 2.0f, which ? u1 : u0); };
            return mix(v, quantized(v, draw));
          },
          piece, record, x, uniform_like(x), uniform_like(x));
    } else {
      value = kernels::map_recording(
          [=](float v) { return mix(v, quantized(v, [](float t, int) { return round_half_even(t); })); }, piece,
          record, x);
    }
    return kernels::straight_through(x, value, std::move(pieces));
  }

 private:
  // QKeras' XLA inference path: m_i·clip(round(x·2^(bits−integer))·2^−bits, 0, 1 − 2^−bits), no STE.
  torch::Tensor fast_quantize(const torch::Tensor& x) const {
    const float scale = std::ldexp(1.0f, bits_ - integer_), factor = std::ldexp(1.0f, -bits_);
    const float m_i = std::ldexp(1.0f, integer_);
    return kernels::map([=](float v) { return m_i * clip(round_half_even(v * scale) * factor, 0.0f, 1.0f - factor); },
                        x);
  }

  int sign_free_bits() const { return bits_ - int(negative_slope_ != 0.0); }

  int bits_ = 8;
  int integer_ = 0;
  bool use_sigmoid_ = false;
  double negative_slope_ = 0.0;
  bool stochastic_ = false;
  std::optional<double> relu_upper_bound_;
  bool is_quantized_clip_ = true;
  double qnoise_ = 1.0;
  bool use_ste_ = true;
  bool fast_inference_ = false;
};

}  // namespace

std::unique_ptr<Quantizer> make_quantized_relu() { return std::make_unique<QuantizedRelu>(); }

}  // namespace quantizers
