// Conversion of an exact value into a W-bit type: quantization to the
// type's LSB, then overflow handling (../shared/spec/hls4ml.md §4.2), plus
// the exact decomposition of doubles and the correctly rounded conversion
// back to floating point (§4.3).  Every conversion between ap types, from
// C integers and from floating point goes through convert().
#pragma once

#include <cmath>
#include <cstring>
#include <limits>

#include "ap_common.h"
#include "ap_words.h"

namespace ap_detail {

// Whether quantization mode `q` adds one LSB to the floored value, given the
// first dropped bit, whether any later dropped bit is set, the sign of the
// source and the kept LSB.
inline bool rounds_up(ap_q_mode q, bool first_dropped, bool rest_dropped, bool negative, bool lsb) {
  switch (q) {
    case AP_RND:
      return first_dropped;
    case AP_RND_ZERO:
      return first_dropped && (negative || rest_dropped);
    case AP_RND_MIN_INF:
      return first_dropped && rest_dropped;
    case AP_RND_INF:
      return first_dropped && (!negative || rest_dropped);
    case AP_RND_CONV:
      return first_dropped && (lsb || rest_dropped);
    case AP_TRN_ZERO:
      return negative && (first_dropped || rest_dropped);
    case AP_TRN:
      break;
  }
  return false;
}

// The largest and smallest codes of a W-bit type.
template <int N>
words<N> max_code(int width, bool is_signed) {
  return low_ones<N>(is_signed ? width - 1 : width);
}
template <int N>
words<N> min_code(int width, bool is_signed) {
  return is_signed ? ~low_ones<N>(width - 1) : words<N>();
}

// The code stored when the rounded value is outside the type's range.
// `wrapped` holds its low W bits; `negative` is the sign of the rounded value
// and `first_deleted` the bit just above the kept ones before rounding.
template <int W, bool S, ap_o_mode O, int N_SAT, int N>
words<N> out_of_range_code(words<N> wrapped, bool negative, bool first_deleted) {
  switch (O) {
    case AP_SAT:
      return negative ? min_code<N>(W, S) : max_code<N>(W, S);
    case AP_SAT_ZERO:
      return words<N>();
    case AP_SAT_SYM:
      return negative ? (S ? -max_code<N>(W, S) : words<N>()) : max_code<N>(W, S);
    case AP_WRAP:
      // The N_SAT top bits saturate: signed types get the sign in the MSB and
      // its complement below; unsigned types get ones.
      if (N_SAT > 0) {
        if (S) {
          set_bit(wrapped, W - 1, negative);
          if (N_SAT > 1) fill_bits(wrapped, W - N_SAT, W - 2, !negative);
        } else {
          fill_bits(wrapped, W - N_SAT, W - 1, true);
        }
      }
      break;
    case AP_WRAP_SM: {
      // Sign-magnitude wrap (vendor behaviour; the spec leaves it open): the
      // kept bits are complemented when they disagree with the sign that
      // should survive, then the sign is forced.
      const bool kept_sign = bit_at(wrapped, true, W - 1);
      if (N_SAT == 0) {
        if (first_deleted != kept_sign) wrapped = ~wrapped;
        set_bit(wrapped, W - 1, first_deleted);
      } else {
        const bool flip =
            N_SAT == 1 ? negative != kept_sign : bit_at(wrapped, true, W - N_SAT) == negative;
        if (flip) wrapped = ~wrapped;
        if (N_SAT > 1) fill_bits(wrapped, W - N_SAT, W - 2, !negative);
        set_bit(wrapped, W - 1, negative);
      }
      break;
    }
  }
  normalize(wrapped, W, S);
  return wrapped;
}

// The code that a type <W, S, Q, O, N_SAT> with F fractional bits stores for
// the exact value src * 2^-F_src, where `shift` = F - F_src.  `src` is read
// as a two's-complement integer when src_signed, else as unsigned.
template <int W, bool S, ap_q_mode Q, ap_o_mode O, int N_SAT, int NS>
words<words_for(W)> convert(const words<NS>& src, bool src_signed, int shift) {
  static_assert(N_SAT >= 0 && N_SAT <= W, "the saturation bit count N must be in [0, W]");
  static_assert(S || O != AP_WRAP_SM, "AP_WRAP_SM is defined for signed types only");
  // The rounded value is computed in a window of at least W + 2 bits: room
  // for the kept bits, a rounding carry and a sign.
  enum { NR = words_for(W), NWIN = words_for(W + 2), WINDOW_BITS = NWIN * word_bits };
  const bool negative = is_negative(src, src_signed);
  const words<NWIN> floored = shifted<NWIN>(src, src_signed, shift);
  words<NWIN> rounded = floored;
  if (shift < 0 && Q != AP_TRN &&
      rounds_up(Q, bit_at(src, src_signed, -shift - 1), any_below(src, -shift - 1), negative,
                (floored.w[0] & 1) != 0)) {
    increment(rounded);
  }
  words<NR> code = shifted<NR>(rounded, true, 0);
  normalize(code, W, S);
  if (O == AP_WRAP && N_SAT == 0) return code;  // no range check needed

  // `fits`: the floored value fits in the window with a bit to spare, so the
  // window holds the rounded value exactly.  Otherwise its magnitude is at
  // least 2^(WINDOW_BITS - 2) > 2^W: far out of range, with the source's sign.
  const bool fits = shift <= WINDOW_BITS - 2
                        ? is_fill_from(src, src_signed, WINDOW_BITS - 2 - shift)
                        : is_zero(src);
  const bool rounded_negative = fits ? is_negative(rounded, true) : negative;
  const bool in_range = fits && (S ? is_fill_from(rounded, true, W - 1)
                                   : !rounded_negative && is_fill_from(rounded, true, W));
  if (!in_range)
    return out_of_range_code<W, S, O, N_SAT>(code, rounded_negative, bit_at(floored, true, W));
  // AP_SAT_SYM keeps the range symmetric: the most negative code becomes -max.
  if (O == AP_SAT_SYM && S && code == min_code<NR>(W, S)) return -max_code<NR>(W, S);
  return code;
}

// A double as an exact signed integer times a power of two.  NaN becomes 0
// (the vendor only warns and converts garbage); infinities are 2^1024 like
// in the vendor header, so they saturate or wrap to zero.
struct double_parts {
  words<1> mantissa;  // signed
  int exponent;
};

inline double_parts decompose(double value) {
  word bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  const int biased_exponent = static_cast<int>((bits >> 52) & 0x7ff);
  word mantissa = bits & ((word(1) << 52) - 1);
  int exponent = biased_exponent - 1075;
  if (biased_exponent == 0x7ff) {
    if (mantissa != 0) return double_parts{{{0}}, 0};
    mantissa = word(1) << 52;
  } else if (biased_exponent == 0) {
    exponent = -1074;  // subnormal: no implicit leading one
  } else {
    mantissa |= word(1) << 52;
  }
  if (bits >> 63) mantissa = ~mantissa + 1;
  return double_parts{{{mantissa}}, exponent};
}

// The floating-point number nearest to code * 2^-frac (ties to even), the
// conversion the vendor's to_double()/to_float() perform.  Only results in
// the subnormal range can round twice.
template <class Real, int N>
Real to_real(const words<N>& code, bool is_signed, int frac) {
  const int digits = std::numeric_limits<Real>::digits;
  const bool negative = is_negative(code, is_signed);
  const words<N> magnitude = negative ? -code : code;  // unsigned, even for the most negative
  const int top = highest_bit(magnitude);
  if (top < 0) return Real(0);
  word mantissa = magnitude.w[0];
  int exponent = -frac;
  if (top >= digits) {
    const int dropped = top - digits + 1;
    mantissa = bits_at(magnitude, false, dropped) & ((word(1) << digits) - 1);
    if (bit_at(magnitude, false, dropped - 1) &&
        (any_below(magnitude, dropped - 1) || (mantissa & 1))) {
      ++mantissa;  // may reach 2^digits, which is still exact
    }
    exponent += dropped;
  }
  const Real result = std::ldexp(static_cast<Real>(mantissa), exponent);
  return negative ? -result : result;
}

// The bits of a C integer, sign-extended to a word.
template <class T>
words<1> c_int_words(T value) {
  const words<1> r = {{static_cast<word>(value)}};
  return r;
}

}  // namespace ap_detail
