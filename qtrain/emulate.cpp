#include "qtrain/emulate.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "qtrain/losses.h"
#include "qtrain/row_program.h"
#include "quantizers/fixed_quantize.h"

namespace qtrain {
namespace {

using quantizers::FixedType;
using quantizers::HardwareType;
using Kind = HardwareType::Kind;
using torch::indexing::Slice;

constexpr int kExactBits = 53;  // a double holds every integer below 2^53

torch::Tensor cast(const torch::Tensor& x, const FixedType& type) { return quantizers::fake_quantize(x, type); }

torch::Tensor cast(const torch::Tensor& x, const HardwareType& type) {
  if (type.kind != Kind::Fixed) throw ModelError("cannot emulate a result of type " + type.to_string());
  return cast(x, type.fixed);
}

// What is known of a tensor's values: multiples of 2^-frac within [lo, hi].
struct Values {
  int frac;
  double lo, hi;
};

Values values_of(const FixedType& t) { return {t.fractional(), t.min_value(), t.max_value()}; }

Values values_of(const HardwareType& t) {
  if (t.kind != Kind::Fixed) return {0, -1.0, 1.0};  // binary and ternary values: -1, 0, 1
  return values_of(t.fixed);
}

// The largest magnitude of such values.
double magnitude(const Values& v) { return std::max(-v.lo, v.hi); }

// The significant bits every such value fits in (sign apart).
int significant_bits(const Values& v) {
  const double m = magnitude(v);
  return v.frac + (m > 0 ? static_cast<int>(std::ceil(std::log2(m))) + 1 : 0);
}

// Converting such values into `t` is the identity when the type holds their
// precision and their range.  The emulator then skips it: a firmware cast
// that cannot round or overflow need not cost a pass over the batch.
bool is_identity(const Values& v, const FixedType& t) {
  const bool symmetric = t.overflow == quantizers::OverflowMode::SAT_SYM && t.is_signed;
  const double lowest = symmetric ? -t.max_value() : t.min_value();
  return t.fractional() >= v.frac && v.lo >= lowest && v.hi <= t.max_value();
}

torch::Tensor cast(const torch::Tensor& x, const Values& v, const HardwareType& t) {
  return t.kind == Kind::Fixed && is_identity(v, t.fixed) ? x : cast(x, t);
}

int ceil_log2(int64_t n) { return n <= 1 ? 0 : static_cast<int>(std::ceil(std::log2(static_cast<double>(n)))); }

// weight_exponential (§2.3): the input converted to r_T = ap_fixed<2(We+Wa),
// We+Wa> and shifted by the exponent, which keeps r_T (bits shifted out on
// the left wrap, on the right truncate), negated into a type one bit wider.
// r_T may be wider than a double's 53 bits, but the conversion of the input
// is lossless, a·2^e has no more significant bits than a, and truncation and
// wrap only remove bits: every step below is exact in double.
torch::Tensor exponential_products(const torch::Tensor& a, const FixedType& in, const torch::Tensor& w, int exponent_bits) {
  const int integer = exponent_bits + in.width;  // r_T's integer bits, and its fractional bits
  const double modulus = std::ldexp(1.0, integer);
  torch::Tensor shifted = torch::floor(a * w.abs() * modulus) / modulus;  // AP_TRN at 2^-I
  shifted = torch::fmod(shifted, modulus);                                // AP_WRAP into (-2^I, 2^I) ...
  shifted = torch::where(shifted >= modulus / 2, shifted - modulus,       // ... then [-2^(I-1), 2^(I-1))
                         torch::where(shifted < -modulus / 2, shifted + modulus, shifted));
  return shifted * torch::sign(w);
}

// The products of a Dense (or a convolution's per-pixel dense) as values:
// x (R, n_in), weights (n_in, n_out).  Multiplying by +-1 (xnor, ternary) or
// a fixed weight is exact in double; the caller checks the widths.
torch::Tensor weight_values(const HlsLayer& h) {
  torch::Tensor w = h.weight.reshape({-1, h.weight.size(-1)});
  return h.type("weight").kind == Kind::Xnor ? 2.0 * w - 1.0 : w;
}

// Whether conversions into t wrap as two's complement arithmetic does
// (modulo 2^W), so that wrapping once at the end of a sum is the same as
// wrapping every partial sum.
bool wraps_modularly(const FixedType& t) { return t.overflow == quantizers::OverflowMode::WRAP && t.saturation_bits == 0; }

int fractional_bits(const HardwareType& t) { return t.kind == Kind::Fixed ? t.fixed.fractional() : 0; }
int width_bits(const HardwareType& t) { return t.kind == Kind::Fixed ? t.fixed.width : 2; }

// Appends the conversion of such values into `type`, unless it is the identity.
void append_cast(RowProgram& program, const Values& v, const HardwareType& type) {
  if (type.kind != Kind::Fixed) throw ModelError("cannot emulate a result of type " + type.to_string());
  if (!is_identity(v, type.fixed)) program.steps.push_back({RowStep::Kind::Cast, {}, {}, 0, type.fixed});
}

// dense_latency (§2.3): acc = (accum_t) bias; acc += (accum_t) product, in
// input order; result = (res_T) acc.  One exact GEMM gives every partial sum
// when no product rounds and no sum exceeds 2^53.  Its result is then exact
// when accum_t holds the range of the sums, |bias| + sum |w| max|x| around
// zero (no partial sum leaves it either), and otherwise still right for a
// wrapping accum_t, since wrap is modular: wrapping once at the end equals
// wrapping every partial sum.  Other cases have no program.
std::optional<RowProgram> dense_program(const HlsLayer& h, const HardwareType& in_type) {
  if (in_type.kind != Kind::Fixed) throw ModelError("layer '" + h.name + "': xnor inputs are not emulated");
  const FixedType& acc = h.fixed("accum");
  const HardwareType& wt = h.type("weight");
  const torch::Tensor w = weight_values(h).contiguous();
  const int64_t n_in = w.size(0);
  const int product_frac = in_type.fixed.fractional() + fractional_bits(wt);
  if (wt.kind == Kind::Exponent || acc.fractional() < product_frac ||
      in_type.fixed.width + width_bits(wt) + ceil_log2(n_in) + 1 > kExactBits)
    return std::nullopt;
  const torch::Tensor bias = cast(h.bias, acc).contiguous();
  const double bound = (bias.abs() + w.abs().sum(0) * magnitude(values_of(in_type))).max().item<double>();
  const Values sums{acc.fractional(), -bound, bound};
  const bool exact = is_identity(sums, acc);
  const bool wraps = wraps_modularly(acc);
  if (!exact && !wraps) return std::nullopt;
  // Partial sums are multiples of the finer of the products' and the bias'
  // precisions within `bound`: in float's 24 bits, the GEMM runs in float,
  // with twice the values per instruction.
  const Values partial_sums{std::max(product_frac, fractional_bits(h.type("bias"))), -bound, bound};
  const bool single = significant_bits(partial_sums) <= 24;
  RowProgram program{n_in, w.size(1), {gemm_step(w, bias, single)}};
  append_cast(program, sums, h.type("accum"));
  append_cast(program, exact ? sums : values_of(acc), h.type("result"));
  return program;
}

// dense_latency where products round or partial sums saturate: the
// products converted to accum_t and summed in input order.
torch::Tensor dense_in_order(const HlsLayer& h, const torch::Tensor& x, const HardwareType& in_type) {
  const FixedType& acc = h.fixed("accum");
  const HardwareType& wt = h.type("weight");
  const torch::Tensor w = weight_values(h);
  const int64_t n_in = w.size(0);
  const bool wraps = wraps_modularly(acc);
  // Products of inputs x (R, k) with weight rows w (k, n_out), each converted to accum_t.
  auto products = [&](const torch::Tensor& xs, const torch::Tensor& ws) {
    torch::Tensor p = wt.kind == Kind::Exponent ? exponential_products(xs.unsqueeze(2), in_type.fixed, ws.unsqueeze(0), wt.fixed.width)
                                                : xs.unsqueeze(2) * ws.unsqueeze(0);
    return cast(p, acc);
  };
  const torch::Tensor bias = cast(h.bias, acc);
  torch::Tensor sum;
  if (wraps && acc.width + ceil_log2(n_in) + 1 <= kExactBits) {
    sum = cast(products(x, w).sum(1) + bias, acc);
  } else {
    sum = bias.expand({x.size(0), w.size(1)});
    for (int64_t i = 0; i < n_in; ++i) sum = cast(sum + products(x.narrow(1, i, 1), w.narrow(0, i, 1)).squeeze(1), acc);
  }
  return cast(sum, values_of(acc), h.type("result"));
}

// im2col of a channels-last batch: (N, spatial..., C) -> (N, out spatial..., K)
// with K in (kernel position, channel) order, Keras' kernel layout flattened.
torch::Tensor patches(const HlsLayer& h, const torch::Tensor& x, double pad_value) {
  const size_t rank = h.kernel.size();
  std::vector<int64_t> pad;  // constant_pad_nd: last dimension first
  pad.insert(pad.end(), {0, 0});
  for (size_t d = rank; d-- > 0;) pad.insert(pad.end(), {h.pad_before[d], h.pad_after[d]});
  torch::Tensor p = torch::constant_pad_nd(x, pad, pad_value);
  for (size_t d = 0; d < rank; ++d) p = p.unfold(static_cast<int64_t>(d) + 1, h.kernel[d], h.strides[d]);
  // (N, O..., C, k...) -> (N, O..., k..., C)
  std::vector<int64_t> order;
  for (size_t d = 0; d <= rank; ++d) order.push_back(static_cast<int64_t>(d));
  for (size_t d = 0; d < rank; ++d) order.push_back(static_cast<int64_t>(rank + 2 + d));
  order.push_back(static_cast<int64_t>(rank + 1));
  return p.permute(order);
}

// A dense over rows (R, K) -> (R, F) applied to every output pixel's window.
template <class Dense>
torch::Tensor per_pixel(const HlsLayer& h, const torch::Tensor& x, Dense dense_rows) {
  torch::Tensor cols = patches(h, x, 0.0);
  std::vector<int64_t> sizes(cols.sizes().begin(), cols.sizes().begin() + 1 + h.kernel.size());
  sizes.push_back(h.weight.size(-1));
  return dense_rows(cols.reshape({-1, h.weight.numel() / h.weight.size(-1)})).reshape(sizes);
}

// The window axes of patches() output (N, O..., k..., C).
std::vector<int64_t> window_dims(const HlsLayer& h) {
  const int64_t rank = static_cast<int64_t>(h.kernel.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d) dims.push_back(rank + 1 + d);
  return dims;
}

// The spatial axes of a channels-last batch (N, spatial..., C).
std::vector<int64_t> spatial_dims(const torch::Tensor& x) {
  std::vector<int64_t> dims;
  for (int64_t d = 1; d + 1 < x.dim(); ++d) dims.push_back(d);
  return dims;
}

// normalize (§2.7): res = product(x, scale) + bias, the full-precision sum
// converted to res_T; with a fixed-point scale, a row program.
std::optional<RowProgram> normalize_program(const HlsLayer& h, const HardwareType& in_type) {
  const HardwareType& st = h.type("scale");
  if (st.kind == Kind::Exponent) return std::nullopt;
  // The exact sum has the finer of the two precisions and lies within
  // |scale| max|x| + |bias| of zero.
  const Values in = values_of(in_type);
  const double bound = (h.scale.abs() * magnitude(in) + h.bias.abs()).max().item<double>();
  const Values sums{std::max(in.frac + fractional_bits(st), fractional_bits(h.type("bias"))), -bound, bound};
  const int64_t width = h.scale.numel();
  if (h.shape.empty() || h.shape.back() != width)
    throw ModelError("layer '" + h.name + "': " + std::to_string(width) + " scales for " +
                     (h.shape.empty() ? std::string("no") : std::to_string(h.shape.back())) + " channels");
  RowProgram program{width, width, {{RowStep::Kind::Affine, h.scale.contiguous(), h.bias.contiguous(), 0, {}}}};
  append_cast(program, sums, h.type("result"));
  return program;
}

// normalize with a power-of-two scale: the products as weight_exponential
// computes them.
torch::Tensor normalize_exponential(const HlsLayer& h, const torch::Tensor& x, const HardwareType& in_type) {
  const HardwareType& st = h.type("scale");
  return cast(exponential_products(x, in_type.fixed, h.scale, st.fixed.width) + h.bias, h.type("result"));
}

// Lookup-table index of sigmoid (range 16) and tanh (range 8): the input
// scaled by N/range, truncated toward zero (to_int), offset by N/2, clamped.
torch::Tensor table_index(const torch::Tensor& x, int table_size, double range) {
  torch::Tensor index = torch::trunc(x * (table_size / range)) + table_size / 2;
  return index.clamp(0, table_size - 1).to(torch::kLong);
}

// Entry k of a table over [-range/2, range/2) holds f(-range/2 + range*k/N),
// evaluated in double as the nnet library does, converted to table_t.
torch::Tensor function_table(const std::string& function, int table_size, double range, const FixedType& table_type) {
  torch::Tensor at = -range / 2 + range * torch::arange(table_size, torch::kFloat64) / table_size;
  return cast(function == "sigmoid" ? 1.0 / (1.0 + torch::exp(-at)) : function == "exp" ? torch::exp(at) : torch::tanh(at),
              table_type);
}

// linear and relu as row programs, of rows as wide as the layer's channels.
std::optional<RowProgram> activation_program(const HlsLayer& h, const HardwareType& in_type) {
  const std::string& f = h.activation;
  if (f != "linear" && f != "relu") return std::nullopt;
  const HardwareType& result = h.type("result");
  const Values in = values_of(in_type);
  const int64_t width = h.shape.empty() ? 1 : h.shape.back();
  RowProgram program{width, width, {}};
  // Into an unsigned saturating type the conversion alone is the relu:
  // every negative value becomes 0, as does one that rounds up to 0.
  const bool saturates_at_zero = result.kind == Kind::Fixed && !result.fixed.is_signed &&
                                 result.fixed.overflow == quantizers::OverflowMode::SAT;
  if (f == "linear" || saturates_at_zero) {
    append_cast(program, in, result);
  } else {
    program.steps.push_back({RowStep::Kind::ClampMin, {}, {}, 0, {}});
    append_cast(program, {in.frac, std::max(in.lo, 0.0), std::max(in.hi, 0.0)}, result);
  }
  return program;
}

// The other activations, on tensors.
torch::Tensor activation(const HlsLayer& h, const torch::Tensor& x) {
  const HardwareType& result = h.type("result");
  const std::string& f = h.activation;
  if (f == "leaky_relu") {
    double slope = cast(torch::tensor(h.parameter, torch::kFloat64), h.fixed("param")).item<double>();
    return cast(torch::where(x > 0, x, x * slope), result);
  }
  if (f == "sigmoid" || f == "tanh") {
    double range = f == "sigmoid" ? 16.0 : 8.0;
    torch::Tensor table = function_table(f, h.table_size, range, h.fixed("table"));
    return cast(table.index({table_index(x, h.table_size, range)}), result);
  }
  if (f == "hard_sigmoid" || f == "hard_tanh") {
    torch::Tensor y = torch::clamp(0.5 * x + 0.5, 0.0, 1.0);
    return cast(f == "hard_sigmoid" ? y : 2.0 * y - 1.0, result);
  }
  if (f == "binary_tanh") {
    torch::Tensor y = torch::where(x >= 0, 1.0, -1.0);
    return result.kind == Kind::Xnor ? (y > 0).to(torch::kFloat64) : cast(y, result);
  }
  if (f == "ternary_tanh") {
    torch::Tensor d = 2.0 * x;
    return cast(torch::where(d > 1.0, 1.0, torch::where(d <= -1.0, -1.0, 0.0)), result);
  }
  throw ModelError("layer '" + h.name + "': activation " + f + " is not emulated");
}

// softmax_idx_from_real_val<T, N>: the top log2(N) bits of the value's bit
// pattern in T (sign bit included), as an unsigned index.
torch::Tensor top_bits_index(const torch::Tensor& x, const FixedType& t, int table_size) {
  const int index_bits = ceil_log2(table_size);
  torch::Tensor code = torch::round(x * std::ldexp(1.0, t.fractional())).to(torch::kLong);
  code = code.bitwise_and((int64_t(1) << t.width) - 1);  // raw two's complement pattern
  int shift = t.width - index_bits;
  return shift >= 0 ? code.bitwise_right_shift(shift) : code.bitwise_left_shift(-shift);
}

// softmax_real_val_from_idx<T, N>(i): i written into the top bits of T.
torch::Tensor real_from_index(int table_size, const FixedType& t) {
  const int index_bits = ceil_log2(table_size);
  torch::Tensor i = torch::arange(table_size, torch::kLong);
  int shift = t.width - index_bits;
  torch::Tensor code = shift >= 0 ? i.bitwise_left_shift(shift) : i.bitwise_right_shift(-shift);
  if (t.is_signed) code = torch::where(code >= (int64_t(1) << (t.width - 1)), code - (int64_t(1) << t.width), code);
  return code.to(torch::kFloat64) * std::ldexp(1.0, -t.fractional());
}

// nnet_softmax.h, latency and stable: table lookups by the top bits of the
// input (stable: of max - x in inp_norm_t), exp values in accum_t, their sum
// by reduce's tree in accum_t converted to inv_inp_t, the inverse looked up
// the same way, res = exp * inverse.  Tables are computed in double.
torch::Tensor softmax(const HlsLayer& h, const torch::Tensor& x, const HardwareType& in_type) {
  const FixedType& exp_t = h.fixed("exp_table");
  const FixedType& inv_t = h.fixed("inv_table");
  const FixedType& inv_inp_t = h.fixed("inv_inp");
  const FixedType& accum_t = h.fixed("accum");
  const HardwareType& result = h.type("result");
  const int n = h.table_size;
  torch::Tensor exp_values;
  if (h.implementation == "stable") {
    const FixedType& norm = h.fixed("inp_norm");
    torch::Tensor d = cast(std::get<0>(x.max(-1, true)) - x, norm);
    torch::Tensor table = cast(torch::exp(-real_from_index(n, norm)), exp_t);
    exp_values = table.index({top_bits_index(d, norm, n)});
  } else if (h.implementation == "latency") {
    torch::Tensor table = cast(torch::exp(real_from_index(n, in_type.fixed)), exp_t);
    exp_values = table.index({top_bits_index(x, in_type.fixed, n)});
  } else {
    throw ModelError("layer '" + h.name + "': softmax implementation " + h.implementation + " is not emulated");
  }
  exp_values = cast(exp_values, accum_t);
  // reduce<accum_t, n, Op_add>: a balanced tree, every node converted to accum_t.
  std::function<torch::Tensor(int64_t, int64_t)> tree = [&](int64_t begin, int64_t count) -> torch::Tensor {
    if (count == 1) return exp_values.select(-1, begin);
    int64_t left = int64_t(1) << (ceil_log2(count) - 1);
    if (count == 2) left = 1;
    return cast(tree(begin, left) + tree(begin + left, count - left), accum_t);
  };
  torch::Tensor sum = cast(tree(0, exp_values.size(-1)), inv_inp_t);
  // 1/0 is stored as the table type's largest value.
  torch::Tensor at = real_from_index(h.inv_table_size, inv_inp_t);
  torch::Tensor inv_table = torch::where(at == 0, inv_t.max_value(), cast(1.0 / torch::where(at == 0, 1.0, at), inv_t));
  torch::Tensor inverse = inv_table.index({top_bits_index(sum, inv_inp_t, h.inv_table_size)}).unsqueeze(-1);
  return cast(exp_values * inverse, result);
}

// nnet_pooling.h's average: s = (accum_t)(s + x) over the window positions
// in order (padding adds nothing), then s / n truncated toward zero at
// accum_t's fractional bits, converted to res_T.  `values` is (..., k, C)
// with the window positions on dimension -2, `counts` the positions inside
// the image, broadcastable to the result.
torch::Tensor average(const HlsLayer& h, const torch::Tensor& values, const torch::Tensor& counts) {
  const FixedType& acc = h.fixed("accum");
  torch::Tensor sum = torch::zeros_like(values.select(-2, 0));
  for (int64_t k = 0; k < values.size(-2); ++k) sum = cast(sum + values.select(-2, k), acc);
  const double scale = std::ldexp(1.0, acc.fractional());
  return cast(torch::trunc(sum / counts * scale) / scale, h.type("result"));
}

torch::Tensor pooling(const HlsLayer& h, const torch::Tensor& x, const HardwareType& in_type) {
  const int64_t rank = static_cast<int64_t>(h.kernel.size());
  const bool max = h.operation == "max";
  torch::Tensor p = patches(h, x, max ? in_type.fixed.min_value() : 0.0);  // (N, O..., k..., C)
  if (max) return cast(p.amax(window_dims(h)), h.type("result"));
  // Positions inside the image: the same windows over ones padded with zeros.
  std::vector<int64_t> ones_shape(x.sizes().begin(), x.sizes().end());
  ones_shape[0] = 1;
  ones_shape.back() = 1;
  torch::Tensor counts = patches(h, torch::ones(ones_shape, torch::kFloat64), 0.0).sum(window_dims(h));
  std::vector<int64_t> flat(p.sizes().begin(), p.sizes().begin() + rank + 1);
  flat.push_back(-1);
  flat.push_back(p.size(-1));
  return average(h, p.reshape(flat), counts);
}

torch::Tensor global_pooling(const HlsLayer& h, const torch::Tensor& x) {
  if (h.operation == "max") return cast(x.amax(spatial_dims(x)), h.type("result"));
  torch::Tensor values = x.reshape({x.size(0), -1, x.size(-1)});  // pixels in row-major order
  return average(h, values, torch::full({1}, static_cast<double>(values.size(1)), torch::kFloat64));
}

torch::Tensor upsample(const HlsLayer& h, const torch::Tensor& x) {
  torch::Tensor y = x;
  for (size_t d = 0; d < h.kernel.size(); ++d) y = y.repeat_interleave(h.kernel[d], static_cast<int64_t>(d) + 1);
  return y;
}

torch::Tensor add(const HlsLayer& h, const std::vector<torch::Tensor>& out) {
  torch::Tensor sum = out[h.inputs[0]];
  for (size_t j = 1; j < h.inputs.size(); ++j) sum = sum + out[h.inputs[j]];
  return sum;
}

torch::Tensor concatenate(const HlsLayer& h, const std::vector<torch::Tensor>& out) {
  std::vector<torch::Tensor> parts;
  for (int j : h.inputs) parts.push_back(out[j]);
  return torch::cat(parts, h.axis + 1);
}

// Throws unless a value with these bounds is exact in a double.
void require_exact(const HlsLayer& h, const Values& v, const std::string& what) {
  const int bits = significant_bits(v);
  if (bits > kExactBits)
    throw ModelError("layer '" + h.name + "': " + what + " needs " + std::to_string(bits) +
                     " significant bits, the emulator is exact up to " + std::to_string(kExactBits) +
                     "; narrow the score's input types");
}

// Sum over dimension 1 of (N, n) values already in accum_t, as the loop
// acc = (accum_t)(acc + x[i]) computes it (entries where `include` is false
// skipped): one exact sum when accum_t holds every partial sum.
torch::Tensor sum_in_order(const torch::Tensor& x, const torch::Tensor& include, const Values& terms,
                         const FixedType& acc) {
  const double n = static_cast<double>(x.size(1));
  if (is_identity({terms.frac, n * std::min(terms.lo, 0.0), n * std::max(terms.hi, 0.0)}, acc))
    return (x * include).sum(1);
  torch::Tensor sum = torch::zeros({x.size(0)}, torch::kFloat64);
  for (int64_t i = 0; i < x.size(1); ++i)
    sum = torch::where(include.select(1, i), cast(sum + x.select(1, i), acc), sum);
  return sum;
}

// What is known of values converted into accum_t.
Values in_type(const Values& v, const FixedType& t) { return is_identity(v, t) ? v : values_of(t); }

// nnet_score.h: mse_score and kl_score, (N, 1).
torch::Tensor score(const HlsModel& model, const HlsLayer& h, const std::vector<torch::Tensor>& out) {
  const torch::Tensor a = out[h.inputs[0]].reshape({out[h.inputs[0]].size(0), -1});
  const torch::Tensor b = out[h.inputs[1]].reshape({a.size(0), -1});
  const Values va = values_of(model.layers[h.inputs[0]].fixed("result"));
  const Values vb = values_of(model.layers[h.inputs[1]].fixed("result"));
  const FixedType& acc = h.fixed("accum");
  if (h.operation == "kl") {
    // a: mu, b: logvar.  e = exp_table[index(logvar)] over [-8, 8).
    const FixedType& exp_t = h.fixed("exp_table");
    const torch::Tensor e = function_table("exp", h.table_size, 16.0, exp_t).index({table_index(b, h.table_size, 16.0)});
    const Values squares{2 * va.frac, 0.0, magnitude(va) * magnitude(va)};
    require_exact(h, squares, "mu * mu");
    const Values vm = in_type(squares, acc);
    const Values bracket{std::max({vb.frac, vm.frac, exp_t.fractional()}), 1.0 + vb.lo - vm.hi - exp_t.max_value(),
                         1.0 + vb.hi - vm.lo - exp_t.min_value()};
    require_exact(h, bracket, "1 + logvar - mu^2 - e");
    const torch::Tensor terms = cast(1.0 + b - cast(a * a, squares, h.type("accum")) - e, bracket, h.type("accum"));
    const torch::Tensor sum = sum_in_order(terms, torch::ones_like(terms, torch::kBool), in_type(bracket, acc), acc);
    return cast(sum * -0.5, h.type("result")).unsqueeze(1);
  }
  // mse: a is the target, b the reconstruction, stored into reco_t (its η
  // and φ through scale * tanh with tanh_eta_phi).
  torch::Tensor r = cast(b, vb, h.type("reco"));
  const Values vr = values_of(h.fixed("reco"));
  if (h.activation == "tanh_eta_phi") {
    const FixedType& table_t = h.fixed("table");
    const Values products{fractional_bits(h.type("scale")) + table_t.fractional(), 0.0,
                          h.scale.abs().max().item<double>() * magnitude(values_of(table_t))};
    require_exact(h, products, "scale * tanh");
    const torch::Tensor tanh = function_table("tanh", h.table_size, 8.0, table_t).index({table_index(b, h.table_size, 8.0)});
    r = torch::where(torch::arange(b.size(1)) % 3 == 0, r, cast(h.scale * tanh, h.fixed("reco")));
  }
  const double d = magnitude(va) + magnitude(vr);
  const Values squares{2 * std::max(va.frac, vr.frac), 0.0, d * d};
  require_exact(h, squares, "(target - reconstruction)^2");
  const torch::Tensor sq = cast((a - r).square(), squares, h.type("accum"));
  const torch::Tensor include = h.mask_zeros ? a != 0 : torch::ones_like(a, torch::kBool);
  const torch::Tensor sum = sum_in_order(sq, include, in_type(squares, acc), acc);
  // acc / count: exact, truncated toward zero at accum_t's fraction; for
  // integers k and c, (k - fmod(k, c)) / c is that quotient exactly.
  const double unit = std::ldexp(1.0, acc.fractional());
  const torch::Tensor k = sum * unit, count = include.sum(1).clamp_min(1).to(torch::kFloat64);
  return cast((k - torch::fmod(k, count)) / count / unit, h.type("result")).unsqueeze(1);
}

// What is prepared once per model for a layer: its row program, run on the
// rows of its input, or a convolution's per-pixel dense, run on the rows of
// its windows.
struct LayerPrograms {
  std::optional<RowProgram> rows, pixels;
};
using RowPrograms = std::vector<LayerPrograms>;

RowPrograms row_programs(const HlsModel& model) {
  RowPrograms programs(model.layers.size());
  for (size_t k = 0; k < model.layers.size(); ++k) {
    const HlsLayer& h = model.layers[k];
    const std::string& c = h.layer_class;
    if (h.inputs.empty()) continue;
    const HardwareType& in_type = model.layers[h.inputs[0]].type("result");
    if (c == "Dense") programs[k].rows = dense_program(h, in_type);
    if (c == "Conv1D" || c == "Conv2D") programs[k].pixels = dense_program(h, in_type);
    if (c == "BatchNormalization" || c == "ApplyAlpha") programs[k].rows = normalize_program(h, in_type);
    if (c == "Activation") programs[k].rows = activation_program(h, in_type);
  }
  return programs;
}

// One firmware layer in fixed point, other than those with a row program; a
// convolution with the program of its per-pixel dense, if it has one.
torch::Tensor fixed_layer(const HlsModel& model, const HlsLayer& h, const std::optional<RowProgram>& pixels,
                          const std::vector<torch::Tensor>& out) {
  const torch::Tensor& in = out[h.inputs[0]];
  const HardwareType& in_type = model.layers[h.inputs[0]].type("result");
  const std::string& c = h.layer_class;
  if (c == "Dense") return dense_in_order(h, in, in_type);
  if (c == "Conv1D" || c == "Conv2D") {
    return per_pixel(h, in, [&](const torch::Tensor& rows) {
      return pixels ? run_programs({&*pixels}, rows) : dense_in_order(h, rows, in_type);
    });
  }
  if (c == "BatchNormalization" || c == "ApplyAlpha") return normalize_exponential(h, in, in_type);
  if (c == "Softmax") return softmax(h, in, in_type);
  if (c == "Activation" || c == "LeakyReLU" || c == "HardActivation" || c == "TernaryTanh") return activation(h, in);
  if (c == "Pooling1D" || c == "Pooling2D") return pooling(h, in, in_type);
  if (c == "GlobalPooling1D" || c == "GlobalPooling2D") return global_pooling(h, in);
  if (c == "UpSampling1D" || c == "UpSampling2D") return cast(upsample(h, in), h.type("result"));
  if (c == "Merge") return cast(add(h, out), h.type("result"));
  if (c == "Concatenate") return cast(concatenate(h, out), h.type("result"));
  if (c == "Score") return score(model, h, out);
  throw ModelError("layer '" + h.name + "' (" + c + ") is not emulated");
}

// The same layer in real arithmetic: every conversion the identity, products
// and sums exact, functions evaluated exactly.
torch::Tensor ideal_layer(const HlsLayer& h, const std::vector<torch::Tensor>& out) {
  const torch::Tensor& in = out[h.inputs[0]];
  const std::string& c = h.layer_class;
  // Parameters as they are: in the float plan, before conversion into types.
  auto product = [&](const torch::Tensor& x) { return torch::addmm(h.bias, x, h.weight.reshape({-1, h.weight.size(-1)})); };
  if (c == "Dense") return product(in);
  if (c == "Conv1D" || c == "Conv2D") return per_pixel(h, in, product);
  if (c == "BatchNormalization" || c == "ApplyAlpha") return in * h.scale + h.bias;
  if (c == "Softmax") return torch::softmax(in, -1);
  if (c == "Score") {
    const torch::Tensor& b = out[h.inputs[1]];
    if (h.operation == "kl") return kl_divergence_per_sample(in, b).unsqueeze(1);
    const torch::Tensor reco = h.activation == "tanh_eta_phi" ? tanh_eta_phi(b) : b;
    return squared_error_per_sample(reco, in.reshape(reco.sizes()), h.mask_zeros).unsqueeze(1);
  }
  const std::string& f = h.activation;
  if (f == "linear") return in;
  if (f == "relu") return torch::clamp_min(in, 0.0);
  if (f == "leaky_relu") return torch::where(in > 0, in, in * h.parameter);
  if (f == "sigmoid") return torch::sigmoid(in);
  if (f == "tanh") return torch::tanh(in);
  if (f == "hard_sigmoid") return torch::clamp(0.5 * in + 0.5, 0.0, 1.0);
  if (f == "hard_tanh") return 2.0 * torch::clamp(0.5 * in + 0.5, 0.0, 1.0) - 1.0;
  if (f == "binary_tanh") return torch::where(in >= 0, 1.0, -1.0);
  if (f == "ternary_tanh") return torch::where(in > 0.5, 1.0, torch::where(in <= -0.5, -1.0, 0.0));
  if (c == "Pooling1D" || c == "Pooling2D") {
    const bool max = h.operation == "max";
    torch::Tensor p = patches(h, in, max ? -std::numeric_limits<double>::infinity() : 0.0);
    if (max) return p.amax(window_dims(h));
    int64_t area = 1;
    for (int64_t k : h.kernel) area *= k;
    return p.sum(window_dims(h)) / area;
  }
  if (c == "GlobalPooling1D" || c == "GlobalPooling2D")
    return h.operation == "max" ? in.amax(spatial_dims(in)) : in.mean(spatial_dims(in));
  if (c == "UpSampling1D" || c == "UpSampling2D") return upsample(h, in);
  if (c == "Merge") return add(h, out);
  if (c == "Concatenate") return concatenate(h, out);
  throw ModelError("layer '" + h.name + "' (" + c + ") is not emulated");
}

// Every layer's output on x, except those of layers in `fused`: a layer
// marked there runs in one row-program chain with the layers after it
// (its output is read by the next layer only, and not wanted).
std::vector<torch::Tensor> evaluate(const HlsModel& model, const RowPrograms& programs, const std::vector<bool>& fused,
                                    const torch::Tensor& x, Arithmetic arithmetic) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out(model.layers.size());
  for (size_t k = 0; k < model.layers.size(); ++k) {
    const HlsLayer& h = model.layers[k];
    if (h.layer_class == "Input") {
      // The testbench reads float text and assigns it to input_t.
      torch::Tensor input = x.to(torch::kFloat32).to(torch::kFloat64);
      out[k] = arithmetic == Arithmetic::Fixed ? cast(input, h.type("result")) : input;
    } else if (h.layer_class == "Reshape") {
      std::vector<int64_t> sizes{x.size(0)};
      sizes.insert(sizes.end(), h.shape.begin(), h.shape.end());
      out[k] = out[h.inputs[0]].reshape(sizes);
    } else if (arithmetic == Arithmetic::Float) {
      out[k] = ideal_layer(h, out);
    } else if (programs[k].rows) {
      std::vector<const RowProgram*> chain{&*programs[k].rows};
      const size_t first = k;
      while (fused[k]) chain.push_back(&*programs[++k].rows);
      const torch::Tensor& in = out[model.layers[first].inputs[0]];
      std::vector<int64_t> sizes{in.size(0)};
      sizes.insert(sizes.end(), model.layers[k].shape.begin(), model.layers[k].shape.end());
      out[k] = run_programs(chain, in.reshape({-1, chain.front()->in_width})).reshape(sizes);
    } else {
      out[k] = fixed_layer(model, h, programs[k].pixels, out);
    }
  }
  return out;
}

}  // namespace

