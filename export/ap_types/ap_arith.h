// The exact arithmetic behind the operators of ap_int and ap_fixed.  An
// operand is its words, its signedness and `shift`, the distance between its
// binary point and the result's (F_result - F_operand).  The result formats
// of spec §4.4 hold every result exactly, so nothing here rounds or wraps.
#pragma once

#include <cassert>

#include "ap_words.h"

namespace ap_detail {

// A value of ap type R with the given code.
template <class R, int N>
R with_bits(const words<N>& code) {
  R r;
  r.bits_ = code;
  return r;
}

template <int NR, int NA, int NB>
words<NR> add(const words<NA>& a, bool a_signed, int a_shift, const words<NB>& b, bool b_signed,
              int b_shift) {
  return shifted<NR>(a, a_signed, a_shift) + shifted<NR>(b, b_signed, b_shift);
}

template <int NR, int NA, int NB>
words<NR> subtract(const words<NA>& a, bool a_signed, int a_shift, const words<NB>& b,
                   bool b_signed, int b_shift) {
  return shifted<NR>(a, a_signed, a_shift) - shifted<NR>(b, b_signed, b_shift);
}

// The product of the codes has F1 + F2 fractional bits: no alignment.
template <int NR, int NA, int NB>
words<NR> multiply(const words<NA>& a, bool a_signed, const words<NB>& b, bool b_signed) {
  return shifted<NR>(a, a_signed, 0) * shifted<NR>(b, b_signed, 0);
}

// (a * 2^a_shift) / b truncated toward zero, with its remainder.  NQ words
// hold the magnitudes of both operands as signed numbers.
template <int NQ, int NA, int NB>
void divide(const words<NA>& a, bool a_signed, int a_shift, const words<NB>& b, bool b_signed,
            words<NQ>& quotient, words<NQ>& remainder) {
  const words<NQ> divisor = shifted<NQ>(b, b_signed, 0);
  assert(!is_zero(divisor) && "ap_int / ap_fixed division by zero");
  divide_signed(shifted<NQ>(a, a_signed, a_shift), divisor, quotient, remainder);
}

// Bitwise operations on both operands aligned and extended to the result.
enum bitwise_op { bit_and, bit_or, bit_xor };

template <int NR, int NA, int NB>
words<NR> bitwise(bitwise_op op, const words<NA>& a, bool a_signed, int a_shift, const words<NB>& b,
                  bool b_signed, int b_shift) {
  const words<NR> x = shifted<NR>(a, a_signed, a_shift);
  const words<NR> y = shifted<NR>(b, b_signed, b_shift);
  return op == bit_and ? x & y : op == bit_or ? x | y : x ^ y;
}

// Exact comparison (-1, 0, 1) of two values aligned to the common binary
// point; NC words hold both as signed numbers.
template <int NC, int NA, int NB>
int compare_values(const words<NA>& a, bool a_signed, int a_shift, const words<NB>& b,
                   bool b_signed, int b_shift) {
  return compare(shifted<NC>(a, a_signed, a_shift), shifted<NC>(b, b_signed, b_shift));
}

// A shift count as an int.  Counts beyond 2^20 empty any type anyway, so
// they are clamped to keep bit positions far from int overflow.
inline int shift_count(const words<1>& amount, bool is_signed) {
  const int limit = 1 << 20;
  if (is_negative(amount, is_signed)) {
    const word magnitude = ~amount.w[0] + 1;
    return magnitude > word(limit) ? -limit : -static_cast<int>(magnitude);
  }
  return amount.w[0] > word(limit) ? limit : static_cast<int>(amount.w[0]);
}

// Reductions over the W bits of a code.
template <int N>
bool and_reduce_bits(const words<N>& code, int width) {
  return get_bits<N>(code, false, 0, width) == low_ones<N>(width);
}

template <int N>
bool xor_reduce_bits(const words<N>& code, int width) {
  const words<N> bits = get_bits<N>(code, false, 0, width);
  word parity = 0;
  for (int i = 0; i < N; ++i) parity ^= bits.w[i];
  for (int half = word_bits / 2; half > 0; half /= 2) parity ^= parity >> half;
  return (parity & 1) != 0;
}

}  // namespace ap_detail
