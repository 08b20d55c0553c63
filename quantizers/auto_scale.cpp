// Numerics shared by several quantizer families: least-squares channel
// scales, fixed alphas as tensors, the internal sigmoid and random draws.
#include <torch/types.h>
#include <torch/utils.h>

#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

// mean over `axes` of x·q and q·q, with QKeras' elements_per_scale grouping:
// each scale axis k is split into (dim_k / n_k, n_k) and the means are taken
// within groups, then repeated back to dim_k (qkeras `_get_scale_mean`).
std::pair<torch::Tensor, torch::Tensor> channel_means(const torch::Tensor& x, const torch::Tensor& q,
                                                      const ScaleOptions& options) {
  const int64_t rank = x.dim();
  if (!options.elements_per_scale) {
    auto axes = kernels::scaling_axes(rank, options.scale_axis);
    return {(x * q).mean(axes, /*keepdim=*/true), (q * q).mean(axes, /*keepdim=*/true)};
  }
  if (!options.scale_axis) throw QuantizerError("elements_per_scale needs scale_axis");
  std::vector<int> scale_axes = *options.scale_axis;
  std::vector<int> group = *options.elements_per_scale;
  if (group.size() == 1 && scale_axes.size() > 1) group.assign(scale_axes.size(), group[0]);
  if (group.size() != scale_axes.size())
    throw QuantizerError("scale_axis and elements_per_scale must have the same length");

  std::vector<int64_t> unrolled(x.sizes().begin(), x.sizes().end());
  std::vector<int> unrolled_axes;
  for (size_t i = 0; i < scale_axes.size(); ++i) {
    int axis = scale_axes[i] + static_cast<int>(i);  // earlier splits shift later axes
    if (scale_axes[i] < 0 || scale_axes[i] >= rank || group[i] <= 0 || unrolled[axis] % group[i] != 0)
      throw QuantizerError("scale axis " + std::to_string(scale_axes[i]) + " cannot be split into groups of " +
                           std::to_string(group[i]));
    unrolled[axis] /= group[i];
    unrolled.insert(unrolled.begin() + axis + 1, group[i]);
    unrolled_axes.push_back(axis);
  }
  auto axes = kernels::all_axes_but(static_cast<int64_t>(unrolled.size()), unrolled_axes);
  auto grouped_mean = [&](const torch::Tensor& t) {
    torch::Tensor m = t.reshape(unrolled).mean(axes, /*keepdim=*/true);
    std::vector<int64_t> rolled(m.sizes().begin(), m.sizes().end());
    for (size_t i = 0; i < unrolled_axes.size(); ++i) rolled.erase(rolled.begin() + unrolled_axes[i] + 1 - i);
    m = m.reshape(rolled);
    for (size_t i = 0; i < scale_axes.size(); ++i) m = m.repeat_interleave(group[i], scale_axes[i]);
    return m;
  };
  return {grouped_mean(x * q), grouped_mean(q * q)};
}

}  // namespace

torch::Tensor least_squares_scale(Alpha::Kind kind, const torch::Tensor& x, const torch::Tensor& q,
                                  const ScaleOptions& options) {
  torch::Tensor qx, qq;
  if (x.dim() > 1) {
    std::tie(qx, qq) = channel_means(x, q, options);
  } else {  // rank-1 quirk: every element is its own channel
    qx = x * q;
    qq = q * q;
  }
  torch::Tensor scale = qx / (qq + kernels::kEpsilon);
  if (kind == Alpha::Kind::AutoPo2) {
    scale = kernels::round_to_power_of_two(scale);
    if (options.min_po2_exponent || options.max_po2_exponent) {
      auto [lo, hi] = po2_scale_limits(options);
      scale = scale.clamp(lo, hi);
    }
  }
  return scale;
}

std::pair<float, float> po2_scale_limits(const ScaleOptions& options) {
  float lo = options.min_po2_exponent ? kernels::exp2_integral(float(*options.min_po2_exponent)) : -INFINITY;
  float hi = options.max_po2_exponent ? kernels::exp2_integral(float(*options.max_po2_exponent)) : INFINITY;
  return {lo, std::max(lo, hi)};
}

torch::Tensor alpha_tensor(const Alpha& alpha) {
  if (alpha.kind != Alpha::Kind::Fixed) return torch::ones({}, torch::kFloat32);
  std::vector<float> values(alpha.values.begin(), alpha.values.end());
  torch::Tensor t = torch::tensor(values, torch::kFloat32);
  return values.size() == 1 ? t.reshape({}) : t;
}

float internal_sigmoid_value(float x, InternalSigmoid mode) {
  switch (mode) {
    case InternalSigmoid::Hard: return kernels::clip(0.5f * x + 0.5f, 0.0f, 1.0f);
    case InternalSigmoid::Smooth: return kernels::clip(0.1875f * x + 0.5f, 0.0f, 1.0f);
    case InternalSigmoid::Real: break;
  }
  return 1.0f / (1.0f + std::exp(-x));
}

// K.clip passes the gradient on the closed interval (qkeras.md §0).
float internal_sigmoid_derivative(float x, InternalSigmoid mode) {
  auto linear = [x](float slope) {
    float t = slope * x + 0.5f;
    return t >= 0.0f && t <= 1.0f ? slope : 0.0f;
  };
  switch (mode) {
    case InternalSigmoid::Hard: return linear(0.5f);
    case InternalSigmoid::Smooth: return linear(0.1875f);
    case InternalSigmoid::Real: break;
  }
  float s = 1.0f / (1.0f + std::exp(-x));
  return s * (1.0f - s);
}

torch::Tensor uniform_like(const torch::Tensor& x) { return torch::rand(x.sizes(), torch::kFloat32); }

}  // namespace quantizers
