// The number formats QTools reasons with (qkeras/qtools/quantized_operators):
// what a quantizer means for hardware (operand class, width, integer bits,
// sign) and the operators built from two of them — multiplier, accumulator,
// adder, divider and the merge layers — with the bit widths of their results
// and the gate each is built from.  Semantics: ../shared/spec/qkeras.md §5.3.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "quantizers/quantizer.h"

namespace energy {

// QTools' operand classes; the order indexes the multiplier table.
enum class Mode { Fixed = 0, Po2 = 1, Ternary = 2, Binary = 3, Binary01 = 4, Float = 5 };

// One tensor's number format as QTools' quantizer_impl models it.
struct DataType {
  Mode mode = Mode::Fixed;
  std::string name = "quantized_bits";  // QTools' quantizer name: quantized_bits, binary, quantized_po2, ..., floating_point
  int bits = 8;
  int int_bits = 0;          // integer bits without the sign bit (po2: bits; float: -1)
  bool is_signed = true;
  double po2_max_value = -1;  // po2: the quantizer's max_value, -1 when unbounded

  bool is_float() const { return mode == Mode::Float; }
  bool is_po2() const { return mode == Mode::Po2; }
  // "fixed<19,12>" (width, integer bits with the sign as ap_fixed counts
  // them), "ufixed<4,0>", "po2<4>", "binary", "ternary", "fp32", ...
  std::string to_string() const;
  // QTools' JSON: quantizer_type, bits, int_bits (sign included), is_signed.
  nlohmann::json to_json() const;
};

// The format of a quantizer's output; nullopt for nullptr and for float Keras
// activations ("relu", "softmax", ...), which QTools replaces by a default.
// quantized_linear / quantized_hswish count as quantized_bits and
// quantized_sigmoid as unsigned fixed point (QTools rejects them).
std::optional<DataType> data_type(const quantizers::Quantizer* q);
// "int8" = quantized_bits(8,0,1), "int16" = quantized_bits(16,7,1), "int32" =
// quantized_bits(32,10,1), "fp16", "fp32", or any quantizer in QKeras syntax.
// Throws std::invalid_argument naming the text.
DataType named_type(std::string_view name);
// A po2 type's exponent span as QTools' get_exp: (|min_exp|, max_exp).
std::pair<int, int> po2_exponents(const DataType& po2);
// A po2 type as the fixed-point type that holds all its values.
DataType po2_as_fixed(const DataType& po2);

// The gate an operator is built from; the key of the energy table.
enum class Gate { Mul, Add, Mux, Xor, And, Shifter };
std::string_view to_string(Gate gate);

// An operator: its gate, the gate's relative size (gate_factor) and width
// (gate_bits) for pricing, and the format of its result.
struct Operation {
  Gate gate = Gate::Mul;
  double gate_factor = 1;
  double gate_bits = 0;
  DataType output;
};

// weight × input (multiplier_factory): FixedPointMultiplier, Shifter, Mux,
// XorGate, AndGate, Adder (po2 × po2) or FloatingPointMultiplier.
Operation multiply(const DataType& weight, const DataType& input);
// The sum of `fan_in` products (accumulator_impl): ceil(log2 fan_in) more
// integer bits than the product; po2 products first become fixed point.
DataType accumulate(const DataType& product, int64_t fan_in);
// a + b (adder_factory): one more integer bit than the wider operand.
DataType add(const DataType& a, const DataType& b);
// numerator / denominator (divider_factory): a shifter for a po2
// denominator, a subtractor for po2 / po2, floating point otherwise.
// Throws std::invalid_argument for ternary or binary denominators.
Operation divide(const DataType& numerator, const DataType& denominator);
// Element-wise merge of several inputs (merge_factory): "Add", "Multiply",
// "Maximum", "Minimum", "Average" or "Concatenate".
Operation merge(std::string_view layer_type, const std::vector<DataType>& inputs);

}  // namespace energy
