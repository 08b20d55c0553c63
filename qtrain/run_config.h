// RunConfig: what `qtrain train run.json` trains — data, model spec, loss,
// optimizer, regularisers, schedules, pruning, metrics.  Every field is
// checked when read; errors name the file and the field ("run.json:
// optimizer.lr must be a positive number").  docs/run-config.md lists them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/model.h"
#include "qtrain/pruning.h"
#include "qtrain/schedules.h"

namespace qtrain {

// A run config, data file or training failure; the message names the file
// and the field, row or epoch.
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DataConfig {
  // "jets" (a file or directory, datasets::read_jets), "synthetic_jets",
  // "svhn" (.mat files), "synthetic_svhn", "adc" (ADC2021 HDF5 files) or
  // "synthetic_adc".  Paths are resolved against the run config's directory.
  std::string kind;
  std::string path;       // jets: the file; svhn: train_32x32.mat; adc: the background file
  std::string test_path;  // svhn: test_32x32.mat (the test split)
  std::string extra_path; // svhn: optional extra_32x32.mat, added to the training pool
  struct Signal {
    std::string name, path;  // adc: a signal file and its name in the report
  };
  std::vector<Signal> signals;
  int64_t samples = 0;         // synthetic kinds (synthetic_adc: background events)
  int64_t signal_samples = 0;  // synthetic_adc: events per signal
  uint64_t seed = 0;           // synthetic kinds
  double test_fraction = 0.2, validation_fraction = 0.2;
  uint64_t split_seed = 42;
  bool standardize = true;  // scaler fitted on the training split (per pixel for svhn, pT only for adc)
  // k-fold training: the rows left after the test split are cut into `folds`
  // parts; fold k (1-based) is the validation set of run k.  0: no folds.
  int folds = 0;
  int fold = 0;  // the fold of this run; 0 with folds > 0: train every fold
};

struct LossConfig {
  enum class Kind { CategoricalCrossentropy, Mse, Vae };
  Kind kind = Kind::CategoricalCrossentropy;
  bool mask_zeros = false;  // MSE/VAE: entries that are exactly 0 in the target do not count
  // MSE/VAE on ADC events: the η and φ outputs pass through tanh scaled to
  // the slot's |η| acceptance and to π before they are compared.
  bool tanh_eta_phi = false;
  double beta = 0.5;        // VAE: (1 - beta) * MSE + beta * KL
};

struct OptimizerConfig {
  enum class Kind { Adam, Sgd };
  Kind kind = Kind::Adam;
  double lr = 1e-3;
  double momentum = 0.0;  // SGD
  double weight_decay = 0.0;
};

struct PruningConfig {
  PolynomialDecay schedule;
  std::vector<std::string> layers;  // empty: every layer with a kernel
};

struct RunConfig {
  std::string source;     // the run config's path
  std::string name;
  ModelSpec model;
  DataConfig data;
  LossConfig loss;
  OptimizerConfig optimizer;
  double l1 = 0.0, l2 = 0.0;                  // kernel regularisers: l1*sum|w| + l2*sum w^2
  std::optional<std::pair<double, double>> clip;  // QKeras Clip(min, max) on every kernel, replacing the automatic one
  int64_t batch_size = 1024;
  int epochs = 10;
  std::optional<ReduceLROnPlateau::Options> reduce_lr;
  std::optional<EarlyStopping::Options> early_stopping;
  std::optional<PruningConfig> pruning;
  std::vector<double> tpr_at_fpr;  // operating points reported on the test set
  uint64_t seed = 1;
  std::optional<int> threads;
  // A trained run directory whose weights (those `qtrain predict` loads)
  // start this run wherever layer, weight name and shape match; the rest is
  // initialised as usual.  Empty: no transfer.
  std::string initial_weights;

  // Reads run.json; "model" is a path (relative to run.json) or an inline spec.
  static RunConfig load(const std::string& path);
  static RunConfig from_json(const nlohmann::json& json, const std::string& source, const std::string& base_dir);
};

}  // namespace qtrain
