// ap_int_base<W, S>: the W-bit integer behind ap_int<W> (S) and ap_uint<W>,
// with the vendor's API (../shared/spec/hls4ml.md §4).  Storing a value
// wraps it to W bits; floating-point and ap_fixed values lose their fraction
// toward zero first.  Operators return exact, wider results (§4.4).
// Include ap_int.h, not this file.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "ap_arith.h"
#include "ap_common.h"
#include "ap_convert.h"
#include "ap_format.h"
#include "ap_ref.h"

namespace ap_detail {
// An ap integer used as a shift count.
template <int W, bool S>
int shift_count(const ap_int_base<W, S>& count);
}  // namespace ap_detail

template <int W, bool S>
struct ap_int_base {
  static_assert(W >= 1 && W <= AP_INT_MAX_W, "ap_[u]int width must be in [1, AP_INT_MAX_W]");
  static const int width = W;
  // The C type of the one implicit conversion (the vendor's choice).
  typedef typename std::conditional<S, ap_slong, ap_ulong>::type RetType;

  // Result types of the binary operators with an ap_int_base<W2, S2>.
  template <int W2, bool S2>
  struct RType {
    typedef ap_detail::result_format<W, W, S, W2, W2, S2> format;
    enum {
      mult_w = format::mult_w,
      mult_s = format::mult_s,
      plus_w = format::plus_w,
      plus_s = format::plus_s,
      minus_w = format::minus_w,
      minus_s = format::minus_s,
      div_w = format::div_w,
      div_s = format::div_s,
      mod_w = ap_detail::min_of(W, W2 + (!S2 && S)),
      mod_s = S,
      logic_w = format::logic_w,
      logic_s = format::logic_s
    };
    typedef typename ap_detail::int_type<mult_w, mult_s>::type mult;
    typedef typename ap_detail::int_type<plus_w, plus_s>::type plus;
    typedef typename ap_detail::int_type<minus_w, minus_s>::type minus;
    typedef typename ap_detail::int_type<div_w, div_s>::type div;
    typedef typename ap_detail::int_type<mod_w, mod_s>::type mod;
    typedef typename ap_detail::int_type<logic_w, logic_s>::type logic;
    typedef typename ap_detail::int_type<W, S>::type arg1;
    typedef bool reduce;
  };
  typedef typename RType<W, S>::arg1 self_type;

  typedef ap_detail::words<ap_detail::words_for(W)> storage;
  storage bits_;  // internal: the W-bit two's complement code (see ap_words.h)

  // Construction: zero by default; otherwise the value, wrapped.
  ap_int_base() : bits_() {}
  template <int W2, bool S2>
  ap_int_base(const ap_int_base<W2, S2>& op) : bits_(integer_part(op.bits_, S2, 0)) {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_int_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& op)
      : bits_(integer_part(op.bits_, S2, I2 - W2)) {}
  template <class T, class = typename ap_detail::c_int<T>::int_base>
  ap_int_base(T op)
      : bits_(integer_part(ap_detail::c_int_words(op), ap_detail::c_int<T>::is_signed, 0)) {}
  ap_int_base(double op) : bits_(from_double(op)) {}
  ap_int_base(float op) : bits_(from_double(op)) {}
  // An integer literal: optional sign, 0b/0o/0x prefix, digits in `radix`
  // (0: decimal unless prefixed).  A malformed literal gives 0.
  ap_int_base(const char* text, signed char radix = 0) {
    ap_detail::parse_integer(text, radix, bits_);
    ap_detail::normalize(bits_, W, S);
  }
  template <class Owner>
  ap_int_base(const ap_detail::range_ref<Owner>& op) : ap_int_base(op.get()) {}
  template <class Owner>
  ap_int_base(const ap_detail::bit_ref<Owner>& op) : ap_int_base(op.get()) {}

