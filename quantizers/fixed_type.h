// FixedType: the ap_fixed / ap_ufixed / ap_int / ap_uint number format of the
// firmware (width, integer bits, signedness, rounding and overflow modes), with
// exact conversion of a real value into it.  Semantics: Xilinx UG1399 as
// summarised in ../shared/spec/hls4ml.md §4.  No tensors here; the tensor
// fake-quant op lives in fixed_quantize.h.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace quantizers {

// Enumerator order follows the vendor headers' ap_q_mode / ap_o_mode values.
enum class RoundingMode { RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV, TRN, TRN_ZERO };
enum class OverflowMode { SAT, SAT_ZERO, SAT_SYM, WRAP, WRAP_SM };

std::string_view to_string(RoundingMode mode);  // "AP_RND", ...
std::string_view to_string(OverflowMode mode);  // "AP_SAT", ...

// Thrown for text that is not a valid type; the message names the offending token.
struct FixedTypeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct FixedType {
  int width = 16;        // W: total bits, >= 1
  int integer = 6;       // I: integer bits, including the sign bit when signed
  bool is_signed = true;
  RoundingMode rounding = RoundingMode::TRN;
  OverflowMode overflow = OverflowMode::WRAP;
  int saturation_bits = 0;  // N: MSBs saturated by AP_WRAP

  // Largest width the exact double-precision fake-quant supports.
  static constexpr int kMaxExactWidth = 53;

  // Parses `ap_fixed<16,6>`, `ap_fixed<8,3,AP_RND,AP_SAT>`, `ap_ufixed<8,0>`,
  // `ap_int<4>`, `ap_uint<1>`, hls4ml's prefix-less `fixed<16,6>`, ...
  static FixedType parse(std::string_view text);
  static FixedType integer_type(int width, bool is_signed);  // ap_int<W> / ap_uint<W>

  // Canonical text: ap_int/ap_uint when W == I with default modes, trailing
  // default arguments omitted.  parse(to_string()) == *this.
  std::string to_string() const;

  int fractional() const { return width - integer; }
  double lsb() const;        // 2^-F
  double max_value() const;  // largest representable value
  double min_value() const;  // smallest (most negative) representable value

  // Exact conversion of x into this type (quantization then overflow handling).
  // Throws std::domain_error for NaN or when width > kMaxExactWidth.
  double quantize(double x) const;

  friend bool operator==(const FixedType& a, const FixedType& b);
  friend bool operator!=(const FixedType& a, const FixedType& b) { return !(a == b); }
};

}  // namespace quantizers
