// Export options and the layers beyond an MLP: a small CNN (Conv2D,
// BatchNormalization, ReLU, MaxPooling2D, Flatten, Dense, Softmax) and the
// Q6 jet tagger under the Resource strategy with reuse factor 4, each in
// io_parallel and io_stream, exported, compiled (-Wall -Wextra -Werror) and
// C-simulated on 1000 random inputs: every output equal to the emulator's.
// Weights are random with fixed seeds; no training is needed for exactness.
#include "tests/test_common.h"

#include <torch/torch.h>

#include <filesystem>

#include "export/csim.h"
#include "export/hls_project.h"
#include "qtrain/emulate.h"
#include "qtrain/files.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/model.h"
#include "tests/helpers.h"

using nlohmann::json;
using qtrain::HlsModel;

namespace {

namespace fs = std::filesystem;

const hls_export::CsimOptions kFastCompile{-1, "-O1"};

std::string read(const fs::path& path) { return qtrain::read_text_file(path.string()); }
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

qtrain::Model model_of(json spec) {
  torch::manual_seed(11);  // the initial kernels
  return qtrain::Model(qtrain::ModelSpec::from_json(std::move(spec), "test.json"));
}

// BatchNormalization statistics away from the identity, from a fixed seed.
void randomize_batchnorm(qtrain::Model& model, const std::string& layer, int64_t channels) {
  torch::manual_seed(5);
  test_helpers::set_weight(model, layer, "gamma", torch::rand({channels}) + 0.5);
  test_helpers::set_weight(model, layer, "beta", torch::rand({channels}) - 0.5);
  test_helpers::set_weight(model, layer, "moving_mean", 0.4 * torch::rand({channels}) - 0.2);
  test_helpers::set_weight(model, layer, "moving_variance", torch::rand({channels}) + 0.5);
}

// 3 x 3 convolutions with 'same' padding (a zero-padding layer in
// io_stream) and 'valid', 6-bit QAT quantizers.
json small_cnn() {
  const std::string q6 = "quantized_bits(6,0,alpha=1)";
  return {{"name", "small_cnn"},
          {"input_shape", {8, 8, 2}},
          {"layers",
           {{{"name", "conv1"}, {"type", "QConv2D"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"},
             {"kernel_quantizer", q6}, {"bias_quantizer", q6}},
            {{"name", "bn1"}, {"type", "BatchNormalization"}},
            {{"name", "relu1"}, {"type", "QActivation"}, {"activation", "quantized_relu(6,0)"}},
            {{"name", "pool1"}, {"type", "MaxPooling2D"}, {"pool_size", 2}},
            {{"name", "conv2"}, {"type", "QConv2D"}, {"filters", 3}, {"kernel_size", 3},
             {"kernel_quantizer", q6}, {"bias_quantizer", q6}},
            {{"name", "relu2"}, {"type", "Activation"}, {"activation", "relu"}},
            {{"name", "flatten"}, {"type", "Flatten"}},
            {{"name", "fc"}, {"type", "QDense"}, {"units", 5}, {"kernel_quantizer", q6}, {"bias_quantizer", q6}},
            {{"name", "softmax"}, {"type", "Activation"}, {"activation", "softmax"}}}}};
}

json jet_q6() { return qtrain::read_json_file(std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/q6.json"); }

// The firmware model under the per-layer config with `overrides`.
HlsModel firmware(const qtrain::Model& model, const hls_export::ConfigOverrides& overrides) {
  qtrain::HlsConfig config = qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>");
  hls_export::apply_overrides(config, overrides);
  return qtrain::build_hls_model(model, config);
}

// Export -> compile -> csim on `inputs`; all outputs must equal the emulator's.
void check_bit_exact(const HlsModel& firmware, const torch::Tensor& inputs, const fs::path& project) {
  torch::Tensor expected = qtrain::emulate(firmware, inputs).front();
  hls_export::write_project(firmware, project.string(), {"myproject", false, {}, {}}, inputs, expected);
  hls_export::CsimResult r = hls_export::run_csim(project.string(), kFastCompile);
  CHECK(r.samples == inputs.size(0));
  CHECK(r.outputs == expected.numel());
  CHECK(r.mismatches == 0);
  CHECK(r.max_abs_diff == 0.0);
}

hls_export::ConfigOverrides overrides(const std::string& io, const std::string& strategy, int reuse) {
  hls_export::ConfigOverrides o;
  o.io_type = io;
  o.strategy = strategy;
  o.reuse_factor = reuse;
  return o;
}

}  // namespace

TEST_CASE("hls4ml's reuse factor rule", "[export]") {
  CHECK(hls_export::valid_reuse_factor(16, 64, 1));
  CHECK(hls_export::valid_reuse_factor(16, 64, 4));
  CHECK(hls_export::valid_reuse_factor(16, 64, 32));   // a multiple of n_in dividing n_in*n_out
  CHECK_FALSE(hls_export::valid_reuse_factor(16, 64, 5));
  CHECK_FALSE(hls_export::valid_reuse_factor(16, 64, 6));   // does not divide n_in
  CHECK_FALSE(hls_export::valid_reuse_factor(16, 64, 24));  // not a multiple of n_in
  CHECK(hls_export::valid_reuse_factor(32, 5, 160));
}

TEST_CASE("Export options override the precision config, not what the firmware computes", "[export]") {
  qtrain::Model model = model_of(jet_q6());
  hls_export::ConfigOverrides o = overrides("io_stream", "Resource", 4);
  o.part = "xcku115-flvb2104-2-i";
  o.clock_period = 4;
  qtrain::HlsConfig config = qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>");
  hls_export::apply_overrides(config, o);
  CHECK(config.io_type == "io_stream");
  CHECK(config.part == "xcku115-flvb2104-2-i");
  CHECK(config.clock_period == 4.0);
  // Per-layer entries no longer take precedence.
  CHECK(config.reuse_factor("fc1", "Dense") == 4);
  CHECK(config.strategy("fc1", "Dense") == "Resource");

  torch::manual_seed(2);
  torch::Tensor x = torch::randn({300, 16});
  CHECK(torch::equal(qtrain::emulate(firmware(model, {}), x).front(), qtrain::emulate(firmware(model, o), x).front()));

  CHECK_THROWS_WITH(hls_export::apply_overrides(config, overrides("io_serial", "Latency", 1)),
                    Catch::Contains("io_serial"));
  CHECK_THROWS_WITH(hls_export::apply_overrides(config, overrides("io_stream", "Fast", 1)), Catch::Contains("Fast"));
  CHECK_THROWS_AS(hls_export::apply_overrides(config, overrides("io_stream", "Latency", 0)), std::invalid_argument);
}

TEST_CASE("An invalid reuse factor is an error naming the layer and the nearest valid ones", "[export]") {
  qtrain::Model model = model_of(jet_q6());
  CHECK_THROWS_WITH(hls_export::check_exportable(firmware(model, overrides("io_parallel", "Resource", 5))),
                    Catch::Contains("layer 'fc1' (Dense)") && Catch::Contains("reuse factor 5") &&
                        Catch::Contains("nearest valid: 4 or 8"));
}

TEST_CASE("Resource's summation order is refused where a saturating accumulator could tell", "[export]") {
  qtrain::Model model = model_of(jet_q6());
  qtrain::HlsConfig config = qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>");
  config.layer_name["fc1"].precision["accum"] = qtrain::ConfigType::parse("ap_fixed<10,2,AP_TRN,AP_SAT>");
  hls_export::apply_overrides(config, overrides("io_parallel", "Resource", 4));
  CHECK_THROWS_WITH(hls_export::check_exportable(qtrain::build_hls_model(model, config)),
                    Catch::Contains("layer 'fc1' (Dense)") && Catch::Contains("saturating accumulator"));
  // Reuse factor n_in adds in dense_latency's order.
  hls_export::apply_overrides(config, overrides("io_parallel", "Resource", 16));
  CHECK_NOTHROW(hls_export::check_exportable(qtrain::build_hls_model(model, config)));
}

TEST_CASE("A layer the exporter cannot express in io_stream is named", "[export]") {
  qtrain::Model model = model_of({{"name", "pool"},
                                  {"input_shape", {5, 5, 1}},
                                  {"layers", {{{"name", "p1"}, {"type", "MaxPooling2D"}, {"pool_size", 2},
                                               {"padding", "same"}}}}});
  CHECK_NOTHROW(hls_export::check_exportable(firmware(model, overrides("io_parallel", "Latency", 1))));
  CHECK_THROWS_WITH(hls_export::check_exportable(firmware(model, overrides("io_stream", "Latency", 1))),
                    Catch::Contains("layer 'p1' (Pooling2D)") && Catch::Contains("padding") &&
                        Catch::Contains("io_stream"));
}

TEST_CASE("A small CNN C-simulates bit-exactly in io_parallel and io_stream", "[export][slow]") {
  test_helpers::TempDir dir;
  qtrain::Model model = model_of(small_cnn());
  randomize_batchnorm(model, "bn1", 4);
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({1000, 8, 8, 2});

  SECTION("io_parallel, Latency") {
    const fs::path project = dir.path() / "cnn_parallel";
    check_bit_exact(firmware(model, overrides("io_parallel", "Latency", 1)), x, project);
    const std::string top = read(project / "firmware/myproject.cpp");
    CHECK(contains(top, "void myproject(input_t input[128], result_t layer10_out[5])"));
    CHECK(contains(top, "nnet::conv_2d_cl<input_t, layer2_t, config2>(input, layer2_out, w2, b2);"));
    CHECK(contains(top, "nnet::pooling2d_cl<layer4_t, layer5_t, config5>(layer4_out, layer5_out);"));
    CHECK(contains(read(project / "firmware/parameters.h"), "typedef config2_mult mult_config;"));
  }
  SECTION("io_stream, Latency") {
    const fs::path project = dir.path() / "cnn_stream";
    check_bit_exact(firmware(model, overrides("io_stream", "Latency", 1)), x, project);
    const std::string top = read(project / "firmware/myproject.cpp");
    CHECK(contains(top, "void myproject(hls::stream<input_t>& input, hls::stream<result_t>& layer10_out)"));
    CHECK(contains(top, "#pragma HLS DATAFLOW"));
    CHECK(contains(top, "nnet::zeropad2d_cl<input_t, input_t, config2_pad>(input, layer2_pad);"));
    CHECK(contains(top, "nnet::repack_stream<"));
    CHECK(contains(read(project / "firmware/defines.h"), "typedef nnet::array<result2_t, 4> layer2_t;"));
  }
  SECTION("io_stream, Resource, reuse factor 2") {
    // conv1's pixel dense is 18 x 4, conv2's 36 x 3, fc's 12 x 5.
    check_bit_exact(firmware(model, overrides("io_stream", "Resource", 2)), x, dir.path() / "cnn_resource");
  }
}

TEST_CASE("The Q6 jet tagger with the Resource strategy and reuse factor 4 C-simulates bit-exactly", "[export][slow]") {
  test_helpers::TempDir dir;
  qtrain::Model model = model_of(jet_q6());
  randomize_batchnorm(model, "bn1", 64);
  randomize_batchnorm(model, "bn2", 32);
  randomize_batchnorm(model, "bn3", 32);
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({1000, 16});
  for (const std::string io : {"io_parallel", "io_stream"}) {
    INFO(io);
    const HlsModel resource = firmware(model, overrides(io, "Resource", 4));
    const fs::path project = dir.path() / io;
    check_bit_exact(resource, x, project);
    const std::string parameters = read(project / "firmware/parameters.h");
    CHECK(contains(parameters, "using kernel = nnet::DenseResource_rf_leq_nin<data_T, res_T, CONFIG_T>;"));
    CHECK(contains(parameters, "static const unsigned reuse_factor = 4;"));
    // The Resource kernels read the kernel transposed, (n_out, n_in).
    const torch::Tensor w = resource.layers[1].weight;  // fc1 (16, 64)
    std::istringstream w2(read(project / "firmware/weights/w2.txt"));
    std::string token;
    for (int k = 0; k < 3 && std::getline(w2, token, ','); ++k) CHECK(std::stod(token) == w[k][0].item<double>());
  }
}

TEST_CASE("A 1-D model with pooling, upsampling, Add and Concatenate C-simulates bit-exactly", "[export][slow]") {
  // conv1's output is read three times: cloned streams in io_stream.
  qtrain::Model model = model_of(
      {{"name", "branches"},
       {"input_shape", {12, 2}},
       {"layers",
        {{{"name", "conv1"}, {"type", "Conv1D"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"},
          {"activation", "relu"}},
         {{"name", "pool1"}, {"type", "AveragePooling1D"}, {"pool_size", 2}},
         {{"name", "up1"}, {"type", "UpSampling1D"}, {"size", 2}},
         {{"name", "add"}, {"type", "Add"}, {"inputs", {"conv1", "up1"}}},
         {{"name", "max1"}, {"type", "MaxPooling1D"}, {"pool_size", 2}, {"inputs", "conv1"}},
         {{"name", "up2"}, {"type", "UpSampling1D"}, {"size", 2}},
         {{"name", "cat"}, {"type", "Concatenate"}, {"axis", -1}, {"inputs", {"add", "up2"}}},
         {{"name", "gap"}, {"type", "GlobalAveragePooling1D"}},
         {{"name", "fc"}, {"type", "Dense"}, {"units", 3}}}}});
  test_helpers::TempDir dir;
  torch::manual_seed(6);
  const torch::Tensor x = torch::randn({1000, 12, 2});
  for (const std::string io : {"io_parallel", "io_stream"}) {
    INFO(io);
    check_bit_exact(firmware(model, overrides(io, "Latency", 1)), x, dir.path() / io);
  }
}
