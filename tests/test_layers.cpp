// Layers, model specs, summaries and model_quantize.  Reference values are
// worked by hand from qkeras.md §1 and §3, or computed by the independent loop
// implementations below (Keras' channels-last convolution definitions).
#include "tests/test_common.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "qtrain/files.h"
#include "qtrain/model.h"
#include "qtrain/model_quantize.h"
#include "qtrain/summary.h"
#include "tests/helpers.h"

using nlohmann::json;
using qtrain::Model;
using qtrain::ModelError;
using qtrain::ModelSpec;

using test_helpers::set_weight;

namespace {

Model build(const std::string& layers, const std::string& input_shape) {
  return Model(ModelSpec::from_json(
      json::parse(R"j({"name": "t", "input_shape": )j" + input_shape + R"j(, "layers": )j" + layers + "}"), "t.json"));
}

std::string build_error(const std::string& layers, const std::string& input_shape = "[4]") {
  try {
    build(layers, input_shape);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

// Keras' Conv2D on channels-last data, with TF "same" padding (the odd pad
// after), written as the textbook loop.
torch::Tensor reference_conv2d(const torch::Tensor& x, const torch::Tensor& k, int64_t stride, bool same) {
  int64_t n = x.size(0), h = x.size(1), w = x.size(2), cin = x.size(3);
  int64_t kh = k.size(0), kw = k.size(1), cout = k.size(3);
  auto out_size = [&](int64_t in, int64_t kk) { return same ? (in + stride - 1) / stride : (in - kk) / stride + 1; };
  int64_t ho = out_size(h, kh), wo = out_size(w, kw);
  int64_t pt = same ? std::max<int64_t>((ho - 1) * stride + kh - h, 0) / 2 : 0;
  int64_t pl = same ? std::max<int64_t>((wo - 1) * stride + kw - w, 0) / 2 : 0;
  torch::Tensor y = torch::zeros({n, ho, wo, cout}, torch::kFloat64);
  torch::Tensor xd = x.to(torch::kFloat64), kd = k.to(torch::kFloat64);
  auto xa = xd.accessor<double, 4>();
  auto ka = kd.accessor<double, 4>();
  auto ya = y.accessor<double, 4>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < ho; ++i)
      for (int64_t j = 0; j < wo; ++j)
        for (int64_t o = 0; o < cout; ++o)
          for (int64_t di = 0; di < kh; ++di)
            for (int64_t dj = 0; dj < kw; ++dj)
              for (int64_t c = 0; c < cin; ++c) {
                int64_t r = i * stride + di - pt, s = j * stride + dj - pl;
                if (r >= 0 && r < h && s >= 0 && s < w) ya[b][i][j][o] += xa[b][r][s][c] * ka[di][dj][c][o];
              }
  return y;
}

}  // namespace

TEST_CASE("QDense computes with quantized kernel and bias, then its activation") {
  Model m = build(R"j([{"name": "d", "type": "QDense", "units": 2,
      "kernel_quantizer": "quantized_bits(6,0,alpha=1)", "bias_quantizer": "quantized_bits(6,0,alpha=1)",
      "activation": "quantized_relu(6,0)"}])j",
                  "[2]");
  set_weight(m, "d", "kernel", torch::tensor({0.1f, -0.3f, 0.5f, 0.2f}).reshape({2, 2}));
  set_weight(m, "d", "bias", torch::tensor({0.05f, -0.02f}));
  m.eval();
  // kernel -> [[3, -10], [16, 6]] / 32, bias -> [2, -1] / 32 (round half even on the 1/32 grid);
  // pre-activation [1.15625, 0.03125]; quantized_relu(6,0) clips to 63/64.
  torch::Tensor y = m.forward(torch::tensor({{1.0f, 2.0f}}));
  CHECK(y[0][0].item<float>() == 0.984375f);
  CHECK(y[0][1].item<float>() == 0.03125f);
  // The float variables are kept.
  CHECK(m.layer("d")->weight("kernel")->variable[0][0].item<float>() == 0.1f);
}

TEST_CASE("Kernel slots apply QKeras' constructor rule, bias and activation slots do not") {
  Model m = build(R"j([{"name": "d", "type": "QDense", "units": 3, "kernel_quantizer": "quantized_bits(4,0)",
      "bias_quantizer": "quantized_bits(4,0)"}])j",
                  "[2]");
  const auto& slots = m.layer("d")->quantizer_slots();
  REQUIRE(slots.size() == 2);
  CHECK(slots[0].first == "kernel_quantizer");
  CHECK(slots[0].second->to_string().find("auto_po2") != std::string::npos);
  CHECK(slots[1].second->to_string().find("auto_po2") == std::string::npos);
}

