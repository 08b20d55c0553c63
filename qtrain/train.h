// Training: `qtrain train run.json`.  A run directory holds everything a run
// produces, written atomically:
//   run.json (the config as given), model.json (the spec), scaler.json,
//   metrics.csv (one row per epoch), metrics.json (final test metrics),
//   checkpoints/last.pt and checkpoints/best.pt.
// last.pt carries the model, optimizer, schedules, pruning masks, RNG state
// and history, so --resume continues exactly where the run stopped.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "qtrain/model.h"
#include "qtrain/run_config.h"

namespace qtrain {

struct RunData;

struct TrainOptions {
  std::string config_path;
  std::string out_dir;            // default: runs/<name> next to the working directory
  std::optional<int> epochs;      // overrides the config
  std::optional<int> threads;     // overrides the config's; neither: LibTorch's current setting
  bool resume = false;            // continue from checkpoints/last.pt
  bool force = false;             // start over in an existing run directory
  bool progress_bar = false;      // live per-batch bar (when stdout is a terminal)
  std::ostream* log = nullptr;    // per-epoch lines and the result table; nullptr: silent
  // The config's data loaded already (load_run_data of a config with the same
  // data and loss sections), as AutoQ loads it once for all its trials;
  // nullptr: loaded here.  Not for a config that trains k folds.
  const RunData* data = nullptr;
};

struct TrainResult {
  std::string run_dir;
  nlohmann::json metrics;  // what metrics.json holds
};

// Trains as the config says.  Throws RunError for bad config, data or a
// non-finite loss (the last good checkpoint is kept), ModelError for a bad spec.
TrainResult train(const TrainOptions& options);

// Loads the model weights (parameters and buffers) of a checkpoint.
void load_checkpoint_weights(Model& model, const std::string& checkpoint_path);
// Writes a checkpoint holding only the model weights (as best.pt), atomically;
// load_checkpoint_weights reads it.  For run directories made without training.
void save_model_weights(Model& model, const std::string& checkpoint_path);

}  // namespace qtrain
