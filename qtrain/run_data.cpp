#include "qtrain/run_data.h"

#include <torch/torch.h>

#include <filesystem>

#include "datasets/jets.h"
#include "datasets/standard_scaler.h"
#include "qtrain/train.h"

namespace qtrain {

namespace fs = std::filesystem;

bool is_classification(const RunConfig& c) { return c.loss.kind == LossConfig::Kind::CategoricalCrossentropy; }

RunData load_run_data(const RunConfig& c) {
  datasets::LabeledData all = c.data.kind == "jets" ? datasets::read_jets(c.data.path)
                                                     : datasets::synthetic_jets(c.data.samples, c.data.seed);
  datasets::Splits splits = datasets::split(all, c.data.test_fraction, c.data.validation_fraction, c.data.split_seed);
  RunData d;
  auto to_split = [&](const datasets::LabeledData& part, const datasets::StandardScaler* scaler) {
    torch::Tensor x = scaler ? scaler->transform(part.features) : part.features;
    return Split{x, is_classification(c) ? part.labels : x};
  };
  std::optional<datasets::StandardScaler> scaler;
  if (c.data.standardize) {
    scaler = datasets::StandardScaler::fit(splits.train.features);
    d.scaler = scaler->to_json();
  }
  const datasets::StandardScaler* s = scaler ? &*scaler : nullptr;
  d.train = to_split(splits.train, s);
  d.validation = to_split(splits.validation, s);
  d.test = to_split(splits.test, s);
  if (is_classification(c)) d.class_names = all.class_names;
  if (d.validation.size() == 0) throw RunError(c.source + ": data.validation_fraction leaves no validation rows");
  return d;
}

TrainedRun open_run(const std::string& run_dir) {
  fs::path dir(run_dir);
  if (!fs::is_directory(dir)) throw RunError(run_dir + ": not a run directory");
  TrainedRun run{run_dir, std::nullopt, nullptr, ""};
  if (fs::exists(dir / "run.json")) run.config = RunConfig::load((dir / "run.json").string());
  run.model = std::make_shared<Model>(ModelSpec::load((dir / "model.json").string()));
  fs::path best = dir / "checkpoints" / "best.pt", last = dir / "checkpoints" / "last.pt";
  run.checkpoint = (fs::exists(best) ? best : last).string();
  if (!fs::exists(run.checkpoint)) throw RunError(run_dir + ": no checkpoint (checkpoints/best.pt or last.pt)");
  load_checkpoint_weights(*run.model, run.checkpoint);
  run.model->eval();
  return run;
}

}  // namespace qtrain
