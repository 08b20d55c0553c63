// ap_fixed_base<W, I, S, Q, O, N>: the fixed-point number behind
// ap_fixed (S) and ap_ufixed, with the vendor's API
// (../shared/spec/hls4ml.md §4).  Value = code * 2^-(W - I) for a W-bit
// two's-complement (S) or unsigned code.  Storing any value quantizes it
// with Q and handles overflow with O and N (§4.2); operators return exact,
// wider results (§4.4).  Include ap_fixed.h, not this file.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "ap_int_base.h"

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct ap_fixed_base {
  static_assert(W >= 1 && W <= AP_INT_MAX_W, "ap_[u]fixed width must be in [1, AP_INT_MAX_W]");
  static const int width = W;
  static const int iwidth = I;
  static const ap_q_mode qmode = Q;
  static const ap_o_mode omode = O;

  // Result types of the binary operators with an ap_fixed_base<W2, I2, S2>.
  template <int W2, int I2, bool S2>
  struct RType {
    typedef ap_detail::result_format<W, I, S, W2, I2, S2> format;
    enum {
      mult_w = format::mult_w,
      mult_i = format::mult_i,
      mult_s = format::mult_s,
      plus_w = format::plus_w,
      plus_i = format::plus_i,
      plus_s = format::plus_s,
      minus_w = format::minus_w,
      minus_i = format::minus_i,
      minus_s = format::minus_s,
      div_w = format::div_w,
      div_i = format::div_i,
      div_s = format::div_s,
      logic_w = format::logic_w,
      logic_i = format::logic_i,
      logic_s = format::logic_s
    };
    typedef typename ap_detail::fixed_type<mult_w, mult_i, mult_s>::type mult;
    typedef typename ap_detail::fixed_type<plus_w, plus_i, plus_s>::type plus;
    typedef typename ap_detail::fixed_type<minus_w, minus_i, minus_s>::type minus;
    typedef typename ap_detail::fixed_type<div_w, div_i, div_s>::type div;
    typedef typename ap_detail::fixed_type<logic_w, logic_i, logic_s>::type logic;
    typedef typename ap_detail::fixed_type<W, I, S>::type arg1;
  };
  typedef typename ap_detail::fixed_type<W, I, S, Q, O, N>::type self_type;

  typedef ap_detail::words<ap_detail::words_for(W)> storage;
  storage bits_;  // internal: the W-bit code (see ap_words.h)

  // Construction: zero by default; otherwise the exact source value
  // converted with this type's quantization and overflow modes.
  ap_fixed_base() : bits_() {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& op)
      : bits_(from_value(op.bits_, S2, frac_bits - (W2 - I2))) {}
  template <int W2, bool S2>
  ap_fixed_base(const ap_int_base<W2, S2>& op) : bits_(from_value(op.bits_, S2, frac_bits)) {}
  template <class T, class = typename ap_detail::c_int<T>::fixed_base>
  ap_fixed_base(T op)
      : bits_(from_value(ap_detail::c_int_words(op), ap_detail::c_int<T>::is_signed, frac_bits)) {}
  ap_fixed_base(double op) : bits_(from_double(op)) {}
  ap_fixed_base(float op) : bits_(from_double(op)) {}
  template <class Owner>
  ap_fixed_base(const ap_detail::range_ref<Owner>& op) : ap_fixed_base(op.get()) {}
  template <class Owner>
  ap_fixed_base(const ap_detail::bit_ref<Owner>& op) : ap_fixed_base(op.get()) {}

  // Raw access to the code.
  ap_fixed_base& setBits(ap_ulong code) {
    bits_ = ap_detail::shifted<storage_words>(ap_detail::c_int_words(code), false, 0);
    ap_detail::normalize(bits_, W, S);
    return *this;
  }
  static ap_fixed_base bitsToFixed(ap_ulong code) { return ap_fixed_base().setBits(code); }

  // The integer part, toward zero like a C cast (Cnative) or else the floor;
  // max(I, 1) bits hold either.
  ap_int_base<ap_detail::max_of(I, 1), S> to_ap_int_base(bool Cnative = true) const {
    typedef ap_int_base<ap_detail::max_of(I, 1), S> result;
    if (Cnative) return result(*this);
    return ap_detail::with_bits<result>(
        ap_detail::convert<result::width, S, AP_TRN, AP_WRAP, 0>(bits_, S, -frac_bits));
  }

  // Conversion to C types.  Integers get the integer part toward zero
  // (-7.5 -> -7), wrapped like a C cast; floating point is correctly rounded
  // (ties to even).
  char to_char() const { return static_cast<char>(to_int64()); }
  short to_short() const { return static_cast<short>(to_int64()); }
  unsigned short to_ushort() const { return static_cast<unsigned short>(to_int64()); }
  int to_int() const { return static_cast<int>(to_int64()); }
  unsigned to_uint() const { return static_cast<unsigned>(to_int64()); }
  long to_long() const { return static_cast<long>(to_int64()); }
  unsigned long to_ulong() const { return static_cast<unsigned long>(to_int64()); }
  ap_slong to_int64() const { return ap_int_base<64, true>(*this).to_int64(); }
  ap_ulong to_uint64() const { return static_cast<ap_ulong>(to_int64()); }
  double to_double() const { return ap_detail::to_real<double>(bits_, S, frac_bits); }
  float to_float() const { return ap_detail::to_real<float>(bits_, S, frac_bits); }

  // The vendor's implicit conversions.  Because of them, arithmetic with a
  // float or double operand is ambiguous and does not compile (spec §4.3);
  // comparisons with floating point are defined below.
  operator long double() const { return to_double(); }
  operator double() const { return to_double(); }
  operator float() const { return to_float(); }
  operator bool() const { return !is_zero(); }
  operator char() const { return to_char(); }
  operator signed char() const { return static_cast<signed char>(to_int64()); }
  operator unsigned char() const { return static_cast<unsigned char>(to_int64()); }
  operator short() const { return to_short(); }
  operator unsigned short() const { return to_ushort(); }
  operator int() const { return to_int(); }
  operator unsigned int() const { return to_uint(); }
  operator long() const { return to_long(); }
  operator unsigned long() const { return to_ulong(); }
  operator long long() const { return to_int64(); }
  operator unsigned long long() const { return to_uint64(); }

  // Queries.
  int length() const { return W; }
  int wl() const { return W; }
  int iwl() const { return I; }
  ap_q_mode q_mode() const { return Q; }
  ap_o_mode o_mode() const { return O; }
  int n_bits() const { return N; }
  bool is_zero() const { return ap_detail::is_zero(bits_); }
  bool iszero() const { return is_zero(); }
  bool is_neg() const { return ap_detail::is_negative(bits_, S); }
  int countLeadingZeros() const {
    return W - 1 - ap_detail::highest_bit(ap_detail::get_bits<storage_words>(bits_, false, 0, W));
  }
  bool and_reduce() const { return ap_detail::and_reduce_bits(bits_, W); }
  bool or_reduce() const { return !is_zero(); }
  bool xor_reduce() const { return ap_detail::xor_reduce_bits(bits_, W); }
  bool nand_reduce() const { return !and_reduce(); }
  bool nor_reduce() const { return !or_reduce(); }
  bool xnor_reduce() const { return !xor_reduce(); }

  // Radix 2, 8, 10 (exact decimal) or 16; binary never has a sign.
  std::string to_string(int radix = 2, bool show_sign = S) const {
    return ap_detail::radix_text<W, W - I>(bits_, show_sign && S && radix != 2, radix);
  }

  // Compound assignment: the exact result, converted with this type's
  // modes (so acc += x quantizes each partial sum).
#define AP_FIXED_COMPOUND(op)                                                                     \
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>                          \
  ap_fixed_base& operator op##=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& other) {             \
    return *this = *this op other;                                                                \
  }                                                                                               \
  template <int W2, bool S2>                                                                      \
  ap_fixed_base& operator op##=(const ap_int_base<W2, S2>& other) {                               \
    return *this op## = ap_fixed_base<W2, W2, S2>(other);                                         \
  }                                                                                               \
  template <class T>                                                                              \
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), ap_fixed_base&>::type operator op##=( \
      T other) {                                                                                  \
    return *this op## = typename ap_detail::c_int<T>::fixed_base(other);                          \
  }
  AP_FIXED_COMPOUND(+)
  AP_FIXED_COMPOUND(-)
  AP_FIXED_COMPOUND(*)
  AP_FIXED_COMPOUND(/)
  AP_FIXED_COMPOUND(&)
  AP_FIXED_COMPOUND(|)
  AP_FIXED_COMPOUND(^)
