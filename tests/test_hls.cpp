// The precision config (hls4ml's HLSConfig), its derivation from QAT
// quantizers, type inference, and the bit-exact firmware emulator on networks
// small enough to compute by hand.
#include "tests/test_common.h"

#include <torch/torch.h>

#include "qtrain/emulate.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/model.h"
#include "tests/helpers.h"

using nlohmann::json;
using qtrain::HlsConfig;
using qtrain::HlsModel;

namespace {

qtrain::ModelSpec spec(json j) { return qtrain::ModelSpec::from_json(std::move(j), "test.json"); }

const qtrain::HlsLayer& layer(const HlsModel& m, const std::string& name) {
  for (const qtrain::HlsLayer& h : m.layers)
    if (h.name == name) return h;
  FAIL("no firmware layer " << name);
  throw;
}

// The QKeras 3-layer jet tagger of hls4ml's tests (hls4ml.md §3.8).
json qkeras_3layer() {
  auto dense = [](const char* name, int units) {
    return json{{"name", name}, {"type", "QDense"}, {"units", units},
                {"kernel_quantizer", "quantized_bits(6,0,alpha=1)"}, {"bias_quantizer", "quantized_bits(6,0,alpha=1)"}};
  };
  auto relu = [](const char* name) {
    return json{{"name", name}, {"type", "QActivation"}, {"activation", "quantized_relu(6,0)"}};
  };
  return {{"name", "qkeras_3layer"},
          {"input_shape", {16}},
          {"layers",
           {dense("fc1", 64), relu("relu1"), dense("fc2", 32), relu("relu2"), dense("fc3", 32), relu("relu3"),
            dense("output", 5), {{"name", "softmax"}, {"type", "Activation"}, {"activation", "softmax"}}}}};
}

// Dense 2 -> 2 with hand-picked weights and configurable accumulator.
struct HandDense {
  qtrain::Model model;
  explicit HandDense(const std::string& accum)
      : model(spec({{"name", "hand"},
                    {"input_shape", {2}},
                    {"layers", {{{"name", "fc"}, {"type", "Dense"}, {"units", 2}}}},
                    {"hls",
                     {{"Model", {{"Precision", "ap_fixed<8,4>"}}},
                      {"LayerName",
                       {{"fc",
                         {{"Precision",
                           {{"weight", "ap_fixed<4,2>"}, {"bias", "ap_fixed<4,2>"}, {"accum", accum},
                            {"result", "ap_fixed<8,4>"}}}}}}}}}})) {
    test_helpers::set_weight(model, "fc", "kernel", torch::tensor({{0.75, -1.25}, {1.5, 0.5}}));
    test_helpers::set_weight(model, "fc", "bias", torch::tensor({0.25, -1.0}));
  }
  std::vector<double> run() {
    HlsModel m = qtrain::build_hls_model(model, qtrain::hls_config_of(model));
    torch::Tensor y = qtrain::emulate(m, torch::tensor({{1.75, -2.5}})).front();
    return {y[0][0].item<double>(), y[0][1].item<double>()};
  }
};

// For a model whose types hold every value exactly: the firmware, emulated
// whole (layers fused) and layer by layer, equals the float forward pass.
void check_emulation_equals_forward(qtrain::Model& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  torch::Tensor expected = model.forward(x).to(torch::kFloat64);
  HlsModel m = qtrain::build_hls_model(model, qtrain::hls_config_of(model));
  torch::Tensor y = qtrain::emulate(m, x).front();
  REQUIRE(y.sizes() == expected.sizes());
  CHECK(torch::equal(y, expected));
  CHECK(torch::equal(qtrain::emulate_layers(m, x).back(), expected));
}

}  // namespace

