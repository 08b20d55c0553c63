// save_weights_h5 / load_weights_h5: the HDF5 weights file (QKeras'
// model_save_quantized_weights).  Expected values are worked by hand from
// qkeras.md §1 and §4.
#include "tests/test_common.h"

#include "tests/helpers.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "qtrain/files.h"
#include "qtrain/model.h"
#include "qtrain/weights_h5.h"

using nlohmann::json;
using qtrain::Model;
using qtrain::ModelSpec;
using qtrain::WeightsFileError;
using qtrain::read_h5_attribute;
using qtrain::read_h5_dataset;
namespace fs = std::filesystem;

namespace {

using test_helpers::set_weight;
using test_helpers::TempDir;

std::shared_ptr<Model> jet_tagger(const char* file) {
  return std::make_shared<Model>(ModelSpec::load(std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/" + file));
}

std::shared_ptr<Model> build(const json& spec) { return std::make_shared<Model>(ModelSpec::from_json(spec, "t.json")); }

// Dense layers with each kind of hardware format: quantized_bits auto_po2
// (the kernel rule on alpha None), quantized_po2, binary auto_po2, float.
json kinds_spec() {
  return json::parse(R"j({"name": "kinds", "input_shape": [4], "layers": [
    {"name": "auto", "type": "QDense", "units": 2, "use_bias": false, "kernel_quantizer": "quantized_bits(4,0)"},
    {"name": "po2", "type": "QDense", "units": 4, "kernel_quantizer": "quantized_po2(4)",
     "bias_quantizer": "quantized_po2(4)"},
    {"name": "bin", "type": "QDense", "units": 2, "kernel_quantizer": "binary()"},
    {"name": "plain", "type": "Dense", "units": 1}]})j");
}

torch::Tensor matrix(std::vector<float> values, int64_t rows, int64_t columns) {
  return torch::tensor(values).reshape({rows, columns});
}

const torch::Tensor& weight(const Model& model, const std::string& layer, const std::string& name) {
  return model.layer(layer)->weight(name)->variable;
}

// Exact equality, values and shape; prints both on failure.
void check_equal(const torch::Tensor& got, const torch::Tensor& expected) {
  INFO("got " << got << "\nexpected " << expected);
  CHECK(got.sizes() == expected.sizes());
  CHECK(torch::equal(got, expected.to(torch::kFloat32)));
}

std::vector<torch::Tensor> all_weights(const Model& model) {
  std::vector<torch::Tensor> values;
  for (const qtrain::LayerPtr& layer : model.layers())
    for (const qtrain::LayerWeight& w : layer->weights()) values.push_back(w.variable.clone());
  return values;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const WeightsFileError& e) {
    return e.what();
  }
  FAIL("no WeightsFileError");
  return "";
}

std::string contents(const std::string& path) { return qtrain::read_text_file(path); }

}  // namespace

