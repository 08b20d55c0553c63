// The binary / ternary / stochastic / power-of-two / bounded-activation /
// quantized_linear quantizers against shared/spec/qkeras.md §0, §1.2,
// §1.4-§1.10 and the hardware mapping of shared/spec/hls4ml.md §3.2-§3.3.
// Every expected value is worked out by hand in the comment next to it, or
// taken from the QKeras test it cites (google/qkeras tests/*.py).  Tensors are
// channels-last: "per channel" means per index of the last axis.
#include "test_common.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "quantizers/fixed_type.h"
#include "quantizers/quantizer.h"

using quantizers::as_kernel_quantizer;
using quantizers::FixedType;
using quantizers::HardwareType;
using quantizers::InternalSigmoid;
using quantizers::parse_quantizer;
using quantizers::QuantizerError;
using quantizers::QuantizerPtr;
using quantizers::Role;

namespace {

torch::Tensor tensor(const std::vector<float>& v) { return torch::tensor(v, torch::kFloat32); }
torch::Tensor tensor(const std::vector<float>& v, const std::vector<int64_t>& shape) {
  return tensor(v).reshape(shape);
}

std::vector<float> values(const torch::Tensor& t) {
  torch::Tensor c = t.detach().to(torch::kFloat32).contiguous().reshape({-1});
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

std::vector<int64_t> shape(const torch::Tensor& t) { return t.sizes().vec(); }

void check_values(const std::string& what, const std::vector<float>& in, const std::vector<float>& out,
                  const std::vector<float>& expected) {
  REQUIRE(out.size() == expected.size());
  for (size_t i = 0; i < out.size(); ++i) {
    std::ostringstream where;
    where << what << ", element " << i;
    if (i < in.size()) where << ", x = " << in[i];
    INFO(where.str());
    CHECK(out[i] == expected[i]);
  }
}

// q(x) compared element by element with ==.
void check_forward(const QuantizerPtr& q, const torch::Tensor& x, const std::vector<float>& expected,
                   bool training = false) {
  check_values(q->to_string(), values(x), values((*q)(x, training)), expected);
}
void check_forward(const std::string& spec, const std::vector<float>& x, const std::vector<float>& expected) {
  check_forward(parse_quantizer(spec), tensor(x), expected);
}

// dL/dx for L = sum(q(x)).
std::vector<float> gradient(const QuantizerPtr& q, const torch::Tensor& x_in, bool training = false) {
  torch::Tensor x = x_in.detach().clone().requires_grad_(true);
  (*q)(x, training).sum().backward();
  REQUIRE(x.grad().defined());
  return values(x.grad());
}
void check_gradient(const std::string& spec, const std::vector<float>& x, const std::vector<float>& expected) {
  QuantizerPtr q = parse_quantizer(spec);
  check_values(spec + " gradient", x, gradient(q, tensor(x)), expected);
}

HardwareType fixed_hw(const char* text) { return {HardwareType::Kind::Fixed, FixedType::parse(text)}; }

void check_hardware(const std::string& spec, Role role, const std::optional<HardwareType>& expected) {
  std::optional<HardwareType> got = parse_quantizer(spec)->hardware_type(role);
  INFO(spec << " role " << static_cast<int>(role) << ": got " << (got ? got->to_string() : "nullopt")
            << ", expected " << (expected ? expected->to_string() : "nullopt"));
  REQUIRE(got.has_value() == expected.has_value());
  if (got) CHECK(*got == *expected);
}

void check_range(const std::string& spec, int bits, double max, double min) {
  QuantizerPtr q = parse_quantizer(spec);
  INFO(spec);
  CHECK(q->bits() == bits);
  CHECK(q->max() == max);
  CHECK(q->min() == min);
}

// The kernel rule (qkeras.md §0.1) maps `spec` to `expected`; the original is untouched.
void check_kernel_rule(const std::string& spec, const std::string& expected) {
  QuantizerPtr q = parse_quantizer(spec);
  QuantizerPtr kernel = as_kernel_quantizer(*q);
  INFO(spec << " as a kernel quantizer: " << kernel->to_string() << ", expected " << expected);
  CHECK(*kernel == *parse_quantizer(expected));
  CHECK(*q == *parse_quantizer(spec));
}

// Switches QKeras' module-global internal sigmoid for one scope.
class InternalSigmoidScope {
 public:
  explicit InternalSigmoidScope(InternalSigmoid mode) { quantizers::set_internal_sigmoid(mode); }
  ~InternalSigmoidScope() { quantizers::set_internal_sigmoid(InternalSigmoid::Hard); }
  InternalSigmoidScope(const InternalSigmoidScope&) = delete;
  InternalSigmoidScope& operator=(const InternalSigmoidScope&) = delete;
};

// Stochastic outputs: each element is snapped to the nearest allowed value;
// `outside` counts elements farther than 1e-6 (relative) from every allowed
// value.  (The STE sum x + (−x + v) may land one ulp away from v.)
struct Snapped {
  std::vector<float> values;
  int64_t outside = 0;
};
Snapped snap(const torch::Tensor& t, const std::vector<float>& allowed) {
  Snapped s;
  for (float v : values(t)) {
    float best = allowed[0];
    for (float a : allowed)
      if (std::fabs(v - a) < std::fabs(v - best)) best = a;
    if (!(std::fabs(v - best) <= 1e-6f * std::max(1.0f, std::fabs(best)))) ++s.outside;
    s.values.push_back(best);
  }
  return s;
}

// Mean of v[start], v[start + step], ...
double strided_mean(const std::vector<float>& v, size_t start, size_t step) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = start; i < v.size(); i += step, ++n) sum += v[i];
  return sum / double(n);
}

double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

bool all_equal(const torch::Tensor& t, float v) { return torch::all(t == v).item<bool>(); }

}  // namespace

// ---------------------------------------------------------------------------
// binary (qkeras.md §1.4)

