// The firmware anomaly-score layer (nnet_score.h): the emulator's io and kl
// scores worked by hand, then the DNN AE with its io score and the VAE
// encoder with its kl score trained briefly on synthetic ADC events,
// exported, compiled and C-simulated on 1000 test events, every score equal
// to the emulator's.
#include "tests/test_common.h"

#include <torch/torch.h>

#include <cmath>

#include "datasets/adc.h"
#include "export/csim.h"
#include "export/estimate.h"
#include "export/hls_project.h"
#include "qtrain/emulate.h"
#include "qtrain/evaluation_data.h"
#include "qtrain/files.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/losses.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"
#include "tests/helpers.h"

using nlohmann::json;
using qtrain::AnomalyScore;
using test_helpers::TempDir;

namespace {

qtrain::ModelSpec spec(json j) { return qtrain::ModelSpec::from_json(std::move(j), "test.json"); }

// An "autoencoder" of n inputs whose reconstruction is half its input.
qtrain::Model halving_model(int64_t n) {
  qtrain::Model model(spec({{"name", "halve"},
                            {"input_shape", {n}},
                            {"layers", {{{"name", "fc"}, {"type", "Dense"}, {"units", n}}}}}));
  test_helpers::set_weight(model, "fc", "kernel", 0.5 * torch::eye(n));
  test_helpers::set_weight(model, "fc", "bias", torch::zeros({n}));
  return model;
}

double emulated_score(const qtrain::Model& model, const qtrain::HlsConfig& config, const AnomalyScore& score,
                      const torch::Tensor& x) {
  const qtrain::HlsModel firmware = qtrain::build_hls_model(model, config, score);
  const torch::Tensor y = qtrain::emulate(firmware, x).front();
  REQUIRE(y.sizes() == torch::IntArrayRef({1, 1}));
  return y.item<double>();
}

json adc_run(const std::string& model, const json& loss) {
  return json{{"name", "ae"},
              {"model", std::string(QTRAIN_SOURCE_DIR) + "/examples/anomaly/" + model},
              {"data", {{"kind", "synthetic_adc"}, {"samples", 6000}, {"signal_samples", 200}, {"seed", 3}}},
              {"loss", loss},
              {"optimizer", {{"kind", "adam"}, {"lr", 0.003}}},
              {"batch_size", 256},
              {"epochs", 1},
              {"seed", 2}};
}

qtrain::TrainedRun trained(const TempDir& dir, const json& config) {
  const std::string path = dir.file("run.json");
  qtrain::write_json_atomically(path, config);
  qtrain::TrainOptions options;
  options.config_path = path;
  options.out_dir = dir.file("run");
  options.threads = 2;
  return qtrain::open_run(qtrain::train(options).run_dir);
}

// Export with the score -> compile -> csim of 1000 test events; the
// project's estimate reads back as the model's.
void check_bit_exact(const qtrain::TrainedRun& run, const std::string& score, const std::string& io_type,
                     const std::string& project) {
  hls_export::ProjectOptions options;
  options.score = qtrain::anomaly_score_of(run, score);
  options.overrides.io_type = io_type;
  REQUIRE(hls_export::export_run(run, project, options, 1000) == 1000);
  const hls_export::CsimResult r = hls_export::run_csim(project, {-1, "-O1"});
  CHECK(r.samples == 1000);
  CHECK(r.outputs == 1000);
  CHECK(r.mismatches == 0);
  CHECK(r.max_abs_diff == 0.0);

  qtrain::HlsConfig config = qtrain::hls_config_of(*run.model);
  hls_export::apply_overrides(config, options.overrides);
  const qtrain::HlsModel firmware = qtrain::build_hls_model(*run.model, config, options.score);
  const hls_export::Estimate from_model =
      hls_export::estimate(hls_export::estimate_layers(firmware), hls_export::estimate_target(firmware));
  hls_export::EstimateTarget target;
  const hls_export::Estimate from_project =
      hls_export::estimate(hls_export::read_project_layers(project, target), target);
  REQUIRE(from_model.layers.back().layer_class == "Score");
  CHECK(from_model.layers.back().lut > 0);
  CHECK(from_project.layers.back().layer_class == "Score");
  CHECK(from_project.dsp == from_model.dsp);
  CHECK(from_project.lut == Approx(from_model.lut));
  CHECK(from_project.latency_cycles == from_model.latency_cycles);
}

}  // namespace

