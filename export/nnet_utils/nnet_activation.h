// Activations, io_parallel, element-wise over n_in values (softmax over
// slices).  Each function states what it computes and where values are
// quantized; a plain `res[i] = v` stores the exact v into res_T with
// res_T's rounding and overflow modes (this is where QKeras' quantized_relu
// rounding and saturation happen, through res_T's AP_RND_CONV, AP_SAT).
//
// Lookup tables (sigmoid, tanh; softmax in nnet_softmax.h) are filled on the
// first call in double precision with <cmath> and stored into the table type
// with its modes; in synthesis they are ROMs.
#ifndef NNET_ACTIVATION_H_
#define NNET_ACTIVATION_H_

#include <cmath>
#include <type_traits>

#include "ap_fixed.h"
#include "nnet_common.h"
#include "nnet_lut.h"
#include "nnet_softmax.h"

namespace nnet {

struct activ_config {
  static const unsigned n_in = 10;
  static const unsigned table_size = 1024;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<18, 8> table_t;
};

// hard_sigmoid / hard_tanh: a derived config defines the values of slope
// and shift out of line (they are static const members of class type).
struct hard_activ_config {
  static const unsigned n_in = 10;
  typedef ap_ufixed<16, 0> slope_t;
  typedef ap_ufixed<2, 0> shift_t;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

// ---------------------------------------------------------------- linear
// res[i] = data[i], stored into res_T.
template <class data_T, class res_T, class CONFIG_T>
void linear(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) res[i] = data[i];
}

// ---------------------------------------------------------------- relu
// res[i] = data[i] > 0 ? data[i] : 0, stored into res_T.
template <class data_T, class res_T, class CONFIG_T>
void relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    if (data[i] > 0) {
      res[i] = data[i];
    } else {
      res[i] = 0;
    }
  }
}

// res[i] = 0 if data[i] < 0, MAX_INT if data[i] > MAX_INT, else data[i];
// stored into res_T.
template <class data_T, class res_T, int MAX_INT, class CONFIG_T>
void relu_max(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    if (data[i] < 0) {
      res[i] = 0;
    } else if (data[i] > MAX_INT) {
      res[i] = MAX_INT;
    } else {
      res[i] = data[i];
    }
  }
}

template <class data_T, class res_T, class CONFIG_T>
void relu6(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  relu_max<data_T, res_T, 6, CONFIG_T>(data, res);
}

template <class data_T, class res_T, class CONFIG_T>
void relu1(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  relu_max<data_T, res_T, 1, CONFIG_T>(data, res);
}

// res[i] = data[i] > 0 ? data[i] : alpha * data[i], with alpha stored in
// param_T first and the exact product stored into res_T.
template <class data_T, class param_T, class res_T, class CONFIG_T>
void leaky_relu(const data_T data[CONFIG_T::n_in], param_T alpha, res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    if (data[i] > 0) {
      res[i] = data[i];
    } else {
      res[i] = alpha * data[i];
    }
  }
}

// res[i] = data[i] > theta ? data[i] : 0 (theta stored in param_T).
template <class data_T, class param_T, class res_T, class CONFIG_T>
void thresholded_relu(const data_T data[CONFIG_T::n_in], param_T theta, res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    if (data[i] > theta) {
      res[i] = data[i];
    } else {
      res[i] = 0;
    }
  }
}

// ---------------------------------------------------------------- sigmoid, tanh
// res[i] = (res_T) table[table_index<data_T, table_size, LO, HI>(data[i])]
// with table[k] = (table_t) f(table_input<table_size, LO, HI>(k)) in double
// (nnet_lut.h): sigmoid 1/(1 + e^-x) over [-8, 8), tanh over [-4, 4).
template <class data_T, class res_T, class CONFIG_T>
void sigmoid(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS INLINE
  range_table_lookup<data_T, res_T, CONFIG_T, -8, 8, sigmoid_fcn>(data, res);
}

template <class data_T, class res_T, class CONFIG_T>
void tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS INLINE
  range_table_lookup<data_T, res_T, CONFIG_T, -4, 4, tanh_fcn>(data, res);
}

// ---------------------------------------------------------------- hard
// s = slope * data[i] + shift, exact (slope_t, shift_t from the config),
// clipped to [0, 1]; hard_sigmoid stores s into res_T, hard_tanh the exact
// 2*s - 1.
template <class data_T, class res_T, class CONFIG_T>
void hard_sigmoid(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    auto s = CONFIG_T::slope * data[i] + CONFIG_T::shift;
    if (s > 1) {
      s = 1;
    } else if (s < 0) {
      s = 0;
    }
    res[i] = s;
  }
}

template <class data_T, class res_T, class CONFIG_T>
void hard_tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    auto s = CONFIG_T::slope * data[i] + CONFIG_T::shift;
    if (s > 1) {
      s = 1;
    } else if (s < 0) {
      s = 0;
    }
    res[i] = 2 * s - 1;
  }
}

// ---------------------------------------------------------------- binary
// binary_tanh: +1 if data[i] >= 0 else -1 (ap_int<2>), stored into res_T;
// into ap_uint<1> (the xnor encoding) that is 1 / 0.
template <class res_T>
res_T binary_value(bool non_negative) {
  #pragma HLS INLINE
  if (std::is_same<res_T, ap_uint<1> >::value) return res_T(non_negative ? 1 : 0);
  return res_T(ap_int<2>(non_negative ? 1 : -1));
}

template <class data_T, class res_T, class CONFIG_T>
void binary_tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    res[i] = binary_value<res_T>(data[i] >= 0);
  }
}

// ternary_tanh: with d = 2 * data[i] (exact), +1 if d > 1, 0 if -1 < d <= 1,
// else -1 (i.e. thresholds 0.5 and -0.5), as ap_int<2> stored into res_T.
template <class data_T, class res_T, class CONFIG_T>
void ternary_tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const auto d = 2 * data[i];
    ap_int<2> value = 0;
    if (d > 1) {
      value = 1;
    } else if (d <= -1) {
      value = -1;
    }
    res[i] = value;
  }
}

}  // namespace nnet

#endif