TEST_CASE("save_weights_h5: the q6 jet tagger's float, software and hardware weights", "[weights_h5]") {
  TempDir dir;
  auto model = jet_tagger("q6.json");
  // quantized_bits(6,0,alpha=1): a grid of 1/32 on [-1, 31/32], rounding half to even.
  torch::Tensor kernel = torch::zeros({16, 64});
  kernel[0][0] = 0.1f;   // 3.2 LSB -> 3
  kernel[0][1] = -0.3f;  // -9.6 LSB -> -10
  kernel[1][0] = 0.5f;
  kernel[2][0] = 1.2f;   // saturates at 31/32
  kernel[3][0] = -1.5f;  // saturates at -1
  set_weight(*model, "fc1", "kernel", kernel);
  // QBatchNormalization's default quantizers: beta quantized_po2(5) (exponents
  // [-8, 7]), gamma quantized_relu_po2(6, 2048), variance quadratic.
  torch::Tensor beta = torch::zeros({64}), gamma = torch::ones({64}), variance = torch::ones({64});
  beta[0] = 0.3f;   // 2^round(-1.74) = 0.25
  beta[1] = -0.2f;  // -2^round(-2.32) = -0.25; beta[2] = 0 -> +2^-8
  gamma[0] = 3.0f;  // 2^round(1.58) = 4
  variance[0] = 5.0f;  // 2^(2·round(log2 √5 = 1.16)) = 4
  set_weight(*model, "bn1", "beta", beta);
  set_weight(*model, "bn1", "gamma", gamma);
  set_weight(*model, "bn1", "moving_variance", variance);
  const std::vector<torch::Tensor> before = all_weights(*model);

  const std::string path = dir.file("q6.h5");
  qtrain::save_weights_h5(*model, path);

  CHECK(read_h5_attribute(path, "/", "format") == "qtrain-weights/1");
  CHECK(json::parse(read_h5_attribute(path, "/", "model")) == model->spec().json);
  CHECK(read_h5_attribute(path, "/fc1", "type") == "QDense");
  CHECK(read_h5_attribute(path, "/bn1", "type") == "QBatchNormalization");
  CHECK(read_h5_attribute(path, "/relu1", "type") == "QActivation");  // layers without weights too
  CHECK(read_h5_attribute(path, "/softmax", "type") == "Activation");

  check_equal(read_h5_dataset(path, "/fc1/kernel"), kernel);
  CHECK(read_h5_attribute(path, "/fc1/kernel", "quantizer") == "quantized_bits(6,0,alpha=1)");
  torch::Tensor kernel_q = read_h5_dataset(path, "/fc1/kernel_quantized");
  CHECK(kernel_q[0][0].item<float>() == 0.09375f);
  CHECK(kernel_q[0][1].item<float>() == -0.3125f);
  CHECK(kernel_q[1][0].item<float>() == 0.5f);
  CHECK(kernel_q[2][0].item<float>() == 0.96875f);
  CHECK(kernel_q[3][0].item<float>() == -1.0f);
  CHECK(kernel_q[5][5].item<float>() == 0.0f);
  check_equal(read_h5_dataset(path, "/fc1/kernel_hw"), kernel_q);  // fixed point: hardware = software value
  CHECK(read_h5_attribute(path, "/fc1/kernel_hw", "encoding") == "value");
  check_equal(read_h5_dataset(path, "/fc1/bias_quantized"), torch::zeros({64}));
  CHECK(read_h5_attribute(path, "/fc1/bias", "quantizer") == "quantized_bits(6,0,alpha=1)");

  CHECK(read_h5_attribute(path, "/bn1/beta", "quantizer") == "quantized_po2(5)");
  torch::Tensor beta_q = read_h5_dataset(path, "/bn1/beta_quantized");
  check_equal(beta_q.slice(0, 0, 3), torch::tensor({0.25f, -0.25f, 0.00390625f}));
  check_equal(read_h5_dataset(path, "/bn1/beta_hw").slice(0, 0, 3), torch::tensor({-2.0f, -2.0f, -8.0f}));
  CHECK(read_h5_attribute(path, "/bn1/beta_hw", "encoding") == "exponent");
  check_equal(read_h5_dataset(path, "/bn1/beta_signs").slice(0, 0, 3), torch::tensor({1.0f, -1.0f, 1.0f}));

  CHECK(read_h5_attribute(path, "/bn1/gamma", "quantizer") == "quantized_relu_po2(6,max_value=2048)");
  check_equal(read_h5_dataset(path, "/bn1/gamma_quantized").slice(0, 0, 2), torch::tensor({4.0f, 1.0f}));
  check_equal(read_h5_dataset(path, "/bn1/gamma_hw").slice(0, 0, 2), torch::tensor({2.0f, 0.0f}));
  CHECK_THROWS_AS(read_h5_dataset(path, "/bn1/gamma_signs"), WeightsFileError);  // relu_po2: no signs
  check_equal(read_h5_dataset(path, "/bn1/moving_variance_quantized").slice(0, 0, 2), torch::tensor({4.0f, 1.0f}));
  check_equal(read_h5_dataset(path, "/bn1/moving_variance_hw").slice(0, 0, 2), torch::tensor({2.0f, 0.0f}));
  check_equal(read_h5_dataset(path, "/bn1/moving_mean"), torch::zeros({64}));

  // Unlike QKeras, saving leaves the float weights in place.
  const std::vector<torch::Tensor> after = all_weights(*model);
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) CHECK(torch::equal(after[i], before[i]));
}