TEST_CASE("Firmware io score worked by hand: masked mean of squares, truncated at accum_t", "[score]") {
  const qtrain::Model model = halving_model(3);
  // Target (0.5, 0, -1.25), reconstruction (0.25, 0, -0.625): squares
  // 0.0625, 0, 0.390625, sum 0.453125 = 116/256.
  const torch::Tensor x = torch::tensor({{0.5, 0.0, -1.25}}, torch::kFloat64);
  qtrain::HlsConfig config;
  AnomalyScore io{AnomalyScore::Kind::Io, true, false};
  // Masked: the 0 is padding, 0.453125 / 2 exactly.
  CHECK(emulated_score(model, config, io, x) == 0.2265625);
  // Unmasked: / 3 truncated at the inferred accum_t's 20 fractional bits
  // (2 x 10 of ap_fixed<16,6>): trunc(475136 / 3) = 158378.
  io.mask_zeros = false;
  CHECK(emulated_score(model, config, io, x) == 158378.0 / 1048576);
  // accum_t = ap_fixed<12,4>: trunc(116 / 3) / 256 = 38 / 256.
  config.layer_name["score"].precision["accum"] = qtrain::ConfigType::parse("ap_fixed<12,4>");
  CHECK(emulated_score(model, config, io, x) == 38.0 / 256);
}

TEST_CASE("Firmware io score with tanh_eta_phi worked by hand", "[score]") {
  const qtrain::Model model = halving_model(57);
  // Electron 1 (slot 1): pT 2 (element 3) and η 1 (element 4); everything
  // else is padding.  Reconstruction: pT 1, η output 0.5 -> tanh table
  // (ap_fixed<18,8>) entry trunc(0.5 * 1024 / 8) + 512 = 576, tanh(0.5)
  // truncated to 473/1024; times the electron's |η| acceptance 3:
  // 1419/1024 in reco_t = ap_fixed<16,6>.  d = 1 - 1419/1024 = -395/1024.
  // Score: (1 + 156025/2^20) / 2 = 1204601/2^21, truncated at 2^-20.
  REQUIRE(datasets::adc_eta_limits()[1] == 3.0);
  torch::Tensor x = torch::zeros({1, 57}, torch::kFloat64);
  x[0][3] = 2.0;
  x[0][4] = 1.0;
  const AnomalyScore io{AnomalyScore::Kind::Io, true, true};
  CHECK(emulated_score(model, qtrain::HlsConfig{}, io, x) == 602300.0 / 1048576);
  // The float score of the same layers, for scale: 3 tanh(0.5) exactly.
  const qtrain::HlsModel plan = qtrain::plan_hls_layers(model, io);
  const double ideal = qtrain::emulate_layers(plan, x, qtrain::Arithmetic::Float).back().item<double>();
  CHECK(ideal == Approx((1.0 + std::pow(1.0 - 3.0 * std::tanh(0.5), 2)) / 2));
}

