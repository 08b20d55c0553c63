// Writes an hls4ml-style HLS project (../shared/spec/hls4ml.md §1) from the
// firmware view of a model (qtrain/hls_model.h): firmware/<name>.cpp/.h,
// defines.h, parameters.h, weights/, a copy of our nnet_utils/ and
// ap_types/, the testbench <name>_test.cpp, tb_data/, the Tcl scripts and the
// precision config the types came from.  io_parallel with the Latency
// strategy; the layers an MLP needs (Dense, BatchNormalization, ApplyAlpha,
// activations, Softmax, Reshape).
#pragma once

#include <ATen/core/Tensor.h>

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

struct ProjectOptions {
  std::string name = "myproject";  // top function and file names; a C identifier
  bool force = false;              // replace an existing output directory
};

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

// The project of a trained run under its spec's precision config ("hls"),
// with the first `tb_samples` of the run's test split and the emulator's
// outputs for them as testbench data (none for 0).  Returns the number of
// test samples written.
int64_t export_run(const qtrain::TrainedRun& run, const std::string& dir, const ProjectOptions& options,
                   int64_t tb_samples);

// Prints values the way the weight files hold them: exactly, with as many
// decimals as the type has fractional bits (hls4ml's '{:.Ff}').
std::string exact_decimal(double value, int fractional_bits);

}  // namespace hls_export