TEST_CASE("Precision config reads hls4ml's keys, writes them back and names bad fields", "[hls]") {
  json j = {{"Model", {{"Precision", {{"default", "fixed<16,6>"}, {"accum", "ap_fixed<24,10>"}}}, {"ReuseFactor", 4}}},
            {"LayerName", {{"fc1", {{"Precision", {{"result", "auto"}, {"weight", "ap_fixed<6,1>"}}}, {"ReuseFactor", 2}}}}},
            {"LayerType", {{"Activation", {{"Precision", "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>"}}}}},
            {"IOType", "io_stream"}};
  HlsConfig c = HlsConfig::from_json(j, "m.json");
  CHECK(c.default_precision.to_string() == "ap_fixed<16,6>");
  CHECK(c.precision("fc1", "Dense", "weight")->to_string() == "ap_fixed<6,1>");
  CHECK(c.precision("fc1", "Dense", "result")->is_auto());
  CHECK(c.precision("fc1", "Dense", "accum")->to_string() == "ap_fixed<24,10>");  // Model's per-variable key
  CHECK(c.precision("relu1", "Activation", "result")->to_string() == "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  CHECK_FALSE(c.precision("fc2", "Dense", "result"));
  CHECK(c.reuse_factor("fc1", "Dense") == 2);
  CHECK(c.reuse_factor("fc2", "Dense") == 4);
  CHECK(c.io_type == "io_stream");
  CHECK(HlsConfig::from_json(c.to_json(), "again").to_json() == c.to_json());

  using Catch::Contains;
  CHECK_THROWS_WITH(HlsConfig::from_json({{"Modle", json::object()}}, "m.json"), Contains("m.json: hls.Modle is not a known key"));
  CHECK_THROWS_WITH(HlsConfig::from_json({{"LayerName", {{"fc1", {{"Precision", {{"weight", "ap_fixed<6,1,AP_FOO>"}}}}}}}}, "m.json"),
                    Contains("hls.LayerName.fc1.Precision.weight"));
  CHECK_THROWS_WITH(HlsConfig::from_json({{"Model", {{"ReuseFactor", 0}}}}, "m.json"),
                    Contains("hls.Model.ReuseFactor must be a positive integer"));
  CHECK_THROWS_WITH(HlsConfig::from_json({{"IOType", "io_serial"}}, "m.json"), Contains("hls.IOType must be one of"));
  qtrain::Model model(spec(qkeras_3layer()));
  HlsConfig unknown_layer = HlsConfig::from_json({{"LayerName", {{"fc9", {{"ReuseFactor", 2}}}}}}, "m.json");
  CHECK_THROWS_WITH(qtrain::build_hls_model(model, unknown_layer), Contains("hls.LayerName.fc9 names no layer"));
}

TEST_CASE("hlsconfig by name reproduces hls4ml's QKeras types and 'auto' accumulators", "[hls]") {
  qtrain::Model model(spec(qkeras_3layer()));
  HlsConfig c = qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>");
  CHECK(c.layer_name.at("fc1").precision.at("weight").to_string() == "ap_fixed<6,1>");
  CHECK(c.layer_name.at("fc1").precision.at("accum").is_auto());
  CHECK(c.layer_name.at("relu1").precision.at("result").to_string() == "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>");
  HlsModel m = qtrain::build_hls_model(model, c);
  // hls4ml.md §3.8, worked example.
  CHECK(layer(m, "input").type("result").to_string() == "ap_fixed<16,6>");
  CHECK(layer(m, "fc1").type("accum").to_string() == "ap_fixed<27,12>");
  CHECK(layer(m, "fc1").type("result").to_string() == "ap_fixed<27,12>");
  CHECK(layer(m, "relu1").type("result").to_string() == "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>");
  CHECK(layer(m, "fc2").type("result").to_string() == "ap_fixed<19,8>");
  CHECK(layer(m, "fc3").type("result").to_string() == "ap_fixed<18,7>");
  CHECK(layer(m, "output").type("result").to_string() == "ap_fixed<18,7>");
  CHECK(layer(m, "softmax").type("result").to_string() == "ap_fixed<16,6>");

  // Model granularity: everything but the quantized weights is the default.
  HlsModel coarse = qtrain::build_hls_model(model, qtrain::derive_hls_config(model, qtrain::Granularity::Model, "ap_fixed<16,6>"));
  CHECK(layer(coarse, "fc1").type("weight").to_string() == "ap_fixed<6,1>");
  CHECK(layer(coarse, "fc1").type("accum").to_string() == "ap_fixed<16,6>");
  CHECK(layer(coarse, "relu1").type("result").to_string() == "ap_fixed<16,6>");
}

TEST_CASE("A kernel quantizer with a scale becomes an ApplyAlpha layer", "[hls]") {
  qtrain::Model model(spec({{"name", "alpha"},
                            {"input_shape", {4}},
                            {"layers", {{{"name", "fc"}, {"type", "QDense"}, {"units", 3},
                                         {"kernel_quantizer", "quantized_bits(4,0)"}, {"activation", "quantized_relu(4,0)"}}}}}));
  test_helpers::set_weight(model, "fc", "kernel",
                           torch::tensor({{0.2, -0.3, 3.0}, {0.1, 0.05, -2.0}, {-0.15, 0.3, 1.0}, {0.05, 0.1, 0.5}}));
  HlsModel m = qtrain::build_hls_model(model, qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>"));
  REQUIRE(m.layers.size() == 4);
  CHECK(m.layers[1].name == "fc");
  CHECK(m.layers[2].name == "fc_alpha");
  CHECK(m.layers[2].layer_class == "ApplyAlpha");
  CHECK(m.layers[3].name == "fc_quantized_relu");
  CHECK(m.outputs == std::vector<int>{3});
  // auto_po2 scales are powers of two; weights / scale are on quantized_bits(4,0)'s grid.
  CHECK(m.layers[2].type("scale").kind == quantizers::HardwareType::Kind::Exponent);
  torch::Tensor codes = m.layers[1].weight * 8.0;
  CHECK(torch::equal(codes, torch::round(codes)));
  CHECK(m.layers[1].weight.abs().max().item<double>() <= 1.0);
}

TEST_CASE("Emulated Dense: products truncated to the accumulator, wrap and saturation by hand", "[hls][emulate]") {
  // x = (1.75, -2.5), W = ((0.75, -1.25), (1.5, 0.5)), b = (0.25, -1).
  // accum ap_fixed<6,3> (F = 3, range [-4, 3.875]): products floor to 1/8:
  //   1.3125 -> 1.25, -3.75, -2.1875 -> -2.25, -1.25.
  //   out0 = 0.25 + 1.25 - 3.75 = -2.25; out1 = -1 - 2.25 - 1.25 = -4.5, which
  //   wraps (code -36 + 64 = 28) to 3.5, or saturates at the last step to -4.
  CHECK(HandDense("ap_fixed<6,3>").run() == std::vector<double>{-2.25, 3.5});
  CHECK(HandDense("ap_fixed<6,3,AP_TRN,AP_SAT>").run() == std::vector<double>{-2.25, -4.0});
  // ap_fixed<6,2,AP_TRN,AP_SAT> (F = 4, range [-2, 1.9375]): products are
  // exact at 1/16 but saturate on conversion (-3.75 -> -2, -2.1875 -> -2), and
  // so does every partial sum: out0 = 0.25 + 1.3125 = 1.5625, - 2 = -0.4375;
  // out1 = -1 - 2 = -3 -> -2, - 1.25 = -3.25 -> -2.
  CHECK(HandDense("ap_fixed<6,2,AP_TRN,AP_SAT>").run() == std::vector<double>{-0.4375, -2.0});
  // accum ap_fixed<12,4> holds every product (F = 8 >= 4 + 2): exact sums
  // -2.1875 and -4.4375 (the double-GEMM path).
  CHECK(HandDense("ap_fixed<12,4>").run() == std::vector<double>{-2.1875, -4.4375});
  // ap_fixed<10,2> (F = 8, codes [-512, 511]): the exact sums wrap once:
  //   -560 + 1024 = 464 -> 1.8125; -1136 + 1024 = -112 -> -0.4375.
  CHECK(HandDense("ap_fixed<10,2>").run() == std::vector<double>{1.8125, -0.4375});
}

TEST_CASE("Emulated power-of-two Dense with r_T wider than a double's mantissa", "[hls][emulate]") {
  // weight_exponential with an ap_fixed<25,3> input (F = 22) and
  // quantized_po2(5) weights (exponents [-8, 7], qkeras.md §1), exponent<5>:
  // r_T = ap_fixed<60,30>, 60 bits.  x = (3 + 2^-22, -2^-22),
  // W = ((2^-7, -1), (-1, 2^-7)), b = 0; every product is exact in r_T
  // (lowest bit 2^-22 * 2^-7 = 2^-29), and accum ap_fixed<40,10> (F = 30)
  // holds the sums exactly:
  //   out0 = (3 + 2^-22) 2^-7 + 2^-22 = 3/128 + 2^-29 + 2^-22
  //   out1 = -(3 + 2^-22) - 2^-29.
  qtrain::Model model(spec({{"name", "po2"},
                            {"input_shape", {2}},
                            {"layers", {{{"name", "fc"}, {"type", "QDense"}, {"units", 2}, {"kernel_quantizer", "quantized_po2(5)"}}}},
                            {"hls",
                             {{"Model", {{"Precision", "ap_fixed<25,3>"}}},
                              {"LayerName",
                               {{"fc",
                                 {{"Precision",
                                   {{"bias", "ap_fixed<4,2>"}, {"accum", "ap_fixed<40,10>"}, {"result", "ap_fixed<40,10>"}}}}}}}}}}));
  const double e7 = std::ldexp(1.0, -7), e22 = std::ldexp(1.0, -22), e29 = std::ldexp(1.0, -29);
  test_helpers::set_weight(model, "fc", "kernel", torch::tensor({{e7, -1.0}, {-1.0, e7}}, torch::kFloat64));
  test_helpers::set_weight(model, "fc", "bias", torch::zeros({2}));
  HlsModel m = qtrain::build_hls_model(model, qtrain::hls_config_of(model));
  REQUIRE(layer(m, "fc").type("weight").to_string() == "exponent<5>");
  torch::Tensor y = qtrain::emulate(m, torch::tensor({{3.0 + e22, -e22}}, torch::kFloat64)).front();
  CHECK(y[0][0].item<double>() == 3.0 / 128 + e29 + e22);
  CHECK(y[0][1].item<double>() == -(3.0 + e22) - e29);
}

TEST_CASE("Emulated sigmoid uses the 1024-entry table and to_int's truncation", "[hls][emulate]") {
  qtrain::Model model(spec({{"name", "sig"},
                            {"input_shape", {1}},
                            {"layers", {{{"name", "act"}, {"type", "Activation"}, {"activation", "sigmoid"}}}}}));
  HlsModel m = qtrain::build_hls_model(model, HlsConfig{});
  // -0.3008 in ap_fixed<16,6> (TRN): floor(-308.02)/1024 = -309/1024; index
  // trunc(-309/1024 * 64) + 512 = -19 + 512 = 493 (hls4ml.md §2.6); the entry
  // is sigmoid(16 * (493 - 512) / 1024) = sigmoid(-0.296875) = 0.426318...,
  // in ap_fixed<18,8>: floor(436.55)/1024 = 436/1024.
  torch::Tensor y = qtrain::emulate(m, torch::tensor({{-0.3008}})).front();
  CHECK(y.item<double>() == 436.0 / 1024.0);
  // Far outside the table's range: clamped to its ends.
  y = qtrain::emulate(m, torch::tensor({{-30.0}, {30.0}})).front();
  CHECK(y[0].item<double>() == 0.0);  // sigmoid(-8) = 3.4e-4 < 1/1024
  CHECK(y[1].item<double>() == 1023.0 / 1024.0);  // sigmoid(16 * 511/1024) = 0.99966 -> floor(1023.65)
}

TEST_CASE("Emulated Conv2D with exact types equals the float convolution", "[hls][emulate]") {
  qtrain::Model model(spec({{"name", "conv"},
                            {"input_shape", {5, 6, 2}},
                            {"layers", {{{"name", "c"}, {"type", "Conv2D"}, {"filters", 3}, {"kernel_size", 3},
                                         {"strides", 2}, {"padding", "same"}}}},
                            {"hls", {{"Model", {{"Precision", "ap_fixed<24,12>"}}}}}}));
  torch::manual_seed(3);
  test_helpers::set_weight(model, "c", "kernel", torch::randint(-8, 8, {3, 3, 2, 3}) / 4.0);
  test_helpers::set_weight(model, "c", "bias", torch::randint(-8, 8, {3}) / 4.0);
  // Multiples of 1/8 and 1/4: every product and sum is exact in float32 too.
  torch::Tensor x = torch::randint(-32, 32, {4, 5, 6, 2}) / 8.0;
  check_emulation_equals_forward(model, x);
}

TEST_CASE("Emulated Dense, relu, Dense chain in row tiles equals the exact computation", "[hls][emulate]") {
  // 37 -> 21 -> 3: a partial column block, a number of rows that is not a
  // multiple of the GEMM's 4 nor of the tiles, and the three layers fused in
  // emulate().  fc1's partial sums are multiples of 2^-6 below 2^13 (inputs
  // ap_fixed<10,7>, weights ap_fixed<6,3>): 20 bits, summed in float; fc2's
  // have 2^-32 steps (ap_fixed<32,16> both): summed in double.
  qtrain::Model model(spec({{"name", "chain"},
                            {"input_shape", {37}},
                            {"layers",
                             {{{"name", "fc1"}, {"type", "Dense"}, {"units", 21}},
                              {{"name", "act"}, {"type", "Activation"}, {"activation", "relu"}},
                              {{"name", "fc2"}, {"type", "Dense"}, {"units", 3}}}},
                            {"hls",
                             {{"Model", {{"Precision", "ap_fixed<32,16>"}}},
                              {"LayerName",
                               {{"input", {{"Precision", {{"result", "ap_fixed<10,7>"}}}}},
                                {"fc1", {{"Precision", {{"weight", "ap_fixed<6,3>"}, {"bias", "ap_fixed<6,3>"}}}}}}}}}}));
  torch::manual_seed(5);
  test_helpers::set_weight(model, "fc1", "kernel", torch::randint(-8, 8, {37, 21}) / 4.0);
  test_helpers::set_weight(model, "fc1", "bias", torch::randint(-8, 8, {21}) / 4.0);
  test_helpers::set_weight(model, "fc2", "kernel", torch::randint(-8, 8, {21, 3}) / 4.0);
  test_helpers::set_weight(model, "fc2", "bias", torch::randint(-8, 8, {3}) / 4.0);
  // Multiples of 1/8 below 4: sums of products stay below 2^14 in multiples
  // of 2^-7, exact in float32 and within ap_fixed<32,16>.
  torch::Tensor x = torch::randint(-32, 32, {301, 37}) / 8.0;
  check_emulation_equals_forward(model, x);
}

TEST_CASE("A Reshape keeps its input's type even when the config says auto", "[hls]") {
  qtrain::Model model(spec({{"name", "reshape"},
                            {"input_shape", {4}},
                            {"layers",
                             {{{"name", "fc"}, {"type", "Dense"}, {"units", 4}},
                              {{"name", "grid"}, {"type", "Reshape"}, {"target_shape", {2, 2}}}}}}));
  HlsConfig config;
  config.layer_name["fc"].precision["result"] = qtrain::ConfigType::parse("ap_fixed<30,13>");
  config.layer_name["grid"].precision["result"] = qtrain::ConfigType::parse("auto");
  HlsModel m = qtrain::build_hls_model(model, config);
  CHECK(layer(m, "grid").type("result").to_string() == "ap_fixed<30,13>");
}

TEST_CASE("Firmware BatchNormalization uses QBatchNormalization's quantized weights, as the trained forward does",
          "[hls]") {
  qtrain::Model model(spec({{"name", "qbn"},
                            {"input_shape", {1}},
                            {"layers", {{{"name", "bn"}, {"type", "QBatchNormalization"}}}}}));
  test_helpers::set_weight(model, "bn", "gamma", torch::tensor({1.3}));
  test_helpers::set_weight(model, "bn", "beta", torch::tensor({0.0}));
  test_helpers::set_weight(model, "bn", "moving_mean", torch::tensor({0.3}));
  test_helpers::set_weight(model, "bn", "moving_variance", torch::tensor({1.0}));
  // QKeras' defaults: gamma quantized_relu_po2(6, 2048): 1.3 -> 2^round(0.38)
  // = 1; mean quantized_po2(5): 0.3 -> 2^round(-1.74) = 0.25; beta
  // quantized_po2(5): 0 has no power of two, it becomes the smallest, 2^-8;
  // variance 1 stays.  scale = 1 / sqrt(1 + 0.001), bias = 2^-8 - 0.25 scale
  // (float32).  hls4ml's float weights would give 1.3 / sqrt(1.001), -0.3 scale.
  const float scale = 1.0f / std::sqrt(1.001f), bias = 0.00390625f - 0.25f * scale;
  const HlsModel plan = qtrain::plan_hls_layers(model);
  CHECK(layer(plan, "bn").scale[0].item<double>() == Approx(scale).epsilon(1e-6));
  CHECK(layer(plan, "bn").bias[0].item<double>() == Approx(bias).epsilon(1e-6));
  // The same numbers as the model's own inference forward.
  model.eval();
  const torch::Tensor y = model.forward(torch::tensor({{2.0f}}));
  CHECK(y.item<float>() == Approx(2.0f * scale + bias).epsilon(1e-6));
}
