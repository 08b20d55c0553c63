// Bit-exact emulation of the firmware: what the generated HLS project
// computes for a batch, layer by layer, with the arithmetic of our nnet
// library (../shared/spec/hls4ml.md §2): inputs converted to the input type as
// the testbench does (float, then the type's rounding and overflow), every
// product converted to the accumulator type, accumulation in dense_latency's
// order with its wrap or saturation, results converted on assignment, lookup
// tables for sigmoid / tanh / softmax built and indexed as the C++ does.
//
// Values are float64 tensors holding exact fixed-point values; matrix
// products run as exact GEMMs (in double, or in float when every partial sum
// fits in 24 bits) whenever no partial sum can exceed 2^53 and the
// accumulator wraps (two's complement wrap is modular, so it commutes with
// summation); saturating accumulators are summed in dense_latency's order.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "qtrain/hls_model.h"

namespace qtrain {

// Fixed: the firmware's arithmetic, on a model from build_hls_model().
// Float: the same graph with every conversion the identity and functions
// evaluated exactly, on a model from plan_hls_layers() (float parameters),
// i.e. the values the types are meant to hold (what profiling compares
// their ranges with).
enum class Arithmetic { Fixed, Float };

// Every firmware layer's output for inputs x (N, input shape...), in
// model.layers order.  Throws std::domain_error for NaN inputs.
std::vector<at::Tensor> emulate_layers(const HlsModel& model, const at::Tensor& x,
                                       Arithmetic arithmetic = Arithmetic::Fixed);

// The model's outputs (float64), in HlsModel::outputs order.  Processes the
// batch in blocks to bound memory.
std::vector<at::Tensor> emulate(const HlsModel& model, const at::Tensor& x);

}  // namespace qtrain
