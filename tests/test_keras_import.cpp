// import_keras / write_imported_run: the real Keras and QKeras models of
// hls4ml's examples (../shared/models/keras beside the project).  Forward passes are checked
// against hand-written loops over the HDF5 weights (Keras semantics: dense,
// same-padded convolution, inference batch normalization, softmax), and the
// QKeras model on inputs where every fixed-point value is exact.
#include "tests/test_common.h"

#include "tests/helpers.h"

#include <hdf5.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include "qtrain/files.h"
#include "qtrain/keras_import.h"
#include "qtrain/run_data.h"
#include "qtrain/weights_h5.h"
#include "quantizers/quantizer.h"

using nlohmann::json;
using qtrain::KerasImportError;
using qtrain::Model;
using qtrain::import_keras;
using qtrain::read_h5_dataset;
using test_helpers::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kModels = std::string(QTRAIN_SOURCE_DIR) + "/../shared/models/keras/";

std::string config_of(const std::string& model) { return kModels + model + ".json"; }
std::string weights_of(const std::string& model) { return kModels + model + "_weights.h5"; }

std::shared_ptr<Model> import_model(const std::string& model) { return import_keras(config_of(model), weights_of(model)); }

// A Keras weight as save_weights() stores it: /<layer>/<layer>/<weight>:0.
torch::Tensor keras_weight(const std::string& model, const std::string& layer, const std::string& weight) {
  return read_h5_dataset(weights_of(model), "/" + layer + "/" + layer + "/" + weight + ":0").to(torch::kFloat64);
}

using Vector = std::vector<double>;

Vector row(const torch::Tensor& x) {
  torch::Tensor d = x.to(torch::kFloat64).contiguous().reshape(-1);
  return Vector(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// y_j = b_j + Σ_i x_i W_ij, W of shape (in, out) as Keras stores it.
Vector dense(const Vector& x, const torch::Tensor& kernel, const torch::Tensor& bias) {
  const int64_t in = kernel.size(0), out = kernel.size(1);
  REQUIRE(static_cast<int64_t>(x.size()) == in);
  auto w = kernel.accessor<double, 2>();
  Vector y(out);
  for (int64_t j = 0; j < out; ++j) {
    y[j] = bias.defined() ? bias[j].item<double>() : 0.0;
    for (int64_t i = 0; i < in; ++i) y[j] += x[i] * w[i][j];
  }
  return y;
}

Vector relu(Vector x) {
  for (double& v : x) v = std::max(v, 0.0);
  return x;
}

Vector softmax(Vector x) {
  double top = *std::max_element(x.begin(), x.end()), sum = 0.0;
  for (double& v : x) sum += (v = std::exp(v - top));
  for (double& v : x) v /= sum;
  return x;
}

// Keras' inference batch normalization over the last axis of a channels-last vector.
Vector batch_norm(Vector x, const std::string& model, const std::string& layer, double epsilon) {
  const Vector gamma = row(keras_weight(model, layer, "gamma")), beta = row(keras_weight(model, layer, "beta"));
  const Vector mean = row(keras_weight(model, layer, "moving_mean"));
  const Vector variance = row(keras_weight(model, layer, "moving_variance"));
  const size_t channels = gamma.size();
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = i % channels;
    x[i] = (x[i] - mean[c]) / std::sqrt(variance[c] + epsilon) * gamma[c] + beta[c];
  }
  return x;
}

// Keras Conv2D, "same" padding (TensorFlow: the odd padding cell goes after),
// on an (h, w, c) image stored row-major; kernel (kh, kw, in, out).
Vector conv2d_same(const Vector& x, int64_t h, int64_t w, const torch::Tensor& kernel, const torch::Tensor& bias,
                   int64_t stride) {
  const int64_t kh = kernel.size(0), kw = kernel.size(1), in = kernel.size(2), out = kernel.size(3);
  const int64_t oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
  const int64_t top = std::max<int64_t>((oh - 1) * stride + kh - h, 0) / 2;
  const int64_t left = std::max<int64_t>((ow - 1) * stride + kw - w, 0) / 2;
  auto k = kernel.accessor<double, 4>();
  Vector y(oh * ow * out);
  for (int64_t r = 0; r < oh; ++r)
    for (int64_t c = 0; c < ow; ++c)
      for (int64_t o = 0; o < out; ++o) {
        double sum = bias[o].item<double>();
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            const int64_t ir = r * stride + i - top, ic = c * stride + j - left;
            if (ir < 0 || ir >= h || ic < 0 || ic >= w) continue;
            for (int64_t ch = 0; ch < in; ++ch) sum += x[(ir * w + ic) * in + ch] * k[i][j][ch][o];
          }
        y[(r * ow + c) * out + o] = sum;
      }
  return y;
}

