// Model summaries: the Keras-like layer table of `qtrain info` and QKeras'
// print_qstats operation statistics (qkeras.md §4, estimate.py).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qtrain/model.h"

namespace qtrain {

// estimate.py's get_quant_mode: the operand class of a quantizer (0 fixed
// point, 1 power of two, 2 ternary, 3 binary +-1, 4 binary {0,1}, 5 float),
// its bits and sign.  nullptr, linear and float activations are float (5, 32, signed).
struct OperandType {
  int mode = 5;
  int bits = 32;
  bool is_signed = true;
};
OperandType operand_type(const quantizers::Quantizer* q);

// One layer with products, as extract_model_operations reports it.
struct LayerOperations {
  std::string layer;
  std::string op;                // "smult_6_8": sign, multiplier kind (wx_table), weight and input bits
  int64_t multiplications = 0;   // per sample
  int64_t additions = 0;         // accumulations per sample, bias included (Layer::additions)
  std::vector<int64_t> weights;  // elements per kernel (two for separable convolutions)
  std::vector<int> weight_bits;
  int64_t biases = 0;
  int bias_bits = 32;
};
// Every layer with products (Dense, convolutions), in layer order.  The model
// input is taken as quantized_relu(8, 0), as QKeras assumes.
std::vector<LayerOperations> operation_stats(Model& model);

// Keras' model.summary() with a quantizer column.
std::string model_summary(Model& model);
// print_qstats: operations per layer, totals per operation type, weight
// profiling and sparsity.
std::string operation_report(Model& model);

}  // namespace qtrain
