#include "quantizers/fixed_quantize.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <cmath>

#include "quantizers/kernels.h"

namespace quantizers {
namespace {

// FixedType::quantize of one element, branch-free so the loop vectorises.
// Codes are handled as doubles: below 2^51 in magnitude floor() is the
// round-half-even trick corrected by one, and every step is exact.  Elements
// this cannot take (NaN, infinities, |x·2^F| >= 2^51, values that underflow
// when scaled) raise `slow`, and the caller redoes the block with the scalar
// FixedType::quantize, which also reports NaN.
struct FastQuantizeLoop {
  double scale, inverse_scale;  // 2^F, 2^-F
  double lowest, highest;       // code range
  double modulus;               // 2^W
  RoundingMode rounding;
  OverflowMode overflow;
  bool symmetric;               // AP_SAT_SYM on a signed type

  void operator()(int64_t begin, int64_t end, double* __restrict out, const double* __restrict in,
                  bool* slow) const {
    constexpr double kBig = 2251799813685248.0;     // 2^51
    constexpr double kShift = 6755399441055744.0;   // 1.5 * 2^52
    bool any_slow = false;
    for (int64_t i = begin; i < end; ++i) {
      const double x = in[i];
      const double q = x * scale;
      const bool fast = (q < kBig) & (q > -kBig) & ((q != 0.0) | (x == 0.0));
      any_slow |= !fast;
      const double c = fast ? q : 0.0;
      double down = (c + kShift) - kShift;  // round half even
      down = down > c ? down - 1.0 : down;  // floor
      const double frac = c - down;
      double r;
      switch (rounding) {
        case RoundingMode::TRN: r = down; break;
        case RoundingMode::TRN_ZERO: r = (frac > 0.0) & (c < 0.0) ? down + 1.0 : down; break;
        case RoundingMode::RND: r = frac >= 0.5 ? down + 1.0 : down; break;
        case RoundingMode::RND_MIN_INF: r = frac > 0.5 ? down + 1.0 : down; break;
        case RoundingMode::RND_ZERO: r = (frac > 0.5) | ((frac == 0.5) & (down < 0.0)) ? down + 1.0 : down; break;
        case RoundingMode::RND_INF: r = (frac > 0.5) | ((frac == 0.5) & (down >= 0.0)) ? down + 1.0 : down; break;
        default: {  // RND_CONV
          const double half = down * 0.5;
          double half_down = (half + kShift) - kShift;
          half_down = half_down > half ? half_down - 1.0 : half_down;
          const bool odd = half != half_down;
          r = (frac > 0.5) | ((frac == 0.5) & odd) ? down + 1.0 : down;
        }
      }
      switch (overflow) {
        case OverflowMode::WRAP: {
          const double t = (r - lowest) / modulus;
          double wraps = (t + kShift) - kShift;
          wraps = wraps > t ? wraps - 1.0 : wraps;
          r -= wraps * modulus;
          break;
        }
        case OverflowMode::SAT_ZERO: r = (r < lowest) | (r > highest) ? 0.0 : r; break;
        default:  // SAT, SAT_SYM
          r = r < lowest ? lowest : r;
          r = r > highest ? highest : r;
          r = symmetric & (r == lowest) ? -highest : r;
      }
      out[i] = r * inverse_scale + 0.0;
    }
    *slow = any_slow;
  }
};

// FixedType::quantize on every element, in float64 on the CPU where the
// conversion is exact.  Errors raised inside the parallel loop (NaN, infinity
// under AP_WRAP) are rethrown here by at::parallel_for.
at::Tensor quantize_elements(const at::Tensor& x, const FixedType& type) {
  type.quantize(0.0);  // rejects an unsupported type even when x is empty
  const at::Tensor source = x.to(at::kCPU, at::kDouble).contiguous();
  at::Tensor result = at::empty_like(source);
  const double* in = source.data_ptr<double>();
  double* out = result.data_ptr<double>();
  // AP_WRAP with saturated top bits and AP_WRAP_SM keep the scalar path.
  const bool vectorised = type.saturation_bits == 0 && type.overflow != OverflowMode::WRAP_SM && type.width <= 50;
  const FastQuantizeLoop loop{std::ldexp(1.0, type.fractional()),
                              std::ldexp(1.0, -type.fractional()),
                              type.min_value() / type.lsb(),
                              type.max_value() / type.lsb(),
                              std::ldexp(1.0, type.width),
                              type.rounding,
                              type.overflow,
                              type.overflow == OverflowMode::SAT_SYM && type.is_signed};
  at::parallel_for(0, source.numel(), kernels::detail::kGrain, [&](int64_t begin, int64_t end) {
    bool slow = true;
    if (vectorised) kernels::run_loop(loop, begin, end, out, in, &slow);
    if (slow)
      for (int64_t i = begin; i < end; ++i) out[i] = type.quantize(in[i]);
  });
  return result;
}

// Straight-through estimator: the forward pass quantizes, the backward pass
// treats it as the identity and returns the gradient in x's dtype and device.
struct FakeQuantize : torch::autograd::Function<FakeQuantize> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            const FixedType& type) {
    ctx->saved_data["dtype"] = x.scalar_type();
    ctx->saved_data["device"] = x.device();
    return quantize_elements(x, type);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const at::Tensor grad = grad_outputs[0].to(ctx->saved_data["device"].toDevice(),
                                               ctx->saved_data["dtype"].toScalarType());
    return {grad, at::Tensor()};  // no gradient for the type
  }
};

}  // namespace

at::Tensor fake_quantize(const at::Tensor& x, const FixedType& type) {
  return FakeQuantize::apply(x, type);
}

}  // namespace quantizers
