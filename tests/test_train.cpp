// Losses, run configs and the training loop: artefacts, reproducibility,
// exact resume, pruning, and failures that keep the last good checkpoint.
#include "tests/test_common.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "datasets/jets.h"
#include "qtrain/files.h"
#include "qtrain/losses.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"
#include "tests/helpers.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using test_helpers::TempDir;

json small_run(const std::string& name) {
  return json{{"name", name},
              {"model", std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/q6.json"},
              {"data", {{"kind", "synthetic_jets"}, {"samples", 1500}, {"seed", 3}}},
              {"batch_size", 128},
              {"epochs", 3},
              {"seed", 5}};
}

std::string write_config(const TempDir& dir, const json& config) {
  std::string path = dir.file("run.json");
  qtrain::write_json_atomically(path, config);
  return path;
}

qtrain::TrainResult run(const std::string& config, const std::string& out, bool resume = false,
                        std::optional<int> epochs = std::nullopt) {
  qtrain::TrainOptions options;
  options.config_path = config;
  options.out_dir = out;
  options.resume = resume;
  options.epochs = epochs;
  options.force = !resume;
  return qtrain::train(options);
}

std::vector<torch::Tensor> checkpoint_weights(const std::string& run_dir) {
  qtrain::Model model(qtrain::ModelSpec::load(run_dir + "/model.json"));
  qtrain::load_checkpoint_weights(model, run_dir + "/checkpoints/last.pt");
  std::vector<torch::Tensor> weights;
  for (const auto& p : model.named_parameters()) weights.push_back(p.value().clone());
  for (const auto& b : model.named_buffers()) weights.push_back(b.value().clone());
  return weights;
}

bool identical(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

// A thread-count guard: reproducibility is promised for --threads 1.
struct SingleThread {
  int before = at::get_num_threads();
  SingleThread() { at::set_num_threads(1); }
  ~SingleThread() { at::set_num_threads(before); }
};

}  // namespace

TEST_CASE("Losses follow Keras' definitions") {
  torch::Tensor p = torch::tensor({{0.7f, 0.2f, 0.1f}, {0.0f, 1.0f, 0.0f}});
  // -(ln 0.7 + ln(1 - 1e-7)) / 2: probabilities are clipped to [1e-7, 1 - 1e-7].
  CHECK(qtrain::categorical_crossentropy(p, torch::tensor({0L, 1L})).item<double>() ==
        Approx(-(std::log(0.7) + std::log(1.0 - 1e-7)) / 2.0).epsilon(1e-6));
  CHECK(qtrain::categorical_crossentropy(p.slice(0, 1), torch::tensor({0L})).item<double>() ==
        Approx(-std::log(1e-7)).epsilon(1e-5));
  torch::Tensor prediction = torch::tensor({{1.0f, 2.0f, 3.0f}});
  torch::Tensor target = torch::tensor({{0.0f, 1.0f, 1.0f}});
  CHECK(qtrain::mean_squared_error(prediction, target, false).item<double>() == Approx(2.0));  // (1 + 1 + 4) / 3
  CHECK(qtrain::mean_squared_error(prediction, target, true).item<double>() == Approx(2.5));   // (1 + 4) / 2
  CHECK(qtrain::kl_divergence(torch::zeros({2, 3}), torch::zeros({2, 3})).item<double>() == 0.0);
  // One latent dimension, mean 1, log_var 0: -0.5 * (1 + 0 - 1 - 1) = 0.5.
  CHECK(qtrain::kl_divergence(torch::ones({1, 1}), torch::zeros({1, 1})).item<double>() == Approx(0.5));
}

TEST_CASE("Run config errors name the file and the field") {
  TempDir dir;
  auto error_of = [&](const json& config) {
    try {
      qtrain::RunConfig::load(write_config(dir, config));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  json good = small_run("x");
  CHECK_NOTHROW(qtrain::RunConfig::load(write_config(dir, good)));
  json bad = good;
  bad["optimizer"] = {{"kind", "adam"}, {"lr", -1}};
  CHECK_THAT(error_of(bad), Catch::Contains("run.json: optimizer.lr must be a number"));
  bad = good;
  bad["optimiser"] = json::object();
  CHECK_THAT(error_of(bad), Catch::Contains("optimiser is not a known field"));
  bad = good;
  bad["loss"] = {{"kind", "hinge"}};
  CHECK_THAT(error_of(bad), Catch::Contains("loss.kind must be one of categorical_crossentropy, mse, vae"));
  bad = good;
  bad["data"] = {{"kind", "jets"}, {"path", "missing.csv"}};
  CHECK_NOTHROW(qtrain::RunConfig::load(write_config(dir, bad)));  // checked when training starts
  bad = good;
  bad["model"] = "nope.json";
  CHECK_THAT(error_of(bad), Catch::Contains("nope.json: cannot open file"));
  bad = good;
  bad["pruning"] = {{"final_sparsity", 0.5}, {"begin_step", 10}, {"end_step", 5}};
  CHECK_THAT(error_of(bad), Catch::Contains("pruning"));
}

TEST_CASE("Training writes the run directory and learns the synthetic jets") {
  TempDir dir;
  json config = small_run("basic");
  config["epochs"] = 4;
  config["metrics"] = {{"tpr_at_fpr", {0.1}}};
  qtrain::TrainResult result = run(write_config(dir, config), dir.file("run"));
  for (const char* file : {"model.json", "run.json", "scaler.json", "metrics.csv", "metrics.json",
                           "checkpoints/last.pt", "checkpoints/best.pt"})
    CHECK(fs::exists(dir.file("run/" + std::string(file))));
  json metrics = qtrain::read_json_file(dir.file("run/metrics.json"));
  CHECK(metrics == result.metrics);
  REQUIRE(metrics["history"].size() == 4);
  CHECK(metrics["history"][3]["val_loss"].get<double>() < metrics["history"][0]["val_loss"].get<double>());
  // Five classes: chance is 0.2.
  CHECK(metrics["test"]["accuracy"].get<double>() > 0.35);
  for (const std::string& name : datasets::jet_class_names()) {
    CHECK(metrics["test"]["roc_auc"][name].get<double>() > 0.5);
    CHECK(metrics["test"]["tpr_at_fpr"][name].contains("0.1"));
  }
  std::ifstream csv(dir.file("run/metrics.csv"));
  std::string header, line;
  std::getline(csv, header);
  CHECK(header == "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  CHECK(rows == 4);
  // An existing run is not silently overwritten.
  qtrain::TrainOptions again;
  again.config_path = dir.file("run.json");
  again.out_dir = dir.file("run");
  CHECK_THROWS_WITH(qtrain::train(again), Catch::Contains("run directory exists"));
}

TEST_CASE("Same seed and one thread give identical weights; resume continues exactly") {
  SingleThread one;
  TempDir dir;
  json config = small_run("resume");
  config["epochs"] = 4;
  config["reduce_lr"] = {{"factor", 0.5}, {"patience", 0}};
  config["optimizer"] = {{"kind", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}};
  std::string path = write_config(dir, config);
  run(path, dir.file("a"));
  run(path, dir.file("b"));
  CHECK(identical(checkpoint_weights(dir.file("a")), checkpoint_weights(dir.file("b"))));

  run(path, dir.file("c"), false, 2);
  qtrain::TrainResult resumed = run(path, dir.file("c"), true, 4);
  CHECK(identical(checkpoint_weights(dir.file("a")), checkpoint_weights(dir.file("c"))));
  json straight = qtrain::read_json_file(dir.file("a/metrics.json"));
  for (size_t e = 0; e < 4; ++e) {
    CHECK(resumed.metrics["history"][e]["loss"] == straight["history"][e]["loss"]);
    CHECK(resumed.metrics["history"][e]["lr"] == straight["history"][e]["lr"]);
  }
}

TEST_CASE("Magnitude pruning reaches the target sparsity and masks survive optimizer steps") {
  TempDir dir;
  json config = small_run("pruned");
  config["epochs"] = 3;
  // 960 training rows / 128 = 8 steps per epoch; prune at steps 1, 5, 9, 13 and hold 0.7 after.
  config["pruning"] = {{"final_sparsity", 0.7}, {"begin_step", 1}, {"end_step", 13}, {"frequency", 4}};
  qtrain::TrainResult result = run(write_config(dir, config), dir.file("run"));
  // TF-MOT keeps round(n * 0.3) weights: fc1 1024 -> 307, fc2 2048 -> 614, fc4 160 -> 48.
  CHECK(result.metrics["sparsity"]["fc1.kernel"].get<double>() == 1.0 - 307.0 / 1024.0);
  CHECK(result.metrics["sparsity"]["fc2.kernel"].get<double>() == 1.0 - 614.0 / 2048.0);
  CHECK(result.metrics["sparsity"]["fc4.kernel"].get<double>() == 1.0 - 48.0 / 160.0);
  qtrain::Model model(qtrain::ModelSpec::load(dir.file("run/model.json")));
  qtrain::load_checkpoint_weights(model, dir.file("run/checkpoints/last.pt"));
  CHECK((model.layer("fc1")->weight("kernel")->variable == 0).sum().item<int64_t>() == 1024 - 307);
}

TEST_CASE("A non-finite loss stops training with a clear message and keeps the last good checkpoint") {
  TempDir dir;
  // 16 features + class; one row of huge (finite) values overflows float32 in fc1.
  auto write_csv = [&](const std::string& file, bool poison) {
    std::ofstream csv(dir.file(file));
    for (const std::string& f : datasets::jet_feature_names()) csv << f << ",";
    csv << "class\n";
    const char* classes[] = {"g", "q", "t", "w", "z"};
    for (int r = 0; r < 400; ++r) {
      for (int f = 0; f < 16; ++f) csv << ((r * 7 + f * 3) % 11) * 0.1 + (r % 5) * 0.3 << ",";
      csv << classes[r % 5] << "\n";
    }
    if (poison)
      for (int r = 0; r < 40; ++r) {
        for (int f = 0; f < 16; ++f) csv << "3e38,";
        csv << "g\n";
      }
  };
  write_csv("good.csv", false);
  write_csv("bad.csv", true);
  json config = small_run("nan");
  config["data"] = {{"kind", "jets"}, {"path", "good.csv"}, {"standardize", false}};
  config["batch_size"] = 1024;
  config["epochs"] = 1;
  std::string path = write_config(dir, config);
  run(path, dir.file("run"));
  auto before = checkpoint_weights(dir.file("run"));
  config["data"]["path"] = "bad.csv";
  write_config(dir, config);
  CHECK_THROWS_WITH(run(path, dir.file("run"), true, 2),
                    Catch::Contains("non-finite loss") && Catch::Contains("epoch 2, batch 1") &&
                        Catch::Contains("last good checkpoint is kept"));
  CHECK(identical(before, checkpoint_weights(dir.file("run"))));
}

TEST_CASE("restore_best evaluates the test set with the best epoch's weights, saved as best.pt") {
  TempDir dir;
  json config = small_run("restore");
  config["epochs"] = 40;
  config["optimizer"] = {{"kind", "adam"}, {"lr", 0.01}};
  // Patience 1 stops at the first epoch without improvement, whose weights are not the best.
  config["early_stopping"] = {{"patience", 1}, {"restore_best", true}};
  qtrain::TrainResult result = run(write_config(dir, config), dir.file("run"));
  const json& history = result.metrics["history"];
  size_t best = 0;
  for (size_t e = 1; e < history.size(); ++e)
    if (history[e]["val_loss"].get<double>() < history[best]["val_loss"].get<double>()) best = e;
  CHECK(result.metrics["best_epoch"].get<size_t>() == best + 1);
  REQUIRE(result.metrics["stopped_early"].get<bool>());
  CHECK(best + 2 == history.size());

  // The reported test loss is that of best.pt on the run's test split.
  datasets::LabeledData all = datasets::synthetic_jets(1500, 3);
  datasets::Splits splits = datasets::split(all, 0.2, 0.2, 42);
  torch::Tensor x = datasets::StandardScaler::fit(splits.train.features).transform(splits.test.features);
  auto test_loss = [&](const char* checkpoint) {
    qtrain::Model model(qtrain::ModelSpec::load(dir.file("run/model.json")));
    qtrain::load_checkpoint_weights(model, dir.file(std::string("run/checkpoints/") + checkpoint));
    model.eval();
    torch::NoGradGuard no_grad;
    return qtrain::categorical_crossentropy(model.forward(x), splits.test.labels).item<double>();
  };
  CHECK(result.metrics["test"]["loss"].get<double>() == Approx(test_loss("best.pt")).epsilon(1e-6));
  CHECK(result.metrics["test"]["loss"].get<double>() != Approx(test_loss("last.pt")).epsilon(1e-6));
}

TEST_CASE("open_run reads a finished run directory: its config, data split and best weights") {
  TempDir dir;
  fs::copy_file(std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/q6.json", dir.file("q6.json"));
  json config = small_run("reopen");
  config["model"] = "q6.json";  // relative to the config, which open_run never sees
  config["epochs"] = 2;
  qtrain::TrainResult result = run(write_config(dir, config), dir.file("run"));
  fs::remove(dir.file("q6.json"));

  qtrain::TrainedRun opened = qtrain::open_run(dir.file("run"));
  REQUIRE(opened.config);
  CHECK(opened.config->name == "reopen");
  CHECK(opened.checkpoint == dir.file("run/checkpoints/best.pt"));
  qtrain::RunData data = qtrain::load_run_data(*opened.config);
  torch::NoGradGuard no_grad;
  double loss = qtrain::categorical_crossentropy(opened.model->forward(data.test.x), data.test.y).item<double>();
  CHECK(result.metrics["test"]["loss"].get<double>() == Approx(loss).epsilon(1e-6));

  CHECK_THROWS_WITH(qtrain::open_run(dir.file("missing")), Catch::Contains("not a run directory"));
  fs::remove(dir.file("run/checkpoints/best.pt"));
  fs::remove(dir.file("run/checkpoints/last.pt"));
  CHECK_THROWS_WITH(qtrain::open_run(dir.file("run")), Catch::Contains("no checkpoint"));
}
