// An analytic resource and latency estimate of a firmware model (no Vivado
// run): per layer and in total DSP, LUT, FF and BRAM_18K, latency in cycles
// and ns, and the initiation interval, for the part, clock, reuse factor,
// strategy and IO type of its precision config.  docs/estimator.md explains
// the model and its calibration against the QKeras paper's Table 3.
//
// The estimator reads a plain description of the layers (EstimateLayer), made
// from the firmware view of a model (qtrain::HlsModel) or read back from an
// exported project's files, so both give the same numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "quantizers/fixed_type.h"

namespace qtrain {
struct HlsModel;
}

namespace hls_export {

// A model or project the estimator cannot read; the message names the file
// or the layer.
struct EstimateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A number format as the hardware sees it.
struct EstimateType {
  enum class Kind { Fixed, Xnor, Exponent };
  Kind kind = Kind::Fixed;
  quantizers::FixedType fixed;  // Fixed; Exponent: the exponent's ap_int width in fixed.width

  static EstimateType parse(const std::string& text);  // ap_fixed<..>, ap_int<..>, xnor, exponent<W>
  int width() const;                                   // bits on a wire (xnor: 1; exponent: sign + exponent)
};

// One firmware layer.  n_in / n_out are flat element counts.
struct EstimateLayer {
  std::string name;
  std::string layer_class;  // Input, Dense, BatchNormalization, ApplyAlpha, Activation, LeakyReLU,
                            // HardActivation, TernaryTanh, Softmax, Reshape, Score, Conv1D, Conv2D,
                            // Pooling1D, Pooling2D, GlobalPooling1D, GlobalPooling2D, UpSampling1D,
                            // UpSampling2D, Merge, Concatenate, ZeroPadding (io_stream: a
                            // convolution's padding, a layer "<conv>_pad" of its own)
  std::string activation;   // linear, relu, leaky_relu, sigmoid, tanh, hard_sigmoid, hard_tanh,
                            // binary_tanh, ternary_tanh, softmax; Score: tanh_eta_phi or ""
  std::string operation;    // Score: mse | kl; pooling: max | average; Merge: add
  int64_t n_in = 0, n_out = 0;  // Concatenate: n_in counts both inputs
  // Images (channels last; a 1-D image is one row of pixels).  Pixels in and
  // out: Conv, pooling, ZeroPadding, UpSampling, Concatenate (in: both
  // inputs); Merge, BatchNormalization, ApplyAlpha and the activations:
  // out_pixels only (io_stream's one pack per pixel), read back from a
  // project only in io_stream (io_parallel does not need it).
  int64_t in_pixels = 0, out_pixels = 0;
  // Conv and Pooling: the window's positions (kernel height x width; a Conv's
  // per-pixel dense has window x input channels inputs); GlobalPooling: all
  // input pixels.  io_stream's line buffers: window_rows - 1 rows of
  // in_width pixels (the zero-padded image for a convolution).
  int64_t window = 0, window_rows = 1, in_width = 0;
  EstimateType input, result;
  // Score: what input is compared with or combined with: the reconstruction
  // in reco_t (mse) or z_log_var (kl).
  EstimateType input2;
  // Dense, Conv; BatchNormalization / ApplyAlpha: weight = scale; pooling: accum
  EstimateType weight, bias, accum;
  // Dense: n_in * n_out values in Keras order (i * n_out + j); Conv: the
  // per-pixel dense's (window x channels) * filters in that order; scale layers:
  // one scale per element (n_in); exactly representable in `weight`
  // (xnor: 0/1; exponent: the signed power of two).  Empty: all non-zero,
  // none a power of two.
  std::vector<double> weights;
  std::vector<double> biases;  // Dense: n_out; scale layers: n_in; empty: all non-zero
  int reuse_factor = 1;
  std::string strategy = "Latency";
  // Tables: sigmoid/tanh (`table`), softmax (`exp_table`, `inv_table`),
  // Score (`table`: tanh or exp).
  int table_size = 1024, inv_table_size = 1024;
  EstimateType table, inv_table;
  std::string implementation;  // softmax: stable | latency
};

// What the firmware is built for (the config's Part, ClockPeriod, IOType).
struct EstimateTarget {
  std::string part = "xcvu13p-flga2577-2-e";
  double clock_period = 5.0;       // ns
  double clock_uncertainty = 0.125;  // fraction of the period HLS keeps free (Vivado: 12.5%)
  std::string io_type = "io_parallel";
};

// A device's resources and DSP slice.
struct Device {
  std::string family;  // the part prefix it matched, e.g. xcvu9p
  int64_t dsp = 0, lut = 0, ff = 0, bram18 = 0;  // 0: unknown part
  int dsp_a_width = 27, dsp_b_width = 18;        // signed multiplier inputs of the DSP slice
};
Device device_of(const std::string& part);

struct LayerEstimate {
  std::string name, layer_class;
  int64_t dsp = 0;
  double lut = 0, ff = 0;
  int64_t bram18 = 0;
  int cycles = 0;  // pipeline stages this layer adds; io_stream: plus its pixel loop
  int ii = 1;      // initiation interval of the layer
  // Dense, Conv and scale layers: how the products were implemented (Conv in
  // io_parallel: all pixels' products; in io_stream: one pixel's).
  int64_t products = 0, zero = 0, free = 0, dsp_products = 0, lut_products = 0;
};

struct Estimate {
  EstimateTarget target;
  Device device;
  std::vector<LayerEstimate> layers;
  int64_t dsp = 0, bram18 = 0;
  double lut = 0, ff = 0;
  int latency_cycles = 0;
  double latency_ns = 0;
  int ii = 1;
};

// The estimate.  Throws EstimateError naming a layer class it has no model for.
Estimate estimate(const std::vector<EstimateLayer>& layers, const EstimateTarget& target);

// The layers of a firmware model (types resolved by build_hls_model) and its
// target from the model's config.
std::vector<EstimateLayer> estimate_layers(const qtrain::HlsModel& model);
EstimateTarget estimate_target(const qtrain::HlsModel& model);

// The layers and target of a project written by `qtrain export`: its
// hls4ml_config.json, firmware/<name>.cpp, parameters.h, defines.h and the
// weights/*.txt files.  Throws std::invalid_argument when `dir` is not a
// project, EstimateError when a file does not read as the exporter writes it.
std::vector<EstimateLayer> read_project_layers(const std::string& dir, EstimateTarget& target);
bool is_project_dir(const std::string& dir);

// Published synthesis results: the jet tagger on a VU9P at 200 MHz (QKeras
// paper, Coelho et al. 2021, Table 3).
struct PaperResult {
  std::string model;  // BF, Q6, QE
  std::string description;
  int64_t dsp;
  double lut, ff;
  int cycles;
};
const std::vector<PaperResult>& qkeras_table3();
std::optional<PaperResult> qkeras_table3_row(const std::string& model);  // case-insensitive
// Whether the layers are the paper's jet tagger (Dense 16-64-32-32-5 with
// softmax), so its Table 3 applies.
bool is_jet_tagger(const std::vector<EstimateLayer>& layers);

// The per-layer table and the totals as text; with `paper`, the published
// numbers beside the totals and the relative errors.
std::string format_estimate(const Estimate& estimate, const std::optional<PaperResult>& paper = std::nullopt);
nlohmann::json estimate_json(const Estimate& estimate, const std::optional<PaperResult>& paper = std::nullopt);

}  // namespace hls_export