TEST_CASE("Dense without quantizers is the float Keras layer; Q-layers keep their float variables under Clip") {
  Model m = build(R"j([{"name": "d", "type": "Dense", "units": 1, "use_bias": false},
                      {"name": "q", "type": "QDense", "units": 1, "kernel_quantizer": "quantized_bits(6,0,alpha=1)"}])j",
                  "[2]");
  set_weight(m, "d", "kernel", torch::tensor({{0.1f}, {0.3f}}));
  set_weight(m, "q", "kernel", torch::tensor({{3.0f}}));
  CHECK(m.layer("d")->weights().size() == 1);
  torch::Tensor y = m.forward_layers(torch::tensor({{1.0f, 1.0f}}))[0];
  CHECK(y[0][0].item<float>() == 0.1f + 0.3f);
  // QKeras' automatic constraint: Clip(-max(1, quantizer.max()), +...) = Clip(-1, 1).
  m.apply_constraints();
  CHECK(m.layer("q")->weight("kernel")->variable.item<float>() == 1.0f);
  CHECK_FALSE(m.layer("d")->weight("kernel")->clip.has_value());
}

TEST_CASE("Conv2D matches the channels-last definition with TF's same and valid padding") {
  torch::manual_seed(3);
  struct Case {
    int64_t size, kernel, stride;
    bool same;
  };
  for (Case c : {Case{5, 3, 2, true}, Case{4, 3, 2, true}, Case{6, 3, 1, true}, Case{6, 2, 2, false}, Case{7, 3, 1, false}}) {
    std::string padding = c.same ? "same" : "valid";
    Model m = build(R"j([{"name": "c", "type": "Conv2D", "filters": 3, "kernel_size": )j" + std::to_string(c.kernel) +
                        R"j(, "strides": )j" + std::to_string(c.stride) + R"j(, "padding": ")j" + padding + R"j(",
                        "use_bias": false}])j",
                    "[" + std::to_string(c.size) + ", " + std::to_string(c.size) + ", 2]");
    torch::Tensor x = torch::randn({2, c.size, c.size, 2});
    torch::Tensor expected = reference_conv2d(x, m.layer("c")->weight("kernel")->variable, c.stride, c.same);
    torch::Tensor y = m.forward(x);
    INFO("size " << c.size << " kernel " << c.kernel << " stride " << c.stride << " " << padding);
    REQUIRE(y.sizes() == expected.sizes());
    CHECK(torch::allclose(y.to(torch::kFloat64), expected, 1e-5, 1e-5));
    CHECK(m.layer("c")->output_shape() == qtrain::Shape{expected.size(1), expected.size(2), 3});
  }
}

TEST_CASE("Conv1D is Conv2D over one spatial axis") {
  torch::manual_seed(4);
  Model m = build(R"j([{"name": "c", "type": "QConv1D", "filters": 2, "kernel_size": 3, "padding": "same",
                       "kernel_quantizer": "quantized_bits(8,0,alpha=1)", "bias_quantizer": "quantized_bits(8,0,alpha=1)"}])j",
                  "[6, 2]");
  set_weight(m, "c", "bias", torch::tensor({0.25f, -0.5f}));
  torch::Tensor x = torch::randn({1, 6, 2});
  const qtrain::LayerWeight& k = *m.layer("c")->weight("kernel");
  torch::Tensor expected = reference_conv2d(x.unsqueeze(1), k.quantized().unsqueeze(0), 1, true).squeeze(1);
  expected = expected + torch::tensor({0.25, -0.5}, torch::kFloat64);
  CHECK(torch::allclose(m.forward(x).to(torch::kFloat64), expected, 1e-5, 1e-5));
  CHECK(m.layer("c")->multiplications() == 6 * 2 * 3 * 2);  // To * Co * k * Ci
}

