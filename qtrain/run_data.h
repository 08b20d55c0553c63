// The data of a run and a finished run directory, for every command that
// evaluates a trained model (train's test metrics, predict, profile, ptq,
// export): the same split, the same scaler, the same weights.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/hls_model.h"
#include "qtrain/model.h"
#include "qtrain/run_config.h"

namespace qtrain {

// Inputs and what the loss compares the outputs with: class indices for
// classification, the inputs themselves for autoencoders.
struct Split {
  torch::Tensor x, y;
  int64_t size() const { return x.size(0); }
};

// A named data set that is only evaluated: an anomaly-detection signal.
struct NamedSplit {
  std::string name;
  Split split;
};

struct RunData {
  Split train, validation, test;
  std::vector<std::string> class_names;  // empty for autoencoders
  nlohmann::json scaler;                 // StandardScaler::to_json(), null when not standardised
  // Anomaly detection (adc kinds): the signal sets, standardised with the
  // background's scaler; scored against the background's test split.
  std::vector<NamedSplit> signals;
};

bool is_classification(const RunConfig& c);

// Reads or generates the config's data, splits it (seeded; data.fold picks
// the validation fold of a k-fold run) and standardises it with a scaler
// fitted on the training split.  Throws RunError/DataError.
RunData load_run_data(const RunConfig& c);

// A run directory written by `qtrain train` (or an import): its config, its
// model spec and the weights of checkpoints/best.pt (last.pt when there is no
// best).
struct TrainedRun {
  std::string dir;
  std::optional<RunConfig> config;  // run.json; absent for an imported model without one
  std::shared_ptr<Model> model;
  std::string checkpoint;  // the file the weights came from
};

// Throws RunError naming the missing or corrupt file.
TrainedRun open_run(const std::string& run_dir);
// The firmware anomaly score `kind` ("none", "io" or "kl") of an
// autoencoder run, with its loss's mask_zeros and tanh_eta_phi.  Throws
// RunError naming the run when the run is not an autoencoder (io) or not a
// VAE (kl), or for another kind.
AnomalyScore anomaly_score_of(const TrainedRun& run, const std::string& kind);

// A run directory, or a model spec file (a freshly initialised model: no
// config, no checkpoint), for commands that take either.
TrainedRun open_run_or_spec(const std::string& path);

}  // namespace qtrain