TEST_CASE("save_weights_h5: po2 exponents and signs, auto_po2 scales, binary and float weights", "[weights_h5]") {
  TempDir dir;
  auto model = build(kinds_spec());
  // auto_po2 (qkeras.md §1.1b), 4 bits: column 0 has scale 2^-3·2^3 = 1 and
  // codes [7, 0, 2, 6]; column 1 (max 0.1) scale 2^-6·2^3 = 1/8, codes [6, -3, 1, 0].
  set_weight(*model, "auto", "kernel", matrix({0.9f, 0.1f, -0.05f, -0.05f, 0.3f, 0.02f, 0.7f, 0.0f}, 4, 2));
  // quantized_po2(4): exponents in [-4, 3].
  set_weight(*model, "po2", "kernel", matrix({0.3f, -0.2f, 1.0f, 0.0f, -3.0f, 0.06f, 0.7f, -0.01f}, 2, 4));
  set_weight(*model, "po2", "bias", torch::tensor({0.5f, -8.0f, 0.0f, 100.0f}));
  // binary auto_po2: column scales po2(mean|x|) = po2(1.25) = 1 and po2(0.3) = 0.25.
  set_weight(*model, "bin", "kernel", matrix({0.5f, 0.3f, -1.5f, -0.2f, 2.0f, 0.1f, -1.0f, -0.6f}, 4, 2));
  const std::string path = dir.file("kinds.h5");
  qtrain::save_weights_h5(*model, path);

  CHECK(read_h5_attribute(path, "/auto/kernel", "quantizer") == "quantized_bits(4,0,symmetric=True,alpha='auto_po2')");
  check_equal(read_h5_dataset(path, "/auto/kernel_quantized"),
              matrix({0.875f, 0.09375f, 0.0f, -0.046875f, 0.25f, 0.015625f, 0.75f, 0.0f}, 4, 2));
  // QKeras: hw = w_q·m/m_i with m = 2^3, m_i = 1, and scale = quantizer.scale·m_i/m,
  // so hw·scale == w_q only in column 0, whose quantizer scale is 1.
  check_equal(read_h5_dataset(path, "/auto/kernel_hw"), matrix({7, 0.75f, 0, -0.375f, 2, 0.125f, 6, 0}, 4, 2));
  CHECK(read_h5_attribute(path, "/auto/kernel_hw", "encoding") == "auto_po2");
  check_equal(read_h5_dataset(path, "/auto/kernel_scale"), matrix({0.125f, 0.015625f}, 1, 2));
  CHECK_THROWS_AS(read_h5_dataset(path, "/auto/kernel_signs"), WeightsFileError);
  CHECK_THROWS_AS(read_h5_dataset(path, "/auto/bias"), WeightsFileError);  // use_bias false

  CHECK(read_h5_attribute(path, "/po2/kernel", "quantizer") == "quantized_po2(4)");
  check_equal(read_h5_dataset(path, "/po2/kernel_quantized"),
              matrix({0.25f, -0.25f, 1.0f, 0.0625f, -4.0f, 0.0625f, 0.5f, -0.0625f}, 2, 4));
  check_equal(read_h5_dataset(path, "/po2/kernel_hw"), matrix({-2, -2, 0, -4, 2, -4, -1, -4}, 2, 4));
  check_equal(read_h5_dataset(path, "/po2/kernel_signs"), matrix({1, -1, 1, 1, -1, 1, 1, -1}, 2, 4));
  check_equal(read_h5_dataset(path, "/po2/bias_quantized"), torch::tensor({0.5f, -8.0f, 0.0625f, 8.0f}));
  check_equal(read_h5_dataset(path, "/po2/bias_hw"), torch::tensor({-1.0f, 3.0f, -4.0f, 3.0f}));
  check_equal(read_h5_dataset(path, "/po2/bias_signs"), torch::tensor({1.0f, -1.0f, 1.0f, 1.0f}));
  CHECK_THROWS_AS(read_h5_dataset(path, "/po2/kernel_scale"), WeightsFileError);

  CHECK(read_h5_attribute(path, "/bin/kernel", "quantizer") == "binary(alpha='auto_po2')");
  const torch::Tensor binary = matrix({1, 0.25f, -1, -0.25f, 1, 0.25f, -1, -0.25f}, 4, 2);
  check_equal(read_h5_dataset(path, "/bin/kernel_quantized"), binary);
  check_equal(read_h5_dataset(path, "/bin/kernel_hw"), binary);  // QKeras exports scales of quantized_bits only
  CHECK(read_h5_attribute(path, "/bin/kernel_hw", "encoding") == "value");
  CHECK_THROWS_AS(read_h5_dataset(path, "/bin/kernel_scale"), WeightsFileError);
  CHECK_THROWS_AS(read_h5_attribute(path, "/bin/bias", "quantizer"), WeightsFileError);  // bias without quantizer
  check_equal(read_h5_dataset(path, "/bin/bias_quantized"), torch::zeros({2}));
  CHECK_THROWS_AS(read_h5_dataset(path, "/bin/bias_hw"), WeightsFileError);

  const torch::Tensor plain = weight(*model, "plain", "kernel");
  check_equal(read_h5_dataset(path, "/plain/kernel"), plain);
  check_equal(read_h5_dataset(path, "/plain/kernel_quantized"), plain);
  CHECK_THROWS_AS(read_h5_dataset(path, "/plain/kernel_hw"), WeightsFileError);
  CHECK(read_h5_attribute(path, "/plain", "type") == "Dense");
}

