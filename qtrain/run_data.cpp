#include "qtrain/run_data.h"

#include <torch/torch.h>

#include <filesystem>

#include "datasets/adc.h"
#include "datasets/jets.h"
#include "datasets/standard_scaler.h"
#include "datasets/svhn.h"
#include "qtrain/train.h"

namespace qtrain {

namespace fs = std::filesystem;

bool is_classification(const RunConfig& c) { return c.loss.kind == LossConfig::Kind::CategoricalCrossentropy; }

namespace {

// What a data kind provides: the rows to split, a test set when the data
// come with their own (svhn), and the signal sets of anomaly detection.
struct Source {
  datasets::LabeledData pool;
  std::optional<datasets::LabeledData> test;
  std::vector<std::pair<std::string, datasets::LabeledData>> signals;
};

bool is_adc(const DataConfig& d) { return d.kind == "adc" || d.kind == "synthetic_adc"; }

Source read_source(const DataConfig& d) {
  Source s;
  if (d.kind == "jets") {
    s.pool = datasets::read_jets(d.path);
  } else if (d.kind == "synthetic_jets") {
    s.pool = datasets::synthetic_jets(d.samples, d.seed);
  } else if (d.kind == "svhn") {
    s.pool = datasets::read_svhn(d.path);
    if (!d.extra_path.empty()) {
      const datasets::LabeledData extra = datasets::read_svhn(d.extra_path);
      s.pool.features = torch::cat({s.pool.features, extra.features});
      s.pool.labels = torch::cat({s.pool.labels, extra.labels});
    }
    s.test = datasets::read_svhn(d.test_path);
  } else if (d.kind == "synthetic_svhn") {
    s.pool = datasets::synthetic_svhn(d.samples, d.seed);
  } else if (d.kind == "adc") {
    s.pool = datasets::read_adc(d.path, "background");
    for (const DataConfig::Signal& signal : d.signals)
      s.signals.emplace_back(signal.name, datasets::read_adc(signal.path, signal.name));
  } else if (d.kind == "synthetic_adc") {
    s.pool = datasets::synthetic_adc(datasets::AdcProcess::Background, d.samples, d.seed);
    for (const datasets::AdcProcess process : datasets::adc_signal_processes())
      s.signals.emplace_back(datasets::adc_process_name(process),
                             datasets::synthetic_adc(process, d.signal_samples, d.seed));
  } else {
    throw std::logic_error("unhandled data kind " + d.kind);
  }
  return s;
}

}  // namespace

RunData load_run_data(const RunConfig& c) {
  if (is_adc(c.data) && is_classification(c))
    throw RunError(c.source + ": data.kind " + c.data.kind + " is for autoencoders: loss.kind must be mse or vae");
  Source source = read_source(c.data);
  const double test_fraction = source.test ? 0.0 : c.data.test_fraction;
  datasets::Splits splits;
  if (c.data.fold > 0)
    splits = datasets::split_fold(source.pool, test_fraction, c.data.folds, c.data.fold, c.data.split_seed);
  else
    splits = datasets::split(source.pool, test_fraction, c.data.validation_fraction, c.data.split_seed);
  if (source.test) splits.test = *source.test;

  RunData d;
  std::optional<datasets::StandardScaler> scaler;
  if (c.data.standardize) {
    scaler = is_adc(c.data) ? datasets::fit_adc_scaler(splits.train.features)
                            : datasets::StandardScaler::fit(splits.train.features);
    d.scaler = scaler->to_json();
  }
  auto to_split = [&](const datasets::LabeledData& part) {
    torch::Tensor x = scaler ? scaler->transform(part.features) : part.features;
    return Split{x, is_classification(c) ? part.labels : x};
  };
  d.train = to_split(splits.train);
  d.validation = to_split(splits.validation);
  d.test = to_split(splits.test);
  for (const auto& [name, signal] : source.signals) d.signals.push_back({name, to_split(signal)});
  if (is_classification(c)) d.class_names = source.pool.class_names;
  if (d.validation.size() == 0) throw RunError(c.source + ": data.validation_fraction leaves no validation rows");
  if (d.test.size() == 0 && !d.signals.empty())
    throw RunError(c.source + ": data.test_fraction leaves no background test rows to score the signals against");
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

TrainedRun open_run_or_spec(const std::string& path) {
  if (fs::is_directory(path)) return open_run(path);
  TrainedRun run{"", std::nullopt, std::make_shared<Model>(ModelSpec::load(path)), ""};
  run.model->eval();
  return run;
}

AnomalyScore anomaly_score_of(const TrainedRun& run, const std::string& kind) {
  if (kind == "none") return {};
  if (kind != "io" && kind != "kl") throw RunError("unknown anomaly score '" + kind + "' (none, io, kl)");
  const bool autoencoder = run.config && run.config->loss.kind != LossConfig::Kind::CategoricalCrossentropy;
  if (!autoencoder) throw RunError(run.dir + ": the " + kind + " score needs an autoencoder run (loss mse or vae)");
  if (kind == "kl" && run.config->loss.kind != LossConfig::Kind::Vae)
    throw RunError(run.dir + ": the kl score needs a VAE run (loss vae)");
  AnomalyScore score;
  score.kind = kind == "io" ? AnomalyScore::Kind::Io : AnomalyScore::Kind::Kl;
  score.mask_zeros = run.config->loss.mask_zeros;
  score.tanh_eta_phi = run.config->loss.tanh_eta_phi;
  return score;
}

}  // namespace qtrain
