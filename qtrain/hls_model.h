// The firmware view of a model: hls4ml's layer list after its QKeras passes
// (../shared/spec/hls4ml.md §3), with every number format resolved from the
// precision config and every parameter converted into its type.  The
// emulator computes it, the exporter writes it; neither derives a type on its
// own.
//
// From a model spec: an "input" layer first; Dropout disappears; Flatten
// becomes Reshape; a Dense/Conv `activation=` becomes a layer of its own named
// "<layer>_<activation>"; a kernel quantizer with a scale (alpha != 1,
// auto_po2) is factorised into an ApplyAlpha layer "<layer>_alpha" carrying
// the scale and the bias (§3.7); QActivation becomes Activation / LeakyReLU /
// HardActivation / Softmax / TernaryTanh as §3.3 lists.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

#include "qtrain/hls_config.h"
#include "qtrain/layer.h"

namespace qtrain {

struct HlsLayer {
  std::string name;         // hls4ml's name: the spec layer's, or "<layer>_alpha", "<layer>_<activation>"
  std::string layer_class;  // Input, Dense, Conv1D, Conv2D, BatchNormalization, ApplyAlpha, Activation,
                            // LeakyReLU, HardActivation, Softmax, TernaryTanh, Pooling1D, Pooling2D,
                            // GlobalPooling1D, GlobalPooling2D, Reshape, UpSampling1D, UpSampling2D, Merge,
                            // Concatenate, Score
  std::string source;       // the spec layer it comes from ("" for the input)
  std::vector<int> inputs;  // positions in HlsModel::layers
  Shape shape;              // per-sample output shape, channels last

  // Precision variables the config may set, and those the QAT quantizers fix
  // (weights and biases always; activation results only through the config).
  std::vector<std::string> variables;
  std::map<std::string, quantizers::HardwareType> quantizer_types;
  // After build_hls_model: the type of every variable.
  std::map<std::string, quantizers::HardwareType> types;

  // Parameters (float64).  Dense (n_in, n_out) and Conv (k..., C, F) in
  // Keras layout; BatchNormalization / ApplyAlpha `scale` and `bias` per
  // channel.  After build_hls_model each value is exact in its type: xnor
  // weights are 0/1, exponent weights hold the signed power of two.
  at::Tensor weight, bias, scale;

  // Activation function: linear, relu, leaky_relu, sigmoid, tanh,
  // hard_sigmoid, hard_tanh, binary_tanh, ternary_tanh, softmax.
  std::string activation;
  double parameter = 0.0;       // leaky_relu's slope; ternary_tanh's threshold
  int table_size = 1024;        // sigmoid, tanh tables; softmax's exp table
  int inv_table_size = 1024;    // softmax's inverse table
  std::string implementation;   // softmax: latency | stable | legacy | argmax

  // Convolution and pooling geometry, one entry per spatial axis.
  std::vector<int64_t> kernel, strides, pad_before, pad_after;
  std::string operation;        // Pooling: max | average; Merge: add | subtract | multiply | average | maximum | minimum;
                                // Score: mse | kl
  bool mask_zeros = false;      // Score mse: targets that are exactly 0 do not count
  int64_t axis = -1;            // Concatenate

  int reuse_factor = 1;
  std::string strategy = "Latency";

  const quantizers::HardwareType& type(const std::string& variable) const;  // throws naming the layer
  const quantizers::FixedType& fixed(const std::string& variable) const;    // ...and for non-fixed types

  // A convolution or pooling whose windows reach past the image ('same').
  bool has_padding() const;
  // In io_stream a padded convolution reads an image zero-padded by a layer
  // of its own (nnet's zeropad{1,2}d_cl); otherwise the layer pads itself.
  bool pads_in_own_layer(bool stream) const;
};

struct HlsModel {
  std::string name;
  std::string source;            // the spec's file, for errors
  std::vector<HlsLayer> layers;  // evaluation order; layers[0] is the input
  std::vector<int> outputs;      // positions of the model's outputs
  HlsConfig config;  // what the types were resolved from
};

// An autoencoder's anomaly score computed in the firmware (nnet_score.h), a
// layer "score" of class Score whose single value is the model's output:
//   io: the MSE between the model input and its reconstruction (the first
//       output), with the training loss's mask_zeros and tanh_eta_phi; the
//       tanh's per-element factors go into the layer's `scale`, and its
//       activation is "tanh_eta_phi";
//   kl: D_KL of the VAE encoder's z_mean and z_log_var (the second and third
//       outputs); the sampling and the decoder are left out.
struct AnomalyScore {
  enum class Kind { None, Io, Kl };
  Kind kind = Kind::None;
  bool mask_zeros = false;
  bool tanh_eta_phi = false;
};

// The layer list before types are resolved (what `hlsconfig` names), with
// parameters in float; only the layers the outputs (or the score) need.
// Throws ModelError naming a layer the firmware cannot express.
HlsModel plan_hls_layers(const Model& model, const AnomalyScore& score = {});

// Resolves every type from `config` (LayerName > LayerType > Model, "auto"
// inferred as §3.8) and converts the parameters into them.  Throws
// HlsConfigError for a LayerName entry naming no layer, ModelError for a
// parameter its type cannot hold.
HlsModel build_hls_model(const Model& model, const HlsConfig& config, const AnomalyScore& score = {});
// The same from a plan, for callers that try many configs on one model.
HlsModel build_hls_model(HlsModel plan, const HlsConfig& config);

// Per layer, one line: name, class, shape and every resolved type.
std::string hls_type_report(const HlsModel& model);

}  // namespace qtrain
