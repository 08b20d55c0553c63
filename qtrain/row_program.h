// Row programs: the firmware arithmetic of the layers that are, row by row,
// an exact GEMM and element-wise steps on exact fixed-point values in double
// (Dense and Conv on the exact-GEMM path, normalize with a fixed-point
// scale, linear and relu; see emulate.cpp, which plans them).  Their
// constants are prepared once per model, and their steps run over tiles of
// rows small enough to stay in cache, several layers at a time when each
// only feeds the next.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "quantizers/fixed_type.h"

namespace qtrain {

struct RowStep {
  // Gemm: y = bias + x · weight; Affine: y = bias + x · scale per column;
  // ClampMin: y = max(x, 0); Cast: y = x converted into `type`.
  enum class Kind { Gemm, Affine, ClampMin, Cast };
  Kind kind;
  // Gemm: see gemm_step(); Affine: scale and bias per column (float64).
  at::Tensor weight, bias;
  int64_t columns = 0;         // Gemm: n_out
  quantizers::FixedType type{};  // Cast
};

struct RowProgram {
  int64_t in_width = 0, out_width = 0;
  std::vector<RowStep> steps;
};

// The step y = bias + x · w for w (n_in, n_out) and bias (n_out) holding
// exact values whose products and partial sums are exact in double, or in
// float when `single` (every partial sum fits in 24 bits): the parameters
// converted to that type and padded with zero columns to the kernel's block.
RowStep gemm_step(const at::Tensor& w, const at::Tensor& bias, bool single);

// Runs a chain of programs, each on the previous one's output, over the rows
// of x (rows, chain.front()->in_width); returns (rows, chain.back()->out_width)
// in float64.
at::Tensor run_programs(const std::vector<const RowProgram*>& chain, const at::Tensor& x);

}  // namespace qtrain
