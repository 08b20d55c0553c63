// The data a command evaluates a run on: a split of the run's own data (as
// training made it), or a jets file standardised with the run's scaler.
#pragma once

#include <string>
#include <vector>

#include "qtrain/run_data.h"

namespace qtrain {

struct EvaluationData {
  Split split;
  std::vector<std::string> class_names;  // empty when the data are not labelled by class
};

// `data_path` empty: the run's `split` ("train", "validation" or "test").
// Throws RunError when the run has no run.json and no file is given.
EvaluationData evaluation_data(const TrainedRun& run, const std::string& data_path, const std::string& split);

}  // namespace qtrain