  // Conversion to C types: the low bits, as C casts do.
  operator RetType() const { return static_cast<RetType>(bits_.w[0]); }
  bool to_bool() const { return !iszero(); }
  char to_char() const { return static_cast<char>(bits_.w[0]); }
  signed char to_schar() const { return static_cast<signed char>(bits_.w[0]); }
  unsigned char to_uchar() const { return static_cast<unsigned char>(bits_.w[0]); }
  short to_short() const { return static_cast<short>(bits_.w[0]); }
  unsigned short to_ushort() const { return static_cast<unsigned short>(bits_.w[0]); }
  int to_int() const { return static_cast<int>(bits_.w[0]); }
  unsigned to_uint() const { return static_cast<unsigned>(bits_.w[0]); }
  long to_long() const { return static_cast<long>(bits_.w[0]); }
  unsigned long to_ulong() const { return static_cast<unsigned long>(bits_.w[0]); }
  ap_slong to_int64() const { return static_cast<ap_slong>(bits_.w[0]); }
  ap_ulong to_uint64() const { return bits_.w[0]; }
  double to_double() const { return ap_detail::to_real<double>(bits_, S, 0); }
  float to_float() const { return ap_detail::to_real<float>(bits_, S, 0); }

  // Queries and single-bit updates.
  int length() const { return W; }
  bool iszero() const { return ap_detail::is_zero(bits_); }
  bool is_zero() const { return iszero(); }
  bool sign() const { return ap_detail::is_negative(bits_, S); }
  bool test(int i) const { return ap_detail::bit_at(bits_, S, i); }
  bool get_bit(int i) const { return test(i); }
  void set_bit(int i, bool v) {
    ap_detail::set_bit(bits_, i, v);
    ap_detail::normalize(bits_, W, S);
  }
  void set(int i) { set_bit(i, true); }
  void set(int i, bool v) { set_bit(i, v); }
  void clear(int i) { set_bit(i, false); }
  void invert(int i) { set_bit(i, !test(i)); }
  void b_not() { *this = ~*this; }
  int countLeadingZeros() const {
    return W - 1 - ap_detail::highest_bit(ap_detail::get_bits<storage_words>(bits_, false, 0, W));
  }
  bool and_reduce() const { return ap_detail::and_reduce_bits(bits_, W); }
  bool or_reduce() const { return !iszero(); }
  bool xor_reduce() const { return ap_detail::xor_reduce_bits(bits_, W); }
  bool nand_reduce() const { return !and_reduce(); }
  bool nor_reduce() const { return !or_reduce(); }
  bool xnor_reduce() const { return !xor_reduce(); }

  // Radix 2, 8, 10 or 16 (others print decimal); binary never has a sign.
  std::string to_string(int radix = 2, bool show_sign = S) const {
    return ap_detail::radix_text<W, 0>(bits_, show_sign && S && radix != 2, radix);
  }

  // Compound assignment: the exact result, wrapped to W bits.  An ap_fixed
  // operand contributes its integer part (vendor behaviour).
#define AP_INT_COMPOUND(op)                                                                     \
  template <int W2, bool S2>                                                                    \
  ap_int_base& operator op##=(const ap_int_base<W2, S2>& other) {                               \
    return *this = *this op other;                                                              \
  }                                                                                             \
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>                        \
  ap_int_base& operator op##=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& other) {             \
    return *this op## = other.to_ap_int_base();                                                 \
  }                                                                                             \
  template <class T>                                                                            \
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), ap_int_base&>::type operator op##=( \
      T other) {                                                                                \
    return *this op## = typename ap_detail::c_int<T>::int_base(other);                          \
  }
  AP_INT_COMPOUND(+)
  AP_INT_COMPOUND(-)
  AP_INT_COMPOUND(*)
  AP_INT_COMPOUND(/)
  AP_INT_COMPOUND(%)
  AP_INT_COMPOUND(&)
  AP_INT_COMPOUND(|)
  AP_INT_COMPOUND(^)