#undef AP_FIXED_COMPOUND

  ap_fixed_base& operator++() { return *this += 1; }
  ap_fixed_base& operator--() { return *this -= 1; }
  self_type operator++(int) {
    const self_type old(*this);
    ++*this;
    return old;
  }
  self_type operator--(int) {
    const self_type old(*this);
    --*this;
    return old;
  }

  self_type operator+() const { return *this; }
  typename ap_detail::fixed_type<W + 1, I + 1, true>::type operator-() const {
    typedef typename ap_detail::fixed_type<W + 1, I + 1, true>::type result;
    return ap_detail::with_bits<result>(
        -ap_detail::shifted<ap_detail::words_for(W + 1)>(bits_, S, 0));
  }
  // The negation wrapped into a signed type of the same format.
  ap_fixed_base<W, I, true, Q, O, N> getNeg() const {
    typename ap_fixed_base<W, I, true, Q, O, N>::storage code = -bits_;
    ap_detail::normalize(code, W, true);
    return ap_detail::with_bits<ap_fixed_base<W, I, true, Q, O, N> >(code);
  }
  typename RType<W, I, S>::arg1 operator~() const {
    storage code = ~bits_;
    ap_detail::normalize(code, W, S);  // an unsigned type's fill bits flipped too
    return ap_detail::with_bits<typename RType<W, I, S>::arg1>(code);
  }
  bool operator!() const { return is_zero(); }

  // Shifts keep the type and do not quantize or saturate: bits move out at
  // the top, a right shift of a signed value is arithmetic (floor), and a
  // negative signed count reverses the direction.
  template <class T>
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), self_type>::type operator<<(
      T count) const {
    return shift(
        ap_detail::shift_count(ap_detail::c_int_words(count), ap_detail::c_int<T>::is_signed));
  }
  template <class T>
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), self_type>::type operator>>(
      T count) const {
    return shift(
        -ap_detail::shift_count(ap_detail::c_int_words(count), ap_detail::c_int<T>::is_signed));
  }
  template <int W2, bool S2>
  self_type operator<<(const ap_int_base<W2, S2>& count) const {
    return shift(ap_detail::shift_count(count));
  }
  template <int W2, bool S2>
  self_type operator>>(const ap_int_base<W2, S2>& count) const {
    return shift(-ap_detail::shift_count(count));
  }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  self_type operator<<(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& count) const {
    return *this << count.to_ap_int_base();
  }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  self_type operator>>(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& count) const {
    return *this >> count.to_ap_int_base();
  }
  template <class Count>
  ap_fixed_base& operator<<=(Count count) {
    return *this = *this << count;
  }
  template <class Count>
  ap_fixed_base& operator>>=(Count count) {
    return *this = *this >> count;
  }
  // The same code read with the binary point moved: multiplication or
  // division by 2^K without any loss.
  template <int K>
  ap_fixed_base<W, I + K, S> lshift() const {
    return ap_detail::with_bits<ap_fixed_base<W, I + K, S> >(bits_);
  }
  template <int K>
  ap_fixed_base<W, I - K, S> rshift() const {
    return ap_detail::with_bits<ap_fixed_base<W, I - K, S> >(bits_);
  }

  // Bit and range access on the raw code (see ap_ref.h); get_bit counts
  // from the binary point (index 0 is the lowest integer bit).
  ap_detail::bit_ref<ap_fixed_base> operator[](int i) {
    return ap_detail::bit_ref<ap_fixed_base>(this, i);
  }
  bool operator[](int i) const { return ap_detail::bit_at(bits_, S, i); }
  template <int W2, bool S2>
  ap_detail::bit_ref<ap_fixed_base> operator[](const ap_int_base<W2, S2>& i) {
    return (*this)[i.to_int()];
  }
  template <int W2, bool S2>
  bool operator[](const ap_int_base<W2, S2>& i) const {
    return (*this)[i.to_int()];
  }
  ap_detail::bit_ref<ap_fixed_base> bit(int i) { return (*this)[i]; }
  bool bit(int i) const { return (*this)[i]; }
  bool get_bit(int i) const { return (*this)[i + frac_bits]; }

  ap_detail::range_ref<ap_fixed_base> range(int hi, int lo) {
    return ap_detail::range_ref<ap_fixed_base>(this, hi, lo);
  }
  ap_detail::range_ref<const ap_fixed_base> range(int hi, int lo) const {
    return ap_detail::range_ref<const ap_fixed_base>(this, hi, lo);
  }
  ap_detail::range_ref<ap_fixed_base> range() { return range(W - 1, 0); }
  ap_detail::range_ref<const ap_fixed_base> range() const { return range(W - 1, 0); }
  ap_detail::range_ref<ap_fixed_base> operator()(int hi, int lo) { return range(hi, lo); }
  ap_detail::range_ref<const ap_fixed_base> operator()(int hi, int lo) const {
    return range(hi, lo);
  }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<ap_fixed_base> range(const ap_int_base<W2, S2>& hi,
                                            const ap_int_base<W3, S3>& lo) {
    return range(hi.to_int(), lo.to_int());
  }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<const ap_fixed_base> range(const ap_int_base<W2, S2>& hi,
                                                  const ap_int_base<W3, S3>& lo) const {
    return range(hi.to_int(), lo.to_int());
  }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<ap_fixed_base> operator()(const ap_int_base<W2, S2>& hi,
                                                 const ap_int_base<W3, S3>& lo) {
    return range(hi.to_int(), lo.to_int());
  }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<const ap_fixed_base> operator()(const ap_int_base<W2, S2>& hi,
                                                       const ap_int_base<W3, S3>& lo) const {
    return range(hi.to_int(), lo.to_int());
  }

 private:
  enum { frac_bits = W - I, storage_words = ap_detail::words_for(W) };

  template <int NV>
  static storage from_value(const ap_detail::words<NV>& v, bool v_signed, int shift) {
    return ap_detail::convert<W, S, Q, O, N>(v, v_signed, shift);
  }
  static storage from_double(double d) {
    const ap_detail::double_parts parts = ap_detail::decompose(d);
    return from_value(parts.mantissa, true, frac_bits + parts.exponent);
  }
  self_type shift(int count) const {
    storage code = ap_detail::shifted<storage_words>(bits_, S, count);
    ap_detail::normalize(code, W, S);
    return ap_detail::with_bits<self_type>(code);
  }
};

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const int ap_fixed_base<W, I, S, Q, O, N>::width;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const int ap_fixed_base<W, I, S, Q, O, N>::iwidth;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const ap_q_mode ap_fixed_base<W, I, S, Q, O, N>::qmode;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const ap_o_mode ap_fixed_base<W, I, S, Q, O, N>::omode;