TEST_CASE("DepthwiseConv2D orders output channels as channel * multiplier + m; SeparableConv2D adds the pointwise step") {
  torch::manual_seed(5);
  Model m = build(R"j([{"name": "dw", "type": "DepthwiseConv2D", "kernel_size": 2, "depth_multiplier": 2, "use_bias": false},
                      {"name": "sep", "type": "SeparableConv2D", "filters": 3, "kernel_size": 2, "use_bias": false,
                       "inputs": "input"}])j",
                  "[3, 3, 2]");
  torch::Tensor x = torch::randn({1, 3, 3, 2});
  torch::Tensor k = m.layer("dw")->weight("depthwise_kernel")->variable;  // (2, 2, 2, 2)
  // Channel c of the input convolved with k[..., c, mult] alone.
  torch::Tensor expected = torch::zeros({1, 2, 2, 4}, torch::kFloat64);
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t mult = 0; mult < 2; ++mult) {
      torch::Tensor kc = torch::zeros({2, 2, 2, 1});
      kc.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), c, 0}, k.index({torch::indexing::Slice(), torch::indexing::Slice(), c, mult}));
      expected.index_put_({torch::indexing::Ellipsis, c * 2 + mult}, reference_conv2d(x, kc, 1, false).index({torch::indexing::Ellipsis, 0}));
    }
  std::vector<torch::Tensor> outs = m.forward_layers(x);
  CHECK(torch::allclose(outs[0].to(torch::kFloat64), expected, 1e-5, 1e-5));

  torch::Tensor dk = m.layer("sep")->weight("depthwise_kernel")->variable;
  torch::Tensor pk = m.layer("sep")->weight("pointwise_kernel")->variable;  // (1, 1, 2, 3)
  torch::Tensor depthwise = torch::zeros({1, 2, 2, 2}, torch::kFloat64);
  for (int64_t c = 0; c < 2; ++c) {
    torch::Tensor kc = torch::zeros({2, 2, 2, 1});
    kc.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), c, 0}, dk.index({torch::indexing::Slice(), torch::indexing::Slice(), c, 0}));
    depthwise.index_put_({torch::indexing::Ellipsis, c}, reference_conv2d(x, kc, 1, false).index({torch::indexing::Ellipsis, 0}));
  }
  torch::Tensor separable = reference_conv2d(depthwise.to(torch::kFloat32), pk, 1, false);
  CHECK(torch::allclose(outs[1].to(torch::kFloat64), separable, 1e-5, 1e-5));
  CHECK(m.layer("sep")->multiplications() == 2 * 2 * 4 * 2 + 4 * 3);
  // Additions: depthwise 64 products into 16 sums; separable 3 * 8 depthwise plus 24 pointwise products into 12 sums.
  CHECK(m.layer("dw")->additions() == 64 - 16);
  CHECK(m.layer("sep")->additions() == 3 * 8 + (24 - 12));
}

TEST_CASE("Pooling follows TF: max ignores padding, average divides by valid cells") {
  torch::Tensor x = torch::arange(1, 10, torch::kFloat32).reshape({1, 3, 3, 1});
  Model m = build(R"j([{"name": "max_same", "type": "MaxPooling2D", "padding": "same"},
                      {"name": "max_valid", "type": "MaxPooling2D", "inputs": "input"},
                      {"name": "avg_same", "type": "AveragePooling2D", "padding": "same", "inputs": "input"},
                      {"name": "qavg", "type": "QAveragePooling2D", "pool_size": 3, "inputs": "input",
                       "average_quantizer": "quantized_bits(4,0,alpha=1)"},
                      {"name": "qgap", "type": "QGlobalAveragePooling2D", "inputs": "input",
                       "average_quantizer": "quantized_bits(4,0,alpha=1)"},
                      {"name": "gap", "type": "GlobalAveragePooling2D", "inputs": "input"}])j",
                  "[3, 3, 1]");
  std::vector<torch::Tensor> y = m.forward_layers(x);
  CHECK(torch::equal(y[0].flatten(), torch::tensor({5.0f, 6.0f, 8.0f, 9.0f})));
  CHECK(torch::equal(y[1].flatten(), torch::tensor({5.0f})));
  CHECK(torch::equal(y[2].flatten(), torch::tensor({3.0f, 4.5f, 7.5f, 9.0f})));
  // QKeras: AvgPool(x * 9) * Q(1/9); quantized_bits(4,0,alpha=1)(1/9) = round(0.889)/8 = 0.125.
  CHECK(y[3].item<float>() == 45.0f * 0.125f);
  // QGlobalAveragePooling2D: sum(x) * Q(1/9).
  CHECK(y[4].item<float>() == 45.0f * 0.125f);
  CHECK(y[5].item<float>() == 5.0f);
}

