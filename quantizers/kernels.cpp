#include "quantizers/kernels.h"

#include <torch/autograd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace quantizers::kernels {
namespace {

// The forward value travels as a non-tensor argument so that autograd does
// not treat it as an input: the output is a fresh node whose only input is x.
struct Value {
  torch::Tensor tensor;
};

// dL/dx from dL/dy and, when the rule needs it, the saved x.
using GradientRule = std::function<torch::Tensor(const torch::Tensor& grad, const torch::Tensor& x)>;

struct RuleHolder : torch::CustomClassHolder {
  explicit RuleHolder(GradientRule fn) : fn(std::move(fn)) {}
  GradientRule fn;
};

struct StraightThrough : torch::autograd::Function<StraightThrough> {
  // An empty rule is the identity; x is saved only if the rule reads it.
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, Value value,
                               GradientRule rule, bool needs_x) {
    if (rule) {
      if (needs_x) ctx->save_for_backward({x});
      ctx->saved_data["rule"] = c10::IValue::make_capsule(c10::make_intrusive<RuleHolder>(std::move(rule)));
    }
    return value.tensor;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    torch::Tensor grad = grads[0];
    auto it = ctx->saved_data.find("rule");
    if (it != ctx->saved_data.end()) {
      auto saved = ctx->get_saved_variables();
      auto holder = it->second.toCapsule();
      grad = static_cast<RuleHolder*>(holder.get())->fn(grad, saved.empty() ? torch::Tensor() : saved[0]);
    }
    return {grad, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// dL/dy · slopes[index] in one pass; the table lookup is written as a chain
// of selects, which vectorise on every ISA (a gather needs AVX2).
torch::Tensor piecewise_gradient(const Pieces& pieces, const torch::Tensor& grad_in) {
  torch::Tensor grad = grad_in.to(torch::kFloat32).contiguous();
  if (!pieces.index.defined()) return grad * pieces.slopes[0];
  torch::Tensor out = torch::empty_like(grad);
  const float* g = grad.data_ptr<float>();
  const uint8_t* index = pieces.index.data_ptr<uint8_t>();
  float* o = out.data_ptr<float>();
  const std::array<float, Pieces::kMax> slopes = pieces.slopes;
  auto scaled = [slopes](float gv, uint8_t k) {
    float slope = slopes[0];
    for (int j = 1; j < Pieces::kMax; ++j) slope = k == j ? slopes[j] : slope;
    return gv * slope;
  };
  // Two distinct slopes (ReLU's: 0 outside (0, bound], the gain inside):
  // one compare instead of a chain.
  const float inside = slopes[1], outside = slopes[0];
  auto two_pieces = [inside, outside](float gv, uint8_t k) { return gv * (k == 1 ? inside : outside); };
  const bool two = slopes[2] == slopes[0];
  at::parallel_for(0, grad.numel(), detail::kGrain, [&](int64_t begin, int64_t end) {
    FlushDenormals ftz;
    if (two)
      run_loop(detail::MapLoop<decltype(two_pieces), float, uint8_t>{two_pieces}, begin, end, o, g, index);
    else
      run_loop(detail::MapLoop<decltype(scaled), float, uint8_t>{scaled}, begin, end, o, g, index);
  });
  return out;
}

}  // namespace

torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value, Backward backward) {
  if (!wants_gradient(x)) return value;
  GradientRule rule;
  if (backward) rule = [backward](const torch::Tensor& grad, const torch::Tensor& xv) { return backward(xv, grad); };
  return StraightThrough::apply(x, Value{value}, std::move(rule), bool(backward));
}

torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value, Pieces pieces) {
  if (!wants_gradient(x)) return value;
  GradientRule rule;  // a single piece of slope 1 is the identity
  if (pieces.index.defined() || pieces.slopes[0] != 1.0f)
    rule = [pieces = std::move(pieces)](const torch::Tensor& grad, const torch::Tensor&) {
      return piecewise_gradient(pieces, grad);
    };
  return StraightThrough::apply(x, Value{value}, std::move(rule), false);
}

Isa loop_isa() {
  static const Isa isa = [] {
    Isa widest = Isa::Baseline;
#ifdef QUANTIZERS_X86_LOOPS
    __builtin_cpu_init();  // in case this runs before libgcc's own constructor
    if (__builtin_cpu_supports("avx2")) widest = Isa::Avx2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
      widest = Isa::Avx512;
#endif
    const char* name = std::getenv("QTRAIN_KERNEL_ISA");
    if (name && std::string_view(name) == "baseline") return Isa::Baseline;
    if (name && std::string_view(name) == "avx2") return std::min(widest, Isa::Avx2);
    return widest;
  }();
  return isa;
}

bool cpu_has_fma() {
#ifdef QUANTIZERS_X86_LOOPS
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma") != 0;
  }();
  return has;
#else
  return false;
#endif
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
  return map([](float v) { return round_to_power_of_two(v); }, as_float32(t));
}

}  // namespace quantizers::kernels