TEST_CASE("load_weights_h5: a saved model loads back exactly into a fresh one", "[weights_h5]") {
  TempDir dir;
  torch::manual_seed(1);
  auto saved = jet_tagger("q6.json");
  set_weight(*saved, "bn2", "moving_mean", torch::linspace(-1, 1, 32));  // buffers travel too
  const std::string path = dir.file("q6.h5");
  qtrain::save_weights_h5(*saved, path);

  torch::manual_seed(2);
  auto loaded = jet_tagger("q6.json");
  REQUIRE_FALSE(torch::equal(weight(*loaded, "fc1", "kernel"), weight(*saved, "fc1", "kernel")));
  qtrain::load_weights_h5(*loaded, path);
  const std::vector<torch::Tensor> expected = all_weights(*saved), got = all_weights(*loaded);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(torch::equal(got[i], expected[i]));

  SECTION("a float model's weights load into its quantized version") {
    auto float_model = jet_tagger("float.json");
    const std::string float_path = dir.file("float.h5");
    qtrain::save_weights_h5(*float_model, float_path);
    qtrain::load_weights_h5(*loaded, float_path);
    check_equal(weight(*loaded, "fc3", "kernel"), weight(*float_model, "fc3", "kernel"));
    check_equal(weight(*loaded, "bn3", "moving_variance"), weight(*float_model, "bn3", "moving_variance"));
  }
}

TEST_CASE("load_weights_h5: errors name the file, layer and weight; the model stays unchanged", "[weights_h5]") {
  TempDir dir;
  auto dense = [](const char* name, int units, bool use_bias) {
    return json{{"name", name}, {"type", "Dense"}, {"units", units}, {"use_bias", use_bias}};
  };
  auto model_of = [](std::vector<json> layers) {
    return build(json{{"name", "m"}, {"input_shape", {4}}, {"layers", layers}});
  };
  const std::string path = dir.file("w.h5");
  qtrain::save_weights_h5(*model_of({dense("d0", 3, true), dense("d1", 3, false)}), path);

  const std::string missing = dir.file("missing.h5");
  CHECK(error_of([&] { qtrain::load_weights_h5(*model_of({dense("d0", 3, true)}), missing); }) ==
        missing + ": no such file");
  const std::string text = dir.file("text.h5");
  std::ofstream(text) << "not hdf5\n";
  CHECK(error_of([&] { qtrain::load_weights_h5(*model_of({dense("d0", 3, true)}), text); }) ==
        text + ": not an HDF5 file");
  CHECK(error_of([&] { qtrain::load_weights_h5(*model_of({dense("d0", 3, true)}), dir.path().string()); }) ==
        dir.path().string() + ": not a regular file");
  CHECK(error_of([&] { qtrain::load_weights_h5(*model_of({dense("other", 3, true)}), path); }) ==
        path + ": no layer 'other'");
  CHECK(error_of([&] { qtrain::load_weights_h5(*model_of({dense("d0", 3, true), dense("d1", 3, true)}), path); }) ==
        path + ": layer 'd1' has no weight 'bias'");

  // d0 matches, d1 does not: nothing is set.
  auto mismatched = model_of({dense("d0", 3, true), dense("d1", 5, false)});
  const std::vector<torch::Tensor> before = all_weights(*mismatched);
  CHECK(error_of([&] { qtrain::load_weights_h5(*mismatched, path); }) ==
        path + ": layer 'd1' weight 'kernel' has shape [3, 3], the model expects [3, 5]");
  const std::vector<torch::Tensor> after = all_weights(*mismatched);
  for (size_t i = 0; i < after.size(); ++i) CHECK(torch::equal(after[i], before[i]));

  CHECK(error_of([&] { read_h5_dataset(path, "/d0/nothing"); }) == path + ": no data set '/d0/nothing'");
  CHECK(error_of([&] { read_h5_attribute(path, "/d0", "nothing"); }) == path + ": no attribute 'nothing' of '/d0'");
  CHECK(error_of([&] { read_h5_attribute(path, "/d9", "type"); }) == path + ": no group or data set '/d9'");
}

TEST_CASE("save_weights_h5: a failed save leaves an existing file untouched", "[weights_h5]") {
  TempDir dir;
  const std::string path = dir.file("w.h5");
  auto good = jet_tagger("q6.json");
  qtrain::save_weights_h5(*good, path);
  const std::string previous = contents(path);

  // The second layer fails after the first was written to the temporary file.
  auto bad = build(json::parse(R"j({"name": "bad", "input_shape": [4], "layers": [
    {"name": "d0", "type": "Dense", "units": 2}, {"name": "d/1", "type": "Dense", "units": 2}]})j"));
  CHECK(error_of([&] { qtrain::save_weights_h5(*bad, path); }) ==
        path + ": layer 'd/1': a name with '/' cannot be an HDF5 group");
  CHECK(contents(path) == previous);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);  // no temporary left

  const std::string nowhere = dir.file("no_such_dir/w.h5");
  CHECK(error_of([&] { qtrain::save_weights_h5(*good, nowhere); }) == nowhere + ": cannot create file");
  CHECK_FALSE(fs::exists(nowhere));
}
