// Profiling, BatchNormalization folding and post-training quantization
// against direct computations, and the reason QAT exists: at 4 bits PTQ
// loses accuracy on the jet tagger where QAT does not.
#include "tests/test_common.h"

#include <torch/torch.h>

#include <iomanip>
#include <sstream>

#include "qtrain/files.h"
#include "qtrain/fold_bn.h"
#include "qtrain/hls_config.h"
#include "qtrain/metrics.h"
#include "qtrain/ptq.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"
#include "tests/helpers.h"

using nlohmann::json;

namespace {

qtrain::ModelSpec spec(json j) { return qtrain::ModelSpec::from_json(std::move(j), "test.json"); }

// Trains the jet tagger spec `model_file` briefly on synthetic jets; returns the run.
qtrain::TrainedRun train_jets(const test_helpers::TempDir& dir, const std::string& name, const std::string& model_file) {
  json config = {{"name", name},
                 {"model", std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/" + model_file},
                 {"data", {{"kind", "synthetic_jets"}, {"samples", 30000}, {"seed", 11}}},
                 {"batch_size", 256},
                 {"epochs", 6},
                 {"seed", 2}};
  qtrain::write_json_atomically(dir.file(name + ".json"), config);
  qtrain::TrainOptions options;
  options.config_path = dir.file(name + ".json");
  options.out_dir = dir.file(name);
  qtrain::train(options);
  return qtrain::open_run(dir.file(name));
}

}  // namespace

TEST_CASE("Integer bits cover a range with a signed type", "[ptq]") {
  auto bits = [](std::vector<double> v) { return qtrain::value_range(torch::tensor(v, torch::kFloat64)).integer_bits(); };
  CHECK(bits({-4.0, 3.0}) == 3);    // [-4, 4) is ap_fixed<W,3>'s range
  CHECK(bits({0.0, 4.0}) == 4);     // 4 itself needs [-8, 8)
  CHECK(bits({-4.5, 0.0}) == 4);
  CHECK(bits({-0.3, 0.2}) == 1);    // a sign bit and fractions
  qtrain::ValueRange r = qtrain::value_range(torch::arange(1, 1001, torch::kFloat64));
  CHECK(r.min == 1.0);
  CHECK(r.max == 1000.0);
  CHECK(r.low == 2.0);     // nearest rank of 0.1% over 1000 values: index round(0.999) = 1
  CHECK(r.high == 999.0);  // index round(998.001) = 998
  CHECK_THROWS_WITH(qtrain::value_range(torch::empty({0})), Catch::Contains("empty"));
}

TEST_CASE("Profile overflow counts equal a direct count of outputs outside the result type", "[ptq]") {
  qtrain::Model model(spec({{"name", "p"},
                            {"input_shape", {4}},
                            {"layers", {{{"name", "fc"}, {"type", "Dense"}, {"units", 3}}}},
                            {"hls", {{"LayerName", {{"fc", {{"Precision", {{"result", "ap_fixed<6,2>"}}}}}}}}}}));
  torch::manual_seed(5);
  test_helpers::set_weight(model, "fc", "kernel", torch::randn({4, 3}));
  test_helpers::set_weight(model, "fc", "bias", torch::randn({3}));
  torch::Tensor x = torch::randn({500, 4}) * 2;
  qtrain::HlsModel firmware = qtrain::build_hls_model(model, qtrain::hls_config_of(model));
  std::vector<qtrain::LayerProfile> p = qtrain::profile(model, firmware, x);
  REQUIRE(p.size() == 2);
  CHECK(p[1].layer == "fc");
  torch::NoGradGuard no_grad;
  torch::Tensor y = model.forward(x).to(torch::kFloat64);
  // ap_fixed<6,2>: [-2, 1.9375].
  int64_t expected = ((y < -2.0) | (y > 1.9375)).sum().item<int64_t>();
  REQUIRE(expected > 0);
  CHECK(p[1].overflows == expected);
  CHECK(p[1].output.count == 1500);
  CHECK(p[1].output.max == Approx(y.max().item<double>()).epsilon(1e-6));
  std::string report = qtrain::profile_report(p);
  std::ostringstream line;
  line << "overflows in fc: " << std::fixed << std::setprecision(2) << 100.0 * double(expected) / 1500.0 << " % ("
       << expected << "/1500)";
  CHECK_THAT(report, Catch::Contains(line.str()));
  CHECK_THAT(qtrain::profile_svg(p, firmware), Catch::StartsWith("<svg"));
  CHECK_THROWS_WITH(qtrain::profile(model, firmware, torch::empty({0, 4})), Catch::Contains("empty"));
}

TEST_CASE("Folding BatchNormalization keeps the model's outputs", "[ptq]") {
  qtrain::Model model(spec({{"name", "fold"},
                            {"input_shape", {6}},
                            {"layers",
                             {{{"name", "fc"}, {"type", "Dense"}, {"units", 4}},
                              {{"name", "bn"}, {"type", "BatchNormalization"}, {"epsilon", 0.01}},
                              {{"name", "act"}, {"type", "Activation"}, {"activation", "relu"}},
                              {{"name", "out"}, {"type", "Dense"}, {"units", 2}},
                              {{"name", "bn_out"}, {"type", "BatchNormalization"}}}}}));
  torch::manual_seed(1);
  for (const char* bn : {"bn", "bn_out"}) {
    int64_t n = std::string(bn) == "bn" ? 4 : 2;
    test_helpers::set_weight(model, bn, "gamma", torch::rand({n}) + 0.5);
    test_helpers::set_weight(model, bn, "beta", torch::randn({n}));
    test_helpers::set_weight(model, bn, "moving_mean", torch::randn({n}));
    test_helpers::set_weight(model, bn, "moving_variance", torch::rand({n}) + 0.1);
  }
  model.eval();
  qtrain::FoldedModel folded = qtrain::fold_batchnorm(model);
  CHECK(folded.folded == std::vector<std::string>{"bn -> fc", "bn_out -> out"});
  CHECK(folded.model->layers().size() == 3);
  CHECK_FALSE(folded.model->layer("bn"));
  torch::Tensor x = torch::randn({64, 6});
  torch::NoGradGuard no_grad;
  CHECK(torch::allclose(folded.model->forward(x), model.forward(x), 1e-5, 1e-5));
}

TEST_CASE("At 4 bits, post-training quantization loses jet accuracy that QAT keeps", "[ptq][slow]") {
  test_helpers::TempDir dir;
  qtrain::TrainedRun float_run = train_jets(dir, "float", "float.json");
  qtrain::TrainedRun q4_run = train_jets(dir, "q4", "q4.json");
  qtrain::RunData data = qtrain::load_run_data(*float_run.config);
  torch::NoGradGuard no_grad;
  const double float_accuracy = qtrain::accuracy(float_run.model->forward(data.test.x), data.test.y);

  // PTQ: integer bits per layer from the profile, 4-bit words.
  std::vector<qtrain::LayerProfile> p = qtrain::profile(
      *float_run.model,
      qtrain::build_hls_model(*float_run.model, qtrain::homogeneous_config(quantizers::FixedType::parse("ap_fixed<32,16>"))),
      data.validation.x);
  const double ptq = qtrain::emulated_accuracy(*float_run.model, qtrain::profiled_config(p, 4, 0), data.test.x, data.test.y);
  // QAT at 4 bits, its config derived from its quantizers.
  qtrain::HlsConfig q4_config = qtrain::derive_hls_config(*q4_run.model, qtrain::Granularity::Name, "ap_fixed<16,6>");
  const double qat = qtrain::emulated_accuracy(*q4_run.model, q4_config, data.test.x, data.test.y);
  INFO("float " << float_accuracy << ", PTQ 4-bit " << ptq << ", QAT 4-bit " << qat);
  CHECK(ptq < float_accuracy - 0.03);
  CHECK(qat > ptq + 0.02);
  // 16 bits with profiled integer bits is as good as float.
  CHECK(qtrain::emulated_accuracy(*float_run.model, qtrain::profiled_config(p, 16, 0), data.test.x, data.test.y) ==
        Approx(float_accuracy).margin(0.01));

  // The heterogeneous search narrows widths while staying within its loss budget.
  qtrain::HeterogeneousOptions options;
  options.min_width = 6;
  torch::Tensor cx = data.validation.x.narrow(0, 0, 2000), cy = data.validation.y.narrow(0, 0, 2000);
  qtrain::HlsConfig h = qtrain::heterogeneous_ptq(*float_run.model, p, cx, cy, options);
  const double calibration_float = qtrain::accuracy(float_run.model->forward(cx), cy);
  CHECK(qtrain::emulated_accuracy(*float_run.model, h, cx, cy) >= calibration_float - 0.02);
  CHECK(h.layer_name.at("fc1").precision.at("weight").type->fixed.width < 16);
}
