// C simulation of an exported project with plain g++: compile the testbench
// and the firmware against the project's own ap_types and nnet_utils, run it
// on tb_data/tb_input_features.dat and compare tb_data/csim_results.log with
// the expected outputs (tb_data/tb_output_predictions.dat, the emulator's).
// The firmware also builds as a shared library that runs whole datasets in
// this process (hls4ml's compile() and predict()).
#pragma once

#include <stdexcept>
#include <string>

namespace hls_export {

// The compiler or the testbench failed; the message names the file.
struct CsimError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CsimOptions {
  long samples = -1;                  // at most this many test samples; -1: all
  std::string optimization = "-O2";   // g++ optimisation flag
};

struct CsimResult {
  long samples = 0;          // samples simulated
  long outputs = 0;          // output values compared
  long mismatches = 0;       // outputs differing from the expected value
  double max_abs_diff = 0;   // largest |csim - expected|
};

// Compiles into PRJ/csim/ (again only when a source under firmware/ or the
// testbench is newer than the binary), runs the testbench in PRJ.  Throws
// std::invalid_argument for a directory that is not a project (or has no
// tb_data), CsimError when g++ fails (with its first error line) or the
// testbench fails.
CsimResult run_csim(const std::string& project_dir, const CsimOptions& options = {});

// An exported project's firmware, compiled with export/bridge/firmware_bridge.cpp
// into PRJ/csim/lib<name>_bridge.so (again only when the firmware changed)
// and loaded.  Sample by sample it computes what the testbench computes.
class FirmwareLibrary {
 public:
  // Throws like run_csim (std::invalid_argument for a directory that is not
  // a project, CsimError when g++ fails or the library does not load).
  explicit FirmwareLibrary(const std::string& project_dir, const std::string& optimization = "-O2");
  ~FirmwareLibrary();
  FirmwareLibrary(const FirmwareLibrary&) = delete;
  FirmwareLibrary& operator=(const FirmwareLibrary&) = delete;

  // Runs n samples of n_in float values each (row-major, as the testbench
  // reads them) and writes their n_out outputs each.  Throws CsimError when
  // the sizes do not fit the top function.  Not thread-safe: the firmware
  // keeps state in statics (weights, stream buffers).
  void predict(const float* inputs, long n, long n_in, double* outputs, long n_out) const;

 private:
  std::string project_dir_;
  void* handle_ = nullptr;
  int (*predict_)(const float*, long, long, double*, long) = nullptr;
};

}  // namespace hls_export