std::vector<torch::Tensor> emulate_layers(const HlsModel& model, const torch::Tensor& x, Arithmetic arithmetic) {
  const RowPrograms programs = arithmetic == Arithmetic::Fixed ? row_programs(model) : RowPrograms(model.layers.size());
  return evaluate(model, programs, std::vector<bool>(model.layers.size(), false), x, arithmetic);
}

std::vector<torch::Tensor> emulate(const HlsModel& model, const torch::Tensor& x) {
  const RowPrograms programs = row_programs(model);
  // A program's layer fuses with the next when that one has a program too
  // and is the only reader of its output, which is not a model output.
  std::vector<int> readers(model.layers.size(), 0);
  for (const HlsLayer& h : model.layers)
    for (int i : h.inputs) ++readers[i];
  for (int o : model.outputs) ++readers[o];
  std::vector<bool> fused(model.layers.size(), false);
  for (size_t k = 0; k + 1 < model.layers.size(); ++k)
    fused[k] = programs[k].rows && programs[k + 1].rows && readers[k] == 1 &&
               model.layers[k + 1].inputs == std::vector<int>{static_cast<int>(k)};
  // Blocks small enough that a layer's values stay in cache, emulated in
  // parallel; the tensor operations inside a block then run on one thread.
  constexpr int64_t kBlock = 4096;
  const int64_t count = (x.size(0) + kBlock - 1) / kBlock;
  std::vector<std::vector<torch::Tensor>> blocks(model.outputs.size(), std::vector<torch::Tensor>(count));
  at::parallel_for(0, count, 1, [&](int64_t first, int64_t last) {
    for (int64_t b = first; b < last; ++b) {
      std::vector<torch::Tensor> layers =
          evaluate(model, programs, fused, x.index({Slice(b * kBlock, (b + 1) * kBlock)}), Arithmetic::Fixed);
      for (size_t o = 0; o < model.outputs.size(); ++o) blocks[o][b] = layers[model.outputs[o]];
    }
  });
  std::vector<torch::Tensor> outputs;
  for (auto& b : blocks) outputs.push_back(b.empty() ? torch::empty({0}, torch::kFloat64) : torch::cat(b));
  return outputs;
}

}  // namespace qtrain
