// Merge layers, io_parallel, element-wise over n_elem values of two
// inputs; each result is computed exactly and stored once into res_T:
//   add: a + b;  subtract: a - b;  multiply: a * b;
//   average: (a + b) / 2 (the exact half: (a + b) * 2^-1);
//   maximum: a >= b ? a : b;  minimum: a <= b ? a : b;
//   dot1d: sum_i a[i]*b[i], each product stored into accum_t and summed
//          sequentially in accum_t (as dense), then res[0] = (res_T) sum.
// Concatenation copies (values stored into res_T), channels-last arrays:
//   concatenate1d: [a, b];  concatenate2d/3d along a Keras axis, which
//   counts the batch dimension: 1 = the first tensor axis, 2 the second,
//   3 the third (3-D), -1 the last.
#ifndef NNET_MERGE_H_
#define NNET_MERGE_H_

#include "ap_fixed.h"
#include "nnet_common.h"
#include "nnet_mult.h"

namespace nnet {

struct merge_config {
  static const unsigned n_elem = 10;
  static const unsigned reuse_factor = 1;
};

struct dot_config {
  static const unsigned n_in = 10;
  static const unsigned n_out = 1;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<16, 6> accum_t;
  template <class x_T, class y_T>
  using product = product::mult<x_T, y_T>;
};

struct concat_config {
  static const unsigned n_elem1_0 = 10;
  static const unsigned n_elem1_1 = 10;
  static const unsigned n_elem1_2 = 10;
  static const unsigned n_elem2_0 = 10;
  static const unsigned n_elem2_1 = 10;
  static const unsigned n_elem2_2 = 10;
  static const int axis = -1;
};

// The exact value halved (times an exact 0.5), for any ap type.
template <class T>
auto exact_half(const T& x) -> decltype(x * ap_ufixed<1, 0>(0.5)) {
  return x * ap_ufixed<1, 0>(0.5);
}

// Element-wise merges: res[i] = (res_T) f(a[i], b[i]).
#define NNET_MERGE_ELEMENTWISE(NAME, EXPR)                                                  \
  template <class input1_T, class input2_T, class res_T, class CONFIG_T>                    \
  void NAME(const input1_T data1[CONFIG_T::n_elem], const input2_T data2[CONFIG_T::n_elem], \
            res_T res[CONFIG_T::n_elem]) {                                                  \
    NNET_PRAGMA(HLS PIPELINE)                                                               \
    for (unsigned i = 0; i < CONFIG_T::n_elem; i++) {                                       \
      const input1_T a = data1[i];                                                          \
      const input2_T b = data2[i];                                                          \
      res[i] = EXPR;                                                                        \
    }                                                                                       \
  }
NNET_MERGE_ELEMENTWISE(add, a + b)
NNET_MERGE_ELEMENTWISE(subtract, a - b)
NNET_MERGE_ELEMENTWISE(multiply, a* b)
NNET_MERGE_ELEMENTWISE(average, exact_half(a + b))
NNET_MERGE_ELEMENTWISE(maximum, a >= b ? res_T(a) : res_T(b))
NNET_MERGE_ELEMENTWISE(minimum, a <= b ? res_T(a) : res_T(b))
#undef NNET_MERGE_ELEMENTWISE

template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void dot1d(const input1_T data1[CONFIG_T::n_in], const input2_T data2[CONFIG_T::n_in],
           res_T res[CONFIG_T::n_out]) {
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typedef typename CONFIG_T::accum_t accum_t;
  accum_t acc = 0;
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    acc += accum_t(CONFIG_T::template product<input1_T, input2_T>::product(data1[i], data2[i]));
  }
  res[0] = acc;
}

template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void concatenate1d(const input1_T data1[CONFIG_T::n_elem1_0],
                   const input2_T data2[CONFIG_T::n_elem2_0],
                   res_T res[CONFIG_T::n_elem1_0 + CONFIG_T::n_elem2_0]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_elem1_0; i++) res[i] = data1[i];
  for (unsigned i = 0; i < CONFIG_T::n_elem2_0; i++) res[CONFIG_T::n_elem1_0 + i] = data2[i];
}

// Concatenation of two C-order blocks of shape (outer, n1, inner) and
// (outer, n2, inner) along the middle axis: the common form of every axis
// of concatenate2d/3d.
template <class input1_T, class input2_T, class res_T, unsigned OUTER, unsigned N1, unsigned N2,
          unsigned INNER>
void concatenate_blocks(const input1_T* data1, const input2_T* data2, res_T* res) {
  #pragma HLS INLINE
  for (unsigned o = 0; o < OUTER; o++) {
    res_T* row = res + o * (N1 + N2) * INNER;
    for (unsigned k = 0; k < N1 * INNER; k++) row[k] = data1[o * N1 * INNER + k];
    for (unsigned k = 0; k < N2 * INNER; k++) row[N1 * INNER + k] = data2[o * N2 * INNER + k];
  }
}

template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void concatenate2d(const input1_T data1[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1],
                   const input2_T data2[CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1],
                   res_T res[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1 +
                             CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1]) {
  #pragma HLS PIPELINE
  if (CONFIG_T::axis == 2 || CONFIG_T::axis == -1) {
    concatenate_blocks<input1_T, input2_T, res_T, CONFIG_T::n_elem1_0, CONFIG_T::n_elem1_1,
                       CONFIG_T::n_elem2_1, 1>(data1, data2, res);
  } else {
    concatenate_blocks<input1_T, input2_T, res_T, 1, CONFIG_T::n_elem1_0, CONFIG_T::n_elem2_0,
                       CONFIG_T::n_elem1_1>(data1, data2, res);
  }
}

template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void concatenate3d(
    const input1_T data1[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1 * CONFIG_T::n_elem1_2],
    const input2_T data2[CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1 * CONFIG_T::n_elem2_2],
    res_T res[CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1 * CONFIG_T::n_elem1_2 +
              CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1 * CONFIG_T::n_elem2_2]) {
  #pragma HLS PIPELINE
  if (CONFIG_T::axis == 3 || CONFIG_T::axis == -1) {
    concatenate_blocks<input1_T, input2_T, res_T, CONFIG_T::n_elem1_0 * CONFIG_T::n_elem1_1,
                       CONFIG_T::n_elem1_2, CONFIG_T::n_elem2_2, 1>(data1, data2, res);
  } else if (CONFIG_T::axis == 2) {
    concatenate_blocks<input1_T, input2_T, res_T, CONFIG_T::n_elem1_0, CONFIG_T::n_elem1_1,
                       CONFIG_T::n_elem2_1, CONFIG_T::n_elem1_2>(data1, data2, res);
  } else {
    concatenate_blocks<input1_T, input2_T, res_T, 1, CONFIG_T::n_elem1_0, CONFIG_T::n_elem2_0,
                       CONFIG_T::n_elem1_1 * CONFIG_T::n_elem1_2>(data1, data2, res);
  }
}

}  // namespace nnet

#endif
