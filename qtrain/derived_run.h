// A run directory made from another by a model transformation (PTQ, BN
// folding): the new model.json and checkpoints/best.pt, with the source's
// run.json (pointing at the new model.json) and scaler.json carried over, so
// that predict, profile and export read it like a trained run.
#pragma once

#include <string>

#include "qtrain/run_data.h"

namespace qtrain {

// Throws RunError if out_dir exists and `force` is false; every file is
// written atomically.
void write_derived_run(const TrainedRun& source, Model& model, const std::string& out_dir, bool force);

}  // namespace qtrain
