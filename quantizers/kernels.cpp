#include "quantizers/kernels.h"

#include <torch/autograd.h>

#include <algorithm>

namespace quantizers::kernels {
namespace {

// The forward value travels as a non-tensor argument so that autograd does
// not treat it as an input: the output is a fresh node whose only input is x.
struct Value {
  torch::Tensor tensor;
};

struct BackwardHolder : torch::CustomClassHolder {
  explicit BackwardHolder(Backward fn) : fn(std::move(fn)) {}
  Backward fn;
};

struct StraightThrough : torch::autograd::Function<StraightThrough> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, Value value,
                               Backward backward) {
    if (backward) {
      ctx->save_for_backward({x});
      ctx->saved_data["backward"] = c10::IValue::make_capsule(c10::make_intrusive<BackwardHolder>(std::move(backward)));
    }
    return value.tensor;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    torch::Tensor grad = grads[0];
    auto it = ctx->saved_data.find("backward");
    if (it != ctx->saved_data.end()) {
      auto holder = it->second.toCapsule();
      grad = static_cast<BackwardHolder*>(holder.get())->fn(ctx->get_saved_variables()[0], grad);
    }
    return {grad, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value, Backward backward) {
  if (!(x.requires_grad() && torch::GradMode::is_enabled())) return value;
  return StraightThrough::apply(x, Value{value}, std::move(backward));
}

std::vector<int64_t> all_axes_but(int64_t rank, const std::vector<int>& keep) {
  std::vector<int64_t> axes;
  for (int64_t a = 0; a < rank; ++a)
    if (std::find(keep.begin(), keep.end(), a) == keep.end()) axes.push_back(a);
  return axes;
}

std::vector<int64_t> scaling_axes(int64_t rank, const std::optional<std::vector<int>>& scale_axis) {
  if (scale_axis) {
    for (int a : *scale_axis)
      if (a < 0 || a >= rank)
        throw std::invalid_argument("scale_axis " + std::to_string(a) + " is out of range for a rank-" +
                                    std::to_string(rank) + " tensor");
    return all_axes_but(rank, *scale_axis);
  }
  return all_axes_but(rank, {static_cast<int>(rank) - 1});
}

torch::Tensor round_to_power_of_two(const torch::Tensor& t) {
  return map([](float v) { return exp2_integral(round_half_even(std::log(v + kEpsilon) / kLn2)); },
             as_float32(t));
}

}  // namespace quantizers::kernels