TEST_CASE("QBatchNormalization uses QKeras' default po2 quantizers in inference") {
  Model m = build(R"j([{"name": "bn", "type": "QBatchNormalization"}, {"name": "fbn", "type": "BatchNormalization", "inputs": "input"}])j", "[1]");
  for (const char* layer : {"bn", "fbn"}) {
    set_weight(m, layer, "gamma", torch::tensor({1.3f}));
    set_weight(m, layer, "beta", torch::tensor({0.3f}));
    set_weight(m, layer, "moving_mean", torch::tensor({0.7f}));
    set_weight(m, layer, "moving_variance", torch::tensor({3.0f}));
  }
  m.eval();
  std::vector<torch::Tensor> y = m.forward_layers(torch::tensor({{2.0f}}));
  // gamma 1.3 -> 2^round(log2 1.3) = 1; beta 0.3 -> 2^-2; mean 0.7 -> 2^-1;
  // variance 3 -> 2^(2 round(log2 sqrt 3)) = 4 (quadratic approximation).
  double inv = 1.0 / std::sqrt(4.0 + 1e-3);
  CHECK(y[0].item<float>() == Approx(2.0 * inv + (0.25 - 0.5 * inv)).epsilon(1e-6));
  double float_inv = 1.3 / std::sqrt(3.0 + 1e-3);
  CHECK(y[1].item<float>() == Approx(2.0 * float_inv + (0.3 - 0.7 * float_inv)).epsilon(1e-6));
}

TEST_CASE("BatchNormalization trains on batch statistics and updates the moving ones with momentum") {
  Model m = build(R"j([{"name": "bn", "type": "BatchNormalization", "momentum": 0.9}])j", "[1]");
  m.train();
  torch::Tensor y = m.forward(torch::tensor({{1.0f}, {3.0f}}));
  // Batch mean 2, biased variance 1: y = (x - 2) / sqrt(1 + 1e-3).
  CHECK(y[0].item<float>() == Approx(-1.0 / std::sqrt(1.001)).epsilon(1e-6));
  CHECK(m.layer("bn")->weight("moving_mean")->variable.item<float>() == Approx(0.2).epsilon(1e-6));
  CHECK(m.layer("bn")->weight("moving_variance")->variable.item<float>() == Approx(0.9 + 0.1).epsilon(1e-6));
}

TEST_CASE("Shape layers: Flatten is channels-last, Reshape infers -1, UpSampling repeats, merges check shapes") {
  Model m = build(R"j([{"name": "flat", "type": "Flatten"},
                      {"name": "back", "type": "Reshape", "target_shape": [2, -1]},
                      {"name": "up", "type": "UpSampling1D", "size": 2},
                      {"name": "up2", "type": "UpSampling2D", "inputs": "input"},
                      {"name": "cat", "type": "Concatenate", "inputs": ["input", "input"]},
                      {"name": "add", "type": "Add", "inputs": ["input", "input"]},
                      {"name": "drop", "type": "Dropout", "rate": 0.5, "inputs": "add"}])j",
                  "[1, 2, 2]");
  torch::Tensor x = torch::arange(4, torch::kFloat32).reshape({1, 1, 2, 2});
  m.eval();
  std::vector<torch::Tensor> y = m.forward_layers(x);
  CHECK(torch::equal(y[0], torch::tensor({{0.0f, 1.0f, 2.0f, 3.0f}})));
  CHECK(m.layer("back")->output_shape() == qtrain::Shape{2, 2});
  CHECK(torch::equal(y[2][0].select(1, 0), torch::tensor({0.0f, 0.0f, 2.0f, 2.0f})));
  CHECK(m.layer("up2")->output_shape() == qtrain::Shape{2, 4, 2});
  CHECK(torch::equal(y[3][0][1][3], torch::tensor({2.0f, 3.0f})));
  CHECK(m.layer("cat")->output_shape() == qtrain::Shape{1, 2, 4});
  CHECK(torch::equal(y[6], 2 * x));  // dropout is the identity in inference
}

