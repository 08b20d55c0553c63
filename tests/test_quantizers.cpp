// quantized_bits, quantized_relu, parsing/printing, the kernel rule and the
// hardware-type mapping, against QKeras.  Expected values are QKeras' own
// test vectors (cited) or worked by hand from shared/spec/qkeras.md §0-§1
// in the comment beside them.
#include "test_common.h"

#include <nlohmann/json.hpp>

#include "quantizers/quantizer.h"

using quantizers::HardwareType;
using quantizers::parse_quantizer;
using quantizers::QuantizerError;
using quantizers::Role;

namespace {

torch::Tensor t(std::vector<float> v) { return torch::tensor(v, torch::kFloat32); }

std::vector<float> run(const std::string& spec, std::vector<float> x, bool training = false) {
  auto q = parse_quantizer(spec);
  torch::Tensor y = (*q)(t(x), training).contiguous();
  return {y.data_ptr<float>(), y.data_ptr<float>() + y.numel()};
}

std::vector<float> grad(const std::string& spec, std::vector<float> x) {
  auto q = parse_quantizer(spec);
  torch::Tensor in = t(x).requires_grad_(true);
  (*q)(in, true).sum().backward();
  torch::Tensor g = in.grad().contiguous();
  return {g.data_ptr<float>(), g.data_ptr<float>() + g.numel()};
}

std::vector<float> values(const torch::Tensor& y) {
  torch::Tensor c = y.detach().contiguous().to(torch::kFloat32);
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

}  // namespace

TEST_CASE("quantized_bits matches QKeras' test vectors", "[quantized_bits]") {
  // qkeras tests/qactivation_test.py::test_quantized_bits (bits=6, integer=2;
  // LSB = 2^(2-6+1) = 1/8, so the top code is 4 - 1/8 = 3.875).
  CHECK(run("quantized_bits(6,2,0,True)", {-3, -2, -1, -0.5, 0, 0.5, 1, 4, 10}) ==
        std::vector<float>{-3, -2, -1, -0.5, 0, 0.5, 1, 3.875, 3.875});
  // keep_negative=False: LSB = 2^(2-6) = 1/16, top 4 - 1/16.
  CHECK(run("quantized_bits(6,2,0,False)", {-3, -2, -1, -0.5, 0, 0.5, 1, 4, 10}) ==
        std::vector<float>{0, 0, 0, 0, 0, 0.5, 1, 3.9375, 3.9375});
  // symmetric: the lowest code -4 is dropped, so -10 saturates at -3.875.
  CHECK(run("quantized_bits(6,2,1,True)", {-10, -4, -1, -0.5, 0, 0.5, 1, 4, 10}) ==
        std::vector<float>{-3.875, -3.875, -1, -0.5, 0, 0.5, 1, 3.875, 3.875});
}

TEST_CASE("quantized_bits rounds half to even and clips after rounding", "[quantized_bits]") {
  // quantized_bits(2,0,alpha=1): LSB 0.5, codes -2..1 -> values {-1,-0.5,0,0.5}.
  // 0.25/0.5 = 0.5 -> 0 (tie to even); 0.75 -> 1.5 -> 2 -> clipped to 1 -> 0.5;
  // -0.75 -> -1.5 -> -2 -> -1; -0.25 -> -0.5 -> -0 (tie to even).
  CHECK(run("quantized_bits(2,0,alpha=1)", {0.25f, 0.75f, -0.75f, -0.25f, 0.3f, -2.0f}) ==
        std::vector<float>{0, 0.5, -1, 0, 0.5, -1});
  // symmetric 2-bit: lowest code -1 -> -0.75 gives -0.5.
  CHECK(run("quantized_bits(2,0,1,alpha=1)", {-0.75f, -2.0f}) == std::vector<float>{-0.5, -0.5});
  // 6-bit, LSB 1/32: 1.5/32 is a tie between codes 1 and 2 -> 2 (even); 2.5/32 -> 2.
  CHECK(run("quantized_bits(6,0,alpha=1)", {1.5f / 32, 2.5f / 32, 0.1f}) ==
        std::vector<float>{2.0f / 32, 2.0f / 32, 3.0f / 32});
  // -0.01 rounds to -0: the output compares equal to 0.
  CHECK(run("quantized_bits(4,0,alpha=1)", {-0.01f})[0] == 0.0f);
}

TEST_CASE("quantized_bits with one bit", "[quantized_bits]") {
  // unsigned_bits = bits - keep_negative = 0: sign(x) with 0 -> +1.
  CHECK(run("quantized_bits(1,0,alpha=1)", {-0.3f, 0.0f, 0.2f, -5.0f}) == std::vector<float>{-1, 1, 1, -1});
  // Without keep_negative one bit is an unsigned grid: LSB 2^(0-1) = 0.5,
  // codes {0, 1}: 0.2 -> round(0.4) = 0; 0.3 -> round(0.6) = 1 -> 0.5.
  CHECK(run("quantized_bits(1,0,keep_negative=False,alpha=1)", {-0.3f, 0.0f, 0.2f, 0.3f, 9.0f}) ==
        std::vector<float>{0, 0, 0, 0.5f, 0.5f});
}

TEST_CASE("quantized_bits multiplies a numeric alpha after quantizing", "[quantized_bits]") {
  // quantized_bits(3,1,alpha=2): p = 1.7·4/2 = 3.4 -> 3 -> 2·3/4 = 1.5 -> ·2 = 3 (qkeras.md §1.1).
  CHECK(run("quantized_bits(3,1,alpha=2)", {1.7f}) == std::vector<float>{3.0f});
  // A per-channel alpha scales the last axis: [[0.3, 0.3]] with alpha [1, 4]
  // on quantized_bits(4,0): 0.3·8 = 2.4 -> 2 -> 0.25, then ·1 and ·4.
  auto q = parse_quantizer("quantized_bits(4,0,alpha=[1,4])");
  CHECK(values((*q)(t({0.3f, 0.3f}).reshape({1, 2}))) == std::vector<float>{0.25, 1.0});
}

TEST_CASE("quantized_bits output is x + (xq - x) in float32, even far outside the range", "[quantized_bits]") {
  // qkeras.md §0 (STE pattern): for quantized_bits(6,0,1) x = 6.5e8 gives 0.0
  // and x = 950929.56 gives 0.9375 instead of the saturated 0.96875.
  CHECK(run("quantized_bits(6,0,alpha=1)", {6.5e8f, 950929.56f, 100.0f}) ==
        std::vector<float>{0.0f, 0.9375f, 0.96875f});
}

TEST_CASE("quantized_bits auto scales round half away from zero, per last axis", "[quantized_bits][auto]") {
  // Columns [0.875, 0.3125, -0.1875, 0.0625] and [1.75, -0.625, 0, 0.375].
  // bits 4: half = 7, levels = 14.  Column 0: s = 2·0.875/14 = 0.125;
  // |x|/s = [7, 2.5, 1.5, 0.5] -> floor(+0.5) = [7, 3, 2, 1] (ties go up,
  // unlike tf.round) -> xq = s·z = [0.875, 0.375, -0.25, 0.125].
  // Column 1: s = 3.5/14 = 0.25; |x|/s = [7, 2.5, 0, 1.5] -> [7, 3, 0, 2]
  // -> [1.75, -0.75, 0, 0.5].  scale attribute = s·m = s·8 = [1, 2].
  torch::Tensor w = t({0.875f, 1.75f, 0.3125f, -0.625f, -0.1875f, 0.0f, 0.0625f, 0.375f}).reshape({4, 2});
  const std::vector<float> expected{0.875f, 1.75f, 0.375f, -0.75f, -0.25f, 0.0f, 0.125f, 0.5f};
  for (const char* spec : {"quantized_bits(4,0,alpha='auto')", "quantized_bits(4,0,alpha='auto_po2')"}) {
    // auto_po2: po2(0.125) = 0.125 and po2(0.25) = 0.25; the least-squares
    // refinements give mean(x·z)/mean(z²) = 1.875/15.75 = 0.119 -> 2^-3 and
    // 3.71875/15.5 = 0.240 -> 2^-2, so the scales stay.
    INFO(spec);
    auto q = parse_quantizer(spec);
    CHECK(values((*q)(w)) == expected);
    REQUIRE(q->scale().sizes() == torch::IntArrayRef{1, 2});
    CHECK(values(q->scale()) == std::vector<float>{1, 2});
    // The same matrix as a 4-D Conv2D kernel (kh=1, kw=1, cin=4, cout=2).
    CHECK(values((*q)(w.reshape({1, 1, 4, 2}))) == expected);
    CHECK(q->scale().sizes() == torch::IntArrayRef{1, 1, 1, 2});
  }
}

TEST_CASE("quantized_bits auto_po2 refines rank-1 tensors element by element", "[quantized_bits][auto]") {
  // Rank-1 quirk (qkeras.md §1.1): the first scale is the global po2(2·0.875/14)
  // = 0.125, then each element gets po2(x·z/(z²+1e-7)): 0.875·7/49 = 0.125,
  // 0.3125·3/9 = 0.104 -> 0.125, 0.1875·2/4 = 0.094 -> 0.125, 0.0625/1 -> 0.0625.
  // Final z = [7, 3, -2, 1] -> xq = [0.875, 0.375, -0.25, 0.0625]; scale = s·8.
  auto q = parse_quantizer("quantized_bits(4,0,alpha='auto_po2')");
  CHECK(values((*q)(t({0.875f, 0.3125f, -0.1875f, 0.0625f}))) == std::vector<float>{0.875f, 0.375f, -0.25f, 0.0625f});
  CHECK(values(q->scale()) == std::vector<float>{1, 1, 1, 0.5});
}

TEST_CASE("quantized_bits auto_po2 exponent limits and all-zero channels", "[quantized_bits][auto]") {
  // Column [0.875, ...] wants 2^-3; max_po2_exponent=-4 clips it to 2^-4, so
  // the grid is 0.0625·z with z capped at 7: 0.875 -> 7 -> 0.4375.
  auto q = parse_quantizer("quantized_bits(4,0,alpha='auto_po2',max_po2_exponent=-4)");
  torch::Tensor w = t({0.875f, 0.3125f, -0.1875f, 0.0625f}).reshape({4, 1});
  CHECK(values((*q)(w)) == std::vector<float>{0.4375f, 0.3125f, -0.1875f, 0.0625f});
  CHECK(values(q->scale()) == std::vector<float>{0.5f});
  // An all-zero channel stays zero, no NaN: "auto" divides 0/0 but z = sign(0)·... = 0.
  auto a = parse_quantizer("quantized_bits(4,0,alpha='auto')");
  CHECK(values((*a)(torch::zeros({3, 1}))) == std::vector<float>{0, 0, 0});
}

TEST_CASE("quantized_bits stochastic rounding acts only in training", "[quantized_bits][stochastic]") {
  // quantized_bits(4,0,alpha=1): LSB 1/8; 0.3/0.125 = 2.4 -> 0.25 with p 0.6
  // or 0.375 with p 0.4 (mean 0.3); inference rounds to 0.25.
  torch::manual_seed(7);
  auto q = parse_quantizer("quantized_bits(4,0,alpha=1,use_stochastic_rounding=True)");
  torch::Tensor x = torch::full({20000}, 0.3f);
  torch::Tensor y = (*q)(x, true);
  CHECK(((y == 0.25f) | (y == 0.375f)).all().item<bool>());
  // std of one draw 0.125·sqrt(0.24) = 0.061; standard error 4.3e-4.
  CHECK(y.mean().item<double>() == Approx(0.3).margin(0.002));
  CHECK(((*q)(x, false) == 0.25f).all().item<bool>());
}

TEST_CASE("quantized_bits gradients", "[quantized_bits][grad]") {
  // Straight-through: identity everywhere, also where the output saturates.
  CHECK(grad("quantized_bits(4,0,alpha=1)", {10, -10, 0.3f}) == std::vector<float>{1, 1, 1});
  CHECK(grad("quantized_bits(4,0,alpha='auto_po2')", {0.5f, -0.2f}) == std::vector<float>{1, 1});
  // use_ste=False: output (1-q)x + q·xq, gradient 1-q = 0.75 for q = 0.25.
  CHECK(grad("quantized_bits(4,0,alpha=1,qnoise_factor=0.25,use_ste=False)", {0.3f, 5}) ==
        std::vector<float>{0.75f, 0.75f});
  // qnoise 0.5 with STE: x + 0.5(xq - x): 0.3 -> 0.3 + 0.5(0.25 - 0.3) = 0.275.
  CHECK(run("quantized_bits(4,0,alpha=1,qnoise_factor=0.5)", {0.3f})[0] == Approx(0.275f));
}

TEST_CASE("quantized_bits max, min and range", "[quantized_bits]") {
  // max() = max(1, 2^integer); min() = 0 without keep_negative (google/qkeras#71).
  CHECK(parse_quantizer("quantized_bits(8,0,0,False)")->max() == 1.0);
  CHECK(parse_quantizer("quantized_bits(8,0,0,False)")->min() == 0.0);
  CHECK(parse_quantizer("quantized_bits(6,2)")->max() == 4.0);
  CHECK(parse_quantizer("quantized_bits(6,2)")->min() == -4.0);
  CHECK(parse_quantizer("quantized_bits(1,0)")->max() == 1.0);
  CHECK(parse_quantizer("quantized_bits(1,0)")->min() == -1.0);
  // range(): codes 0..7 in binary order times 2^(1-3+1) = 0.5.
  CHECK(parse_quantizer("quantized_bits(3,1)")->range() == std::vector<double>{0, 0.5, 1, 1.5, -2, -1.5, -1, -0.5});
  CHECK_THROWS_AS(parse_quantizer("quantized_bits(3,1,1)")->range(), QuantizerError);
  CHECK(parse_quantizer("quantized_bits(6,0)")->bits() == 6);
}

TEST_CASE("quantized_relu matches QKeras' test vectors", "[quantized_relu]") {
  // qkeras tests/qactivation_test.py::test_quantized_relu: bits 6, integer 2, LSB 1/16.
  CHECK(run("quantized_relu(6,2,0)", {-3.0f, 0.0f, 2.5625f, 3.3671875f, 1.5625f, 1.046875f, 0.054688f}) ==
        std::vector<float>{0.0f, 0.0f, 2.5625f, 3.375f, 1.5625f, 1.0625f, 0.0625f});
  // qkeras tests/leakyrelu_test.py: quantized_relu(6,2,0,0.25) keeps 5 bits
  // for magnitudes, LSB 1/8: 2.5625·8 = 20.5 -> 20 -> 2.5; 1.5625·8 = 12.5 -> 12 -> 1.5.
  CHECK(run("quantized_relu(6,2,0,0.25)", {2.5625f, 1.5625f}) == std::vector<float>{2.5f, 1.5f});
  // Negative side: round(0.25·(-1.3)·8) = round(-2.6) = -3 -> -3/8 = -0.375;
  // bounded below by -ns·2^integer = -1.
  CHECK(run("quantized_relu(6,2,0,0.25)", {-1.3f, -100.0f}) == std::vector<float>{-0.375f, -1.0f});
  // Saturation at 2^integer - LSB = 3.9375.
  CHECK(run("quantized_relu(6,2)", {10.0f})[0] == 3.9375f);
}

TEST_CASE("quantized_relu with use_sigmoid matches QKeras", "[quantized_relu]") {
  // qkeras tests/qactivation_test.py::test_quantized_relu, use_sigmoid=1 (first entries):
  // p = hard_sigmoid(x/4)·64, xq = 4·clip(2·round(p)/64 - 1, 0, 63/64).
  CHECK(run("quantized_relu(6,2,1)", {0.458069f, 0.573227f, 0.194336f, 1.539047f, 0.045883f, 4.009995f}) ==
        std::vector<float>{0.5f, 0.625f, 0.25f, 1.5f, 0.0f, 3.9375f});
}

TEST_CASE("quantized_relu stochastic rounding uses QKeras' precision 0.5", "[quantized_relu][stochastic]") {
  // QKeras calls _round_through(p, stochastic) with its default precision 0.5:
  // quantized_relu(4,2): p = 4x = 1.2 -> 2.4 half-steps -> 1.0 (p 0.6) or 1.5
  // (p 0.4) -> xq = 4·r/16 in {0.25, 0.375}: half-LSB values appear (quirk).
  torch::manual_seed(11);
  auto q = parse_quantizer("quantized_relu(4,2,use_stochastic_rounding=True)");
  torch::Tensor y = (*q)(torch::full({20000}, 0.3f), true);
  CHECK(((y == 0.25f) | (y == 0.375f)).all().item<bool>());
  CHECK((y == 0.375f).any().item<bool>());
  CHECK(y.mean().item<double>() == Approx(0.3).margin(0.002));
}

TEST_CASE("quantized_relu gradients are clipped", "[quantized_relu][grad]") {
  // quantized_relu(4,2): LSB 0.25, top 3.75.  Gradient 1 on (0, 3.75], 0
  // elsewhere (ReLU gradient at 0 is 0).
  CHECK(grad("quantized_relu(4,2)", {-1, 0, 1, 3.75f, 5}) == std::vector<float>{0, 0, 1, 1, 0});
  // negative_slope 0.25: 3 magnitude bits, top 4 - 0.5 = 3.5; slope below 0 and at 0.
  CHECK(grad("quantized_relu(4,2,0,0.25)", {-1, 0, 1, 3.5f, 4}) == std::vector<float>{0.25f, 0.25f, 1, 1, 0});
  // relu_upper_bound without is_quantized_clip bounds the base at 2.
  CHECK(grad("quantized_relu(4,2,relu_upper_bound=2,is_quantized_clip=False)", {1, 2, 3}) ==
        std::vector<float>{1, 1, 0});
}

TEST_CASE("quantized_relu max, min, range and fast inference", "[quantized_relu]") {
  CHECK(parse_quantizer("quantized_relu(4,2)")->max() == 4.0);
  CHECK(parse_quantizer("quantized_relu(4,2)")->min() == 0.0);
  CHECK(parse_quantizer("quantized_relu(4,2,0,0.25)")->min() == -1.0);  // -0.25·2^2
  CHECK(parse_quantizer("quantized_relu(2,1)")->range() == std::vector<double>{0, 0.5, 1, 1.5});
  // enable_fast_inference equals the normal path (QKeras' own test).
  std::vector<float> x{-1, 0.1f, 0.3f, 1.7f, 9};
  CHECK(run("quantized_relu(6,2,enable_fast_inference=True)", x) == run("quantized_relu(6,2)", x));
}

TEST_CASE("hardware types of quantized_bits and quantized_relu", "[hardware]") {
  auto type = [](const std::string& spec, Role role) {
    auto hw = parse_quantizer(spec)->hardware_type(role);
    return hw ? hw->to_string() : std::string("none");
  };
  // hls4ml.md §3.2: weights quantized_bits(b,i) -> ap_fixed<b,i+1> (TRN, WRAP).
  CHECK(type("quantized_bits(6,0,alpha=1)", Role::Kernel) == "ap_fixed<6,1>");
  CHECK(type("quantized_bits(4,4)", Role::Bias) == "ap_int<4>");
  CHECK(type("quantized_bits(1,1)", Role::Kernel) == "xnor<ap_uint<1>>");
  // §3.3: activations get RND_CONV + SAT; integer type when no fraction bit is left.
  CHECK(type("quantized_bits(6,0)", Role::Activation) == "ap_fixed<6,1,AP_RND_CONV,AP_SAT>");
  CHECK(type("quantized_bits(4,4)", Role::Activation) == "ap_int<5>");
  CHECK(type("quantized_relu(6,0)", Role::Activation) == "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>");
  CHECK(type("quantized_relu(4,2,0,0.25)", Role::Activation) == "ap_fixed<4,3,AP_RND_CONV,AP_SAT>");
  CHECK(type("quantized_relu(6,0)", Role::Kernel) == "none");
  CHECK(type("quantized_ulaw(8)", Role::Activation) == "none");
}

TEST_CASE("parse and print round trips", "[parse]") {
  auto canonical = [](const std::string& spec) { return parse_quantizer(spec)->to_string(); };
  CHECK(canonical("quantized_bits(6, 0, alpha=1)") == "quantized_bits(6,0,alpha=1)");
  CHECK(canonical("quantized_relu(4,2)") == "quantized_relu(4,2)");
  CHECK(canonical("binary") == "binary()");
  CHECK(canonical("binary()") == "binary()");
  CHECK(canonical("relu") == "relu");
  CHECK(canonical("softmax()") == "softmax");
  CHECK(canonical("leaky_relu(alpha=0.1)") == "leaky_relu(alpha=0.1)");
  // A string alpha forces symmetric (qkeras.md §1.1).
  CHECK(canonical("quantized_bits(4,0,alpha=\"auto_po2\")") == "quantized_bits(4,0,symmetric=True,alpha='auto_po2')");
  CHECK(canonical("quantized_relu(6,2,0,0.25)") == "quantized_relu(6,2,negative_slope=0.25)");
  CHECK(canonical("quantized_po2(4, 1)") == "quantized_po2(4,max_value=1)");
  CHECK(canonical("quantized_bits(4,0,alpha=[0.5, 2])") == "quantized_bits(4,0,alpha=[0.5,2])");
  CHECK(canonical(" ternary ( threshold = 0.3 , ) ") == "ternary(threshold=0.3)");

  // Every quantizer, with defaults and with a non-default argument, parses
  // back to an equal quantizer.
  for (auto name : quantizers::quantizer_names()) {
    auto q = parse_quantizer(std::string(name));
    INFO(q->to_string());
    CHECK(*parse_quantizer(q->to_string()) == *q);
    CHECK(*parse_quantizer(q->to_json()) == *q);
  }
  for (const char* spec : {"quantized_bits(5,2,1,False,alpha=0.5,qnoise_factor=0.5,use_ste=False)",
                           "quantized_bits(4,0,alpha='auto_po2',scale_axis=1,elements_per_scale=2,min_po2_exponent=-8)",
                           "quantized_relu(8,3,1,0.5,True,relu_upper_bound=6,is_quantized_clip=False)",
                           "quantized_relu_po2(6,2048,quadratic_approximation=True,log2_rounding='floor')",
                           "stochastic_ternary('auto',temperature=4,number_of_unrolls=3)",
                           "quantized_hswish(8,3,relu_shift=2)", "quantized_linear(4,1,0,alpha=[1,2])",
                           "quantized_ulaw(8,1,1,100)", "quantized_tanh(4,symmetric=1)", "bernoulli(alpha=2)"}) {
    auto q = parse_quantizer(spec);
    INFO(spec << " -> " << q->to_string());
    CHECK(*parse_quantizer(q->to_string()) == *q);
    CHECK(*parse_quantizer(q->to_json()) == *q);
  }
  CHECK(*parse_quantizer("quantized_bits(4,0,alpha=1)") != *parse_quantizer("quantized_bits(4,0,alpha=2)"));
}

TEST_CASE("parse the Keras JSON form of the shared QKeras models", "[parse]") {
  // ../shared/models/keras/qkeras_mnist_dense.json, a bias quantizer.
  auto bias = parse_quantizer(nlohmann::json::parse(R"({"class_name": "quantized_bits", "config": {"bits": 4,
      "integer": 0, "symmetric": 1, "alpha": null, "keep_negative": true, "use_stochastic_rounding": false}})"));
  CHECK(bias->to_string() == "quantized_bits(4,0,symmetric=True)");
  auto relu = parse_quantizer(nlohmann::json::parse(R"({"class_name": "quantized_relu", "config": {"bits": 6,
      "integer": 0, "use_sigmoid": 0, "negative_slope": 0.0, "use_stochastic_rounding": false,
      "relu_upper_bound": null, "qnoise_factor": 1.0}})"));
  CHECK(relu->to_string() == "quantized_relu(6,0)");
  CHECK(parse_quantizer(nlohmann::json("quantized_relu(3,1)"))->to_string() == "quantized_relu(3,1)");
}

