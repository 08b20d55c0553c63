// Building blocks of the quantizer forwards: float32 element-wise maps with
// TensorFlow's flush-to-zero, exact rounding helpers, and the straight-through
// gradient attached to a forward value.  Internal to quantizers/.
#pragma once

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/types.h>

#include <algorithm>
#include <array>
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

#include "quantizers/isa_loops.h"

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

// floor(a) for a >= 0, NaN or infinity, as round-half-even is written: the
// same trick then a step down where it rounded up.  (std::floor vectorises
// only with SSE4.1.)
inline float floor_nonnegative(float a) {
  float r = (a + 8388608.0f) - 8388608.0f;
  r = r > a ? r - 1.0f : r;
  return a < 8388608.0f ? r : a;
}

// po2(t) = 2^round(ln(t + eps)/ln 2).
inline float round_to_power_of_two(float t) { return exp2_integral(round_half_even(std::log(t + kEpsilon) / kLn2)); }

// Contiguous float32 view of x (differentiable), as K.cast_to_floatx.
inline torch::Tensor as_float32(const torch::Tensor& x) { return x.to(torch::kFloat32).contiguous(); }

namespace detail {

// Elements per task of the element-wise loops (a few hundred KB of float32).
constexpr int64_t kGrain = int64_t{1} << 15;

// float for each input tensor of map().
template <class>
using Float = float;

// out[i] = f(in[i]...) for i in [begin, end).
template <class F, class... In>
struct MapLoop {
  F f;
  void operator()(int64_t begin, int64_t end, float* __restrict out, const In* __restrict... in) const {
    for (int64_t i = begin; i < end; ++i) out[i] = f(in[i]...);
  }
};

// The same, also storing piece(x[i]) in pieces[i].
template <class F, class P, class... In>
struct MapRecordingLoop {
  F f;
  P piece;
  void operator()(int64_t begin, int64_t end, float* __restrict out, uint8_t* __restrict pieces,
                  const float* __restrict x, const In* __restrict... more) const {
    for (int64_t i = begin; i < end; ++i) {
      out[i] = f(x[i], more[i]...);
      pieces[i] = piece(x[i]);
    }
  }
};

}  // namespace detail

// out[i] = f(x[i], more[i]...) over contiguous float32 tensors of equal size.
template <class F, class... T>
torch::Tensor map(F f, const torch::Tensor& x, const T&... more) {
  torch::Tensor out = torch::empty_like(x, torch::MemoryFormat::Contiguous);
  float* o = out.data_ptr<float>();
  const float* in = x.data_ptr<float>();
  const auto inputs = std::make_tuple(more.template data_ptr<float>()...);
  at::parallel_for(0, x.numel(), detail::kGrain, [&](int64_t begin, int64_t end) {
    FlushDenormals ftz;
    std::apply(
        [&](const auto*... m) { run_loop(detail::MapLoop<F, float, detail::Float<T>...>{f}, begin, end, o, in, m...); },
        inputs);
  });
  return out;
}

// Whether autograd will ask x for a gradient.
inline bool wants_gradient(const torch::Tensor& x) { return x.requires_grad() && at::GradMode::is_enabled(); }

// A straight-through gradient that is constant on a few pieces of the input
// range: dL/dx = dL/dy · slopes[piece(x)].  The forward pass records every
// element's piece as one byte, so the backward pass neither keeps x alive
// (4 bytes per element) nor recomputes the derivative.  No `index` tensor
// means a single piece: dL/dx = dL/dy · slopes[0] (the identity for slope 1).
struct Pieces {
  static constexpr int kMax = 3;
  torch::Tensor index;  // uint8, shaped like x
  std::array<float, kMax> slopes{};
};