#undef AP_INT_COMPOUND

  ap_int_base& operator++() { return *this += 1; }
  ap_int_base& operator--() { return *this -= 1; }
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
  typename RType<1, false>::minus operator-() const { return ap_int_base<1, false>(0) - *this; }
  self_type operator~() const {
    storage code = ~bits_;
    ap_detail::normalize(code, W, S);  // an unsigned type's fill bits flipped too
    return ap_detail::with_bits<self_type>(code);
  }
  bool operator!() const { return iszero(); }

  // Shifts keep the type: bits move out at the top, a right shift of a
  // signed value is arithmetic, and a negative signed count reverses the
  // direction.
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
  template <class Count>
  ap_int_base& operator<<=(Count count) {
    return *this = *this << count;
  }
  template <class Count>
  ap_int_base& operator>>=(Count count) {
    return *this = *this >> count;
  }

  // Bit and range access (see ap_ref.h).
  ap_detail::bit_ref<ap_int_base> operator[](int i) {
    return ap_detail::bit_ref<ap_int_base>(this, i);
  }
  bool operator[](int i) const { return test(i); }
  template <int W2, bool S2>
  ap_detail::bit_ref<ap_int_base> operator[](const ap_int_base<W2, S2>& i) {
    return (*this)[i.to_int()];
  }
  template <int W2, bool S2>
  bool operator[](const ap_int_base<W2, S2>& i) const {
    return test(i.to_int());
  }
  ap_detail::bit_ref<ap_int_base> bit(int i) { return (*this)[i]; }
  bool bit(int i) const { return test(i); }

  ap_detail::range_ref<ap_int_base> range(int hi, int lo) {
    return ap_detail::range_ref<ap_int_base>(this, hi, lo);
  }
  ap_detail::range_ref<const ap_int_base> range(int hi, int lo) const {
    return ap_detail::range_ref<const ap_int_base>(this, hi, lo);
  }
  ap_detail::range_ref<ap_int_base> range() { return range(W - 1, 0); }
  ap_detail::range_ref<const ap_int_base> range() const { return range(W - 1, 0); }
  ap_detail::range_ref<ap_int_base> operator()(int hi, int lo) { return range(hi, lo); }
  ap_detail::range_ref<const ap_int_base> operator()(int hi, int lo) const { return range(hi, lo); }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<ap_int_base> range(const ap_int_base<W2, S2>& hi,
                                          const ap_int_base<W3, S3>& lo) {
    return range(hi.to_int(), lo.to_int());
  }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<const ap_int_base> range(const ap_int_base<W2, S2>& hi,
                                                const ap_int_base<W3, S3>& lo) const {
    return range(hi.to_int(), lo.to_int());
  }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<ap_int_base> operator()(const ap_int_base<W2, S2>& hi,
                                               const ap_int_base<W3, S3>& lo) {
    return range(hi.to_int(), lo.to_int());
  }
  template <int W2, bool S2, int W3, bool S3>
  ap_detail::range_ref<const ap_int_base> operator()(const ap_int_base<W2, S2>& hi,
                                                     const ap_int_base<W3, S3>& lo) const {
    return range(hi.to_int(), lo.to_int());
  }

 private:
  enum { storage_words = ap_detail::words_for(W) };

  // The integer part (toward zero) of v * 2^shift, wrapped to W bits.
  template <int NV>
  static storage integer_part(const ap_detail::words<NV>& v, bool v_signed, int shift) {
    return ap_detail::convert<W, S, AP_TRN_ZERO, AP_WRAP, 0>(v, v_signed, shift);
  }
  static storage from_double(double d) {
    const ap_detail::double_parts parts = ap_detail::decompose(d);
    return integer_part(parts.mantissa, true, parts.exponent);
  }
  self_type shift(int count) const {
    storage code = ap_detail::shifted<storage_words>(bits_, S, count);
    ap_detail::normalize(code, W, S);
    return ap_detail::with_bits<self_type>(code);
  }
};

template <int W, bool S>
const int ap_int_base<W, S>::width;

template <int W, bool S>
int ap_detail::shift_count(const ap_int_base<W, S>& count) {
  return shift_count(shifted<1>(count.bits_, S, 0), S);
}