TEST_CASE("every parse error names the offending token", "[parse]") {
  auto message = [](const std::string& spec) {
    try {
      parse_quantizer(spec);
    } catch (const QuantizerError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  using Catch::Matchers::Contains;
  CHECK_THAT(message("quantized_bitz(4)"), Contains("unknown quantizer 'quantized_bitz'"));
  CHECK_THAT(message("quantized_bits(4,0,alpah=1)"), Contains("unknown argument 'alpah'"));
  CHECK_THAT(message("quantized_tanh(4,0,0,0,0)"), Contains("at most 4 positional"));
  CHECK_THAT(message("quantized_bits('four')"), Contains("'bits' expects an integer, got 'four'"));
  CHECK_THAT(message("quantized_bits(4.5)"), Contains("got 4.5"));
  CHECK_THAT(message("quantized_bits(4,0,alpha='autopo2')"), Contains("'autopo2'"));
  CHECK_THAT(message("quantized_bits(4,0"), Contains("expected ','"));
  CHECK_THAT(message("quantized_bits(4,0) x"), Contains("unexpected text after ')' at 'x'"));
  CHECK_THAT(message("quantized_bits(4,alpha='auto"), Contains("unterminated string"));
  CHECK_THAT(message("quantized_bits(4,0,alpha=1,alpha=2)"), Contains("'alpha' given twice"));
  CHECK_THAT(message("quantized_bits(4,integer=0,1)"), Contains("positional argument after keyword"));
  CHECK_THAT(message("quantized_bits(4,bits=3)"), Contains("'bits' of quantized_bits given twice"));
  CHECK_THAT(message("quantized_bits(4,0,alpha=foo)"), Contains("unknown name 'foo'"));
  CHECK_THAT(message("quantized_bits(4x)"), Contains("'4x' is not a number"));
  CHECK_THAT(message("quantized_bits(0)"), Contains("bits must be at least 1"));
  CHECK_THAT(message("quantized_bits(4,0,alpha=1,min_po2_exponent=-3)"), Contains("auto_po2"));
  CHECK_THAT(message("quantized_bits(4,0,qnoise_factor=2)"), Contains("qnoise_factor"));
  CHECK_THAT(message("quantized_relu(4,0,0,0.3)"), Contains("power of 2, got 0.3"));
  CHECK_THAT(message("quantized_relu(4,use_sigmoid=2)"), Contains("True, False, 0 or 1"));
  CHECK_THAT(message("quantized_po2(4,-1)"), Contains("non-negative"));
  CHECK_THAT(message("quantized_po2(4,log2_rounding='ceil')"), Contains("'ceil'"));
  CHECK_THAT(message("ternary(alpha='auto',threshold=0.5)"), Contains("threshold"));
  CHECK_THAT(message(""), Contains("expected a quantizer name"));
  CHECK_THROWS_AS(parse_quantizer(nlohmann::json::parse(R"({"config": {}})")), QuantizerError);
  CHECK_THROWS_AS(parse_quantizer(nlohmann::json::parse(R"({"class_name": "binary", "config": {"use_01": [1]}})")),
                  QuantizerError);
}

TEST_CASE("the Q-layer constructor rule turns alpha None into auto_po2", "[kernel_rule]") {
  // qkeras.md §0.1: kernel quantizers with alpha None become auto_po2 (and
  // symmetric for quantized_bits); explicit alphas and other quantizers stay.
  auto bits = parse_quantizer("quantized_bits(4,0)");
  CHECK(quantizers::as_kernel_quantizer(*bits)->to_string() == "quantized_bits(4,0,symmetric=True,alpha='auto_po2')");
  CHECK(bits->to_string() == "quantized_bits(4,0)");  // the original is untouched
  CHECK(quantizers::as_kernel_quantizer(*parse_quantizer("quantized_bits(4,0,alpha=1)"))->to_string() ==
        "quantized_bits(4,0,alpha=1)");
  CHECK(quantizers::as_kernel_quantizer(*parse_quantizer("binary()"))->to_string() == "binary(alpha='auto_po2')");
  CHECK(quantizers::as_kernel_quantizer(*parse_quantizer("ternary()"))->to_string() == "ternary(alpha='auto_po2')");
  CHECK(quantizers::as_kernel_quantizer(*parse_quantizer("quantized_linear(4)"))->to_string() ==
        "quantized_linear(4,0,alpha='auto_po2')");
  CHECK(quantizers::as_kernel_quantizer(*parse_quantizer("quantized_relu(4)"))->to_string() == "quantized_relu(4,0)");
}

TEST_CASE("float activations", "[activations]") {
  CHECK(run("relu", {-1, 2}) == std::vector<float>{0, 2});
  CHECK(run("linear", {-1, 2}) == std::vector<float>{-1, 2});
  // QKeras' hard_sigmoid is clip(0.5x + 0.5, 0, 1), not Keras' 0.2x + 0.5.
  CHECK(run("hard_sigmoid", {-3, 0.5f, 3}) == std::vector<float>{0, 0.75f, 1});
  // binary_tanh(0) = 2·round(0.5) - 1 = -1 (qkeras.md §0).
  CHECK(run("binary_tanh", {0, 0.2f, -0.2f}) == std::vector<float>{-1, 1, -1});
  CHECK(run("leaky_relu(alpha=0.5)", {-2, 2}) == std::vector<float>{-1, 2});
  auto sm = run("softmax", {0, 0});
  CHECK(sm == std::vector<float>{0.5f, 0.5f});
}
