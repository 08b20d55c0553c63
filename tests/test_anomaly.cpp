// Anomaly detection: the scores worked by hand on tiny tensors, the tanh
// rescaling of η and φ, the adc run-config kinds and a short training of the
// example autoencoders that separates a synthetic signal.
#include "tests/test_common.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "datasets/adc.h"
#include "qtrain/files.h"
#include "qtrain/losses.h"
#include "qtrain/run_config.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"
#include "tests/helpers.h"

using nlohmann::json;
using test_helpers::TempDir;

TEST_CASE("IO score: masked MSE per sample", "[anomaly]") {
  // Sample 0: target (1, 0, 2), output (2, 5, 4): squared errors 1, 25, 4;
  // the 0 is padding, so (1 + 4) / 2 = 2.5 masked, 30 / 3 = 10 unmasked.
  // Sample 1: target (0, 0, 0) (all padding), output (1, 1, 1): masked 0 / max(0, 1) = 0.
  const at::Tensor target = torch::tensor({1.0f, 0.0f, 2.0f, 0.0f, 0.0f, 0.0f}).view({2, 3});
  const at::Tensor output = torch::tensor({2.0f, 5.0f, 4.0f, 1.0f, 1.0f, 1.0f}).view({2, 3});
  const at::Tensor masked = qtrain::squared_error_per_sample(output, target, true);
  CHECK(masked[0].item<float>() == 2.5f);
  CHECK(masked[1].item<float>() == 0.0f);
  const at::Tensor plain = qtrain::squared_error_per_sample(output, target, false);
  CHECK(plain[0].item<float>() == 10.0f);
  CHECK(plain[1].item<float>() == 1.0f);
  CHECK(qtrain::mean_squared_error(output, target, true).item<float>() == 1.25f);
}

TEST_CASE("D_KL and R_z of the VAE encoder per sample", "[anomaly]") {
  // Latent (μ, log σ²) = (1, 0) and (2, ln 4):
  //   D_KL = −½[(1 + 0 − 1 − 1) + (1 + ln 4 − 4 − 4)] = −½(−1 − 7 + ln 4) = 4 − ln 2
  //   R_z = 1²/1 + 2²/4 = 2
  // Second sample μ = (0, 0), log σ² = (0, 0): D_KL = 0, R_z = 0.
  const at::Tensor mean = torch::tensor({1.0, 2.0, 0.0, 0.0}, torch::kFloat64).view({2, 2});
  const at::Tensor log_var = torch::tensor({0.0, std::log(4.0), 0.0, 0.0}, torch::kFloat64).view({2, 2});
  const at::Tensor kl = qtrain::kl_divergence_per_sample(mean, log_var);
  CHECK(kl[0].item<double>() == Approx(4.0 - std::log(2.0)).epsilon(1e-12));
  CHECK(kl[1].item<double>() == 0.0);
  const at::Tensor rz = qtrain::rz_score(mean, log_var);
  CHECK(rz[0].item<double>() == Approx(2.0).epsilon(1e-12));
  CHECK(rz[1].item<double>() == 0.0);
  CHECK(qtrain::kl_divergence(mean, log_var).item<double>() == Approx((4.0 - std::log(2.0)) / 2).epsilon(1e-12));
}

TEST_CASE("tanh_eta_phi rescales η to the slot's acceptance and φ to ±π", "[anomaly]") {
  at::Tensor out = torch::zeros({1, 57});
  out[0][0] = 7.0f;    // MET pT: unchanged
  out[0][3] = -2.0f;   // electron pT: unchanged
  out[0][4] = 0.5f;    // electron η → 3.0·tanh(0.5)
  out[0][5] = 1.0f;    // electron φ → π·tanh(1)
  out[0][16] = 0.5f;   // muon (slot 5) η → 2.1·tanh(0.5)
  out[0][28] = 100.0f; // jet (slot 9) η → 4.0·tanh(100) = 4.0
  out[0][1] = 3.0f;    // MET η: acceptance 0 → 0
  const at::Tensor y = qtrain::tanh_eta_phi(out.view({1, 19, 3}));
  REQUIRE(y.sizes() == torch::IntArrayRef({1, 19, 3}));
  const at::Tensor flat = y.view({1, 57});
  CHECK(flat[0][0].item<float>() == 7.0f);
  CHECK(flat[0][3].item<float>() == -2.0f);
  CHECK(flat[0][4].item<float>() == Approx(3.0 * std::tanh(0.5)));
  CHECK(flat[0][5].item<float>() == Approx(M_PI * std::tanh(1.0)));
  CHECK(flat[0][16].item<float>() == Approx(2.1 * std::tanh(0.5)));
  CHECK(flat[0][28].item<float>() == Approx(4.0));
  CHECK(flat[0][1].item<float>() == 0.0f);
  CHECK(flat[0][2].item<float>() == 0.0f);  // tanh(0) = 0
  CHECK_THROWS_AS(qtrain::tanh_eta_phi(torch::zeros({2, 56})), std::invalid_argument);
}

namespace {

json adc_run(const std::string& model, const json& loss) {
  return json{{"name", "ae"},
              {"model", std::string(QTRAIN_SOURCE_DIR) + "/examples/anomaly/" + model},
              {"data", {{"kind", "synthetic_adc"}, {"samples", 6000}, {"signal_samples", 1000}, {"seed", 3}}},
              {"loss", loss},
              {"optimizer", {{"kind", "adam"}, {"lr", 0.003}}},
              {"batch_size", 256},
              {"epochs", 4},
              {"seed", 2}};
}

qtrain::TrainResult train(const TempDir& dir, const json& config, std::ostream* log = nullptr) {
  const std::string path = dir.file("run.json");
  qtrain::write_json_atomically(path, config);
  qtrain::TrainOptions options;
  options.config_path = path;
  options.out_dir = dir.file("run");
  options.force = true;
  options.threads = 2;
  options.log = log;
  return qtrain::train(options);
}

}  // namespace