TEST_CASE("Firmware kl score worked by hand: exp table, bracket, -0.5", "[score]") {
  // mu = x, log σ² = (0, 1); outputs [reconstruction, z_mean, z_log_var].
  qtrain::Model model(spec({{"name", "vae"},
                            {"input_shape", {2}},
                            {"layers",
                             {{{"name", "z_mean"}, {"type", "Dense"}, {"units", 2}},
                              {{"name", "z_log_var"}, {"type", "Dense"}, {"units", 2}, {"inputs", "input"}},
                              {{"name", "decoder"}, {"type", "Dense"}, {"units", 2}, {"inputs", "z_mean"}}}},
                            {"outputs", {"decoder", "z_mean", "z_log_var"}}}));
  test_helpers::set_weight(model, "z_mean", "kernel", torch::eye(2));
  test_helpers::set_weight(model, "z_mean", "bias", torch::zeros({2}));
  test_helpers::set_weight(model, "z_log_var", "kernel", torch::zeros({2, 2}));
  test_helpers::set_weight(model, "z_log_var", "bias", torch::tensor({0.0, 1.0}));
  const AnomalyScore kl{AnomalyScore::Kind::Kl, false, false};
  // The decoder is not part of the firmware.
  const qtrain::HlsModel plan = qtrain::plan_hls_layers(model, kl);
  for (const qtrain::HlsLayer& h : plan.layers) CHECK(h.name != "decoder");
  // exp table over [-8, 8) in ap_ufixed<24,12>: entry 512 = e^0 = 1, entry
  // 576 = e^1 truncated to 11134/4096.  Brackets 1 + 0 - 0.25 - 1 = -0.25
  // and 1 + 1 - 1 - 11134/4096; the sum times -0.5.
  const torch::Tensor x = torch::tensor({{0.5, -1.0}}, torch::kFloat64);
  const double reference = -0.5 * (-0.25 + (1.0 - 11134.0 / 4096));
  CHECK(reference == 0.984130859375);
  CHECK(emulated_score(model, qtrain::HlsConfig{}, kl, x) == reference);
}

TEST_CASE("Score options refuse what they cannot compute", "[score]") {
  const qtrain::Model model = halving_model(3);
  CHECK_THROWS_WITH(qtrain::plan_hls_layers(model, {AnomalyScore::Kind::Kl, false, false}),
                    Catch::Matchers::Contains("the kl score needs a VAE's outputs"));
  CHECK_THROWS_WITH(qtrain::plan_hls_layers(model, {AnomalyScore::Kind::Io, false, true}),
                    Catch::Matchers::Contains("tanh_eta_phi needs ADC events of 57 values"));
  qtrain::TrainedRun classifier{"runs/jets", std::nullopt, nullptr, ""};
  CHECK_THROWS_WITH(qtrain::anomaly_score_of(classifier, "io"),
                    Catch::Matchers::Contains("runs/jets: the io score needs an autoencoder run"));
  CHECK_THROWS_WITH(qtrain::anomaly_score_of(classifier, "mse"), Catch::Matchers::Contains("unknown anomaly score 'mse'"));
}

TEST_CASE("The DNN autoencoder with its io score C-simulates bit-exactly", "[score][export]") {
  TempDir dir;
  const qtrain::TrainedRun run =
      trained(dir, adc_run("dnn_ae.json", {{"kind", "mse"}, {"mask_zeros", true}, {"tanh_eta_phi", true}}));
  CHECK_THROWS_WITH(qtrain::anomaly_score_of(run, "kl"), Catch::Matchers::Contains("the kl score needs a VAE run"));
  check_bit_exact(run, "io", "io_parallel", dir.file("prj_parallel"));
  check_bit_exact(run, "io", "io_stream", dir.file("prj_stream"));

  // The firmware's score follows the float model's (ap_fixed<16,6> layers).
  const qtrain::Split test = qtrain::evaluation_data(run, "", "test").split;
  const qtrain::HlsModel firmware =
      qtrain::build_hls_model(*run.model, qtrain::hls_config_of(*run.model), qtrain::anomaly_score_of(run, "io"));
  const torch::Tensor emulated = qtrain::emulate(firmware, test.x).front().squeeze(1);
  torch::NoGradGuard no_grad;
  run.model->eval();
  const torch::Tensor reco = qtrain::tanh_eta_phi(run.model->forward(test.x));
  const torch::Tensor ideal = qtrain::squared_error_per_sample(reco, test.y, true).to(torch::kFloat64);
  const double correlation = torch::corrcoef(torch::stack({emulated, ideal}))[0][1].item<double>();
  CHECK(correlation > 0.99);
}

TEST_CASE("The VAE encoder with its kl score C-simulates bit-exactly", "[score][export]") {
  TempDir dir;
  const qtrain::TrainedRun run = trained(
      dir, adc_run("dnn_vae.json", {{"kind", "vae"}, {"beta", 0.5}, {"mask_zeros", true}, {"tanh_eta_phi", true}}));
  check_bit_exact(run, "kl", "io_parallel", dir.file("prj"));
}
