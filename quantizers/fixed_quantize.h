// Tensor fake-quantization into a FixedType: exact (computed in float64), with
// the straight-through gradient (identity), as PTQ and the emulator need it.
#pragma once

#include <ATen/core/Tensor.h>

#include "quantizers/fixed_type.h"

namespace quantizers {

// Returns a float64 tensor of x converted element by element into `type`
// (FixedType::quantize).  Differentiable: the gradient is passed through
// unchanged and cast back to x's dtype.  Throws std::domain_error if x holds a
// NaN or the type is wider than FixedType::kMaxExactWidth bits.
at::Tensor fake_quantize(const at::Tensor& x, const FixedType& type);

// out[i] = type.quantize(in[i]) for i < n, on the calling thread, with the
// vectorised loop fake_quantize runs; `in` and `out` must not overlap.
// Throws as FixedType::quantize does.
void quantize_values(const FixedType& type, const double* in, double* out, int64_t n);

}  // namespace quantizers
