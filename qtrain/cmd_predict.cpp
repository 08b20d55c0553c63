// `qtrain predict RUN_DIR [--data FILE] [--split test] [--emulate | --csim PRJ] [--score io|kl] [-o preds.csv]`:
// runs a trained model on its test split (or a jets file, standardised with
// the run's scaler) in float, through the bit-exact firmware emulator under
// the spec's precision config (--emulate), or through the C model of an
// exported project built as a shared library (--csim); prints the accuracy
// and writes one CSV row of outputs per event.
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

#include "export/csim.h"
#include "qtrain/commands.h"
#include "qtrain/emulate.h"
#include "qtrain/evaluation_data.h"
#include "qtrain/files.h"
#include "qtrain/hls_model.h"
#include "qtrain/metrics.h"
#include "qtrain/run_data.h"

namespace qtrain::cli {
namespace {

namespace fs = std::filesystem;

void write_predictions(const std::string& path, const torch::Tensor& scores, const EvaluationData& in) {
  torch::Tensor flat = scores.reshape({scores.size(0), -1}).to(torch::kFloat64).contiguous();
  const bool labelled = !in.class_names.empty() && static_cast<int64_t>(in.class_names.size()) == flat.size(1);
  write_atomically(path, [&](const std::string& temporary) {
    std::ofstream out(temporary);
    if (labelled) {
      out << "label,predicted";
      for (const std::string& c : in.class_names) out << "," << c;
    } else {
      for (int64_t j = 0; j < flat.size(1); ++j) out << (j ? "," : "") << "output_" << j;
    }
    out << "\n" << std::setprecision(17);
    const double* v = flat.data_ptr<double>();
    torch::Tensor predicted = flat.argmax(1).contiguous();
    torch::Tensor labels = labelled ? in.split.y.to(torch::kLong).contiguous() : predicted;
    const int64_t* p = predicted.data_ptr<int64_t>();
    const int64_t* y = labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < flat.size(0); ++i) {
      if (labelled) out << y[i] << "," << p[i] << ",";
      for (int64_t j = 0; j < flat.size(1); ++j) out << (j ? "," : "") << v[i * flat.size(1) + j];
      out << "\n";
    }
    if (!out) throw std::runtime_error(path + ": write failed");
  });
}

// The C model's outputs for x, in the shape of the model's output.
torch::Tensor run_library(const hls_export::FirmwareLibrary& library, const Model& model, const AnomalyScore& score,
                          const torch::Tensor& x) {
  const HlsModel plan = plan_hls_layers(model, score);
  const torch::Tensor rows = x.reshape({x.size(0), -1}).to(torch::kFloat32).contiguous();
  std::vector<int64_t> shape(plan.layers[plan.outputs.front()].shape);
  const int64_t n_out = element_count(shape);
  shape.insert(shape.begin(), rows.size(0));
  torch::Tensor outputs = torch::empty(shape, torch::kFloat64);
  library.predict(rows.data_ptr<float>(), rows.size(0), rows.size(1), outputs.data_ptr<double>(), n_out);
  return outputs;
}

}  // namespace

Command add_predict_command(CLI::App& app) {
  struct Options {
    std::string run_dir, data, split = "test", output, csim, score = "none";
    bool emulate = false, force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Run a trained model on data, in float or through the bit-exact firmware emulator; print accuracy, write predictions");
  cmd->add_option("run_dir", o->run_dir, "Run directory")->required();
  cmd->add_option("--data", o->data, "Jets file (CSV/ARFF/HDF5); default: the run's own data split");
  cmd->add_option("--split", o->split, "Split of the run's data: test, validation or train (default: test)")
      ->check(CLI::IsMember({"test", "validation", "train"}));
  CLI::Option* emulate_flag =
      cmd->add_flag("--emulate", o->emulate, "Emulate the firmware under the spec's precision config (\"hls\")");
  cmd->add_option("--csim", o->csim, "Run the C model of this exported project (built as a shared library)")
      ->excludes(emulate_flag);
  add_score_option(cmd, o->score,
                   "With --emulate or --csim, autoencoders: the firmware's anomaly score (as exported with "
                   "export --score)");
  cmd->add_option("-o,--out", o->output, "CSV of predictions to write");
  cmd->add_flag("--force", o->force, "Overwrite an existing --out file");
  return [o] {
    if (!o->output.empty() && !o->force && fs::exists(o->output))
      throw UsageError(o->output + ": exists (use --force to overwrite)");
    TrainedRun run = open_run(o->run_dir);
    EvaluationData in = evaluation_data(run, o->data, o->split);
    torch::NoGradGuard no_grad;
    std::optional<HlsModel> firmware;
    std::optional<hls_export::FirmwareLibrary> library;
    const AnomalyScore score = anomaly_score_of(run, o->score);
    if (score.kind != AnomalyScore::Kind::None && !o->emulate && o->csim.empty())
      throw UsageError("--score needs --emulate or --csim");
    if (o->emulate) firmware = build_hls_model(*run.model, hls_config_of(*run.model), score);
    if (!o->csim.empty()) library.emplace(o->csim);
    auto start = std::chrono::steady_clock::now();  // inference only
    torch::Tensor scores;
    if (library) {
      scores = run_library(*library, *run.model, score, in.split.x);
    } else if (firmware) {
      scores = emulate(*firmware, in.split.x).front();
    } else {
      scores = run.model->forward(in.split.x).to(torch::kFloat64);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const char* how = library ? "C model" : o->emulate ? "emulated firmware" : "float model";
    std::cout << in.split.size() << " events through the " << how << " in " << std::fixed << std::setprecision(3)
              << seconds << " s (" << std::setprecision(0) << in.split.size() / std::max(seconds, 1e-9)
              << " events/s)\n";
    if (!in.class_names.empty() && scores.dim() == 2 && scores.size(1) == static_cast<int64_t>(in.class_names.size()))
      std::cout << "accuracy: " << std::setprecision(4) << accuracy(scores, in.split.y) << "\n";
    if (!o->output.empty()) {
      write_predictions(o->output, scores, in);
      std::cout << "wrote " << o->output << "\n";
    }
    return 0;
  };
}

const CommandRegistration registration("predict", add_predict_command);

}  // namespace qtrain::cli