TEST_CASE("adc data kinds: signals scaled with the background's pT scaler", "[anomaly]") {
  TempDir dir;
  qtrain::write_json_atomically(dir.file("run.json"), adc_run("dnn_ae.json", {{"kind", "mse"}, {"mask_zeros", true}}));
  const qtrain::RunConfig c = qtrain::RunConfig::load(dir.file("run.json"));
  const qtrain::RunData data = qtrain::load_run_data(c);
  CHECK(data.train.size() + data.validation.size() + data.test.size() == 6000);
  REQUIRE(data.signals.size() == 4);
  CHECK(data.signals[0].name == "Ato4l");
  CHECK(data.signals[3].name == "hChToTauNu");
  CHECK(data.signals[0].split.size() == 1000);
  CHECK(data.scaler.at("keep_zeros") == true);
  // The signal's pT went through the background's scaler: transform it back.
  const datasets::StandardScaler scaler = datasets::StandardScaler::from_json(data.scaler);
  const at::Tensor raw = datasets::synthetic_adc(datasets::AdcProcess::Ato4l, 1000, 3).features;
  CHECK(torch::allclose(data.signals[0].split.x, scaler.transform(raw)));
  // Padding stays 0 and the autoencoder target is the input.
  CHECK(torch::equal(data.signals[0].split.x == 0, raw == 0));
  CHECK(torch::equal(data.train.x, data.train.y));

  SECTION("classification losses are refused") {
    json config = adc_run("dnn_ae.json", {{"kind", "categorical_crossentropy"}});
    qtrain::write_json_atomically(dir.file("bad.json"), config);
    CHECK_THROWS_WITH(qtrain::load_run_data(qtrain::RunConfig::load(dir.file("bad.json"))),
                      Catch::Matchers::Contains("loss.kind must be mse or vae"));
  }
  SECTION("an adc config names its signals") {
    json config = adc_run("dnn_ae.json", {{"kind", "mse"}});
    config["data"] = {{"kind", "adc"}, {"path", "bg.h5"}, {"signals", {{{"name", "A"}}}}};
    qtrain::write_json_atomically(dir.file("bad.json"), config);
    CHECK_THROWS_WITH(qtrain::RunConfig::load(dir.file("bad.json")),
                      Catch::Matchers::Contains("data.signals[0] must be {\"name\": string, \"path\": string}"));
  }
}

TEST_CASE("a short DNN AE training scores the synthetic signals above chance", "[anomaly]") {
  TempDir dir;
  std::ostringstream log;
  const qtrain::TrainResult r =
      train(dir, adc_run("dnn_ae.json", {{"kind", "mse"}, {"mask_zeros", true}, {"tanh_eta_phi", true}}), &log);
  const json& anomaly = r.metrics.at("test").at("anomaly");
  REQUIRE(anomaly.contains("io"));
  CHECK(!anomaly.contains("kl"));
  for (const char* signal : {"Ato4l", "leptoquark", "hToTauTau", "hChToTauNu"}) {
    INFO(signal);
    const json& entry = anomaly.at("io").at(signal);
    CHECK(entry.at("events") == 1000);
    CHECK(entry.at("tpr_at_fpr").size() == 3);
    CHECK(entry.at("tpr_at_fpr").contains("1e-05"));
  }
  // Four hard leptons and a large MET are far from the background.
  CHECK(anomaly["io"]["Ato4l"]["roc_auc"].get<double>() > 0.8);
  CHECK(anomaly["io"]["hChToTauNu"]["roc_auc"].get<double>() > 0.6);
  // The table of the paper's layout ends the log.
  CHECK_THAT(log.str(), Catch::Matchers::Contains("Anomaly detection against") &&
                            Catch::Matchers::Contains("TPR@FPR=1e-05") && Catch::Matchers::Contains("io     Ato4l"));
  // metrics.json holds the same numbers.
  const json saved = qtrain::read_json_file(r.run_dir + "/metrics.json");
  CHECK(saved["test"]["anomaly"]["io"]["Ato4l"]["roc_auc"] == anomaly["io"]["Ato4l"]["roc_auc"]);
}

TEST_CASE("the DNN VAE reports the IO, D_KL and R_z scores", "[anomaly]") {
  TempDir dir;
  json config = adc_run("dnn_vae.json", {{"kind", "vae"}, {"beta", 0.5}, {"mask_zeros", true}, {"tanh_eta_phi", true}});
  config["epochs"] = 2;
  const qtrain::TrainResult r = train(dir, config);
  const json& anomaly = r.metrics.at("test").at("anomaly");
  for (const char* score : {"io", "kl", "rz"}) {
    INFO(score);
    REQUIRE(anomaly.contains(score));
    CHECK(anomaly[score]["Ato4l"]["roc_auc"].get<double>() > 0.5);
  }
}

TEST_CASE("the CNN AE example builds and trains on ADC events", "[anomaly]") {
  TempDir dir;
  json config = adc_run("cnn_ae.json", {{"kind", "mse"}, {"mask_zeros", true}, {"tanh_eta_phi", true}});
  config["epochs"] = 1;
  config["data"]["samples"] = 1500;
  config["data"]["signal_samples"] = 200;
  const qtrain::TrainResult r = train(dir, config);
  CHECK(std::isfinite(r.metrics["test"]["loss"].get<double>()));
  CHECK(r.metrics["test"]["anomaly"]["io"].size() == 4);
}
