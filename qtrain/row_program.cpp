#include "qtrain/row_program.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>

#include "quantizers/fixed_quantize.h"
#include "quantizers/isa_loops.h"

namespace qtrain {
namespace {

// y (rows, n_out) = bias + x (rows, n_in) · w (n_in, n_out), summed in T
// (double, or float when every partial sum fits in 24 bits): w and bias are
// T with `stride` columns, a multiple of kColumns, zero beyond n_out; x and
// y are double.  Every product and partial sum is exact (dense_program
// checked it), so the order of the sums does not matter.  Blocks of 4 rows
// by 2 vectors are summed in eight registers over all of k: each weight load
// serves four rows, and eight independent sums hide the additions' latency.
// Vectors are of `Bytes`: 64 for AVX-512, 32 for AVX2 (two SSE2 registers);
// GCC lowers vectors wider than the ISA's poorly.
template <class T, int Bytes>
struct GemmLoop {
  typedef T Vec __attribute__((vector_size(Bytes)));
  static constexpr int64_t kLanes = Bytes / sizeof(T), kColumns = 2 * kLanes, kRows = 4;

  static void load(Vec& v, const T* p) { std::memcpy(&v, p, sizeof v); }

  // Stores the first `columns` of (low, high) at y.
  static void store(double* __restrict y, const Vec& low, const Vec& high, int64_t columns) {
    T values[kColumns];
    std::memcpy(values, &low, sizeof low);
    std::memcpy(values + kLanes, &high, sizeof high);
    if (columns == kColumns) {
      for (int64_t c = 0; c < kColumns; ++c) y[c] = values[c];
    } else {
      for (int64_t c = 0; c < columns; ++c) y[c] = values[c];
    }
  }

  // Rows x[0..3] into y[0..3]; rows past the last repeat it, with a null y.
  static void block(int64_t n_in, int64_t stride, int64_t columns, const double* const* x, const T* __restrict w,
                    const T* __restrict bias, double* const* y) {
    Vec low, high;
    load(low, bias);
    load(high, bias + kLanes);
    Vec a0 = low, a1 = high, b0 = low, b1 = high, c0 = low, c1 = high, d0 = low, d1 = high;
    const double *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    for (int64_t k = 0; k < n_in; ++k) {
      Vec w0, w1;
      load(w0, w + k * stride);
      load(w1, w + k * stride + kLanes);
      const T p = static_cast<T>(x0[k]), q = static_cast<T>(x1[k]), r = static_cast<T>(x2[k]),
              s = static_cast<T>(x3[k]);
      a0 += p * w0;
      a1 += p * w1;
      b0 += q * w0;
      b1 += q * w1;
      c0 += r * w0;
      c1 += r * w1;
      d0 += s * w0;
      d1 += s * w1;
    }
    store(y[0], a0, a1, columns);
    if (y[1]) store(y[1], b0, b1, columns);
    if (y[2]) store(y[2], c0, c1, columns);
    if (y[3]) store(y[3], d0, d1, columns);
  }

