// Declarations shared by our ap_int.h and ap_fixed.h: the mode enumerators,
// forward declarations of every class template (with the vendor's default
// arguments), the types that name an operation's result, and the traits
// that turn a C integer operand into the ap type the vendor headers use for
// it.  Semantics: ../shared/spec/hls4ml.md §4.
#pragma once

#include <climits>
#include <type_traits>
#include <utility>

// Same names and values as the vendor's ap_decl.h: they appear in mangled RTL
// names (ap_fixed_16_6_5_3_0 is ap_fixed<16,6,AP_TRN,AP_WRAP,0>).
enum ap_q_mode {
  AP_RND = 0,
  AP_RND_ZERO,
  AP_RND_MIN_INF,
  AP_RND_INF,
  AP_RND_CONV,
  AP_TRN,
  AP_TRN_ZERO
};
enum ap_o_mode { AP_SAT = 0, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

// Largest width of any type, intermediate results included.  The vendor's
// default; define it before the first include to raise it.
#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 1024
#endif

typedef long long ap_slong;
typedef unsigned long long ap_ulong;

template <int W, bool S>
struct ap_int_base;
template <int W>
struct ap_int;
template <int W>
struct ap_uint;
template <int W, int I, bool S, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed_base;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_ufixed;

namespace ap_detail {

template <class Owner>
class bit_ref;
template <class Owner>
class range_ref;

constexpr int max_of(int a, int b) { return a > b ? a : b; }
constexpr int min_of(int a, int b) { return a < b ? a : b; }

// The user-facing type of a result: ap_int/ap_uint, ap_fixed/ap_ufixed.
template <int W, bool S>
struct int_type {
  typedef ap_int<W> type;
};
template <int W>
struct int_type<W, false> {
  typedef ap_uint<W> type;
};
template <int W, int I, bool S, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct fixed_type {
  typedef ap_fixed<W, I, Q, O, N> type;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct fixed_type<W, I, false, Q, O, N> {
  typedef ap_ufixed<W, I, Q, O, N> type;
};

// Result formats of the binary operators between (W1, I1, S1) and (W2, I2, S2)
// (spec §4.4).  Integers use the same formulas with I = W.
template <int W1, int I1, bool S1, int W2, int I2, bool S2>
struct result_format {
  enum {
    F1 = W1 - I1,
    F2 = W2 - I2,
    // Integer bits that hold either operand once both have the same signedness.
    common_i = max_of(I1 + (S2 && !S1), I2 + (S1 && !S2)),
    mult_w = W1 + W2,
    mult_i = I1 + I2,
    mult_s = S1 || S2,
    plus_i = common_i + 1,
    plus_w = plus_i + max_of(F1, F2),
    plus_s = S1 || S2,
    minus_i = plus_i,
    minus_w = plus_w,
    minus_s = true,
    div_w = S2 + W1 + max_of(F2, 0),
    div_i = S2 + I1 + F2,
    div_s = S1 || S2,
    logic_i = common_i,
    logic_w = common_i + max_of(F1, F2),
    logic_s = S1 || S2
  };
};

// C integer operands (and unscoped enumerations, through their promoted
// type) behave like the ap type of their width and signedness: bool is
// <1 bit, unsigned>, int <32 bits, signed>, and so on.  Other types have no
// members, which removes the operator overloads that use them.
template <class T, class Enable = void>
struct c_int {};
template <class T>
struct c_int<T, typename std::enable_if<std::is_integral<T>::value && sizeof(T) <= 8>::type> {
  static const int width = std::is_same<T, bool>::value ? 1 : int(sizeof(T) * CHAR_BIT);
  static const bool is_signed = std::is_signed<T>::value;
  typedef ap_int_base<width, is_signed> int_base;
  typedef ap_fixed_base<width, width, is_signed> fixed_base;
};
template <class T>
struct c_int<T, typename std::enable_if<std::is_enum<T>::value &&
                                        std::is_convertible<T, long long>::value>::type>
    : c_int<decltype(+std::declval<T>())> {};

}  // namespace ap_detail
