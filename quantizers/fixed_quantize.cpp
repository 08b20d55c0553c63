#include "quantizers/fixed_quantize.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

namespace quantizers {
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
  at::parallel_for(0, source.numel(), at::internal::GRAIN_SIZE, [&](int64_t begin, int64_t end) {
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