  void operator()(int64_t rows, int64_t n_in, int64_t stride, int64_t n_out, const double* __restrict x,
                  const T* __restrict w, const T* __restrict bias, double* __restrict y) const {
    for (int64_t j = 0; j < n_out; j += kColumns) {
      const int64_t columns = std::min(kColumns, n_out - j);
      for (int64_t r = 0; r < rows; r += kRows) {
        const double* in[kRows];
        double* out[kRows];
        for (int64_t i = 0; i < kRows; ++i) {
          const bool inside = r + i < rows;
          in[i] = x + (inside ? r + i : r) * n_in;
          out[i] = inside ? y + (r + i) * n_out + j : nullptr;
        }
        block(n_in, stride, columns, in, w + j, bias + j, out);
      }
    }
  }
};

// The GEMM with vectors as wide as the ISA's registers; its products and
// sums are exact, so fused multiply-adds are allowed.
template <class T>
void gemm(int64_t rows, int64_t n_in, int64_t stride, int64_t n_out, const double* x, const T* w, const T* bias,
          double* y) {
  using quantizers::kernels::run_exact_loop;
  if (quantizers::kernels::loop_isa() == quantizers::kernels::Isa::Avx512)
    run_exact_loop(GemmLoop<T, 64>{}, rows, n_in, stride, n_out, x, w, bias, y);
  else
    run_exact_loop(GemmLoop<T, 32>{}, rows, n_in, stride, n_out, x, w, bias, y);
}

// y = bias + x · scale, per column of rows `width` wide.
struct AffineLoop {
  void operator()(int64_t rows, int64_t width, const double* __restrict x, const double* __restrict scale,
                  const double* __restrict bias, double* __restrict y) const {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < width; ++j) y[r * width + j] = bias[j] + x[r * width + j] * scale[j];
  }
};

struct ClampMinLoop {
  void operator()(int64_t n, const double* __restrict x, double* __restrict y) const {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0 ? 0.0 : x[i];
  }
};

// One step over `rows` rows of `width` values; returns the output width.
int64_t run_step(const RowStep& step, const double* x, int64_t rows, int64_t width, double* y) {
  switch (step.kind) {
    case RowStep::Kind::Gemm:
      if (step.weight.scalar_type() == at::kFloat)
        gemm(rows, width, step.weight.size(1), step.columns, x, step.weight.data_ptr<float>(),
             step.bias.data_ptr<float>(), y);
      else
        gemm(rows, width, step.weight.size(1), step.columns, x, step.weight.data_ptr<double>(),
             step.bias.data_ptr<double>(), y);
      return step.columns;
    case RowStep::Kind::Affine:
      quantizers::kernels::run_loop(AffineLoop{}, rows, width, x, step.weight.data_ptr<double>(),
                                    step.bias.data_ptr<double>(), y);
      return width;
    case RowStep::Kind::ClampMin: quantizers::kernels::run_loop(ClampMinLoop{}, rows * width, x, y); return width;
    case RowStep::Kind::Cast: quantizers::quantize_values(step.type, x, y, rows * width); return width;
  }
  return width;
}

}  // namespace

RowStep gemm_step(const at::Tensor& w, const at::Tensor& bias, bool single) {
  const int64_t n_out = w.size(1);
  const int64_t block = single ? GemmLoop<float, 64>::kColumns : GemmLoop<double, 64>::kColumns;
  auto padded = [&](const at::Tensor& t) {
    return at::constant_pad_nd(t, {0, (block - n_out % block) % block})
        .to(single ? at::kFloat : at::kDouble)
        .contiguous();
  };
  return {RowStep::Kind::Gemm, padded(w), padded(bias), n_out, {}};
}

// Tiles of rows in parallel, each through every step in two buffers that
// stay in cache.
at::Tensor run_programs(const std::vector<const RowProgram*>& chain, const at::Tensor& x) {
  constexpr int64_t kTile = 128;
  const at::Tensor in = x.to(at::kDouble).contiguous();
  const int64_t rows = in.size(0), in_width = chain.front()->in_width, out_width = chain.back()->out_width;
  at::Tensor out = at::empty({rows, out_width}, at::kDouble);
  int64_t widest = in_width, steps = 0;
  for (const RowProgram* p : chain) {
    widest = std::max(widest, p->out_width);
    steps += static_cast<int64_t>(p->steps.size());
  }
  const double* source = in.data_ptr<double>();
  double* target = out.data_ptr<double>();
  at::parallel_for(0, (rows + kTile - 1) / kTile, 1, [&](int64_t first, int64_t last) {
    std::vector<double> buffers(2 * kTile * widest);
    double* const ping = buffers.data();
    double* const pong = ping + kTile * widest;
    for (int64_t tile = first; tile < last; ++tile) {
      const int64_t begin = tile * kTile, count = std::min(kTile, rows - begin);
      const double* values = source + begin * in_width;
      double* const result = target + begin * out_width;
      if (steps == 0) std::copy(values, values + count * in_width, result);
      int64_t width = in_width, done = 0;
      for (const RowProgram* p : chain)
        for (const RowStep& step : p->steps) {
          double* y = ++done == steps ? result : values == ping ? pong : ping;
          width = run_step(step, values, count, width, y);
          values = y;
        }
    }
  });
  return out;
}

}  // namespace qtrain
