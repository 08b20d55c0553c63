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
template <RoundingMode Rounding, OverflowMode Overflow>
struct FastQuantizeLoop {
  double scale, inverse_scale;  // 2^F, 2^-F
  double lowest, highest;       // code range
  double modulus, inverse_modulus;  // 2^W, 2^-W
  double lowest_kept;           // the smallest code saturation keeps: -highest under AP_SAT_SYM

  void operator()(int64_t begin, int64_t end, double* __restrict out, const double* __restrict in,
                  bool* slow) const {
    constexpr double kBig = 2251799813685248.0;     // 2^51
    constexpr double kShift = 6755399441055744.0;   // 1.5 * 2^52
    int64_t slow_count = 0;  // an integer sum: a bool reduction beside doubles does not vectorise
    for (int64_t i = begin; i < end; ++i) {
      const double x = in[i];
      const double q = x * scale;
      const bool fast = (q < kBig) & (q > -kBig) & ((q != 0.0) | (x == 0.0));
      slow_count += fast ? 0 : 1;
      const double c = fast ? q : 0.0;
      const double nearest = (c + kShift) - kShift;  // round half even
      double down = nearest > c ? nearest - 1.0 : nearest;  // floor
      const double frac = c - down;
      // Rounding up or down as ternaries on doubles (blends): GCC 12 does not
      // vectorise bool masks combined with & and | beside doubles.
      const double up = down + 1.0;
      double r;
      if constexpr (Rounding == RoundingMode::TRN) {
        r = down;
      } else if constexpr (Rounding == RoundingMode::TRN_ZERO) {
        r = (c < 0.0 ? frac : 0.0) > 0.0 ? up : down;  // up only below zero
      } else if constexpr (Rounding == RoundingMode::RND) {
        r = frac >= 0.5 ? up : down;
      } else if constexpr (Rounding == RoundingMode::RND_MIN_INF) {
        r = frac > 0.5 ? up : down;
      } else if constexpr (Rounding == RoundingMode::RND_ZERO) {  // ties toward zero
        r = frac > 0.5 ? up : frac < 0.5 ? down : down < 0.0 ? up : down;
      } else if constexpr (Rounding == RoundingMode::RND_INF) {  // ties away from zero
        r = frac > 0.5 ? up : frac < 0.5 ? down : down >= 0.0 ? up : down;
      } else {  // RND_CONV: ties to the even code, the FPU's own rounding
        r = nearest;
      }
      if constexpr (Overflow == OverflowMode::WRAP) {
        const double t = (r - lowest) * inverse_modulus;  // exact: the modulus is a power of two
        double wraps = (t + kShift) - kShift;
        wraps = wraps > t ? wraps - 1.0 : wraps;
        r -= wraps * modulus;
      } else if constexpr (Overflow == OverflowMode::SAT_ZERO) {
        r = r < lowest ? 0.0 : r;
        r = r > highest ? 0.0 : r;
      } else {  // SAT, and SAT_SYM with lowest_kept = -highest
        r = r < lowest_kept ? lowest_kept : r;
        r = r > highest ? highest : r;
      }
      out[i] = r * inverse_scale + 0.0;
    }
    *slow = slow_count != 0;
  }
};

// Runs the loop instantiated for the type's modes over [begin, end); the
// modes are template arguments so that each loop is straight-line code the
// compiler vectorises.
template <OverflowMode Overflow>
void quantize_range(const FixedType& type, int64_t begin, int64_t end, double* out, const double* in, bool* slow) {
  auto run = [&](auto rounding) {
    const FastQuantizeLoop<decltype(rounding)::value, Overflow> loop{
        std::ldexp(1.0, type.fractional()),     std::ldexp(1.0, -type.fractional()),
        type.min_value() / type.lsb(),          type.max_value() / type.lsb(),
        std::ldexp(1.0, type.width),            std::ldexp(1.0, -type.width),
        type.overflow == OverflowMode::SAT_SYM && type.is_signed ? -type.max_value() / type.lsb()
                                                                 : type.min_value() / type.lsb()};
    kernels::run_loop(loop, begin, end, out, in, slow);
  };
  using R = RoundingMode;
  switch (type.rounding) {
    case R::RND: return run(std::integral_constant<R, R::RND>{});
    case R::RND_ZERO: return run(std::integral_constant<R, R::RND_ZERO>{});
    case R::RND_MIN_INF: return run(std::integral_constant<R, R::RND_MIN_INF>{});
    case R::RND_INF: return run(std::integral_constant<R, R::RND_INF>{});
    case R::RND_CONV: return run(std::integral_constant<R, R::RND_CONV>{});
    case R::TRN: return run(std::integral_constant<R, R::TRN>{});
    case R::TRN_ZERO: return run(std::integral_constant<R, R::TRN_ZERO>{});
  }
}

void quantize_range(const FixedType& type, int64_t begin, int64_t end, double* out, const double* in, bool* slow) {
  switch (type.overflow) {
    case OverflowMode::WRAP: return quantize_range<OverflowMode::WRAP>(type, begin, end, out, in, slow);
    case OverflowMode::SAT_ZERO: return quantize_range<OverflowMode::SAT_ZERO>(type, begin, end, out, in, slow);
    default: return quantize_range<OverflowMode::SAT>(type, begin, end, out, in, slow);  // SAT, SAT_SYM
  }
}

}  // namespace

void quantize_values(const FixedType& type, const double* in, double* out, int64_t n) {
  // AP_WRAP with saturated top bits and AP_WRAP_SM keep the scalar path.
  const bool vectorised = type.saturation_bits == 0 && type.overflow != OverflowMode::WRAP_SM && type.width <= 50;
  bool slow = true;
  if (vectorised) quantize_range(type, 0, n, out, in, &slow);
  if (slow)
    for (int64_t i = 0; i < n; ++i) out[i] = type.quantize(in[i]);
}

namespace {

// FixedType::quantize on every element, in float64 on the CPU where the
// conversion is exact.  Errors raised inside the parallel loop (NaN, infinity
// under AP_WRAP) are rethrown here by at::parallel_for.
at::Tensor quantize_elements(const at::Tensor& x, const FixedType& type) {
  type.quantize(0.0);  // rejects an unsupported type even when x is empty
  const at::Tensor source = x.to(at::kCPU, at::kDouble).contiguous();
  at::Tensor result = at::empty_like(source);
  const double* in = source.data_ptr<double>();
  double* out = result.data_ptr<double>();
  at::parallel_for(0, source.numel(), kernels::detail::kGrain, [&](int64_t begin, int64_t end) {
    quantize_values(type, in + begin, out + begin, end - begin);
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
