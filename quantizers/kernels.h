// Building blocks of the quantizer forwards: float32 element-wise maps with
// TensorFlow's flush-to-zero, exact rounding helpers, and the straight-through
// gradient attached to a forward value.  Internal to quantizers/.
#pragma once

#include <ATen/Parallel.h>
#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <tuple>
#include <vector>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace quantizers::kernels {

constexpr float kEpsilon = 1e-7f;  // K.epsilon()
// QKeras divides natural logs by np.log(2.0), which TensorFlow rounds to float32.
constexpr float kLn2 = 0.693147182464599609375f;

// TensorFlow's CPU kernels run with flush-to-zero and denormals-are-zero set;
// QKeras' reference values depend on it (qkeras.md §0).  Scoped to a thread.
class FlushDenormals {
 public:
#if defined(__SSE__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#endif
};

// tf.round: round half to even.  Adding and removing 2^23 to a magnitude
// below 2^23 rounds it with the FPU's round-to-nearest-even in plain
// arithmetic, which vectorises where a call to nearbyint would not.
inline float round_half_even(float x) {
  float a = std::fabs(x);
  float r = a < 8388608.0f ? (a + 8388608.0f) - 8388608.0f : a;  // larger values are integers (or NaN / inf)
  return std::copysign(r, x);
}

// K.clip / tf.clip_by_value (NaN passes through).  Written as selects rather
// than fmin/fmax, which are library calls without -ffinite-math-only.
inline float clip(float x, float lo, float hi) {
  float above = x < lo ? lo : x;
  return above > hi ? hi : above;
}

// tf.sign followed by QKeras' `+= 1 - abs(sign)`: 0 maps to +1.
inline float sign_nonzero(float x) { return x < 0.0f ? -1.0f : (x > 0.0f ? 1.0f : (x == 0.0f ? 1.0f : x)); }
// tf.sign: sign(0) = 0.
inline float sign(float x) { return x < 0.0f ? -1.0f : (x > 0.0f ? 1.0f : x == 0.0f ? 0.0f : x); }

// 2^e for an integral e, flushed to zero below the normal range as TF does.
inline float exp2_integral(float e) {
  if (std::isnan(e)) return e;
  if (e < -126.0f) return 0.0f;
  if (e > 127.0f) return INFINITY;
  uint32_t bits = static_cast<uint32_t>(static_cast<int>(e) + 127) << 23;
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// Contiguous float32 view of x (differentiable), as K.cast_to_floatx.
inline torch::Tensor as_float32(const torch::Tensor& x) { return x.to(torch::kFloat32).contiguous(); }

// out[i] = f(in0[i], in1[i], ...) over contiguous float32 tensors of equal size.
template <class F, class... T>
torch::Tensor map(F f, const torch::Tensor& x, const T&... more) {
  torch::Tensor out = torch::empty_like(x, torch::MemoryFormat::Contiguous);
  const auto in = std::make_tuple(x.data_ptr<float>(), more.template data_ptr<float>()...);
  float* o = out.data_ptr<float>();
  at::parallel_for(0, x.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
    FlushDenormals ftz;
    std::apply(
        [&](const auto*... p) {
          for (int64_t i = begin; i < end; ++i) o[i] = f(p[i]...);
        },
        in);
  });
  return out;
}

// Gradient rule of a quantizer: dL/dx from x and dL/dy.  Empty means identity.
using Backward = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& grad)>;

// The element-wise rule dL/dx = dL/dy · d(x).
template <class D>
Backward elementwise_derivative(D d) {
  return [d](const torch::Tensor& x, const torch::Tensor& grad) {
    return map([d](float xv, float g) { return g * d(xv); }, x, grad.to(torch::kFloat32).contiguous());
  };
}

// Returns `value` (computed without autograd) as a function of x whose
// gradient is `backward`: QKeras' `base + stop_gradient(...)` pattern.
torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value, Backward backward = {});

// Axes averaged or maxed over for a per-channel scale: all but `keep`.
std::vector<int64_t> all_axes_but(int64_t rank, const std::vector<int>& keep);
// QKeras' _get_scaling_axis: scale_axis None keeps the last (channel) axis.
std::vector<int64_t> scaling_axes(int64_t rank, const std::optional<std::vector<int>>& scale_axis);

// po2(t) = 2^round(ln(t + eps)/ln 2) on a tensor.
torch::Tensor round_to_power_of_two(const torch::Tensor& t);

// QKeras' stochastic_round(x, precision) with scale = 1/precision: floor or
// ceil of x·scale, ceil with probability equal to the fraction; u ~ U[0,1).
inline float stochastic_round(float x, float scale, float u) {
  float sx = x * scale;
  float fl = std::floor(sx);
  return (sx - fl < u ? fl : std::ceil(sx)) / scale;
}

}  // namespace quantizers::kernels