TEST_CASE("binary: sign with 0 -> +1, numeric alpha multiplies after quantizing, use_01",
          "[quantizer_families][binary]") {
  // qkeras tests/qactivation_test.py::test_binary: k = sign(x), 0 -> +1; xq = alpha * k.
  check_forward("binary(alpha=1)", {-3.0f, -2.0f, -1.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {-1, -1, -1, -1, 1, 1, 1, 1, 1});
  // alpha=5: x is not divided by 5 first (-4 -> -5, 0.3 -> +5).
  check_forward("binary(alpha=5)", {-11.0f, -7.0f, -4.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {-5, -5, -5, -5, 5, 5, 5, 5, 5});
  // use_01: k = (k + 1)/2 in {0, 1}, then times alpha.
  check_forward("binary(use_01=True, alpha=5)", {-11.0f, -7.0f, -4.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {0, 0, 0, 0, 5, 5, 5, 5, 5});
  // alpha None: output tanh(x) + (−tanh(x) + k) = k exactly; 0 and −0 give +1
  // (sign(±0) = 0, plus 1 − |0|).
  check_forward("binary()", {-2.5f, -0.001f, -0.0f, 0.0f, 0.001f, 0.7f, 25.0f}, {-1, -1, 1, 1, 1, 1, 1});
  // use_01 with alpha None: negatives -> 0, 0 -> 1.
  check_forward("binary(use_01=True)", {-0.5f, 0.0f, 0.25f}, {0, 1, 1});
  // A fixed alpha is reported as the scale.
  QuantizerPtr q = parse_quantizer("binary(alpha=5)");
  (*q)(tensor({1.0f, -1.0f}), false);
  REQUIRE(q->scale().defined());
  CHECK(q->scale().item<float>() == 5.0f);
}

TEST_CASE("binary: gradient 1 - tanh^2 with alpha None, identity otherwise", "[quantizer_families][binary]") {
  // alpha None: base = tanh(x), so d/dx = 1 − tanh²(x).
  const std::vector<float> x = {-3.0f, -0.5f, 0.0f, 0.25f, 1.0f};
  std::vector<float> g = gradient(parse_quantizer("binary()"), tensor(x));
  REQUIRE(g.size() == x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    const double t = std::tanh(double(x[i]));
    CHECK(g[i] == Approx(1.0 - t * t));
  }
  // A numeric or automatic alpha uses base = x: identity, even far outside ±1.
  check_gradient("binary(alpha=1)", {-10.0f, -0.5f, 0.0f, 3.0f}, {1, 1, 1, 1});
  check_gradient("binary(alpha='auto')", {-10.0f, -0.5f, 0.0f, 3.0f}, {1, 1, 1, 1});
}

TEST_CASE("binary: 'auto' scale per output channel is mean|x|/(1+1e-7)", "[quantizer_families][binary]") {
  // 4x2 kernel, channels are columns.  LS scale = mean(x·k)/(mean(k·k) + 1e-7)
  // with k = ±1: column 0 |x| = 0.5,1.5,2,1 -> mean 1.25; column 1 |x| =
  // 0.25,0.5,0.125,0.125 -> mean 0.25 (all sums exact).  In float32:
  const float s0 = 1.25f / (1.0f + 1e-7f);
  const float s1 = 0.25f / (1.0f + 1e-7f);
  QuantizerPtr q = parse_quantizer("binary(alpha='auto')");
  torch::Tensor x = tensor({0.5f, 0.25f, -1.5f, -0.5f, 2.0f, 0.125f, -1.0f, -0.125f}, {4, 2});
  // Output = scale·sign(x) per column.
  check_forward(q, x, {s0, s1, -s0, -s1, s0, s1, -s0, -s1});
  CHECK(shape(q->scale()) == std::vector<int64_t>{1, 2});
  check_values("scale", {}, values(q->scale()), {s0, s1});
}

TEST_CASE("binary: 'auto_po2' scale per channel on a 4-D tensor", "[quantizer_families][binary]") {
  // Shape {2,2,1,3}: 4 elements per channel (last axis).
  //   ch0 = [1, -1, 0.5, -1.5]   mean|x| = 1   -> po2(1/(1+1e-7)) = 2^round(-1.2e-7) = 1
  //   ch1 = [0.3, -0.2, 0.1, -0.6] mean|x| = 0.3 -> 2^round(log2 0.3 = -1.74) = 0.25
  //   ch2 = [-3, 2, 4, -3]       mean|x| = 3   -> 2^round(1.58) = 4
  QuantizerPtr q = parse_quantizer("binary(alpha='auto_po2')");
  torch::Tensor x =
      tensor({1.0f, 0.3f, -3.0f, -1.0f, -0.2f, 2.0f, 0.5f, 0.1f, 4.0f, -1.5f, -0.6f, -3.0f}, {2, 2, 1, 3});
  check_forward(q, x, {1, 0.25f, -4, -1, -0.25f, 4, 1, 0.25f, 4, -1, -0.25f, -4});
  CHECK(shape(q->scale()) == std::vector<int64_t>{1, 1, 1, 3});
  check_values("scale", {}, values(q->scale()), {1, 0.25f, 4});
}

TEST_CASE("binary: rank-1 tensors get one scale per element", "[quantizer_families][binary]") {
  // Rank-1 quirk: no averaging, s_e = po2(x_e·k_e/(k_e² + 1e-7)) = po2(|x_e|):
  // 0.3 -> 2^-2, 3 -> 2^round(1.58) = 4, 0.7 -> 2^round(-0.51) = 0.5.
  QuantizerPtr q = parse_quantizer("binary(alpha='auto_po2')");
  check_forward(q, tensor({0.3f, -3.0f, 0.7f}), {0.25f, -4, 0.5f});
  CHECK(shape(q->scale()) == std::vector<int64_t>{3});
  check_values("scale", {}, values(q->scale()), {0.25f, 4, 0.5f});
}

TEST_CASE("binary: stochastic rounding only in training", "[quantizer_families][binary]") {
  // binary(alpha=1, use_stochastic_rounding=True) on one column: x[0] = 1 and
  // n copies of 0.125.  f = 2·min(max|x|, 1) = 2, x/f = 1/16 = half of a 1/8
  // step: stochastic rounding gives 0 or 1/8 with probability 1/2 each.  A 0
  // sign is replaced by a random ±1, so P(+1) = 1/2 + 1/2·1/2 = 3/4 and
  // E[k] = 1/2, sd(k) = sqrt(1 − 1/4).  x[0]/f = 1/2 exactly: always +1.
  torch::manual_seed(7);
  const int64_t n = 20000;
  torch::Tensor x = torch::full({n + 1, 1}, 0.125f);
  x[0][0] = 1.0f;
  QuantizerPtr q = parse_quantizer("binary(alpha=1, use_stochastic_rounding=True)");
  Snapped s = snap((*q)(x, true), {-1.0f, 1.0f});
  CHECK(s.outside == 0);
  CHECK(s.values[0] == 1.0f);
  const double mean = strided_mean(s.values, 1, 1);
  CHECK(std::fabs(mean - 0.5) < 4.0 * std::sqrt(0.75 / double(n)));
  // Inference is the plain sign: all +1.
  CHECK(all_equal((*q)(x, false), 1.0f));
}

TEST_CASE("binary: bits, max and min", "[quantizer_families][binary]") {
  check_range("binary()", 1, 1, -1);
  check_range("binary(alpha=5)", 1, 5, -5);        // ±max(1, alpha)
  check_range("binary(alpha=0.5)", 1, 1, -1);      // max(1, 0.5) = 1
  check_range("binary(alpha='auto')", 1, 1, -1);   // string alpha: ±1
  check_range("binary(use_01=True)", 1, 1, 0);     // use_01: min 0
}

TEST_CASE("binary: hardware type per role", "[quantizer_families][binary]") {
  // hls4ml.md §3.2: a binary kernel is Xnor (ap_uint<1>, 0 means −1); a binary
  // bias is ap_int<2>; §3.3: a binary activation is ap_int<2>.
  const HardwareType xnor{HardwareType::Kind::Xnor, FixedType::parse("ap_uint<1>")};
  check_hardware("binary()", Role::Kernel, xnor);
  check_hardware("binary()", Role::Bias, fixed_hw("ap_int<2>"));
  check_hardware("binary()", Role::Activation, fixed_hw("ap_int<2>"));
  check_hardware("binary(alpha='auto_po2')", Role::Kernel, xnor);
}

TEST_CASE("binary: kernel rule makes alpha None 'auto_po2'", "[quantizer_families][binary]") {
  check_kernel_rule("binary()", "binary(alpha='auto_po2')");
  check_kernel_rule("binary(use_01=True)", "binary(use_01=True, alpha='auto_po2')");
  check_kernel_rule("binary(alpha=1)", "binary(alpha=1)");  // a given alpha stays
  CHECK(as_kernel_quantizer(*parse_quantizer("binary()"))->to_string() == "binary(alpha='auto_po2')");
  // The kernel copy quantizes with po2 channel scales (column 0 mean|x| 1.25 ->
  // 1, column 1 mean|x| 0.3 -> 0.25) and, with alpha no longer None, an
  // identity gradient instead of 1 − tanh².
  QuantizerPtr kernel = as_kernel_quantizer(*parse_quantizer("binary()"));
  torch::Tensor x = tensor({0.5f, 0.3f, -1.5f, -0.2f, 2.0f, 0.1f, -1.0f, -0.6f}, {4, 2});
  check_forward(kernel, x, {1, 0.25f, -1, -0.25f, 1, 0.25f, -1, -0.25f});
  CHECK(all_equal(torch::tensor(gradient(kernel, x)), 1.0f));
}

// ---------------------------------------------------------------------------
// stochastic_binary (qkeras.md §1.5)

TEST_CASE("stochastic_binary: inference is binary", "[quantizer_families][stochastic_binary]") {
  // qkeras tests/qactivation_test.py::test_stochastic_binary_inference_mode
  check_forward("stochastic_binary(alpha=1)", {-3.0f, -2.0f, -1.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {-1, -1, -1, -1, 1, 1, 1, 1, 1});
  check_forward("stochastic_binary(alpha=5)", {-11.0f, -7.0f, -4.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {-5, -5, -5, -5, 5, 5, 5, 5, 5});
  // training = false reproduces binary() with the same alpha exactly (value and scale).
  torch::manual_seed(11);
  torch::Tensor x = torch::randn({6, 3});
  for (const char* alpha : {"None", "1", "'auto'", "'auto_po2'"}) {
    INFO("alpha = " << alpha);
    QuantizerPtr sb = parse_quantizer(std::string("stochastic_binary(alpha=") + alpha + ")");
    QuantizerPtr b = parse_quantizer(std::string("binary(alpha=") + alpha + ")");
    CHECK(torch::equal((*sb)(x, false), (*b)(x, false)));
    CHECK(torch::equal((*sb)(x, false), (*sb)(x, false)));  // deterministic
    if (std::string(alpha).find("auto") != std::string::npos) CHECK(torch::equal(sb->scale(), b->scale()));
  }
}

TEST_CASE("stochastic_binary: training samples +-1 with P(+1) = sigmoid(6x)",
          "[quantizer_families][stochastic_binary]") {
  // alpha=1: std = 1, p = σ(6x), q = sign(p − U) (0 -> +1), so
  // E[q] = 2σ(6x) − 1 and Var[q] = 1 − E[q]².
  torch::manual_seed(1234);
  const int64_t n = 20000;
  const std::vector<float> column_x = {0.1f, -0.2f, 0.0f};
  torch::Tensor x = tensor(column_x).repeat({n, 1});  // {n, 3}
  QuantizerPtr q = parse_quantizer("stochastic_binary(alpha=1)");
  torch::Tensor y = (*q)(x, true);
  Snapped s = snap(y, {-1.0f, 1.0f});
  CHECK(s.outside == 0);
  for (size_t c = 0; c < column_x.size(); ++c) {
    const double expected = 2.0 * logistic(6.0 * double(column_x[c])) - 1.0;  // 0.2913, -0.5371, 0
    const double mean = strided_mean(s.values, c, column_x.size());
    INFO("x = " << column_x[c] << ": mean " << mean << ", expected " << expected);
    CHECK(std::fabs(mean - expected) < 4.0 * std::sqrt((1.0 - expected * expected) / double(n)));
  }
  // Two draws differ; the gradient in training is the identity (base = x).
  CHECK_FALSE(torch::equal(y, (*q)(x, true)));
  CHECK(all_equal(torch::tensor(gradient(q, x, true)), 1.0f));
}

TEST_CASE("stochastic_binary: string alpha normalises by the channel std", "[quantizer_families][stochastic_binary]") {
  // alpha='auto', temperature=1: p = σ(x/(std + 1e-7)) with the population std
  // of the channel.  One column of [0.1, −0.1, 0.02, −0.02] repeated: mean 0,
  // var = (0.01 + 0.01 + 0.0004 + 0.0004)/4 = 0.0052.  E[q] = 2σ(x/std) − 1 =
  // tanh(x/(2·std)): 0.6001, −0.6001, 0.1378, −0.1378.  The scale is
  // LS(x, sign(x)) = mean|x|/(1 + 1e-7) = 0.06.
  torch::manual_seed(77);
  const int64_t n = 10000;
  const std::vector<float> pattern = {0.1f, -0.1f, 0.02f, -0.02f};
  torch::Tensor x = tensor(pattern).repeat({n}).reshape({4 * n, 1});
  QuantizerPtr q = parse_quantizer("stochastic_binary(alpha='auto', temperature=1)");
  torch::Tensor y = (*q)(x, true);
  REQUIRE(q->scale().numel() == 1);
  const float s = q->scale().item<float>();
  CHECK(s == Approx(0.06).epsilon(1e-5));
  Snapped snapped = snap(y / s, {-1.0f, 1.0f});
  CHECK(snapped.outside == 0);
  const double sd = std::sqrt(0.0052);
  for (size_t k = 0; k < pattern.size(); ++k) {
    const double expected = std::tanh(double(pattern[k]) / (2.0 * sd));
    const double mean = strided_mean(snapped.values, k, pattern.size());
    INFO("x = " << pattern[k] << ": mean " << mean << ", expected " << expected);
    CHECK(std::fabs(mean - expected) < 4.0 * std::sqrt((1.0 - expected * expected) / double(n)));
  }
}

TEST_CASE("stochastic_binary: training scale uses the non-stochastic sign", "[quantizer_families][stochastic_binary]") {
  // alpha='auto_po2': scale = LS(x, sign(x)) per column = po2(mean|x|):
  // column 0 mean|x| 1.25 -> 1, column 1 mean|x| 0.3 -> 0.25 (whatever is drawn).
  torch::manual_seed(5);
  QuantizerPtr q = parse_quantizer("stochastic_binary(alpha='auto_po2')");
  torch::Tensor x = tensor({0.5f, 0.3f, -1.5f, -0.2f, 2.0f, 0.1f, -1.0f, -0.6f}, {4, 2});
  torch::Tensor y = (*q)(x, true);
  CHECK(shape(q->scale()) == std::vector<int64_t>{1, 2});
  check_values("scale", {}, values(q->scale()), {1, 0.25f});
  // Each column only takes ±its scale.
  CHECK(snap(y.select(1, 0), {-1.0f, 1.0f}).outside == 0);
  CHECK(snap(y.select(1, 1), {-0.25f, 0.25f}).outside == 0);
}

TEST_CASE("stochastic_binary: range, hardware type and kernel rule", "[quantizer_families][stochastic_binary]") {
  check_range("stochastic_binary()", 1, 1, -1);
  check_range("stochastic_binary(alpha=2)", 1, 2, -2);
  // hls4ml.md §3.2/§3.3: the class name contains "binary".
  check_hardware("stochastic_binary()", Role::Kernel,
                 HardwareType{HardwareType::Kind::Xnor, FixedType::parse("ap_uint<1>")});
  check_hardware("stochastic_binary()", Role::Bias, fixed_hw("ap_int<2>"));
  check_hardware("stochastic_binary()", Role::Activation, fixed_hw("ap_int<2>"));
  check_kernel_rule("stochastic_binary()", "stochastic_binary(alpha='auto_po2')");
  check_kernel_rule("stochastic_binary(alpha=2)", "stochastic_binary(alpha=2)");
}

// ---------------------------------------------------------------------------
// ternary (qkeras.md §1.6)

TEST_CASE("ternary: threshold applies to the raw x, |x| >= t", "[quantizer_families][ternary]") {
  // qkeras tests/qactivation_test.py::test_ternary
  check_forward("ternary(alpha=1.0, threshold=0.33)", {-3.0f, -2.0f, -1.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {-1, -1, -1, 0, 0, 0, 1, 1, 1});
  // alpha=10, threshold=5: −4 and 4 are below 5 although x/alpha is not compared.
  check_forward("ternary(alpha=10.0, threshold=5.0)", {-11.0f, -7.0f, -4.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {-10, -10, 0, 0, 0, 0, 0, 0, 10});
  // Default threshold 0.33 (float32 0.33f): the tie is included, the float
  // just below is not.  alpha None: tanh(x) + (−tanh(x) + q) = q exactly.
  const float t = 0.33f, below = std::nextafter(0.33f, 0.0f);
  check_forward("ternary()", {t, below, -t, -below, 0.0f, 2.0f, -0.9f}, {1, 0, -1, 0, 0, 1, -1});
  // A given threshold: 0.5 is kept, 0.49 is dropped; alpha None so ±1.
  check_forward("ternary(threshold=0.5)", {0.5f, 0.49f, -0.5f, -0.49f}, {1, 0, -1, 0});
  // A numeric alpha multiplies after the threshold test: 0.4 >= 0.33 -> 3.
  check_forward("ternary(alpha=3)", {0.4f, -0.4f, 0.3f}, {3, -3, 0});
}

TEST_CASE("ternary: gradient 1 - tanh^2 with alpha None, identity otherwise", "[quantizer_families][ternary]") {
  const std::vector<float> x = {-2.0f, -0.2f, 0.0f, 0.5f, 3.0f};
  std::vector<float> g = gradient(parse_quantizer("ternary()"), tensor(x));
  REQUIRE(g.size() == x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    const double th = std::tanh(double(x[i]));
    CHECK(g[i] == Approx(1.0 - th * th));
  }
  check_gradient("ternary(alpha=1)", {-2.0f, -0.2f, 0.0f, 0.5f, 3.0f}, {1, 1, 1, 1, 1});
  check_gradient("ternary(alpha='auto')", {-2.0f, -0.2f, 0.0f, 0.5f, 3.0f}, {1, 1, 1, 1, 1});
}

TEST_CASE("ternary: 'auto' per channel, the spec's derived example and the |x|/s = 0.5 tie",
          "[quantizer_families][ternary]") {
  // Column 0 is qkeras.md §1.6's derived example x = [0.9, −0.5, 0.2, −0.05]:
  // s0 = 2·0.9/3 = 0.6; |x|/s rounds (half to even) to [2, 1, 0, 0] so
  // q = [1, −1, 0, 0]; s = mean(x·q)/(mean(q²) + 1e-7) = 0.35/0.5 = 0.7 (less
  // a relative 2e-7); with s = 0.7 the same q comes back, so output [0.7, −0.7, 0, 0].
  // Column 1 = [1.5, −0.5, 0.25, 0]: s0 = 2·1.5/3 = 1, so |−0.5|/s = 0.5
  // exactly and round-half-even gives 0: q = [1, 0, 0, 0] (the tie is excluded);
  // s = (1.5/4)/(1/4 + 1e-7) ≈ 1.5, then 0.5/1.5 rounds to 0 again.  Output
  // [1.5, 0, 0, 0].  (Rounding the tie away from zero would give q = [1, −1, 0, 0],
  // s ≈ 1 and [1, −1, 0, 0].)
  QuantizerPtr q = parse_quantizer("ternary(alpha='auto')");
  torch::Tensor x = tensor({0.9f, 1.5f, -0.5f, -0.5f, 0.2f, 0.25f, -0.05f, 0.0f}, {4, 2});
  torch::Tensor y = (*q)(x, false);
  REQUIRE(shape(q->scale()) == std::vector<int64_t>{1, 2});
  const std::vector<float> s = values(q->scale());
  CHECK(s[0] == Approx(0.7).epsilon(1e-6));
  CHECK(s[1] == Approx(1.5).epsilon(1e-6));
  // The output is exactly scale·q.
  check_values("ternary(alpha='auto')", values(x), values(y), {s[0], s[1], -s[0], 0, 0, 0, 0, 0});
}

TEST_CASE("ternary: 'auto_po2' per channel on a 4-D tensor", "[quantizer_families][ternary]") {
  // Same two columns as above, shape {2,1,2,2}.
  // Column 0: s0 = po2(0.6) = 2^round(-0.74) = 0.5; |x|/s = [1.8, 1, 0.4, 0.1]
  //   -> q = [1, −1, 0, 0]; LS 0.7 -> po2 2^round(-0.51) = 0.5: stable.
  // Column 1: s0 = po2(1) = 1; the 0.5 tie gives q = [1, 0, 0, 0]; LS 1.5 ->
  //   2^round(0.58) = 2; with s = 2: |x|/s = [0.75, 0.25, 0.125, 0] -> same q.
  QuantizerPtr q = parse_quantizer("ternary(alpha='auto_po2')");
  torch::Tensor x = tensor({0.9f, 1.5f, -0.5f, -0.5f, 0.2f, 0.25f, -0.05f, 0.0f}, {2, 1, 2, 2});
  check_forward(q, x, {0.5f, 2, -0.5f, 0, 0, 0, 0, 0});
  CHECK(shape(q->scale()) == std::vector<int64_t>{1, 1, 1, 2});
  check_values("scale", {}, values(q->scale()), {0.5f, 2});
}

TEST_CASE("ternary: rank-1 tensors, global max but one scale per element", "[quantizer_families][ternary]") {
  // x = [0.9, −0.5, 0.2, −0.05], auto_po2.  The start scale uses the global
  // max: po2(2·0.9/3) = 0.5, giving q = [1, −1, 0, 0].  The LS step is per
  // element: [po2(0.9) = 1, po2(0.5) = 0.5, po2(0 + 1e-7) = 2^-23, 2^-23].
  // Round 2: with s = 2^-23 the last two elements pass the threshold s/2, so
  // q = [1, −1, 1, −1] and s = [1, 0.5, po2(0.2) = 0.25, po2(0.05) = 2^-4].
  // Round 3 reproduces q (0.2/0.25 -> 1, 0.05/0.0625 -> 1): converged.
  QuantizerPtr q = parse_quantizer("ternary(alpha='auto_po2')");
  check_forward(q, tensor({0.9f, -0.5f, 0.2f, -0.05f}), {1, -0.5f, 0.25f, -0.0625f});
  CHECK(shape(q->scale()) == std::vector<int64_t>{4});
  check_values("scale", {}, values(q->scale()), {1, 0.5f, 0.25f, 0.0625f});
}

TEST_CASE("ternary: stochastic rounding samples only in training", "[quantizer_families][ternary]") {
  torch::manual_seed(3);
  torch::Tensor x = torch::randn({64, 2});
  QuantizerPtr q = parse_quantizer("ternary(alpha='auto_po2', use_stochastic_rounding=True)");
  torch::Tensor y = (*q)(x, true);
  // Values are scale·{−1, 0, 1} per column; po2 scales make the division exact.
  torch::Tensor units = y / q->scale();
  CHECK(snap(units, {-1.0f, 0.0f, 1.0f}).outside == 0);
  // Inference equals the deterministic ternary.
  QuantizerPtr plain = parse_quantizer("ternary(alpha='auto_po2')");
  CHECK(torch::equal((*q)(x, false), (*plain)(x, false)));
}

TEST_CASE("ternary: range, hardware type and kernel rule", "[quantizer_families][ternary]") {
  check_range("ternary()", 2, 1, -1);
  check_range("ternary(alpha=3)", 2, 3, -3);
  check_range("ternary(alpha=0.5)", 2, 1, -1);
  check_range("ternary(alpha='auto_po2')", 2, 1, -1);
  // hls4ml.md §3.2/§3.3: ternary is ap_int<2> for weights, biases and activations.
  for (Role role : {Role::Kernel, Role::Bias, Role::Activation})
    check_hardware("ternary()", role, fixed_hw("ap_int<2>"));
  check_kernel_rule("ternary()", "ternary(alpha='auto_po2')");
  check_kernel_rule("ternary(alpha=1)", "ternary(alpha=1)");
}

// ---------------------------------------------------------------------------
// stochastic_ternary (qkeras.md §1.7)

TEST_CASE("stochastic_ternary: inference is ternary", "[quantizer_families][stochastic_ternary]") {
  // qkeras tests/qactivation_test.py::test_stochastic_ternary_inference_mode
  check_forward("stochastic_ternary(alpha=1.0, threshold=0.33)", {-3.0f, -2.0f, -1.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10},
                {-1, -1, -1, 0, 0, 0, 1, 1, 1});
  check_forward("stochastic_ternary(alpha=10.0, threshold=5.0)",
                {-11.0f, -7.0f, -4.0f, -0.2f, 0.0f, 0.3f, 1, 4, 10}, {-10, -10, 0, 0, 0, 0, 0, 0, 10});
  torch::manual_seed(13);
  torch::Tensor x = torch::randn({8, 3});
  for (const char* alpha : {"'auto'", "'auto_po2'"}) {
    INFO("alpha = " << alpha);
    QuantizerPtr st = parse_quantizer(std::string("stochastic_ternary(alpha=") + alpha + ")");
    QuantizerPtr t = parse_quantizer(std::string("ternary(alpha=") + alpha + ")");
    CHECK(torch::equal((*st)(x, false), (*t)(x, false)));
    CHECK(torch::equal(st->scale(), t->scale()));
  }
}

TEST_CASE("stochastic_ternary: training needs alpha 'auto' or 'auto_po2'", "[quantizer_families][stochastic_ternary]") {
  QuantizerPtr q = parse_quantizer("stochastic_ternary(alpha=1)");
  CHECK_THROWS_AS((*q)(tensor({0.5f, -0.5f}, {2, 1}), true), QuantizerError);
}

TEST_CASE("stochastic_ternary: training sample mean p0 + p1 - 1", "[quantizer_families][stochastic_ternary]") {
  // One column of the pattern [0.9, −0.5, 0.2, −0.05] repeated n times.
  // Scale loop with q_ns = sign(x)·[|x| >= s/2]: s0 = 0.6 -> q_ns = [1,−1,0,0]
  // -> s = 0.35/0.5 = 0.7 -> same q_ns: s = 0.7.
  // std (population) = sqrt(mean x² − mean² = 0.275625 − 0.1375²) = sqrt(0.25671875).
  // x_n = x/std, T = s/(2·std), p0 = σ(8(x_n − T)), p1 = σ(8(x_n + T)),
  // q = (q0 + q1)/2 with q_i = ±1 (q in {−1, 0, 1}), so E[q] = p0 + p1 − 1 and Var[q] <= 1.
  torch::manual_seed(2024);
  const int64_t n = 10000;
  const std::vector<float> pattern = {0.9f, -0.5f, 0.2f, -0.05f};
  torch::Tensor x = tensor(pattern).repeat({n}).reshape({4 * n, 1});
  QuantizerPtr q = parse_quantizer("stochastic_ternary(alpha='auto')");
  torch::Tensor y = (*q)(x, true);
  REQUIRE(q->scale().numel() == 1);
  const float s = q->scale().item<float>();
  CHECK(s == Approx(0.7).epsilon(1e-5));
  Snapped snapped = snap(y / s, {-1.0f, 0.0f, 1.0f});
  CHECK(snapped.outside == 0);
  const double sd = std::sqrt(0.25671875);
  const double t = 0.7 / (2.0 * sd);
  for (size_t k = 0; k < pattern.size(); ++k) {
    const double xn = double(pattern[k]) / sd;
    // 0.9998, −0.914, 0.085, −0.007
    const double expected = logistic(8.0 * (xn - t)) + logistic(8.0 * (xn + t)) - 1.0;
    const double mean = strided_mean(snapped.values, k, pattern.size());
    INFO("x = " << pattern[k] << ": mean " << mean << ", expected " << expected);
    CHECK(std::fabs(mean - expected) < 4.0 / std::sqrt(double(n)));
  }
  CHECK(all_equal(torch::tensor(gradient(q, x, true)), 1.0f));
}

TEST_CASE("stochastic_ternary: range, hardware type and kernel rule", "[quantizer_families][stochastic_ternary]") {
  check_range("stochastic_ternary()", 2, 1, -1);
  check_range("stochastic_ternary(alpha=4)", 2, 4, -4);
  for (Role role : {Role::Kernel, Role::Bias, Role::Activation})
    check_hardware("stochastic_ternary()", role, fixed_hw("ap_int<2>"));
  check_kernel_rule("stochastic_ternary()", "stochastic_ternary(alpha='auto_po2')");
}

// ---------------------------------------------------------------------------
// bernoulli (qkeras.md §1.8)

TEST_CASE("bernoulli: always samples {0,1} with P(1) = sigmoid(6x)", "[quantizer_families][bernoulli]") {
  // alpha None: std = 1, scale = 1, q = 1 iff U < σ(6x).  Columns x = 0 and
  // x = 0.25: P(1) = 0.5 and σ(1.5) = 0.8176; sd of q = sqrt(p(1 − p)).
  torch::manual_seed(99);
  const int64_t n = 20000;
  const std::vector<float> column_x = {0.0f, 0.25f};
  torch::Tensor x = tensor(column_x).repeat({n, 1});
  QuantizerPtr q = parse_quantizer("bernoulli()");
  for (bool training : {false, true}) {
    INFO("training = " << training);
    Snapped s = snap((*q)(x, training), {0.0f, 1.0f});
    CHECK(s.outside == 0);
    for (size_t c = 0; c < column_x.size(); ++c) {
      const double p = logistic(6.0 * double(column_x[c]));
      const double mean = strided_mean(s.values, c, column_x.size());
      INFO("x = " << column_x[c] << ": mean " << mean << ", expected " << p);
      CHECK(std::fabs(mean - p) < 4.0 * std::sqrt(p * (1.0 - p) / double(n)));
    }
  }
  // No learning-phase switch: inference calls differ too.
  CHECK_FALSE(torch::equal((*q)(x, false), (*q)(x, false)));
  CHECK(all_equal(torch::tensor(gradient(q, x, false)), 1.0f));
}

TEST_CASE("bernoulli: 'auto_po2' scale from the non-stochastic {0,1} code", "[quantizer_families][bernoulli]") {
  // q_ns = (sign(x), 0 -> 1, + 1)/2.  Column 0 = [0.5, −1, 1.5, −2]:
  // q_ns = [1,0,1,0], LS = (2/4)/(2/4 + 1e-7) -> po2 = 1.  Column 1 =
  // [0.25, −1, 0.25, 0.25]: q_ns = [1,0,1,1], LS = (0.75/4)/(3/4) = 0.25 -> 0.25.
  torch::manual_seed(4);
  QuantizerPtr q = parse_quantizer("bernoulli(alpha='auto_po2')");
  torch::Tensor x = tensor({0.5f, 0.25f, -1.0f, -1.0f, 1.5f, 0.25f, -2.0f, 0.25f}, {4, 2});
  torch::Tensor y = (*q)(x, false);
  CHECK(shape(q->scale()) == std::vector<int64_t>{1, 2});
  check_values("scale", {}, values(q->scale()), {1, 0.25f});
  CHECK(snap(y.select(1, 0), {0.0f, 1.0f}).outside == 0);
  CHECK(snap(y.select(1, 1), {0.0f, 0.25f}).outside == 0);
}

TEST_CASE("bernoulli: range, hardware type and kernel rule", "[quantizer_families][bernoulli]") {
  check_range("bernoulli()", 1, 1, 0);
  check_range("bernoulli(alpha=2)", 1, 2, 0);
  // hls4ml.md §3.2: not binary, ternary or po2 -> no exact mapping.
  for (Role role : {Role::Kernel, Role::Bias, Role::Activation}) check_hardware("bernoulli()", role, std::nullopt);
  check_kernel_rule("bernoulli()", "bernoulli(alpha='auto_po2')");
}

// ---------------------------------------------------------------------------
// quantized_po2 (qkeras.md §1.9)

TEST_CASE("quantized_po2: QKeras reference vectors", "[quantizer_families][quantized_po2]") {
  // qkeras tests/qactivation_test.py::test_quantized_po2 (rounding "rnd").
  // bits=3, max_value=0.5: no exponent sign bit (0.5 <= 1), eff = 3−1−0 = 2,
  // exponents [−4, 3]; |x| clipped to 0.5 first: −7 -> −0.5, −0.12 -> 2^-3,
  // −0.03 (log2 −5.06) -> clip −4, 0.01 -> 2^-4, 5 -> 0.5.
  check_forward("quantized_po2(3, max_value=0.5)", {-7, -0.12f, -0.03f, 0.01f, 5},
                {-0.5f, -0.125f, -0.0625f, 0.0625f, 0.5f});
  // bits=8: eff = 8−1−1 = 6, exponents [−64, 63]: −3 (log2 1.58) -> −4,
  // −1.5 (0.58) -> −2, −0.033 (−4.92) -> −2^-5, 0.667 (−0.58) -> 0.5, 10 -> 8.
  check_forward("quantized_po2(8)", {-3, -2, -1.5f, -0.5f, -0.033f, 0.5f, 0.667f, 1, 1.5f, 4, 10},
                {-4, -2, -2, -0.5f, -0.03125f, 0.5f, 0.5f, 1, 2, 4, 8});
  // bits=4: eff = 2, exponents [−4, 3]: −16 -> −2^3, −7 (2.81) -> −8, 0 -> +2^-4.
  check_forward("quantized_po2(4)", {-16, -7, -0.12f, -0.03f, 0, 0.01f, 5, 10},
                {-8, -8, -0.125f, -0.0625f, 0.0625f, 0.0625f, 4, 8});
  // bits=4, max_value=4 (> 1: sign bit kept), exponents [−4, 3]; −7 clipped to 4.
  check_forward("quantized_po2(4, max_value=4)", {-7, -0.12f, -0.03f, 0, 0.01f, 5},
                {-4, -0.125f, -0.0625f, 0.0625f, 0.0625f, 4});
}

TEST_CASE("quantized_po2: zero, tiny values and exponent clipping", "[quantizer_families][quantized_po2]") {
  // bits=4: exponents [−4, 3].  |x| < 1e-7 -> E = min_exp with sign(0) = +1;
  // 0.01 (log2 −6.6) clips to −4; ±100 clip to ±2^3.
  check_forward("quantized_po2(4)", {0.0f, -0.0f, 1e-8f, -1e-8f, 0.01f, -100, 100},
                {0.0625f, 0.0625f, 0.0625f, -0.0625f, 0.0625f, -8, 8});
  // bits=8: 0 -> +2^-64.  For x = 1e-8 the quantized value 2^-64 is lost in
  // the STE sum: fl(x + fl(2^-64 − x)) = x − x = 0 (qkeras.md §0 STE pattern).
  check_forward("quantized_po2(8)", {0.0f, 1e-8f}, {std::ldexp(1.0f, -64), 0.0f});
  // max_value=3 is not a power of two: |x| is clipped to 3, then rounded in
  // the log domain, log2 3 = 1.58 -> 2, so the output reaches 4 > max_value.
  check_forward("quantized_po2(4, max_value=3)", {5, 2.9f, 3, -10}, {4, 4, 4, -4});
  check_range("quantized_po2(4, max_value=3)", 4, 3, -3);
}

TEST_CASE("quantized_po2: quadratic approximation", "[quantizer_families][quantized_po2]") {
  // qkeras tests/qactivation_test.py::test_quantized_po2 (quadratic rows).
  // bits=4: exponents [−4, 3], quadratic: max_exp = 2·floor(3/2) = 2; E = 2·clip(round(log2 sqrt|x|)).
  //   −10: sqrt 3.16, log2 1.66 -> 2 -> −16;  ±0.25: log2 0.5 = −1 -> 2^-2;  1.99: 0.497 -> 0 -> 1;
  //   5: 1.16 -> 1 -> 4;  16: 2 -> 16;  0.01: −3.32 -> −3 -> 2^-6;  0.03: −2.53 -> 2^-6;
  //   0.06: −2.03 -> −2 -> 2^-4;  −5 -> −4;  −0.03 -> −2^-6.
  // log2 sqrt|x| is an exact half for 0.5, 2 and 32; in float32 (sqrt, then
  // ln(v)/fl(ln 2)) it evaluates to −0.50000006 -> −1, 0.49999997 -> 0 and
  // 2.5 -> 2 (half to even), matching the QKeras expectations 0.25, 1 and 16
  // (qkeras.md §1.9 quirk iii: such inputs depend on float32 ln accuracy).
  check_forward("quantized_po2(4, quadratic_approximation=True)",
                {-10, -0.25f, 0.25f, 1, 1.99f, 2, 5, 10, 16, 32, 0.01f, 0.03f, 0.06f, 0.5f},
                {-16, -0.25f, 0.25f, 1, 1, 1, 4, 16, 16, 16, 0.015625f, 0.015625f, 0.0625f, 0.25f});
  check_forward("quantized_po2(4, quadratic_approximation=True)", {-32, -16, -10, -5, -2, -1, -0.5f, -0.03f, -0.01f},
                {-16, -16, -16, -4, -1, -1, -0.25f, -0.015625f, -0.015625f});
  // Quirk (i): max() reports 2^max_exp = 4 while the forward reaches 16.
  check_range("quantized_po2(4, quadratic_approximation=True)", 4, 4, -4);
}

TEST_CASE("quantized_po2: log2_rounding 'floor'", "[quantizer_families][quantized_po2]") {
  // e = floor(log2|x|), away from exact powers of two: 3 (1.58) -> 2,
  // 0.75 (−0.42) -> 0.5, −1.5 (0.58) -> −1, 10 (3.32) -> 8, 0.667 -> 0.5,
  // −0.033 (−4.92) -> −2^-5.
  check_forward("quantized_po2(8, log2_rounding='floor')", {3, 0.75f, -1.5f, 10, 0.667f, -0.033f},
                {2, 0.5f, -1, 8, 0.5f, -0.03125f});
}

TEST_CASE("quantized_po2: gradient, use_ste and qnoise_factor", "[quantizer_families][quantized_po2]") {
  // x + sg(xq − x): identity everywhere, also where the exponent is clipped.
  check_gradient("quantized_po2(4)", {-100, -0.3f, 0, 1e-9f, 5, 100}, {1, 1, 1, 1, 1, 1});
  // use_ste=False: (1 − q)·x + sg(q·xq); q = 1 -> xq with gradient 0.
  check_forward("quantized_po2(4, use_ste=False)", {3, -0.3f}, {4, -0.25f});
  check_gradient("quantized_po2(4, use_ste=False)", {3, -0.3f}, {0, 0});
  // qnoise_factor 0.5: 3 -> xq = 4 (log2 3 = 1.58); 3 + 0.5·(4 − 3) = 3.5.
  check_forward("quantized_po2(4, qnoise_factor=0.5)", {3}, {3.5f});
  check_gradient("quantized_po2(4, qnoise_factor=0.5)", {3}, {1});
  // Without STE: 0.5·3 + 0.5·4 = 3.5 with gradient 1 − 0.5.
  check_forward("quantized_po2(4, qnoise_factor=0.5, use_ste=False)", {3}, {3.5f});
  check_gradient("quantized_po2(4, qnoise_factor=0.5, use_ste=False)", {3}, {0.5f});
}

TEST_CASE("quantized_po2: stochastic rounding keeps the mean", "[quantizer_families][quantized_po2]") {
  // qkeras tests/qactivation_test.py::test_stochastic_round_quantized_po2 (42 -> mean 42).
  // 42 lies between 2^5 and 2^6; P(64) = (42 − 32)/32 = 0.3125, so the mean is
  // 42 and the sd of one draw is 32·sqrt(0.3125·0.6875).
  torch::manual_seed(666);
  const int64_t n = 20000;
  QuantizerPtr q = parse_quantizer("quantized_po2(use_stochastic_rounding=True)");
  for (float sign : {1.0f, -1.0f}) {
    INFO("x = " << 42 * sign);
    torch::Tensor x = torch::full({n}, 42.0f * sign);
    Snapped s = snap((*q)(x, true), {32 * sign, 64 * sign});
    CHECK(s.outside == 0);
    const double mean = strided_mean(s.values, 0, 1);
    CHECK(std::fabs(mean - 42.0 * sign) < 4.0 * 32.0 * std::sqrt(0.3125 * 0.6875 / double(n)));
    // Inference: round(log2 42 = 5.39) -> 32.
    CHECK(all_equal((*q)(x, false), 32.0f * sign));
  }
}

TEST_CASE("quantized_po2: bits, max, min and hardware types", "[quantizer_families][quantized_po2]") {
  check_range("quantized_po2(4)", 4, 8, -8);                            // max(1, 2^3)
  check_range("quantized_po2(8)", 8, std::ldexp(1.0, 63), -std::ldexp(1.0, 63));
  check_range("quantized_po2(3, max_value=0.5)", 3, 1, -1);             // max(1, 0.5)
  check_range("quantized_po2(4, max_value=4)", 4, 4, -4);
  // hls4ml.md §3.2: po2 weights/biases are {sign, exponent} with a `bits`-wide exponent.
  for (Role role : {Role::Kernel, Role::Bias}) {
    std::optional<HardwareType> hw = parse_quantizer("quantized_po2(4)")->hardware_type(role);
    REQUIRE(hw.has_value());
    CHECK(hw->kind == HardwareType::Kind::Exponent);
    CHECK(hw->fixed.width == 4);
  }
  // §3.3: as an activation, the quantized_bits rule with integer = bits − 1:
  // ap_fixed<bits, bits> has no fraction -> ap_int<bits>.
  check_hardware("quantized_po2(4)", Role::Activation, fixed_hw("ap_int<4>"));
  check_hardware("quantized_po2(6)", Role::Activation, fixed_hw("ap_int<6>"));
}

// ---------------------------------------------------------------------------
// quantized_relu_po2 (qkeras.md §1.9)

TEST_CASE("quantized_relu_po2: QKeras reference vectors", "[quantizer_families][quantized_relu_po2]") {
  // qkeras tests/qactivation_test.py::test_quantized_relu_po2.  All bits are
  // exponent bits: min_exp = −2^(bits − sign), max_exp = 2^(bits − sign) − 1.
  // bits=3, quadratic: exponents [−4, 2]; negatives -> relu 0 -> 2^min_exp = 2^-4
  // (not doubled); 2.01: log2 sqrt = 0.504 -> 1 -> 4; 1.99 -> 1.
  check_forward("quantized_relu_po2(3, quadratic_approximation=True)", {-10, -0.25f, 0.25f, 1, 1.99f, 2.01f, 5, 10, 16},
                {0.0625f, 0.0625f, 0.25f, 1, 1, 4, 4, 16, 16});
  // bits=3, quadratic: 0.01 -> round(log2 0.1 = −3.32) = −3 -> 2^-6; 0.06 -> −2 -> 2^-4;
  // 0.5 -> −0.50000006 in float32 -> −1 -> 2^-2 (see quantized_po2 above); 2 -> 1; 32 -> 16.
  check_forward("quantized_relu_po2(3, quadratic_approximation=True)", {0.01f, 0.03f, 0.06f, 0.5f, 1, 2, 5, 10, 16, 32},
                {0.015625f, 0.015625f, 0.0625f, 0.25f, 1, 1, 4, 16, 16, 16});
  // bits=3, max_value=4: exponents [−4, 3]; 5 -> 4.
  check_forward("quantized_relu_po2(3, max_value=4)", {-7, -0.12f, -0.03f, 0, 0.01f, 5},
                {0.0625f, 0.0625f, 0.0625f, 0.0625f, 0.0625f, 4});
  // bits=3: exponents [−4, 3]; 10 (3.32) -> 8.
  check_forward("quantized_relu_po2(3)", {-16, -7, -0.12f, -0.03f, 0, 0.01f, 5, 10},
                {0.0625f, 0.0625f, 0.0625f, 0.0625f, 0.0625f, 0.0625f, 4, 8});
  // bits=2, max_value=0.5: no exponent sign bit, exponents [−4, 3]; 5 -> 0.5.
  check_forward("quantized_relu_po2(2, max_value=0.5)", {-7, -0.12f, -0.03f, 0.01f, 5},
                {0.0625f, 0.0625f, 0.0625f, 0.0625f, 0.5f});
  // bits=8: min_exp = −128; 2^-128 is a float32 denormal and TF flushes it:
  // −0.033 and 0 -> 0 (the QKeras test lists 2^-128 with atol 1e-5).
  check_forward("quantized_relu_po2(8)", {-0.033f, 0, 0.5f, 0.667f, 1, 1.5f, 4, 10}, {0, 0, 0.5f, 0.5f, 1, 2, 4, 8});
  // bits=6: 0 and negatives -> 2^-32 = 2.3283064e-10, never 0.
  const float two_m32 = std::ldexp(1.0f, -32);
  check_forward("quantized_relu_po2(6)", {0, -1, -1e-9f}, {two_m32, two_m32, two_m32});
}

TEST_CASE("quantized_relu_po2: negative_slope and the denormal case", "[quantizer_families][quantized_relu_po2]") {
  // qkeras tests/leakyrelu_test.py::test_quantized_relu_po2.  x < 0:
  // −2^E(ns·|x|).  bits=8, ns=2^-4, exponents [−128, 127]:
  //   −1 -> 0.0625 -> −2^-4;  −0.8 -> 0.05 (log2 −4.32) -> −2^-4;  −0.7 -> 0.04375 (−4.51) -> −2^-5;
  //   −0.3 -> 0.01875 (−5.74) -> −2^-6;  −0.1 -> 0.00625 (−7.32) -> −2^-7;
  //   −2.2e−16 -> 1.4e−17 < 1e-7 -> −2^-128, a denormal, flushed: exactly 0;
  //   0.1 -> 2^-3, 0.3 -> 2^-2, 0.7 -> 2^-1, 0.8 (−0.32) -> 1.
  const std::vector<float> x = {-1.0f, -0.9f, -0.8f, -0.7f, -0.6f, -0.5f, -0.4f, -0.3f, -0.2f, -0.1f,
                                -2.22044605e-16f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f};
  check_forward("quantized_relu_po2(8, negative_slope=0.0625)", x,
                {-0.0625f, -0.0625f, -0.0625f, -0.03125f, -0.03125f, -0.03125f, -0.03125f, -0.015625f, -0.015625f,
                 -0.0078125f, 0.0f, 0.125f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 0.5f, 1.0f, 1.0f});
  // bits=3: min_exp = −4, so every negative (and −2.2e−16) gives −2^-4.
  check_forward("quantized_relu_po2(3, negative_slope=0.0625)", x,
                {-0.0625f, -0.0625f, -0.0625f, -0.0625f, -0.0625f, -0.0625f, -0.0625f, -0.0625f, -0.0625f, -0.0625f,
                 -0.0625f, 0.125f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 0.5f, 1.0f, 1.0f});
  // bits=6, ns=2^-3, exponents [−32, 31]: −3 -> 0.375 (−1.42) -> −0.5; −2 -> −0.25;
  // −1 -> −0.125; 0 -> 2^-32 (x >= 0 branch); 2.5625 (1.36) -> 2; 3.3671875 (1.75) -> 4;
  // 1.5625 (0.64) -> 2; 1.046875 -> 1; 0.054688 (−4.19) -> 2^-4; 6 (2.58) -> 8.
  check_forward("quantized_relu_po2(6, negative_slope=0.125)",
                {-3.0f, -2.0f, -1.0f, 0.0f, 2.5625f, 3.3671875f, 1.5625f, 1.046875f, 0.054688f, 6.0f},
                {-0.5f, -0.25f, -0.125f, std::ldexp(1.0f, -32), 2, 4, 2, 1, 0.0625f, 8});
}

TEST_CASE("quantized_relu_po2: gradient of the relu / leaky-relu base", "[quantizer_families][quantized_relu_po2]") {
  // base relu(x): 0 for x <= 0 (ReLU gradient at 0 is 0), 1 above.
  check_gradient("quantized_relu_po2(6)", {-1, 0, 0.5f, 3}, {0, 0, 1, 1});
  // base leaky_relu(x, ns): ns for x <= 0 (LeakyReLU gradient at 0 is ns), 1 above.
  check_gradient("quantized_relu_po2(6, negative_slope=0.125)", {-1, 0, 0.5f}, {0.125f, 0.125f, 1});
  // max_value: base = x <= max_value ? relu(x) : max_value -> 0 above max_value.
  check_gradient("quantized_relu_po2(3, max_value=4)", {3.5f, 4, 5}, {1, 1, 0});
}

TEST_CASE("quantized_relu_po2: stochastic rounding keeps the mean", "[quantizer_families][quantized_relu_po2]") {
  // qkeras tests/qactivation_test.py::test_stochastic_round_quantized_relu_po2 (48 -> 48, −42 -> 0).
  // 48: P(64) = (48 − 32)/32 = 1/2, sd of a draw 16.  −42: relu 0 -> 2^-128 -> 0.
  torch::manual_seed(666);
  const int64_t n = 20000;
  QuantizerPtr q = parse_quantizer("quantized_relu_po2(use_stochastic_rounding=True)");
  torch::Tensor x = torch::full({n}, 48.0f);
  Snapped s = snap((*q)(x, true), {32.0f, 64.0f});
  CHECK(s.outside == 0);
  CHECK(std::fabs(strided_mean(s.values, 0, 1) - 48.0) < 4.0 * 16.0 / std::sqrt(double(n)));
  CHECK(all_equal((*q)(x, false), 64.0f));  // round(log2 48 = 5.58) = 6
  CHECK(all_equal((*q)(torch::full({n}, -42.0f), true), 0.0f));
}

TEST_CASE("quantized_relu_po2: bits, max, min and hardware types", "[quantizer_families][quantized_relu_po2]") {
  check_range("quantized_relu_po2(3)", 3, 8, 0.0625);                         // 2^3, 2^-4
  check_range("quantized_relu_po2(6)", 6, std::ldexp(1.0, 31), std::ldexp(1.0, -32));
  check_range("quantized_relu_po2(8)", 8, std::ldexp(1.0, 127), std::ldexp(1.0, -128));
  check_range("quantized_relu_po2(3, max_value=4)", 3, 4, 0.0625);
  check_range("quantized_relu_po2(2, max_value=0.5)", 2, 1, 0.0625);          // max(1, 0.5)
  check_range("quantized_relu_po2(3, quadratic_approximation=True)", 3, 4, 0.0625);  // max_exp 2
  // ns > 0: min(2^min_exp, −ns·2^(bits−1)) = min(2^-32, −0.125·32) = −4.
  check_range("quantized_relu_po2(6, negative_slope=0.125)", 6, std::ldexp(1.0, 31), -4);
  // hls4ml.md §3.3: like quantized_relu with integer = bits − 1.
  check_hardware("quantized_relu_po2(6)", Role::Activation, fixed_hw("ap_ufixed<6,5,AP_RND_CONV,AP_SAT>"));
  check_hardware("quantized_relu_po2(4)", Role::Activation, fixed_hw("ap_ufixed<4,3,AP_RND_CONV,AP_SAT>"));
  // §3.2: only quantized_po2 weights get the exponent type; others fall back.
  check_hardware("quantized_relu_po2(6)", Role::Kernel, std::nullopt);
}

// ---------------------------------------------------------------------------
// quantized_tanh (qkeras.md §1.10)

TEST_CASE("quantized_tanh: values, limits and round-half-even ties", "[quantizer_families][quantized_tanh]") {
  const std::vector<float> x = {-1.0f, -0.75f, -0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f};
  // qkeras tests/qactivation_test.py::test_quantized_tanh (symmetric=True):
  // m = 2^3, p = clip(x, −1, 1), clip(round(8p)/8, −1 + 1/8, 1 − 1/8).
  check_forward("quantized_tanh(4, symmetric=True)", x, {-0.875f, -0.75f, -0.5f, -0.25f, 0, 0.25f, 0.5f, 0.75f});
  // use_real_tanh: 8·tanh(x) = −6.09, −5.08, −3.70, −1.96, 0, ... -> rounded /8.
  check_forward("quantized_tanh(4, symmetric=True, use_real_tanh=True)", x,
                {-0.75f, -0.625f, -0.5f, -0.25f, 0, 0.25f, 0.5f, 0.625f});
  // Default symmetric=False keeps −1: lower clip −1 + 0/8.
  check_forward("quantized_tanh(4)", {-15, -1, 15}, {-1, -1, 0.875f});
  // Ties: 8p = 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, −0.5 -> −0, −1.5 -> −2.
  check_forward("quantized_tanh(4)", {0.0625f, 0.1875f, 0.3125f, -0.0625f, -0.1875f}, {0, 0.25f, 0.25f, 0, -0.25f});
  // qkeras tests/qactivation_test.py::test_quantized_tanh_limits: ±15 -> ∓0.875 = min()/max()
  // with the hard, smooth and real tanh.
  for (InternalSigmoid mode : {InternalSigmoid::Hard, InternalSigmoid::Smooth}) {
    InternalSigmoidScope scope(mode);
    check_forward("quantized_tanh(4, symmetric=True)", {-15, 15}, {-0.875f, 0.875f});
  }
  check_forward("quantized_tanh(4, symmetric=True, use_real_tanh=True)", {-15, 15}, {-0.875f, 0.875f});
  // Smooth: p = 2(0.1875x + 0.5) − 1 = 0.375x: 1 -> 8·0.375 = 3 -> 0.375; 2 -> 0.75.
  InternalSigmoidScope smooth(InternalSigmoid::Smooth);
  check_forward("quantized_tanh(4)", {1, 2, -1}, {0.375f, 0.75f, -0.375f});
}

TEST_CASE("quantized_tanh: clipped gradient", "[quantizer_families][quantized_tanh]") {
  // No outer STE: d/dx = [round(8p)/8 in [lo, hi]] · 2·hard_sigmoid'(x),
  // hard_sigmoid' = 0.5 on |x| <= 1 (closed), 0 outside.  bits=4: hi = 0.875.
  //   −1.5: 0;  −1: inner clip at its bound, rounded −1 = lo -> 1;  0.9: 7.2 -> 7 -> 1;
  //   0.95: 7.6 -> 8 -> 1 > hi -> 0;  1: 0;  2: 0.
  check_gradient("quantized_tanh(4)", {-1.5f, -1, -0.5f, 0, 0.5f, 0.9f, 0.95f, 1, 2}, {0, 1, 1, 1, 1, 1, 0, 0, 0});
  // symmetric: lo = −0.875, so x = −1 (rounded −1) is clipped: 0; −0.9 (−7.2 -> −7) passes.
  check_gradient("quantized_tanh(4, symmetric=True)", {-1, -0.9f}, {0, 1});
  // Real tanh: 1 − tanh², at 0 exactly 1.
  check_gradient("quantized_tanh(4, use_real_tanh=True)", {0}, {1});
}

TEST_CASE("quantized_tanh: stochastic rounding to half steps", "[quantizer_families][quantized_tanh]") {
  // _round_through's default precision 0.5: 8p is rounded stochastically to a
  // multiple of 0.5.  x = 0.1: 8p = 0.8 -> 0.5 or 1.0 with P(1.0) = frac(1.6) = 0.6,
  // so outputs {0.0625, 0.125} with mean 0.1.  Inference: round(0.8) = 1 -> 0.125.
  torch::manual_seed(21);
  const int64_t n = 20000;
  QuantizerPtr q = parse_quantizer("quantized_tanh(4, use_stochastic_rounding=True)");
  torch::Tensor x = torch::full({n}, 0.1f);
  Snapped s = snap((*q)(x, true), {0.0625f, 0.125f});
  CHECK(s.outside == 0);
  CHECK(std::fabs(strided_mean(s.values, 0, 1) - 0.1) < 4.0 * 0.0625 * std::sqrt(0.24 / double(n)));
  CHECK(all_equal((*q)(x, false), 0.125f));
}

TEST_CASE("quantized_tanh: bits, max, min and hardware types", "[quantizer_families][quantized_tanh]") {
  check_range("quantized_tanh(4)", 4, 0.875, -1);
  check_range("quantized_tanh(4, symmetric=True)", 4, 0.875, -0.875);
  check_range("quantized_tanh(8)", 8, 1 - 1.0 / 128, -1);
  // hls4ml.md §3.3: ap_fixed<bits, 1, AP_RND_CONV, AP_SAT or AP_SAT_SYM if symmetric>.
  check_hardware("quantized_tanh(4)", Role::Activation, fixed_hw("ap_fixed<4,1,AP_RND_CONV,AP_SAT>"));
  check_hardware("quantized_tanh(8, symmetric=True)", Role::Activation,
                 fixed_hw("ap_fixed<8,1,AP_RND_CONV,AP_SAT_SYM>"));
  check_hardware("quantized_tanh(4)", Role::Kernel, std::nullopt);
}

// ---------------------------------------------------------------------------
// quantized_sigmoid (qkeras.md §1.10)

TEST_CASE("quantized_sigmoid: values, limits and ties", "[quantizer_families][quantized_sigmoid]") {
  const std::vector<float> x = {-1.0f, -0.75f, -0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f};
  // qkeras tests/qactivation_test.py::test_quantized_sigmoid (symmetric=True,
  // bits=6, m = 64, clip to [1/64, 63/64]).
  // hard: σ = 0.5x + 0.5 = 0, 0.125, ...: 0 is raised to 1/64.
  check_forward("quantized_sigmoid(6, symmetric=True)", x,
                {0.015625f, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.875f});
  {
    // smooth: σ = 0.1875x + 0.5 = 0.3125, 0.359375, ... (all multiples of 1/64).
    InternalSigmoidScope smooth(InternalSigmoid::Smooth);
    check_forward("quantized_sigmoid(6, symmetric=True)", x,
                  {0.3125f, 0.359375f, 0.40625f, 0.453125f, 0.5f, 0.546875f, 0.59375f, 0.640625f});
  }
  // real: 64σ(x) = 17.21, 20.53, 24.16, 28.02, 32, 35.98, 39.84, 43.47 -> rounded /64.
  check_forward("quantized_sigmoid(6, symmetric=True, use_real_sigmoid=True)", x,
                {0.265625f, 0.328125f, 0.375f, 0.4375f, 0.5f, 0.5625f, 0.625f, 0.671875f});
  // qkeras tests/qactivation_test.py::test_quantized_sigmoid_limits: ±15 -> 1/16, 15/16 = min()/max().
  for (InternalSigmoid mode : {InternalSigmoid::Hard, InternalSigmoid::Smooth}) {
    InternalSigmoidScope scope(mode);
    check_forward("quantized_sigmoid(4, symmetric=True)", {-15, 15}, {0.0625f, 0.9375f});
  }
  check_forward("quantized_sigmoid(4, symmetric=True, use_real_sigmoid=True)", {-15, 15}, {0.0625f, 0.9375f});
  // Default symmetric=False: the lower clip is 0.
  check_forward("quantized_sigmoid(4)", {-15, 15}, {0, 0.9375f});
  // Ties, bits=4: 16σ = 8 + 8x: 0.0625 -> 8.5 -> 8; 0.1875 -> 9.5 -> 10; −0.0625 -> 7.5 -> 8.
  check_forward("quantized_sigmoid(4)", {0.0625f, 0.1875f, -0.0625f}, {0.5f, 0.625f, 0.5f});
}

TEST_CASE("quantized_sigmoid: clipped gradient", "[quantizer_families][quantized_sigmoid]") {
  // d/dx = [round(64σ)/64 in [lo, hi]] · 0.5 on |x| <= 1, bits=6: lo = 0, hi = 63/64.
  //   −1: σ = 0 at the inner bound, rounded 0 = lo -> 0.5;  −0.99: 0.32 -> 0 -> 0.5;
  //   0.99: 63.68 -> 64 -> 1 > hi -> 0;  1: 0;  ±1.5: 0.
  check_gradient("quantized_sigmoid(6)", {-1.5f, -1, -0.99f, 0, 0.5f, 0.99f, 1, 1.5f},
                 {0, 0.5f, 0.5f, 0.5f, 0.5f, 0, 0, 0});
  // symmetric: lo = 1/64, so the rounded 0 at −0.99 is clipped: 0.
  check_gradient("quantized_sigmoid(6, symmetric=True)", {-0.99f, 0}, {0, 0.5f});
  // Real sigmoid: σ(0)(1 − σ(0)) = 0.25.
  check_gradient("quantized_sigmoid(6, use_real_sigmoid=True)", {0}, {0.25f});
}

TEST_CASE("quantized_sigmoid: stochastic rounding to half steps", "[quantizer_families][quantized_sigmoid]") {
  // bits=4: 16σ(0.1) = 16·0.55 = 8.8 -> 8.5 or 9.0 with P(9.0) = frac(17.6) = 0.6:
  // outputs {0.53125, 0.5625}, mean 0.55.  Inference: round(8.8) = 9 -> 0.5625.
  torch::manual_seed(22);
  const int64_t n = 20000;
  QuantizerPtr q = parse_quantizer("quantized_sigmoid(4, use_stochastic_rounding=True)");
  torch::Tensor x = torch::full({n}, 0.1f);
  Snapped s = snap((*q)(x, true), {0.53125f, 0.5625f});
  CHECK(s.outside == 0);
  CHECK(std::fabs(strided_mean(s.values, 0, 1) - 0.55) < 4.0 * 0.03125 * std::sqrt(0.24 / double(n)));
  CHECK(all_equal((*q)(x, false), 0.5625f));
}

TEST_CASE("quantized_sigmoid: bits, max, min and hardware types", "[quantizer_families][quantized_sigmoid]") {
  check_range("quantized_sigmoid(4)", 4, 0.9375, 0);
  check_range("quantized_sigmoid(4, symmetric=True)", 4, 0.9375, 0.0625);
  // hls4ml.md §3.3: ap_ufixed<bits, 0, AP_RND_CONV, AP_SAT>.
  check_hardware("quantized_sigmoid(4)", Role::Activation, fixed_hw("ap_ufixed<4,0,AP_RND_CONV,AP_SAT>"));
  check_hardware("quantized_sigmoid(8)", Role::Activation, fixed_hw("ap_ufixed<8,0,AP_RND_CONV,AP_SAT>"));
  check_hardware("quantized_sigmoid(8)", Role::Kernel, std::nullopt);
}

// ---------------------------------------------------------------------------
// quantized_ulaw (qkeras.md §1.10)

TEST_CASE("quantized_ulaw: companded values", "[quantizer_families][quantized_ulaw]") {
  // bits=8: m = 128, p = 128·σ(x) (hard), rp = 2·round(p)/128 − 1,
  // ul = sign(rp)·ln(1 + 255|rp|)/ln 256, clipped to [−1, 1 − 1/128].
  //   0 -> p = 64, rp = 0 -> 0;  1 -> rp = 1, ul = 1 -> clipped to 0.9921875;
  //   −1 -> rp = −1 -> −1 (lower clip −1);  0.0078125 -> p = 64.5 -> 64 (half even) -> 0.
  check_forward("quantized_ulaw(8)", {0, 1, -1, 0.0078125f}, {0, 0.9921875f, -1, 0});
  // symmetric: lower clip −1 + 1/128.
  check_forward("quantized_ulaw(8, 0, 1)", {-1, 1}, {-0.9921875f, 0.9921875f});
  // integer=1: m_i = 2, σ(2/2) = 1 -> 2·0.9921875.
  check_forward("quantized_ulaw(8, 1)", {2}, {1.984375f});
  // Off-grid values (logarithms):
  //   0.5 -> σ 0.75, p = 96, rp = 0.5 -> ln(128.5)/ln 256;
  //   −0.25 -> σ 0.375, p = 48, rp = −0.25 -> −ln(64.75)/ln 256;
  //   0.0234375 -> p = 65.5 -> 66 (half even), rp = 0.03125 -> ln(8.96875)/ln 256.
  QuantizerPtr q = parse_quantizer("quantized_ulaw(8)");
  std::vector<float> y = values((*q)(tensor({0.5f, -0.25f, 0.0234375f}), false));
  const double ln256 = std::log(256.0);
  CHECK(y[0] == Approx(std::log(128.5) / ln256));
  CHECK(y[1] == Approx(-std::log(64.75) / ln256));
  CHECK(y[2] == Approx(std::log(8.96875) / ln256));
  // integer=1 at x = 1: σ(0.5) = 0.75 -> rp = 0.5 -> 2·ln(128.5)/ln 256.
  QuantizerPtr q1 = parse_quantizer("quantized_ulaw(8, 1)");
  CHECK((*q1)(tensor({1.0f}), false).item<float>() == Approx(2.0 * std::log(128.5) / ln256));
}

TEST_CASE("quantized_ulaw: gradient through the compander", "[quantizer_families][quantized_ulaw]") {
  // No STE wrapper; round passes straight through, sign has gradient 0:
  // d/dx = [ul in clip range] · u/((1 + u|rp|)·ln(1 + u)) · 2σ'(x/m_i), σ' = 0.5 on |x| <= 1.
  //   0.5: rp = 0.5 -> 255/(128.5·ln 256);  −0.25: 255/(64.75·ln 256);
  //   0: rp = 0, sign(rp)² = 0 -> 0;  1: ul = 1 is clipped -> 0;  2: σ' = 0 -> 0.
  const std::vector<float> x = {0.5f, -0.25f, 0.0f, 1.0f, 2.0f};
  std::vector<float> g = gradient(parse_quantizer("quantized_ulaw(8)"), tensor(x));
  const double ln256 = std::log(256.0);
  CHECK(g[0] == Approx(255.0 / (128.5 * ln256)));
  CHECK(g[1] == Approx(255.0 / (64.75 * ln256)));
  CHECK(g[2] == 0.0f);
  CHECK(g[3] == 0.0f);
  CHECK(g[4] == 0.0f);
}

TEST_CASE("quantized_ulaw: bits, max, min and hardware types", "[quantizer_families][quantized_ulaw]") {
  check_range("quantized_ulaw(8)", 8, 1, -1);
  check_range("quantized_ulaw(8, 2)", 8, 4, -4);  // ±max(1, 2^integer)
  check_range("quantized_ulaw(1, 2)", 1, 1, -1);  // no non-sign bits: ±1
  for (Role role : {Role::Kernel, Role::Activation}) check_hardware("quantized_ulaw(8)", role, std::nullopt);
}

// ---------------------------------------------------------------------------
// quantized_hswish (qkeras.md §1.10)

TEST_CASE("quantized_hswish: quantized_bits of x·relu6(x+3)/6", "[quantizer_families][quantized_hswish]") {
  // qkeras tests/qactivation_test.py::test_quantized_hswish.
  // bits=6, integer=2: LSB 2^-3, range [−4, 3.875].  y = x·min(relu(x + 3), 6)/6:
  //   −3 -> 0;  −2 -> −1/3 -> −2.67 LSB -> −3 -> −0.375;  −1 -> −1/3 -> −0.375;
  //   −0.5 -> −0.2083 -> −1.67 -> −0.25;  0.5 -> 0.2917 -> 2.33 -> 0.25;  1 -> 2/3 -> 5.33 -> 0.625;
  //   4, 10 -> 4, 10 -> clipped to 3.875.
  check_forward("quantized_hswish(6, 2, 0)", {-3.0f, -2.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1, 4, 10},
                {0, -0.375f, -0.375f, -0.25f, 0, 0.25f, 0.625f, 3.875f, 3.875f});
  // bits=6, integer=4, symmetric: LSB 0.5, range ±15.5:
  //   −2.3 -> −2.3·0.7/6 = −0.268 -> −0.54 LSB -> −1 -> −0.5;  −0.25 -> −0.115 -> −0.23 -> −0 -> 0;
  //   1 -> 2/3 -> 1.33 -> 1 -> 0.5;  4 -> 4;  10 -> 10.
  check_forward("quantized_hswish(6, 4, 1)", {-10.0f, -2.0f, -2.3f, -0.25f, 0.0f, 0.5f, 1, 4, 10},
                {0, -0.5f, -0.5f, 0, 0, 0.5f, 0.5f, 4, 10});
  // bits=2, integer=0: LSB 0.5, range [−1, 0.5].
  check_forward("quantized_hswish(2, 0, 0)", {-10.0f, -2.0f, -2.3f, -0.25f, 0.0f, 0.5f, 1, 4, 10},
                {0, -0.5f, -0.5f, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f});
}

TEST_CASE("quantized_hswish: gradient of the hard swish (STE through the grid)",
          "[quantizer_families][quantized_hswish]") {
  // quantized_bits passes the gradient unchanged (not clipped), so
  // d/dx = r/6 + x·r'/6 with r = where(x + 3 <= 6, relu(x + 3), 6):
  //   −4: r = 0, r' = 0 -> 0;  −1.5: 1.5/6 − 1.5/6 = 0;  1: 4/6 + 1/6 = 5/6;
  //   3: x + 3 = 6 is still the relu branch: 6/6 + 3/6 = 1.5;  10: r = 6 constant -> 1.
  const std::vector<float> x = {-4.0f, -1.5f, 1.0f, 3.0f, 10.0f};
  std::vector<float> g = gradient(parse_quantizer("quantized_hswish(8, 3)"), tensor(x));
  CHECK(g[0] == 0.0f);
  CHECK(g[1] == Approx(0.0).margin(1e-6));
  CHECK(g[2] == Approx(5.0 / 6.0));
  CHECK(g[3] == Approx(1.5));
  CHECK(g[4] == Approx(1.0));
}

// ---------------------------------------------------------------------------
// quantized_linear (qkeras.md §1.2)

TEST_CASE("quantized_linear: fixed grid, clip before round, symmetric by default",
          "[quantizer_families][quantized_linear]") {
  // bits=4, integer=1: data_type_scale = 2^(1−4+1) = 0.25, clip [−8 + 1, 7]:
  //   0.3 -> 1.2 -> 1 -> 0.25;  0.375 -> 1.5 -> 2 -> 0.5;  0.625 -> 2.5 -> 2 -> 0.5;
  //   −0.125 -> −0.5 -> −0;  ±2 -> ±8 -> clipped to ±7 -> ±1.75;  1.75 -> 7;  5 -> 7.
  check_forward("quantized_linear(4, 1)", {0.3f, 0.375f, 0.625f, -0.125f, 2.0f, -2.0f, 1.75f, 5.0f},
                {0.25f, 0.5f, 0.5f, 0, 1.75f, -1.75f, 1.75f, 1.75f});
  // symmetric=False: clip [−8, 7]: −2 -> −2, −5 -> −2, 1.9 -> 7.6 -> 7 -> 1.75.
  check_forward("quantized_linear(4, 1, symmetric=False)", {-2.0f, -5.0f, 1.9f}, {-2, -2, 1.75f});
  // keep_negative=False, integer=2: data_type_scale 2^(2−4) = 0.25, clip [0, 15]:
  //   −1 -> 0;  0.6 -> 2.4 -> 2 -> 0.5;  5 -> 15 -> 3.75.
  check_forward("quantized_linear(4, 2, keep_negative=False)", {-1.0f, 0.6f, 5.0f}, {0, 0.5f, 3.75f});
  // Sign mode (bits=1, keep_negative): data_type_scale 2^0 = 1, clip [−0.5, 0.5],
  // r = round(clip − 0.5) + 0.5: 0.3 -> 0.5;  −0.3 -> −0.5;  0 -> round(−0.5) = −0 -> 0.5;  ±5 -> ±0.5.
  check_forward("quantized_linear(1, 0)", {0.3f, -0.3f, 0.0f, 5.0f, -5.0f}, {0.5f, -0.5f, 0.5f, 0.5f, -0.5f});
  // A numeric alpha scales the grid before rounding: qs = 2·0.25 = 0.5, range ±3.5:
  //   1.3 -> 2.6 -> 3 -> 1.5;  3 -> 6 -> 3;  ±10 -> ±7 -> ±3.5.
  check_forward("quantized_linear(4, 1, alpha=2)", {1.3f, 3.0f, 10.0f, -10.0f}, {1.5f, 3, 3.5f, -3.5f});
}

TEST_CASE("quantized_linear: clipped straight-through gradient and qnoise_factor",
          "[quantizer_families][quantized_linear]") {
  // Gradient 1 on the closed interval [qs·clip_min, qs·clip_max] = [−1.75, 1.75], 0 outside.
  check_gradient("quantized_linear(4, 1)", {-2.0f, -1.75f, 0.3f, 1.75f, 2.0f}, {0, 1, 1, 1, 0});
  // alpha=2: interval [−3.5, 3.5].
  check_gradient("quantized_linear(4, 1, alpha=2)", {-3.5f, 3.0f, 3.6f}, {1, 1, 0});
  // qnoise 0.5: x + 0.5(xq − x): 0.375 -> 0.375 + 0.5·0.125 = 0.4375;
  // 3 -> xq 1.75 -> 3 − 0.625 = 2.375.  Gradient (1 − q) + q·inside: 1 and 0.5.
  check_forward("quantized_linear(4, 1, qnoise_factor=0.5)", {0.375f, 3.0f}, {0.4375f, 2.375f});
  check_gradient("quantized_linear(4, 1, qnoise_factor=0.5)", {0.375f, 3.0f}, {1, 0.5f});
}

TEST_CASE("quantized_linear: the clip gradient is decided on x/qs in float32",
          "[quantizer_families][quantized_linear]") {
  // QKeras quantizers.py quantized_linear._scale_clip_and_round: scaled_x =
  // x / quantization_scale; K.clip(scaled_x, clip_min, clip_max) passes the
  // gradient iff clip_min <= scaled_x <= clip_max (closed, qkeras.md §0).
  // bits=3, "auto", one column [3.45, −1, 0.5]: clip [−3, 3], range 6,
  // qs = fl(fl(2·3.45f)/6): 2·3.45f = 6.900000095367431640625 exactly, /6 =
  // 1.15000001589..., nearest float 1.14999997615814208984375.  Then
  // 3.45f/qs = 3.0000000622 -> fl = 3.0, inside the closed clip: gradient 1.
  // (Testing x <= qs·3 instead fails: qs·3 = 3.44999992847... is a tie between
  // 3.4499998092651367 and 3.4500000476837158 and rounds to the even one, below 3.45f.)
  QuantizerPtr q = parse_quantizer("quantized_linear(3, 0, alpha='auto')");
  torch::Tensor x = tensor({3.45f, -1.0f, 0.5f}, {3, 1});
  check_values("quantized_linear(3, 0, alpha='auto') gradient", values(x), gradient(q, x), {1, 1, 1});
}

TEST_CASE("quantized_linear: 'auto' and 'auto_po2' scales per channel", "[quantizer_families][quantized_linear]") {
  // "auto", bits=2, integer=0: data_type_scale 2^(0−2+1) = 0.5, clip [−1, 1];
  // qs = max|x|·2/(1 − (−1)) = max|x| per column.
  //   column 0 = [0, 0.4, 0.9, 1.5, 2]: qs = 2, x/qs = [0, 0.2, 0.45, 0.75, 1] -> [0, 0, 0, 2, 2]
  //   (the docstring's example output; scale = qs/0.5 = 4);
  //   column 1 = [−0.5, 0.25, −0.125, 0.3, 0.1]: qs = 0.5, x/qs = [−1, 0.5, −0.25, 0.6, 0.2]
  //   -> round half even [−1, 0, −0, 1, 0] -> [−0.5, 0, 0, 0.5, 0]; scale 1.
  QuantizerPtr a = parse_quantizer("quantized_linear(2, 0, alpha='auto')");
  torch::Tensor xa = tensor({0.0f, -0.5f, 0.4f, 0.25f, 0.9f, -0.125f, 1.5f, 0.3f, 2.0f, 0.1f}, {5, 2});
  check_forward(a, xa, {0, -0.5f, 0, 0, 0, 0, 2, 0.5f, 2, 0});
  CHECK(shape(a->scale()) == std::vector<int64_t>{1, 2});
  check_values("scale", {}, values(a->scale()), {4, 1});
  // "auto_po2", bits=4, integer=0: data_type_scale 1/8, clip [−7, 7].
  //   column 0 = [0.9, −0.5, 0.2, −0.05]: qs = po2(1.8/14 = 0.129) = 1/8; r = [7 (7.2 clipped),
  //   −4, 2 (1.6), −0]; LS = (6.3 + 2 + 0.4)/69 = 0.126 -> 1/8 unchanged: [0.875, −0.5, 0.25, 0];
  //   scale (1/8)/(1/8) = 1.
  //   column 1 = [3, −1, 0.5, 0.25]: qs = po2(6/14 = 0.43) = 0.5; r = [6, −2, 1, 0 (0.5, half
  //   even)]; LS = 20.5/41 = 0.5 unchanged: [3, −1, 0.5, 0]; scale 0.5/(1/8) = 4.
  QuantizerPtr p = parse_quantizer("quantized_linear(4, 0, alpha='auto_po2')");
  torch::Tensor xp = tensor({0.9f, 3.0f, -0.5f, -1.0f, 0.2f, 0.5f, -0.05f, 0.25f}, {4, 2});
  check_forward(p, xp, {0.875f, 3, -0.5f, -1, 0.25f, 0.5f, 0, 0});
  CHECK(shape(p->scale()) == std::vector<int64_t>{1, 2});
  check_values("scale", {}, values(p->scale()), {1, 4});
}

TEST_CASE("quantized_linear: bits, max, min, scale, hardware type and kernel rule",
          "[quantizer_families][quantized_linear]") {
  // max() = clip_max·qs, min() = clip_min·qs.
  check_range("quantized_linear(4, 1)", 4, 1.75, -1.75);
  check_range("quantized_linear(4, 1, symmetric=False)", 4, 1.75, -2);
  check_range("quantized_linear(4, 1, alpha=2)", 4, 3.5, -3.5);
  check_range("quantized_linear(4, 2, keep_negative=False)", 4, 3.75, 0);
  check_range("quantized_linear(1, 0)", 1, 0.5, -0.5);
  // .scale = qs/data_type_scale: 1 without alpha, alpha when given.
  CHECK(parse_quantizer("quantized_linear(4, 1)")->scale().item<float>() == 1.0f);
  CHECK(parse_quantizer("quantized_linear(4, 1, alpha=2)")->scale().item<float>() == 2.0f);
  // Not a quantizer hls4ml maps (hls4ml.md §3.2-§3.3).
  check_hardware("quantized_linear(4, 1)", Role::Kernel, std::nullopt);
  // Kernel rule: alpha None -> 'auto_po2' and symmetric forced on.
  check_kernel_rule("quantized_linear(4, 0, symmetric=False)",
                    "quantized_linear(4, 0, symmetric=True, alpha='auto_po2')");
  check_kernel_rule("quantized_linear(4, 0, alpha=1)", "quantized_linear(4, 0, alpha=1)");
}