TEST_CASE("Model spec errors name the file, the layer and the argument") {
  auto contains = [](const std::string& text, const std::string& part) {
    INFO(text);
    CHECK(text.find(part) != std::string::npos);
  };
  contains(build_error(R"j([{"name": "x", "type": "Dense2", "units": 2}])j"), "t.json: layer 'x' (Dense2): unknown layer type");
  contains(build_error(R"j([{"name": "fc", "type": "Dense", "unitz": 2, "units": 2}])j"), "layer 'fc' (Dense): unknown argument 'unitz'");
  contains(build_error(R"j([{"name": "fc", "type": "Dense"}])j"), "layer 'fc' (Dense): missing argument 'units'");
  contains(build_error(R"j([{"name": "fc", "type": "Dense", "units": "8"}])j"), "argument 'units' must be an integer");
  contains(build_error(R"j([{"name": "fc", "type": "QDense", "units": 2, "kernel_quantizer": "quantized_bitz(4)"}])j"),
           "layer 'fc' (QDense): argument 'kernel_quantizer'");
  contains(build_error(R"j([{"name": "a", "type": "Dense", "units": 2}, {"name": "b", "type": "Add", "inputs": ["a", "input"]}])j"),
           "layer 'b' (Add): input shapes differ");
  contains(build_error(R"j([{"name": "b", "type": "Dense", "units": 2, "inputs": ["nope"]}])j"), "input 'nope' is not an earlier layer");
  contains(build_error(R"j([{"name": "c", "type": "Conv2D", "filters": 2, "kernel_size": 5}])j", "[3, 3, 1]"), "does not fit");
  contains(build_error(R"j([{"name": "c", "type": "Conv2D", "filters": 2, "kernel_size": 3}])j", "[4]"), "expects inputs of rank 3");
  contains(build_error(R"j([{"name": "a", "type": "Dense", "units": 2}, {"name": "a", "type": "Dense", "units": 2}])j"), "duplicate layer name 'a'");
  contains(build_error(R"j([{"name": "r", "type": "Reshape", "target_shape": [3]}])j"), "cannot reshape");
  contains(build_error(R"j([{"name": "input", "type": "Dense", "units": 2}])j"), "layer name 'input' is reserved");
  CHECK_THROWS_WITH(Model(ModelSpec::from_json(json::parse(R"j({"name": "m", "input_shape": [4], "outputs": ["g"],
      "layers": [{"name": "d", "type": "Dense", "units": 2}]})j"), "m.json")), Catch::Contains("m.json: \"outputs\": \"g\" is not a layer"));
  CHECK_THROWS_WITH(ModelSpec::from_json(json::parse(R"j({"name": "m", "input_shape": [4], "layers": [], "extra": 1})j"), "m.json"),
                    Catch::Contains("m.json: unknown top-level key 'extra'"));
  CHECK_THROWS_WITH(ModelSpec::from_json(json::parse(R"j({"name": "m", "input_shape": [0], "layers": [{}]})j"), "m.json"),
                    Catch::Contains("input_shape"));
  Model m = build(R"j([{"name": "fc", "type": "Dense", "units": 2}])j", "[4]");
  CHECK_THROWS_WITH(m.forward(torch::zeros({1, 5})), Catch::Contains("does not match input_shape"));
}

TEST_CASE("A spec is written back unchanged") {
  std::string path = QTRAIN_SOURCE_DIR "/examples/jet_tagger/q6.json";
  ModelSpec spec = ModelSpec::load(path);
  std::string out = (std::filesystem::temp_directory_path() / "qtrain_roundtrip.json").string();
  spec.save(out);
  CHECK(qtrain::read_json_file(out) == qtrain::read_json_file(path));
  std::filesystem::remove(out);
}