void check_close(const torch::Tensor& got, const Vector& expected, double tolerance) {
  const Vector g = row(got);
  REQUIRE(g.size() == expected.size());
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i);
    CHECK(g[i] == Approx(expected[i]).margin(tolerance));
  }
}

torch::Tensor forward(Model& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return model.forward(x);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

// The Keras JSON of a model after `edit`, written to dir.
std::string edited_config(const TempDir& dir, const std::string& model, const std::function<void(json&)>& edit) {
  json config = qtrain::read_json_file(config_of(model));
  edit(config);
  return dir.write(model + ".json", config.dump());
}

json& layer_config(json& keras_model, const std::string& name) {
  json& layers = keras_model["config"].is_array() ? keras_model["config"] : keras_model["config"]["layers"];
  for (json& l : layers)
    if (l["config"]["name"] == name) return l["config"];
  FAIL("no layer " << name);
  throw;
}

// A copy of a model's weights file, changed with the HDF5 C API.
std::string edited_weights(const TempDir& dir, const std::string& model, const std::function<void(hid_t)>& edit) {
  const std::string copy = dir.file(model + "_weights.h5");
  fs::copy_file(weights_of(model), copy, fs::copy_options::overwrite_existing);
  hid_t file = H5Fopen(copy.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  edit(file);
  H5Fclose(file);
  return copy;
}

void write_floats(hid_t file, const std::string& dataset, const std::vector<float>& values) {
  hid_t d = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  REQUIRE(H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  H5Dclose(d);
}

// A full-model .h5 as Keras' model.save() lays it out: the JSON config in the
// root attribute model_config, the weights file's groups under /model_weights.
std::string full_model_h5(const TempDir& dir, const std::string& model) {
  const std::string path = dir.file(model + ".h5");
  hid_t out = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t in = H5Fopen(weights_of(model).c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE((out >= 0 && in >= 0));
  REQUIRE(H5Ocopy(in, "/", out, "model_weights", H5P_DEFAULT, H5P_DEFAULT) >= 0);
  const std::string config = qtrain::read_text_file(config_of(model));
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attribute = H5Acreate2(out, "model_config", type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* text = config.c_str();
  REQUIRE(H5Awrite(attribute, type, &text) >= 0);
  H5Aclose(attribute);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(in);
  H5Fclose(out);
  return path;
}

std::string slot(const Model& model, const std::string& layer, const std::string& name) {
  for (const auto& [slot_name, q] : model.layer(layer)->quantizer_slots())
    if (slot_name == name) return q->to_string();
  return "(none)";
}

}  // namespace

TEST_CASE("import_keras: every example model imports and computes a finite forward", "[keras]") {
  const std::vector<std::pair<std::string, std::vector<int64_t>>> models = {
      {"KERAS_3layer", {16}},
      {"KERAS_3layer_batch_norm", {16}},
      {"KERAS_3layer_binary_smaller", {16}},
      {"KERAS_3layer_ternary_small", {16}},
      {"jetTagger_Conv2D_Small", {25, 25, 1}},
      {"qkeras_3layer", {16}},
      {"qkeras_mnist_dense", {784}},
      {"qkeras_mnist_cnn", {28, 28, 1}}};
  torch::manual_seed(3);
  for (const auto& [name, shape] : models) {
    INFO(name);
    auto model = import_model(name);
    CHECK(model->spec().input_shape() == shape);
    std::vector<int64_t> batch = {4};
    batch.insert(batch.end(), shape.begin(), shape.end());
    CHECK(torch::isfinite(forward(*model, torch::randn(batch))).all().item<bool>());
  }
}

TEST_CASE("import_keras: KERAS_3layer computes Keras' dense/relu/softmax of its HDF5 weights", "[keras]") {
  const std::string m = "KERAS_3layer";
  auto model = import_model(m);
  CHECK(model->spec().json["layers"][0] ==
        json({{"name", "fc1_relu"}, {"type", "Dense"}, {"units", 64}, {"use_bias", true}, {"activation", "relu"}}));
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({5, 16});
  const torch::Tensor y = forward(*model, x);
  for (int64_t n = 0; n < 5; ++n) {
    Vector h = row(x[n]);
    for (const char* layer : {"fc1_relu", "fc2_relu", "fc3_relu"})
      h = relu(dense(h, keras_weight(m, layer, "kernel"), keras_weight(m, layer, "bias")));
    h = softmax(dense(h, keras_weight(m, "output_softmax", "kernel"), keras_weight(m, "output_softmax", "bias")));
    check_close(y[n], h, 1e-5);
  }
}

TEST_CASE("import_keras: jetTagger_Conv2D_Small computes Keras' BN, same-padded strided convolutions and dense layers",
          "[keras]") {
  const std::string m = "jetTagger_Conv2D_Small";
  auto model = import_model(m);
  torch::manual_seed(2);
  const torch::Tensor x = torch::rand({3, 25, 25, 1});
  const torch::Tensor y = forward(*model, x);
  for (int64_t n = 0; n < 3; ++n) {
    // BN (epsilon 0.001) → Conv 5 filters 3×3 stride 3 same: 25 → 9 → BN →
    // Conv 2 filters 5×5 stride 2 same: 9 → 5 → flatten 50 → Dense 10 → Dense 5.
    Vector h = batch_norm(row(x[n]), m, "batch_normalization_1", 1e-3);
    h = relu(conv2d_same(h, 25, 25, keras_weight(m, "cnn2D_1_relu", "kernel"), keras_weight(m, "cnn2D_1_relu", "bias"), 3));
    h = batch_norm(h, m, "batch_normalization_2", 1e-3);
    h = relu(conv2d_same(h, 9, 9, keras_weight(m, "cnn2D_2_relu", "kernel"), keras_weight(m, "cnn2D_2_relu", "bias"), 2));
    REQUIRE(h.size() == 50);
    h = relu(dense(h, keras_weight(m, "dense_1_relu", "kernel"), keras_weight(m, "dense_1_relu", "bias")));
    h = softmax(dense(h, keras_weight(m, "output_softmax", "kernel"), keras_weight(m, "output_softmax", "bias")));
    check_close(y[n], h, 1e-5);
  }
}

TEST_CASE("import_keras: qkeras_3layer keeps its quantizers and computes QKeras' 6-bit fixed point", "[keras]") {
  const std::string m = "qkeras_3layer";
  auto model = import_model(m);
  // The JSON: quantized_bits bits 6, integer 0, alpha 1 (kernel and bias);
  // quantized_relu bits 6, integer 0.
  for (const char* layer : {"fc1", "fc2", "fc3", "output"}) {
    INFO(layer);
    CHECK(slot(*model, layer, "kernel_quantizer") == "quantized_bits(6,0,alpha=1)");
    CHECK(slot(*model, layer, "bias_quantizer") == "quantized_bits(6,0,alpha=1)");
  }
  for (const char* layer : {"relu1", "relu2", "relu3"}) CHECK(slot(*model, layer, "activation") == "quantized_relu(6,0)");
  CHECK(model->spec().json["layers"][0]["kernel_quantizer"] == "quantized_bits(6,0,alpha=1)");

  // quantized_bits(6,0,alpha=1): LSB 2^-5, codes clipped to [-32, 31] after
  // round-half-even; quantized_relu(6,0): LSB 2^-6, clipped to [0, 63/64].
  auto q6 = [](const torch::Tensor& w) { return torch::clamp(torch::round(w * 32.0), -32.0, 31.0) / 32.0; };
  auto quantized_relu6 = [](Vector x) {
    for (double& v : x) v = std::clamp(std::nearbyint(v * 64.0) / 64.0, 0.0, 63.0 / 64.0);
    return x;
  };
  // Inputs on a 1/8 grid: every product and sum is exact in float32, so the
  // pre-activations and their rounding agree exactly with the hand values.
  torch::manual_seed(4);
  const torch::Tensor x = torch::randint(-16, 17, {8, 16}).to(torch::kFloat32) / 8.0;
  const torch::Tensor y = forward(*model, x);
  for (int64_t n = 0; n < 8; ++n) {
    Vector h = row(x[n]);
    for (const char* layer : {"fc1", "fc2", "fc3"})
      h = quantized_relu6(dense(h, q6(keras_weight(m, layer, "kernel")), q6(keras_weight(m, layer, "bias"))));
    h = softmax(dense(h, q6(keras_weight(m, "output", "kernel")), q6(keras_weight(m, "output", "bias"))));
    check_close(y[n], h, 1e-6);
  }
}

TEST_CASE("import_keras: qkeras_mnist_dense's po2 kernel and alpha-None bias quantizers come out as serialized",
          "[keras]") {
  auto model = import_model("qkeras_mnist_dense");
  using quantizers::parse_quantizer;
  auto slot_quantizer = [&](const std::string& layer, const std::string& name) {
    for (const auto& [slot_name, q] : model->layer(layer)->quantizer_slots())
      if (slot_name == name) return q;
    FAIL("no " << name << " on " << layer);
    throw;
  };
  // quantized_po2 bits 4, max_value 1; bias quantized_bits(2,0,symmetric=1)
  // with alpha None, which a bias slot keeps (no kernel rule).
  CHECK(*slot_quantizer("q_dense_2", "kernel_quantizer") == *parse_quantizer("quantized_po2(4,max_value=1)"));
  CHECK(*slot_quantizer("q_dense_2", "bias_quantizer") == *parse_quantizer("quantized_bits(2,0,symmetric=1)"));
  CHECK(*slot_quantizer("q_dense_3", "kernel_quantizer") == *parse_quantizer("quantized_bits(4,0,1,alpha=1)"));
  CHECK(*slot_quantizer("q_activation_2", "activation") == *parse_quantizer("quantized_relu(2)"));
  CHECK(*slot_quantizer("q_activation_3", "activation") == *parse_quantizer("quantized_relu(3,1)"));
  // The Functional config's output layer.
  CHECK(model->spec().json["outputs"] == json::array({"activation_3"}));
}

TEST_CASE("import_keras: BatchNormalization's statistics land in its buffers and epsilon is kept", "[keras]") {
  const std::string m = "KERAS_3layer_batch_norm";
  auto model = import_model(m);
  const auto& bn = *model->layer("bn1");
  for (const char* w : {"gamma", "beta", "moving_mean", "moving_variance"}) {
    INFO(w);
    CHECK(torch::equal(bn.weight(w)->variable, keras_weight(m, "bn1", w).to(torch::kFloat32)));
  }
  CHECK(model->spec().json["layers"][1]["epsilon"] == 1e-6);
  CHECK(model->spec().json["layers"][1]["momentum"] == 0.9);
  CHECK_FALSE(bn.weight("moving_mean")->trainable);
  CHECK_FALSE(bn.weight("moving_variance")->trainable);
  const auto buffers = model->named_buffers();
  CHECK(std::any_of(buffers.begin(), buffers.end(), [](const auto& b) { return b.key().find("moving_mean") != std::string::npos; }));

  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({3, 16});
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> outputs = model->forward_layers(x);
  for (int64_t n = 0; n < 3; ++n) {
    const Vector fc1 = dense(row(x[n]), keras_weight(m, "fc1_relu", "kernel"), keras_weight(m, "fc1_relu", "bias"));
    check_close(outputs[1][n], batch_norm(fc1, m, "bn1", 1e-6), 1e-5);  // the file's epsilon 1e-6, not Keras' 1e-3
  }
}

TEST_CASE("import_keras: BinaryDense / TernaryDense become binary / ternary QDense with BinaryNet's activations",
          "[keras]") {
  auto binary = import_model("KERAS_3layer_binary_smaller");
  CHECK(binary->layer("fc1")->type() == "QDense");
  CHECK(slot(*binary, "fc1", "kernel_quantizer") == "binary(alpha=1)");
  CHECK(slot(*binary, "act1", "activation") == "binary_tanh");
  CHECK(binary->layer("fc1")->weight("bias") == nullptr);  // use_bias false
  auto ternary = import_model("KERAS_3layer_ternary_small");
  CHECK(*ternary->layer("fc1")->quantizer_slots()[0].second == *quantizers::parse_quantizer("ternary(alpha=1,threshold=0.5)"));

  // BinaryNet: binarize(W) = +1 if W > 0 else -1; ternarize(W) = +1 if W > 0.5,
  // -1 if W <= -0.5, else 0.
  torch::manual_seed(6);
  const torch::Tensor x = torch::randn({4, 16});
  auto sign = [](double w) { return w > 0 ? 1.0 : -1.0; };
  auto trit = [](double w) { return w > 0.5 ? 1.0 : (w <= -0.5 ? -1.0 : 0.0); };
  for (auto [model, name, f] : {std::make_tuple(binary, "KERAS_3layer_binary_smaller", +sign),
                                std::make_tuple(ternary, "KERAS_3layer_ternary_small", +trit)}) {
    INFO(name);
    torch::NoGradGuard no_grad;
    const torch::Tensor fc1 = model->forward_layers(x)[0];
    torch::Tensor kernel = keras_weight(name, "fc1", "kernel");
    for (int64_t i = 0; i < kernel.size(0); ++i)
      for (int64_t j = 0; j < kernel.size(1); ++j) kernel[i][j] = f(kernel[i][j].item<double>());
    for (int64_t n = 0; n < 4; ++n) check_close(fc1[n], dense(row(x[n]), kernel, {}), 1e-5);
  }
}

TEST_CASE("import_keras: a full-model .h5 imports the same model and weights", "[keras]") {
  TempDir dir;
  for (const std::string m : {"KERAS_3layer", "qkeras_mnist_cnn"}) {
    INFO(m);
    auto from_h5 = import_keras(full_model_h5(dir, m));
    auto from_json = import_model(m);
    CHECK(from_h5->spec().json["layers"] == from_json->spec().json["layers"]);
    for (size_t i = 0; i < from_json->layers().size(); ++i)
      for (const auto& w : from_json->layers()[i]->weights())
        CHECK(torch::equal(from_h5->layers()[i]->weight(w.name)->variable, w.variable));
  }
}

TEST_CASE("import_keras: a Functional config's layers come out in evaluation order", "[keras]") {
  TempDir dir;
  const std::string m = "jetTagger_Conv2D_Small";
  json keras = qtrain::read_json_file(config_of(m));
  const json expected = qtrain::keras_config_to_spec(keras, "k.json").json;
  json& layers = keras["config"]["layers"];
  std::reverse(layers.begin(), layers.end());
  const json reordered = qtrain::keras_config_to_spec(keras, "k.json").json;
  CHECK(reordered["layers"] == expected["layers"]);
  // Sequential chains need no "inputs"; a skip connection names its inputs.
  CHECK_FALSE(expected["layers"][0].contains("inputs"));
  json skip = qtrain::read_json_file(config_of(m));
  skip["config"]["layers"].push_back({{"class_name", "Add"}, {"name", "add"}, {"config", {{"name", "add"}}},
                                      {"inbound_nodes", {{{"dense_1_relu", 0, 0, json::object()},
                                                          {"dropout_3", 0, 0, json::object()}}}}});
  skip["config"]["output_layers"] = {{"add", 0, 0}};
  const json with_skip = qtrain::keras_config_to_spec(skip, "k.json").json;
  CHECK(with_skip["layers"].back()["inputs"] == json({"dense_1_relu", "dropout_3"}));
  CHECK(with_skip["outputs"] == json({"add"}));
  skip["config"]["layers"].back()["inbound_nodes"][0][1][0] = "nowhere";
  CHECK(error_of([&] { qtrain::keras_config_to_spec(skip, "k.json"); }) ==
        "k.json: layer 'add' (Add): input 'nowhere' is not a layer of the model");
}

TEST_CASE("import_keras: unsupported layers and arguments are named with the layer and its class", "[keras]") {
  TempDir dir;
  const std::string m = "KERAS_3layer";
  auto import_edited = [&](const std::function<void(json&)>& edit) {
    return error_of([&] { import_keras(edited_config(dir, m, edit), weights_of(m)); });
  };
  CHECK(import_edited([](json& k) {
          k["config"]["layers"][2]["class_name"] = "LSTM";
        }) == dir.file(m + ".json") + ": layer 'fc2_relu' (LSTM): unsupported layer class");
  CHECK(import_edited([](json& k) { layer_config(k, "fc1_relu")["activation"] = "hard_sigmoid"; })
            .find("layer 'fc1_relu' (Dense): activation 'hard_sigmoid'") != std::string::npos);
  CHECK(import_edited([](json& k) { layer_config(k, "fc1_relu")["kernel_quantizer"] = "binary"; })
            .find("layer 'fc1_relu' (Dense): argument 'kernel_quantizer' is not supported") != std::string::npos);
  CHECK(import_edited([](json& k) { k["class_name"] = "Model2"; }).find("unsupported model class 'Model2'") !=
        std::string::npos);

  const std::string cnn = "jetTagger_Conv2D_Small";
  auto import_cnn = [&](const std::function<void(json&)>& edit) {
    return error_of([&] { import_keras(edited_config(dir, cnn, edit), weights_of(cnn)); });
  };
  CHECK(import_cnn([](json& k) { layer_config(k, "cnn2D_1_relu")["dilation_rate"] = {2, 2}; })
            .find("layer 'cnn2D_1_relu' (Conv2D): argument 'dilation_rate' = [2,2] is not supported (only 1)") !=
        std::string::npos);
  CHECK(import_cnn([](json& k) { layer_config(k, "cnn2D_1_relu")["data_format"] = "channels_first"; })
            .find("layer 'cnn2D_1_relu' (Conv2D): argument 'data_format' = \"channels_first\"") != std::string::npos);
  CHECK(import_cnn([](json& k) { layer_config(k, "dropout_1")["noise_shape"] = {1, 1, 1, 5}; })
            .find("layer 'dropout_1' (Dropout): argument 'noise_shape'") != std::string::npos);
  // A layer called twice (a shared layer) has two inbound nodes.
  CHECK(import_cnn([](json& k) {
          json& entry = k["config"]["layers"][2];
          entry["inbound_nodes"].push_back(entry["inbound_nodes"][0]);
        }).find("layer 'cnn2D_1_relu' (Conv2D): called 2 times") != std::string::npos);

  const std::string binary = "KERAS_3layer_binary_smaller";
  CHECK(error_of([&] {
          import_keras(edited_config(dir, binary, [](json& k) { layer_config(k, "fc2")["H"] = 2; }), weights_of(binary));
        }).find("layer 'fc2' (BinaryDense): argument 'H' = 2 is not supported (only 1)") != std::string::npos);
}

TEST_CASE("import_keras: weights that do not fit the architecture are refused, naming layer and weight", "[keras]") {
  TempDir dir;
  const std::string m = "KERAS_3layer";
  // More units than the stored kernel has.
  const std::string wider = edited_config(dir, m, [](json& k) { layer_config(k, "fc1_relu")["units"] = 65; });
  CHECK(error_of([&] { import_keras(wider, weights_of(m)); }) ==
        weights_of(m) + ": layer 'fc1_relu' weight 'kernel' has shape [16, 64], the model expects [16, 65]");
  // A bias the layer does not have.
  const std::string no_bias = edited_config(dir, m, [](json& k) { layer_config(k, "fc2_relu")["use_bias"] = false; });
  CHECK(error_of([&] { import_keras(no_bias, weights_of(m)); })
            .find("layer 'fc2_relu': the file has a weight 'bias' that the layer does not have") != std::string::npos);
  // A layer group missing, a data set missing.
  const std::string no_group = edited_weights(dir, m, [](hid_t f) { REQUIRE(H5Ldelete(f, "/fc3_relu", H5P_DEFAULT) >= 0); });
  CHECK(error_of([&] { import_keras(config_of(m), no_group); }) == no_group + ": layer 'fc3_relu' has no weights in the file");
  const std::string no_bias_data =
      edited_weights(dir, m, [](hid_t f) { REQUIRE(H5Ldelete(f, "/fc2_relu/fc2_relu/bias:0", H5P_DEFAULT) >= 0); });
  CHECK(error_of([&] { import_keras(config_of(m), no_bias_data); })
            .find("no data set '/fc2_relu/fc2_relu/bias:0'") != std::string::npos);
  // NaN among the weights.
  const std::string nan_bias = edited_weights(dir, m, [](hid_t f) {
    write_floats(f, "/output_softmax/output_softmax/bias:0", {0, 0, std::nanf(""), 0, 0});
  });
  CHECK(error_of([&] { import_keras(config_of(m), nan_bias); }) ==
        nan_bias + ": layer 'output_softmax' weight 'bias' holds NaN or infinite values");
  // A weight of exactly 0 in a BinaryDense kernel (binarize gives -1, QKeras' binary +1).
  const std::string b = "KERAS_3layer_binary_smaller";
  const std::string tie = edited_weights(dir, b, [](hid_t f) {
    std::vector<float> kernel(32 * 5, 0.25f);
    kernel[7] = 0.0f;
    write_floats(f, "/output/output/kernel:0", kernel);
  });
  CHECK(error_of([&] { import_keras(config_of(b), tie); })
            .find("layer 'output' (BinaryDense): kernel holds a weight of exactly 0") != std::string::npos);
}

TEST_CASE("import_keras: missing and corrupt files", "[keras]") {
  TempDir dir;
  const std::string text = dir.write("weights.h5", "not hdf5\n");
  CHECK(error_of([&] { import_keras(config_of("KERAS_3layer"), text); }) == text + ": not an HDF5 file");
  CHECK(error_of([&] { import_keras(config_of("KERAS_3layer"), dir.file("none.h5")); }) ==
        dir.file("none.h5") + ": no such file");
  // A weights file is not a full model: no model_config.
  CHECK(error_of([&] { import_keras(weights_of("KERAS_3layer")); }).find("no attribute 'model_config'") !=
        std::string::npos);
  const std::string broken = dir.write("model.json", "{\"class_name\": \"Sequential\", ");
  CHECK_THROWS(import_keras(broken, weights_of("KERAS_3layer")));
  CHECK_THROWS_AS(import_keras(dir.write("empty.json", "{}"), weights_of("KERAS_3layer")), KerasImportError);
}

TEST_CASE("write_imported_run: a run directory open_run reads, never overwritten without force", "[keras]") {
  TempDir dir;
  auto model = import_model("qkeras_3layer");
  const std::string run = dir.file("runs/q3");
  qtrain::write_imported_run(*model, run, {});
  CHECK(fs::is_regular_file(run + "/model.json"));
  CHECK(fs::is_regular_file(run + "/checkpoints/best.pt"));
  CHECK_FALSE(fs::exists(run + "/run.json"));
  qtrain::TrainedRun opened = qtrain::open_run(run);
  CHECK_FALSE(opened.config.has_value());
  torch::manual_seed(7);
  const torch::Tensor x = torch::randn({6, 16});
  CHECK(torch::equal(forward(*opened.model, x), forward(*model, x)));
  CHECK(std::distance(fs::directory_iterator(dir.file("runs")), fs::directory_iterator()) == 1);  // no leftovers

  // Existing directory: refused without force, untouched by a failed import.
  std::ofstream(run + "/marker") << "old";
  CHECK(error_of([&] { qtrain::write_imported_run(*model, run, {}); }) == run + ": exists (use --force to replace it)");
  const std::string bad_config = dir.write("bad_run.json", R"({"name": "q3", "data": {"kind": "nowhere"}})");
  CHECK_THROWS(qtrain::write_imported_run(*model, run, {bad_config, true}));
  CHECK(fs::exists(run + "/marker"));

  // With force and a run config: replaced, run.json names model.json, data path absolute.
  const std::string config = dir.write("run.json", R"({"name": "q3", "model": "elsewhere.json",
      "data": {"kind": "jets", "path": "data/jets.csv"}, "epochs": 3})");
  qtrain::write_imported_run(*model, run, {config, true});
  CHECK_FALSE(fs::exists(run + "/marker"));
  const json stored = qtrain::read_json_file(run + "/run.json");
  CHECK(stored["model"] == "model.json");
  CHECK(stored["data"]["path"] == (fs::absolute(dir.path()) / "data/jets.csv").lexically_normal().string());
  CHECK(stored["epochs"] == 3);
  CHECK(qtrain::open_run(run).config->name == "q3");
  CHECK(std::distance(fs::directory_iterator(dir.file("runs")), fs::directory_iterator()) == 1);
}
