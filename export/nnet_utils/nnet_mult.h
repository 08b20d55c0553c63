// The products of dense and convolution kernels (nnet::product::*) and the
// cast of an accumulator to the result.  Every product is exact: its return
// type is wide enough for any operand values (ap_fixed arithmetic rules,
// spec §4.4); the kernel then stores it into accum_t, which is where the
// first quantization happens.
//
//   kind                weight type         returns                      type
//   mult                any                 a * w                        decltype(a * w)
//   weight_binary       ap_uint<1> (0 = -1) w == 0 ? -a : a              decltype(-a)
//   data_binary         any (a: ap_uint<1>) a == 0 ? -w : w              decltype(-w)
//   both_binary         ap_uint<1>          a == w (xnor)                x_T
//   weight_ternary      ap_int<2>           0, -a or a for w = 0, -1, 1  decltype(-a)
//   weight_exponential  {sign, weight}      y = r_T(a) << weight;        decltype(-y)
//                                           sign == 1 ? y : -y
// where r_T = ap_fixed<2(We + Wx), We + Wx>, We the exponent's width and Wx
// the input's; a negative exponent shifts right.
//
// product_is_zero(w) says that the product is 0 whatever the input, which
// lets the kernels skip the term (adding an exact 0 to an accumulator
// changes nothing, so skipping never changes a result).  It tests w == 0
// through the bool conversion, which C-simulates far faster than a
// comparison with an integer.
#ifndef NNET_MULT_H_
#define NNET_MULT_H_

#include <type_traits>
#include <utility>

#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_common.h"

namespace nnet {

namespace product {

template <class x_T, class w_T>
struct mult {
  static auto product(x_T a, w_T w) -> decltype(a * w) {
    #pragma HLS INLINE
    return a * w;
  }
  static bool product_is_zero(w_T w) { return !w; }
};

template <class x_T, class w_T>
struct weight_binary {
  typedef decltype(-std::declval<x_T>()) r_T;
  static r_T product(x_T a, w_T w) {
    #pragma HLS INLINE
    return w == 0 ? r_T(-a) : r_T(a);
  }
  static bool product_is_zero(w_T) { return false; }
};

template <class x_T, class w_T>
struct data_binary {
  typedef decltype(-std::declval<w_T>()) r_T;
  static r_T product(x_T a, w_T w) {
    #pragma HLS INLINE
    return a == 0 ? r_T(-w) : r_T(w);
  }
  static bool product_is_zero(w_T w) { return !w; }
};

template <class x_T, class w_T>
struct both_binary {
  static x_T product(x_T a, w_T w) {
    #pragma HLS INLINE
    return a == w;
  }
  static bool product_is_zero(w_T) { return false; }
};

template <class x_T, class w_T>
struct weight_ternary {
  typedef decltype(-std::declval<x_T>()) r_T;
  static r_T product(x_T a, w_T w) {
    #pragma HLS INLINE
    if (w == 0) return r_T(0);
    if (w == -1) return r_T(-a);
    return r_T(a);
  }
  static bool product_is_zero(w_T w) { return !w; }
};

template <class x_T, class w_T>
struct weight_exponential {
  typedef decltype(std::declval<w_T>().weight) exponent_T;
  static const int width = exponent_T::width + x_T::width;
  typedef ap_fixed<2 * width, width> r_T;
  typedef decltype(-std::declval<r_T>()) result_T;
  static result_T product(x_T a, w_T w) {
    #pragma HLS INLINE
    const r_T y = r_T(a) << w.weight;
    return w.sign == 1 ? result_T(y) : result_T(-y);
  }
  static bool product_is_zero(w_T) { return false; }
};

}  // namespace product

// The xnor-popcount case (input and weights both ap_uint<1>): the
// accumulator counts agreements, and the result is agreements minus
// disagreements, 2 * acc - n_in, in ap_int<ceillog2(n_in) + 2>.
template <class data_T, class CONFIG_T>
struct is_xnor_layer {
  static const bool value = std::is_same<data_T, ap_uint<1> >::value &&
                            std::is_same<typename CONFIG_T::weight_t, ap_uint<1> >::value;
};

template <class data_T, class res_T, class CONFIG_T>
inline typename std::enable_if<!is_xnor_layer<data_T, CONFIG_T>::value, res_T>::type cast(
    typename CONFIG_T::accum_t x) {
  return static_cast<res_T>(x);
}

template <class data_T, class res_T, class CONFIG_T>
inline typename std::enable_if<is_xnor_layer<data_T, CONFIG_T>::value,
                               ap_int<ceillog2(CONFIG_T::n_in) + 2> >::type
cast(typename CONFIG_T::accum_t x) {
  return static_cast<ap_int<ceillog2(CONFIG_T::n_in) + 2> >(x * 2 - CONFIG_T::n_in);
}

}  // namespace nnet

#endif
