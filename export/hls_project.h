// Writes an hls4ml-style HLS project (../shared/spec/hls4ml.md §1) from the
// firmware view of a model (qtrain/hls_model.h): firmware/<name>.cpp/.h,
// defines.h, parameters.h, weights/, a copy of our nnet_utils/ and
// ap_types/, the testbench <name>_test.cpp, tb_data/, the Tcl scripts and the
// precision config the types came from.  io_parallel and io_stream, the
// Latency and Resource strategies; Dense, Conv1D/2D, BatchNormalization,
// ApplyAlpha, activations, Softmax, Reshape/Flatten, pooling, upsampling,
// Add and Concatenate (docs/export.md lists what each IO type allows).
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "qtrain/hls_model.h"

namespace qtrain {
struct TrainedRun;
}

namespace hls_export {

// A model the exporter cannot express; the message names the layer.
struct ExportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Settings of `qtrain export` that replace the spec's precision config
// ("hls") values.  Reuse factor and strategy apply to every layer (per-layer
// entries included).  None of them changes what the firmware computes, so
// the emulator's outputs stay the same.
struct ConfigOverrides {
  std::optional<std::string> io_type;   // io_parallel | io_stream
  std::optional<int> reuse_factor;      // >= 1
  std::optional<std::string> strategy;  // Latency | Resource
  std::optional<std::string> part;
  std::optional<double> clock_period;   // ns, > 0
};

// Applies the overrides; throws std::invalid_argument for a bad value.
void apply_overrides(qtrain::HlsConfig& config, const ConfigOverrides& overrides);

struct ProjectOptions {
  std::string name = "myproject";  // top function and file names; a C identifier
  bool force = false;              // replace an existing output directory
  ConfigOverrides overrides;       // used by export_run
  qtrain::AnomalyScore score;      // used by export_run: the firmware computes this score
};

// hls4ml's rule for a Dense (or a convolution's per-pixel dense) of n_in x
// n_out: reuse factor R is valid when n_in*n_out % R == 0 and R divides n_in
// (R <= n_in) or is a multiple of it (R > n_in).
bool valid_reuse_factor(int64_t n_in, int64_t n_out, int64_t reuse_factor);

// Throws ExportError naming the first layer (and what about it) that the
// generated code could not compute as the emulator does.
void check_exportable(const qtrain::HlsModel& model);

// Writes the project into `dir`, which must not exist unless options.force.
// `inputs` (N, input shape...) become tb_data/tb_input_features.dat and
// `expected` (N, outputs...) tb_data/tb_output_predictions.dat; both may be
// undefined (no test data).  The project is assembled in a sibling temporary
// directory and renamed into place, so a failure leaves `dir` as it was.
void write_project(const qtrain::HlsModel& model, const std::string& dir, const ProjectOptions& options,
                   const at::Tensor& inputs, const at::Tensor& expected);

// The project of a trained run (with options.score) under its spec's
// precision config ("hls") with options.overrides applied, with the first `tb_samples` of the run's test split and the emulator's
// outputs for them as testbench data (none for 0).  Returns the number of
// test samples written.
int64_t export_run(const qtrain::TrainedRun& run, const std::string& dir, const ProjectOptions& options,
                   int64_t tb_samples);

// Prints values the way the weight files hold them: exactly, with as many
// decimals as the type has fractional bits (hls4ml's '{:.Ff}').
std::string exact_decimal(double value, int fractional_bits);

}  // namespace hls_export
