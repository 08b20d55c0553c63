// The HLS project exporter and its g++ C simulation: a hand-checked Dense
// network, then the jet tagger (6-bit QAT with the per-layer config, and the
// float model with the default ap_fixed<16,6>) trained briefly on synthetic
// jets, exported, compiled and run on 1000 test events, every output equal to
// the emulator's.
#include "tests/test_common.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "export/csim.h"
#include "export/hls_project.h"
#include "qtrain/emulate.h"
#include "qtrain/files.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/model.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"
#include "tests/helpers.h"

using nlohmann::json;
using qtrain::HlsModel;

namespace {

namespace fs = std::filesystem;

qtrain::ModelSpec spec(json j) { return qtrain::ModelSpec::from_json(std::move(j), "test.json"); }

// g++ at -O1: the firmware is the same code, the test an order faster.
const hls_export::CsimOptions kFastCompile{-1, "-O1"};

std::string read(const fs::path& path) { return qtrain::read_text_file(path.string()); }

// Dense 2 -> 2 with hand-picked weights under hls4ml's defaults (everything
// ap_fixed<16,6>, inputs truncated by the testbench's conversion).
qtrain::Model hand_dense() {
  qtrain::Model model(spec({{"name", "hand"},
                            {"input_shape", {2}},
                            {"layers", {{{"name", "fc"}, {"type", "Dense"}, {"units", 2}}}}}));
  test_helpers::set_weight(model, "fc", "kernel", torch::tensor({{0.75, -1.25}, {1.5, 0.5}}));
  test_helpers::set_weight(model, "fc", "bias", torch::tensor({0.25, -1.0}));
  return model;
}

// Trains `model_spec` for two epochs on 5000 synthetic jets (1000 test
// events) and returns the run directory.
std::string trained_run(const test_helpers::TempDir& dir, const json& model_spec) {
  json run = {{"name", "export_test"},
              {"model", model_spec},
              {"data", {{"kind", "synthetic_jets"}, {"samples", 5000}, {"seed", 3}}},
              {"loss", {{"kind", "categorical_crossentropy"}}},
              {"optimizer", {{"kind", "adam"}, {"lr", 0.003}}},
              {"batch_size", 128},
              {"epochs", 2},
              {"seed", 1}};
  qtrain::TrainOptions options;
  options.config_path = dir.write("run.json", run.dump());
  options.out_dir = dir.file("run");
  options.threads = 1;
  return qtrain::train(options).run_dir;
}

json example_spec(const std::string& file) {
  return qtrain::read_json_file(std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/" + file);
}

// Export -> compile -> csim of every test event; all must equal the emulator.
void check_bit_exact(const std::string& run_dir, const fs::path& project) {
  qtrain::TrainedRun run = qtrain::open_run(run_dir);
  REQUIRE(hls_export::export_run(run, project.string(), {}, 1000) == 1000);
  hls_export::CsimResult r = hls_export::run_csim(project.string(), kFastCompile);
  CHECK(r.samples == 1000);
  CHECK(r.outputs == 5000);
  CHECK(r.mismatches == 0);
  CHECK(r.max_abs_diff == 0.0);
}

}  // namespace

TEST_CASE("Weights print exactly with one decimal per fractional bit", "[export]") {
  CHECK(hls_export::exact_decimal(0.15625, 5) == "0.15625");
  CHECK(hls_export::exact_decimal(-0.5, 1) == "-0.5");
  CHECK(hls_export::exact_decimal(3.0, 0) == "3");
  CHECK(hls_export::exact_decimal(-24.0, -3) == "-24");
  CHECK(hls_export::exact_decimal(std::ldexp(1.0, -20), 20) == "0.00000095367431640625");
}

TEST_CASE("A hand-checked Dense project: layout, names, weights and C simulation", "[export]") {
  test_helpers::TempDir dir;
  qtrain::Model model = hand_dense();
  HlsModel firmware = qtrain::build_hls_model(model, qtrain::hls_config_of(model));
  // Sample 1 is exact; sample 2's inputs truncate to 102/1024 and -308/1024.
  // Products into accum_t = ap_fixed<16,6> truncate: 0.099609375*0.75 =
  // 76.5/1024 -> 76/1024, 0.099609375*-1.25 = -127.5/1024 -> -128/1024, so
  // y = (76 - 462 + 256)/1024 and (-128 - 154 - 1024)/1024.
  torch::Tensor x = torch::tensor({{2.5, 1.75}, {0.1, -0.3}}, torch::kFloat64);
  const std::vector<double> reference = {4.75, -3.25, -130.0 / 1024, -1306.0 / 1024};
  torch::Tensor expected = qtrain::emulate(firmware, x).front();
  REQUIRE(expected.sizes() == std::vector<int64_t>{2, 2});
  for (int k = 0; k < 4; ++k) CHECK(expected.flatten()[k].item<double>() == reference[k]);

  const fs::path project = dir.path() / "prj";
  hls_export::write_project(firmware, project.string(), {"hand_nn", false, {}, {}}, x, expected);

  // hls4ml's layout and names: input 1, fc 2 (the single output: result_t).
  for (const char* file : {"firmware/hand_nn.cpp", "firmware/hand_nn.h", "firmware/defines.h", "firmware/parameters.h",
                           "firmware/weights/w2.h", "firmware/weights/w2.txt", "firmware/weights/b2.txt",
                           "firmware/nnet_utils/nnet_dense_latency.h", "firmware/ap_types/ap_fixed.h",
                           "hand_nn_test.cpp", "tb_data/tb_input_features.dat", "tb_data/tb_output_predictions.dat",
                           "build_prj.tcl", "vivado_synth.tcl", "project.tcl", "hls4ml_config.json"})
    CHECK(fs::exists(project / file));
  const std::string defines = read(project / "firmware/defines.h");
  CHECK(defines.find("typedef ap_fixed<16,6> input_t;") != std::string::npos);
  CHECK(defines.find("typedef ap_fixed<16,6> result_t;") != std::string::npos);
  CHECK(defines.find("typedef ap_fixed<16,6> model_default_t;") != std::string::npos);
  const std::string parameters = read(project / "firmware/parameters.h");
  CHECK(parameters.find("struct config2 : nnet::dense_config {") != std::string::npos);
  CHECK(parameters.find("using product = nnet::product::mult<x_T, y_T>;") != std::string::npos);
  const std::string top = read(project / "firmware/hand_nn.cpp");
  CHECK(top.find("void hand_nn(input_t input[2], result_t layer2_out[2])") != std::string::npos);
  CHECK(top.find("nnet::dense<input_t, result_t, config2>(input, layer2_out, w2, b2);") != std::string::npos);
  // Kernel (in, out) in C order, ten decimals for ap_fixed<16,6>.
  CHECK(read(project / "firmware/weights/w2.txt") ==
        "0.7500000000, -1.2500000000, 1.5000000000, 0.5000000000\n");
  CHECK(read(project / "firmware/weights/b2.txt") == "0.2500000000, -1.0000000000\n");
  CHECK(qtrain::read_json_file((project / "hls4ml_config.json").string())["ProjectName"] == "hand_nn");

  hls_export::CsimResult r = hls_export::run_csim(project.string(), kFastCompile);
  CHECK(r.samples == 2);
  CHECK(r.outputs == 4);
  CHECK(r.mismatches == 0);
  std::istringstream log(read(project / "tb_data/csim_results.log"));
  for (double value : reference) {
    double v = 0;
    REQUIRE(log >> v);
    CHECK(v == value);
  }

  // A wrong expected value is counted with its difference (the testbench is
  // not rebuilt: its sources did not change).
  std::ofstream(project / "tb_data/tb_output_predictions.dat") << "4.75 -3.25 \n-0.126953125 -1.25 \n";
  hls_export::CsimResult bad = hls_export::run_csim(project.string(), kFastCompile);
  CHECK(bad.mismatches == 1);
  CHECK(bad.max_abs_diff == 1306.0 / 1024 - 1.25);

  // A g++ error names the file and line.
  std::ofstream(project / "firmware/hand_nn.cpp", std::ios::app) << "\nnot C++\n";
  CHECK_THROWS_WITH(hls_export::run_csim(project.string(), kFastCompile),
                    Catch::Contains("g++ failed") && Catch::Contains("firmware/hand_nn.cpp:"));

  // An existing project is kept without force, replaced with it.
  CHECK_THROWS_WITH(hls_export::write_project(firmware, project.string(), {"hand_nn", false, {}, {}}, x, expected),
                    Catch::Contains("exists (use --force"));
  CHECK(fs::exists(project / "csim"));
  hls_export::write_project(firmware, project.string(), {"hand_nn", true, {}, {}}, x, expected);
  CHECK(!fs::exists(project / "csim"));

  CHECK_THROWS_AS(hls_export::run_csim(dir.path().string()), std::invalid_argument);
}

TEST_CASE("A layer the exporter cannot express is named", "[export]") {
  qtrain::Model model(spec({{"name", "argmax"},
                            {"input_shape", {4}},
                            {"layers", {{{"name", "sm"}, {"type", "Activation"}, {"activation", "softmax"}}}}}));
  qtrain::HlsConfig config = qtrain::hls_config_of(model);
  config.layer_name["sm"].implementation = "argmax";
  HlsModel firmware = qtrain::build_hls_model(model, config);
  CHECK_THROWS_WITH(hls_export::check_exportable(firmware),
                    Catch::Contains("layer 'sm' (Softmax)") && Catch::Contains("argmax") &&
                        Catch::Contains("not supported"));
}

TEST_CASE("The Q6 jet tagger with a per-layer config C-simulates bit-exactly", "[export][slow]") {
  test_helpers::TempDir dir;
  json q6 = example_spec("q6.json");
  qtrain::Model model(spec(q6));
  q6["hls"] = qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>").to_json();
  const std::string run = trained_run(dir, q6);
  const fs::path project = dir.path() / "q6_prj";
  check_bit_exact(run, project);
  // QKeras quantized_bits(6,0) weights are ap_fixed<6,1> (hls4ml.md §3.2),
  // printed with their 5 fractional digits.
  CHECK(read(project / "firmware/defines.h").find("typedef ap_fixed<6,1> weight2_t;") != std::string::npos);
  std::istringstream w2(read(project / "firmware/weights/w2.txt"));
  std::string token;
  int count = 0;
  while (std::getline(w2, token, ',')) {
    const double v = std::stod(token);
    CHECK(v * 32 == std::round(v * 32));
    ++count;
  }
  CHECK(count == 16 * 64);
}

TEST_CASE("Binary, ternary and power-of-two jet taggers C-simulate bit-exactly", "[export][slow]") {
  // Q6 with the hidden Dense kernels replaced: the firmware multiplies with
  // nnet's weight_binary, weight_ternary and weight_exponential products.
  for (const auto& [kernel, product] : {std::pair{"binary(alpha=1)", "weight_binary"},
                                        std::pair{"ternary(alpha=1)", "weight_ternary"},
                                        std::pair{"quantized_po2(4)", "weight_exponential"}}) {
    DYNAMIC_SECTION(kernel) {
      test_helpers::TempDir dir;
      json model_spec = example_spec("q6.json");
      for (json& layer : model_spec["layers"])
        if (layer.contains("kernel_quantizer") && layer["name"] != "fc4") layer["kernel_quantizer"] = kernel;
      qtrain::Model model(spec(model_spec));
      model_spec["hls"] = qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>").to_json();
      const fs::path project = dir.path() / "prj";
      check_bit_exact(trained_run(dir, model_spec), project);
      CHECK(read(project / "firmware/parameters.h").find(std::string("nnet::product::") + product) != std::string::npos);
    }
  }
}

TEST_CASE("The float jet tagger under the default ap_fixed<16,6> C-simulates bit-exactly", "[export][slow]") {
  test_helpers::TempDir dir;
  const std::string run = trained_run(dir, example_spec("float.json"));
  check_bit_exact(run, dir.path() / "float_prj");
}