TEST_CASE("Jet tagger summary: parameters and print_qstats operations") {
  Model q6(ModelSpec::load(QTRAIN_SOURCE_DIR "/examples/jet_tagger/q6.json"));
  std::vector<qtrain::LayerOperations> ops = qtrain::operation_stats(q6);
  REQUIRE(ops.size() == 4);
  // Products 16*64, 64*32, 32*32, 32*5; the input is taken as quantized_relu(8,0),
  // later inputs are quantized_relu(6,0) outputs: signed 6-bit weights times unsigned activations.
  CHECK(ops[0].multiplications == 1024);
  CHECK(ops[0].op == "smult_6_8");
  CHECK(ops[1].multiplications == 2048);
  CHECK(ops[1].op == "smult_6_6");
  CHECK(ops[3].multiplications == 160);
  CHECK(ops[3].additions == 160);  // 155 accumulations + 5 bias additions
  CHECK(ops[0].weight_bits == std::vector<int>{6});
  CHECK(ops[0].bias_bits == 6);
  std::string summary = qtrain::model_summary(q6);
  // 1088 + 256 + 2080 + 128 + 1056 + 128 + 165 parameters, 256 of them moving statistics.
  CHECK(summary.find("Total params: 4901") != std::string::npos);
  CHECK(summary.find("Non-trainable params: 256") != std::string::npos);
  CHECK(summary.find("(None, 64)") != std::string::npos);

  Model fl(ModelSpec::load(QTRAIN_SOURCE_DIR "/examples/jet_tagger/float.json"));
  ops = qtrain::operation_stats(fl);
  CHECK(ops[0].op == "sfmult_32_8");
  CHECK(ops[1].op == "sfmult_32_32");  // Activation("relu") passes its input's (float) type on
}

TEST_CASE("model_quantize: layer names beat classes, QActivation maps by activation, BN keys default to none") {
  ModelSpec float_spec = ModelSpec::load(QTRAIN_SOURCE_DIR "/examples/jet_tagger/float.json");
  json config = json::parse(R"j({
      "QDense": {"kernel_quantizer": "quantized_bits(6,0,alpha=1)", "bias_quantizer": "quantized_bits(6,0,alpha=1)"},
      "fc1": {"kernel_quantizer": "quantized_bits(4,0,alpha=1)"},
      "QActivation": {"relu": "quantized_relu(6,0)"},
      "QBatchNormalization": {"gamma_quantizer": "quantized_relu_po2(4)"}})j");
  ModelSpec q = qtrain::model_quantize(float_spec, config, 8);
  const json& layers = q.json["layers"];
  CHECK(layers[0]["type"] == "QDense");
  CHECK(layers[0]["kernel_quantizer"] == "quantized_bits(4,0,alpha=1)");
  CHECK_FALSE(layers[0].contains("bias_quantizer"));  // the fc1 entry wins and has none
  CHECK(layers[3]["kernel_quantizer"] == "quantized_bits(6,0,alpha=1)");
  CHECK(layers[1]["type"] == "QBatchNormalization");
  CHECK(layers[1]["gamma_quantizer"] == "quantized_relu_po2(4)");
  CHECK(layers[1]["beta_quantizer"].is_null());
  CHECK(layers[2]["type"] == "QActivation");
  CHECK(layers[2]["activation"] == "quantized_relu(6,0)");
  CHECK(layers.back()["type"] == "Activation");  // softmax is not in the QActivation map
  CHECK(float_spec.json["layers"][0]["type"] == "Dense");  // input untouched

  // A float relu activation of a converted layer becomes quantized_relu(activation_bits).
  ModelSpec dense_relu = ModelSpec::from_json(
      json::parse(R"j({"name": "m", "input_shape": [3], "layers": [{"name": "d", "type": "Dense", "units": 2, "activation": "relu"}]})j"), "m.json");
  ModelSpec qd = qtrain::model_quantize(dense_relu, json::parse(R"j({"QDense": {"kernel_quantizer": "binary"}})j"), 5);
  CHECK(qd.json["layers"][0]["activation"] == "quantized_relu(5)");

  CHECK_THROWS_WITH(qtrain::model_quantize(float_spec, json::parse(R"j({"fc9": {"kernel_quantizer": "binary"}})j"), 8, "cfg.json"),
                    Catch::Contains("cfg.json: 'fc9' is neither a layer"));
  CHECK_THROWS_WITH(qtrain::model_quantize(float_spec, json::parse(R"j({"QDense": {"kernel_quantizer": "bogus(1)"}})j"), 8),
                    Catch::Contains("layer 'fc1'"));
}

TEST_CASE("Straight-through gradients reach the float kernel of a quantized layer") {
  Model m(ModelSpec::load(QTRAIN_SOURCE_DIR "/examples/jet_tagger/q6.json"));
  m.train();
  torch::Tensor loss = m.forward(torch::randn({8, 16})).log().mean();
  loss.backward();
  torch::Tensor g = m.layer("fc1")->weight("kernel")->variable.grad();
  REQUIRE(g.defined());
  CHECK(g.abs().sum().item<float>() > 0.0f);
  CHECK(torch::isfinite(g).all().item<bool>());
}