// Binary operators between ap integers: exact results of the RType formats.
#define AP_INT_RESULT(op_kind) typename ap_int_base<W1, S1>::template RType<W2, S2>::op_kind
#define AP_INT_WORDS(op_kind) \
  ap_detail::words_for(ap_int_base<W1, S1>::template RType<W2, S2>::op_kind##_w)

template <int W1, bool S1, int W2, bool S2>
AP_INT_RESULT(mult)
operator*(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  return ap_detail::with_bits<AP_INT_RESULT(mult)>(
      ap_detail::multiply<AP_INT_WORDS(mult)>(a.bits_, S1, b.bits_, S2));
}
template <int W1, bool S1, int W2, bool S2>
AP_INT_RESULT(plus)
operator+(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  return ap_detail::with_bits<AP_INT_RESULT(plus)>(
      ap_detail::add<AP_INT_WORDS(plus)>(a.bits_, S1, 0, b.bits_, S2, 0));
}
template <int W1, bool S1, int W2, bool S2>
AP_INT_RESULT(minus)
operator-(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  return ap_detail::with_bits<AP_INT_RESULT(minus)>(
      ap_detail::subtract<AP_INT_WORDS(minus)>(a.bits_, S1, 0, b.bits_, S2, 0));
}
// Division and remainder truncate toward zero, as in C.
template <int W1, bool S1, int W2, bool S2>
AP_INT_RESULT(div)
operator/(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  ap_detail::words<ap_detail::words_for(ap_detail::max_of(W1, W2) + 2)> quotient, remainder;
  ap_detail::divide(a.bits_, S1, 0, b.bits_, S2, quotient, remainder);
  return ap_detail::with_bits<AP_INT_RESULT(div)>(
      ap_detail::shifted<AP_INT_WORDS(div)>(quotient, true, 0));
}
template <int W1, bool S1, int W2, bool S2>
AP_INT_RESULT(mod)
operator%(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
  ap_detail::words<ap_detail::words_for(ap_detail::max_of(W1, W2) + 2)> quotient, remainder;
  ap_detail::divide(a.bits_, S1, 0, b.bits_, S2, quotient, remainder);
  return ap_detail::with_bits<AP_INT_RESULT(mod)>(
      ap_detail::shifted<AP_INT_WORDS(mod)>(remainder, true, 0));
}
#define AP_INT_BITWISE(op, bitwise_op)                                                         \
  template <int W1, bool S1, int W2, bool S2>                                                  \
  AP_INT_RESULT(logic)                                                                         \
  operator op(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {                    \
    return ap_detail::with_bits<AP_INT_RESULT(logic)>(ap_detail::bitwise<AP_INT_WORDS(logic)>( \
        ap_detail::bitwise_op, a.bits_, S1, 0, b.bits_, S2, 0));                               \
  }
AP_INT_BITWISE(&, bit_and)
AP_INT_BITWISE(|, bit_or)
AP_INT_BITWISE(^, bit_xor)
#undef AP_INT_BITWISE

#define AP_INT_COMPARE(op)                                                                      \
  template <int W1, bool S1, int W2, bool S2>                                                   \
  bool operator op(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {                \
    return ap_detail::compare_values<AP_INT_WORDS(minus)>(a.bits_, S1, 0, b.bits_, S2, 0) op 0; \
  }
AP_INT_COMPARE(==)
AP_INT_COMPARE(!=)
AP_INT_COMPARE(<)
AP_INT_COMPARE(<=)
AP_INT_COMPARE(>)
AP_INT_COMPARE(>=)
#undef AP_INT_COMPARE
#undef AP_INT_RESULT
#undef AP_INT_WORDS

// A C integer operand is the ap integer of its width and signedness.
#define AP_INT_WITH_C_INT(op, op_kind)                                                \
  template <int W, bool S, class T>                                                   \
  typename ap_int_base<W, S>::template RType<ap_detail::c_int<T>::width,              \
                                             ap_detail::c_int<T>::is_signed>::op_kind \
  operator op(const ap_int_base<W, S>& a, T b) {                                      \
    return a op typename ap_detail::c_int<T>::int_base(b);                            \
  }                                                                                   \
  template <int W, bool S, class T>                                                   \
  typename ap_detail::c_int<T>::int_base::template RType<W, S>::op_kind operator op(  \
      T a, const ap_int_base<W, S>& b) {                                              \
    return typename ap_detail::c_int<T>::int_base(a) op b;                            \
  }
AP_INT_WITH_C_INT(*, mult)
AP_INT_WITH_C_INT(+, plus)
AP_INT_WITH_C_INT(-, minus)
AP_INT_WITH_C_INT(/, div)
AP_INT_WITH_C_INT(%, mod)
AP_INT_WITH_C_INT(&, logic)
AP_INT_WITH_C_INT(|, logic)
AP_INT_WITH_C_INT(^, logic)
#undef AP_INT_WITH_C_INT

#define AP_INT_COMPARE_MIXED(op)                                                     \
  template <int W, bool S, class T>                                                  \
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), bool>::type operator op( \
      const ap_int_base<W, S>& a, T b) {                                             \
    return a op typename ap_detail::c_int<T>::int_base(b);                           \
  }                                                                                  \
  template <int W, bool S, class T>                                                  \
  typename std::enable_if<(ap_detail::c_int<T>::width > 0), bool>::type operator op( \
      T a, const ap_int_base<W, S>& b) {                                             \
    return typename ap_detail::c_int<T>::int_base(a) op b;                           \
  }                                                                                  \
  template <int W, bool S, class R>                                                  \
  typename std::enable_if<std::is_floating_point<R>::value, bool>::type operator op( \
      const ap_int_base<W, S>& a, R b) {                                             \
    return a.to_double() op b;                                                       \
  }                                                                                  \
  template <int W, bool S, class R>                                                  \
  typename std::enable_if<std::is_floating_point<R>::value, bool>::type operator op( \
      R a, const ap_int_base<W, S>& b) {                                             \
    return a op b.to_double();                                                       \
  }
AP_INT_COMPARE_MIXED(==)
AP_INT_COMPARE_MIXED(!=)
AP_INT_COMPARE_MIXED(<)
AP_INT_COMPARE_MIXED(<=)
AP_INT_COMPARE_MIXED(>)
AP_INT_COMPARE_MIXED(>=)
#undef AP_INT_COMPARE_MIXED

// With floating point the integer converts to the C type (vendor behaviour).
#define AP_INT_WITH_REAL(op)                                                      \
  template <int W, bool S, class R>                                               \
  typename std::enable_if<std::is_floating_point<R>::value, R>::type operator op( \
      const ap_int_base<W, S>& a, R b) {                                          \
    return static_cast<typename ap_int_base<W, S>::RetType>(a) op b;              \
  }                                                                               \
  template <int W, bool S, class R>                                               \
  typename std::enable_if<std::is_floating_point<R>::value, R>::type operator op( \
      R a, const ap_int_base<W, S>& b) {                                          \
    return a op static_cast<typename ap_int_base<W, S>::RetType>(b);              \
  }
AP_INT_WITH_REAL(*)
AP_INT_WITH_REAL(/)
AP_INT_WITH_REAL(+)
AP_INT_WITH_REAL(-)
#undef AP_INT_WITH_REAL

// Streams: decimal, or hexadecimal / octal digits under std::hex / std::oct.
template <int W, bool S>
std::ostream& operator<<(std::ostream& os, const ap_int_base<W, S>& x) {
  const std::ios_base::fmtflags base = os.flags() & std::ios_base::basefield;
  return os << x.to_string(base == std::ios_base::hex ? 16 : base == std::ios_base::oct ? 8 : 10);
}

template <int W, bool S>
std::istream& operator>>(std::istream& in, ap_int_base<W, S>& x) {
  std::string text;
  if (!(in >> text)) return in;
  const std::ios_base::fmtflags base = in.flags() & std::ios_base::basefield;
  typename ap_int_base<W, S>::storage code;
  if (!ap_detail::parse_integer(text.c_str(),
                                base == std::ios_base::hex   ? 16
                                : base == std::ios_base::oct ? 8
                                                             : 0,
                                code)) {
    in.setstate(std::ios_base::failbit);
  }
  ap_detail::normalize(code, W, S);
  x = ap_detail::with_bits<ap_int_base<W, S> >(code);
  return in;
}