// Binary operators between ap_fixed values: exact results in the RType
// formats, computed on the codes aligned to the result's binary point.
#define AP_FIXED_PARAMS(n) int W##n, int I##n, bool S##n, ap_q_mode Q##n, ap_o_mode O##n, int N##n
#define AP_FIXED_ARG(n) const ap_fixed_base<W##n, I##n, S##n, Q##n, O##n, N##n>&
#define AP_FIXED_FORMAT ap_fixed_base<W1, I1, S1>::template RType<W2, I2, S2>
#define AP_FIXED_RESULT(op_kind) typename AP_FIXED_FORMAT::op_kind
#define AP_FIXED_WORDS(op_kind) ap_detail::words_for(AP_FIXED_FORMAT::op_kind##_w)
// The shift that aligns operand n to the binary point of result op_kind.
#define AP_FIXED_ALIGN(op_kind, n) \
  (AP_FIXED_FORMAT::op_kind##_w - AP_FIXED_FORMAT::op_kind##_i - (W##n - I##n))

template <AP_FIXED_PARAMS(1), AP_FIXED_PARAMS(2)>
AP_FIXED_RESULT(mult)
operator*(AP_FIXED_ARG(1) a, AP_FIXED_ARG(2) b) {
  return ap_detail::with_bits<AP_FIXED_RESULT(mult)>(
      ap_detail::multiply<AP_FIXED_WORDS(mult)>(a.bits_, S1, b.bits_, S2));
}
template <AP_FIXED_PARAMS(1), AP_FIXED_PARAMS(2)>
AP_FIXED_RESULT(plus)
operator+(AP_FIXED_ARG(1) a, AP_FIXED_ARG(2) b) {
  return ap_detail::with_bits<AP_FIXED_RESULT(plus)>(ap_detail::add<AP_FIXED_WORDS(plus)>(
      a.bits_, S1, AP_FIXED_ALIGN(plus, 1), b.bits_, S2, AP_FIXED_ALIGN(plus, 2)));
}
template <AP_FIXED_PARAMS(1), AP_FIXED_PARAMS(2)>
AP_FIXED_RESULT(minus)
operator-(AP_FIXED_ARG(1) a, AP_FIXED_ARG(2) b) {
  return ap_detail::with_bits<AP_FIXED_RESULT(minus)>(ap_detail::subtract<AP_FIXED_WORDS(minus)>(
      a.bits_, S1, AP_FIXED_ALIGN(minus, 1), b.bits_, S2, AP_FIXED_ALIGN(minus, 2)));
}
// (code1 << max(F2, 0)) / code2, truncated toward zero (spec §4.4).
template <AP_FIXED_PARAMS(1), AP_FIXED_PARAMS(2)>
AP_FIXED_RESULT(div)
operator/(AP_FIXED_ARG(1) a, AP_FIXED_ARG(2) b) {
  enum { dividend_shift = ap_detail::max_of(W2 - I2, 0) };
  ap_detail::words<ap_detail::words_for(ap_detail::max_of(W1 + dividend_shift, W2) + 2)> quotient,
      remainder;
  ap_detail::divide(a.bits_, S1, dividend_shift, b.bits_, S2, quotient, remainder);
  return ap_detail::with_bits<AP_FIXED_RESULT(div)>(
      ap_detail::shifted<AP_FIXED_WORDS(div)>(quotient, true, 0));
}
#define AP_FIXED_BITWISE(op, bitwise_op)                                                           \
  template <AP_FIXED_PARAMS(1), AP_FIXED_PARAMS(2)>                                                \
  AP_FIXED_RESULT(logic)                                                                           \
  operator op(AP_FIXED_ARG(1) a, AP_FIXED_ARG(2) b) {                                              \
    return ap_detail::with_bits<AP_FIXED_RESULT(logic)>(ap_detail::bitwise<AP_FIXED_WORDS(logic)>( \
        ap_detail::bitwise_op, a.bits_, S1, AP_FIXED_ALIGN(logic, 1), b.bits_, S2,                 \
        AP_FIXED_ALIGN(logic, 2)));                                                                \
  }
AP_FIXED_BITWISE(&, bit_and)
AP_FIXED_BITWISE(|, bit_or)
AP_FIXED_BITWISE(^, bit_xor)
#undef AP_FIXED_BITWISE

// Comparisons are exact: both values aligned in the minus format, which
// holds either.
#define AP_FIXED_COMPARE(op)                                                                \
  template <AP_FIXED_PARAMS(1), AP_FIXED_PARAMS(2)>                                         \
  bool operator op(AP_FIXED_ARG(1) a, AP_FIXED_ARG(2) b) {                                  \
    return ap_detail::compare_values<AP_FIXED_WORDS(minus)>(                                \
        a.bits_, S1, AP_FIXED_ALIGN(minus, 1), b.bits_, S2, AP_FIXED_ALIGN(minus, 2)) op 0; \
  }
AP_FIXED_COMPARE(==)
AP_FIXED_COMPARE(!=)
AP_FIXED_COMPARE(<)
AP_FIXED_COMPARE(<=)
AP_FIXED_COMPARE(>)
AP_FIXED_COMPARE(>=)
#undef AP_FIXED_COMPARE
#undef AP_FIXED_FORMAT
#undef AP_FIXED_RESULT
#undef AP_FIXED_ALIGN
#undef AP_FIXED_WORDS

// Mixed operands: an ap integer is the ap_fixed<W, W> of its width and
// signedness, and so is a C integer (int is ap_fixed<32, 32>).
#define AP_FIXED_MIXED(op, op_kind)                                                           \
  template <AP_FIXED_PARAMS(1), int W2, bool S2>                                              \
  typename ap_fixed_base<W1, I1, S1>::template RType<W2, W2, S2>::op_kind operator op(        \
      AP_FIXED_ARG(1) a, const ap_int_base<W2, S2>& b) {                                      \
    return a op ap_fixed_base<W2, W2, S2>(b);                                                 \
  }                                                                                           \
  template <AP_FIXED_PARAMS(1), int W2, bool S2>                                              \
  typename ap_fixed_base<W2, W2, S2>::template RType<W1, I1, S1>::op_kind operator op(        \
      const ap_int_base<W2, S2>& a, AP_FIXED_ARG(1) b) {                                      \
    return ap_fixed_base<W2, W2, S2>(a) op b;                                                 \
  }                                                                                           \
  template <AP_FIXED_PARAMS(1), class T>                                                      \
  typename ap_fixed_base<W1, I1, S1>::template RType<ap_detail::c_int<T>::width,              \
                                                     ap_detail::c_int<T>::width,              \
                                                     ap_detail::c_int<T>::is_signed>::op_kind \
  operator op(AP_FIXED_ARG(1) a, T b) {                                                       \
    return a op typename ap_detail::c_int<T>::fixed_base(b);                                  \
  }                                                                                           \
  template <AP_FIXED_PARAMS(1), class T>                                                      \
  typename ap_detail::c_int<T>::fixed_base::template RType<W1, I1, S1>::op_kind operator op(  \
      T a, AP_FIXED_ARG(1) b) {                                                               \
    return typename ap_detail::c_int<T>::fixed_base(a) op b;                                  \
  }
AP_FIXED_MIXED(*, mult)
AP_FIXED_MIXED(+, plus)
AP_FIXED_MIXED(-, minus)
AP_FIXED_MIXED(/, div)
AP_FIXED_MIXED(&, logic)
AP_FIXED_MIXED(|, logic)
AP_FIXED_MIXED(^, logic)
#undef AP_FIXED_MIXED

// Comparisons with integers are exact; with floating point they compare
// to_double() (vendor behaviour, exact up to 53 significant bits).  The
// floating-point operand is matched exactly, so that the built-in
// comparisons reached through the implicit conversions never compete.
#define AP_FIXED_COMPARE_MIXED(op)                                                   \
  template <AP_FIXED_PARAMS(1), int W2, bool S2>                                     \
  bool operator op(AP_FIXED_ARG(1) a, const ap_int_base<W2, S2>& b) {                \
    return a op ap_fixed_base<W2, W2, S2>(b);                                        \
  }                                                                                  \
  template <AP_FIXED_PARAMS(1), int W2, bool S2>                                     \
  bool operator op(const ap_int_base<W2, S2>& a, AP_FIXED_ARG(1) b) {                \
    return ap_fixed_base<W2, W2, S2>(a) op b;                                        \
  }                                                                                  \
  template <AP_FIXED_PARAMS(1), class T>                                             \
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), bool>::type operator op( \
      AP_FIXED_ARG(1) a, T b) {                                                      \
    return a op typename ap_detail::c_int<T>::fixed_base(b);                         \
  }                                                                                  \
  template <AP_FIXED_PARAMS(1), class T>                                             \
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), bool>::type operator op( \
      T a, AP_FIXED_ARG(1) b) {                                                      \
    return typename ap_detail::c_int<T>::fixed_base(a) op b;                         \
  }                                                                                  \
  template <AP_FIXED_PARAMS(1), class R>                                             \
  typename std::enable_if<std::is_floating_point<R>::value, bool>::type operator op( \
      AP_FIXED_ARG(1) a, R b) {                                                      \
    return a.to_double() op b;                                                       \
  }                                                                                  \
  template <AP_FIXED_PARAMS(1), class R>                                             \
  typename std::enable_if<std::is_floating_point<R>::value, bool>::type operator op( \
      R a, AP_FIXED_ARG(1) b) {                                                      \
    return a op b.to_double();                                                       \
  }
AP_FIXED_COMPARE_MIXED(==)
AP_FIXED_COMPARE_MIXED(!=)
AP_FIXED_COMPARE_MIXED(<)
AP_FIXED_COMPARE_MIXED(<=)
AP_FIXED_COMPARE_MIXED(>)
AP_FIXED_COMPARE_MIXED(>=)
#undef AP_FIXED_COMPARE_MIXED

// Streams: the exact decimal value reduced to the stream's precision
// (spec §1.9: 0.3 in ap_fixed<16,6> prints 0.299805); input reads a double.
template <AP_FIXED_PARAMS(1)>
std::ostream& operator<<(std::ostream& os, AP_FIXED_ARG(1) x) {
  return os << ap_detail::to_precision(x.to_string(10), static_cast<int>(os.precision()));
}

template <AP_FIXED_PARAMS(1)>
std::istream& operator>>(std::istream& in, ap_fixed_base<W1, I1, S1, Q1, O1, N1>& x) {
  double value = 0;
  if (in >> value) x = ap_fixed_base<W1, I1, S1, Q1, O1, N1>(value);
  return in;
}

#undef AP_FIXED_PARAMS
#undef AP_FIXED_ARG