// map() which, when `pieces` is given, also stores piece(x[i]) (an index
// into Pieces::slopes) in *pieces, in the same pass.
template <class F, class P, class... T>
torch::Tensor map_recording(F f, P piece, torch::Tensor* pieces, const torch::Tensor& x, const T&... more) {
  if (!pieces) return map(f, x, more...);
  torch::Tensor out = torch::empty_like(x, torch::MemoryFormat::Contiguous);
  *pieces = torch::empty(x.sizes(), x.options().dtype(torch::kUInt8));
  float* o = out.data_ptr<float>();
  uint8_t* p = pieces->data_ptr<uint8_t>();
  const float* in = x.data_ptr<float>();
  const auto inputs = std::make_tuple(more.template data_ptr<float>()...);
  at::parallel_for(0, x.numel(), detail::kGrain, [&](int64_t begin, int64_t end) {
    FlushDenormals ftz;
    std::apply(
        [&](const auto*... m) {
          run_loop(detail::MapRecordingLoop<F, P, detail::Float<T>...>{f, piece}, begin, end, o, p, in, m...);
        },
        inputs);
  });
  return out;
}

namespace detail {

// body(row_begin, row_end, acc) over blocks [first, last) of `block` rows.
template <class T, class Body>
struct RowBlocks {
  Body body;
  int64_t rows, block, width;
  void operator()(int64_t first, int64_t last, T* partial) const {
    for (int64_t b = first; b < last; ++b) body(b * block, std::min(rows, (b + 1) * block), partial + b * width);
  }
};

// body(row, col_begin, col_end) over the row pieces of elements [begin, end).
template <class Body>
struct RowPieces {
  Body body;
  int64_t width;
  void operator()(int64_t begin, int64_t end) const {
    for (int64_t i = begin; i < end;) {
      const int64_t row = i / width, col = i - row * width, stop = std::min(width, col + (end - i));
      body(row, col, stop);
      i += stop - col;
    }
  }
};

}  // namespace detail

// Per-column reductions of a row-major [rows, width] matrix: body(row_begin,
// row_end, acc) folds rows [row_begin, row_end) into the `width`
// accumulators acc[0, width), each starting at `init`.  Blocks of rows run in
// parallel and their results are combined in block order by
// combine(total, part); the blocks depend on the shape only, so the result
// does not depend on the number of threads.  body runs under run_loop.
template <class T, class Body, class Combine>
std::vector<T> reduce_rows(int64_t rows, int64_t width, T init, const Body& body, Combine combine) {
  // About kGrain elements per block, but at most kMaxBlocks blocks, which
  // bounds the partial results for wide matrices.
  constexpr int64_t kMaxBlocks = 64;
  const int64_t block = std::max({int64_t{1}, detail::kGrain / width, (rows + kMaxBlocks - 1) / kMaxBlocks});
  const int64_t blocks = (rows + block - 1) / block;
  std::vector<T> partial(blocks * width, init);
  at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
    FlushDenormals ftz;
    run_loop(detail::RowBlocks<T, Body>{body, rows, block, width}, first, last, partial.data());
  });
  std::vector<T> total(width, init);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t c = 0; c < width; ++c) total[c] = combine(total[c], partial[b * width + c]);
  return total;
}

// Visits a row-major [rows, width] matrix in parallel, as body(row,
// col_begin, col_end) over pieces of rows, however few and long the rows
// are.  body runs under run_loop.
template <class Body>
void for_each_row_piece(int64_t rows, int64_t width, const Body& body) {
  at::parallel_for(0, rows * width, detail::kGrain, [&](int64_t begin, int64_t end) {
    FlushDenormals ftz;
    run_loop(detail::RowPieces<Body>{body, width}, begin, end);
  });
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
// The same with a piecewise-constant gradient.
torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value, Pieces pieces);

// Axes averaged or maxed over for a per-channel scale: all but `keep`.
std::vector<int64_t> all_axes_but(int64_t rank, const std::vector<int>& keep);
// QKeras' _get_scaling_axis: scale_axis None keeps the last (channel) axis.
std::vector<int64_t> scaling_axes(int64_t rank, const std::optional<std::vector<int>>& scale_axis);

// round_to_power_of_two on every element of a tensor.
torch::Tensor round_to_power_of_two(const torch::Tensor& t);

// QKeras' stochastic_round(x, precision) with scale = 1/precision: floor or
// ceil of x·scale, ceil with probability equal to the fraction; u ~ U[0,1).
inline float stochastic_round(float x, float scale, float u) {
  float sx = x * scale;
  float fl = std::floor(sx);
  return (sx - fl < u ? fl : std::ceil(sx)) / scale;
}

}  // namespace quantizers::kernels
