// Batch normalization (and QKeras' alpha scale, ApplyAlpha), io_parallel:
//   res[i] = (res_T)(product(data[i], scale[k]) + bias[k]),
// k = i (n_filt == -1, a flat vector) or i % n_filt (channels-last), the
// product exact (nnet_mult.h) and the sum exact, one quantization into res_T.
//
// Binary / ternary threshold fusion (BatchNormalization followed by a
// binary or ternary activation, hls4ml's BatchNormalizationQuantizedTanh):
//   normalize_binary_tanh:  res[i] = data[i] >= threshold[k] ? 1 : 0
//                           (ap_uint<1>, the xnor encoding of +1 / -1);
//   normalize_ternary_tanh: res[i] = +1 if data[i] > threshold_hi[k],
//                           -1 if data[i] <= threshold_lo[k], else 0 (ap_int<2>).
// The thresholds are in the input type (the generator computes them from
// the BN scale and bias, for scale > 0); comparisons are exact.
#ifndef NNET_BATCHNORM_H_
#define NNET_BATCHNORM_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_common.h"
#include "nnet_mult.h"

namespace nnet {

struct batchnorm_config {
  static const unsigned n_in = 10;
  static const int n_filt = -1;
  static const unsigned n_scale_bias = 10;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
  static const bool store_weights_in_bram = false;
  static const unsigned n_zeros = 0;
  static const unsigned multiplier_limit = DIV_ROUNDUP(n_in, reuse_factor);
  typedef ap_fixed<16, 6> scale_t;
  typedef ap_fixed<16, 6> bias_t;
  template <class x_T, class y_T>
  using product = product::mult<x_T, y_T>;
};

struct batchnorm_quantized_tanh_config {
  static const unsigned n_in = 10;
  static const int n_filt = -1;
  static const unsigned n_scale_bias = 10;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
};

// The scale/bias index of element i.
template <class CONFIG_T>
unsigned norm_index(unsigned i) {
  #pragma HLS INLINE
  return CONFIG_T::n_filt == -1 ? i : i % unsigned(CONFIG_T::n_filt);
}

template <class data_T, class res_T, class CONFIG_T>
void normalize(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
               const typename CONFIG_T::scale_t scale[CONFIG_T::n_scale_bias],
               const typename CONFIG_T::bias_t bias[CONFIG_T::n_scale_bias]) {
  typedef typename CONFIG_T::template product<data_T, typename CONFIG_T::scale_t> product_t;
  #pragma HLS function_instantiate variable=scale,bias
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  #pragma HLS ARRAY_PARTITION variable=scale complete
  #pragma HLS ARRAY_PARTITION variable=bias complete
  #pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const unsigned k = norm_index<CONFIG_T>(i);
    res[i] = product_t::product(data[i], scale[k]) + bias[k];
  }
}

template <class data_T, class CONFIG_T>
void normalize_binary_tanh(const data_T data[CONFIG_T::n_in], ap_uint<1> res[CONFIG_T::n_in],
                           const data_T threshold[CONFIG_T::n_scale_bias]) {
  #pragma HLS PIPELINE
  #pragma HLS ARRAY_PARTITION variable=res complete
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    res[i] = data[i] >= threshold[norm_index<CONFIG_T>(i)] ? 1 : 0;
  }
}

template <class data_T, class CONFIG_T>
void normalize_ternary_tanh(const data_T data[CONFIG_T::n_in], ap_int<2> res[CONFIG_T::n_in],
                            const data_T threshold_hi[CONFIG_T::n_scale_bias],
                            const data_T threshold_lo[CONFIG_T::n_scale_bias]) {
  #pragma HLS PIPELINE
  #pragma HLS ARRAY_PARTITION variable=res complete
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const unsigned k = norm_index<CONFIG_T>(i);
    if (data[i] > threshold_hi[k]) {
      res[i] = 1;
    } else if (data[i] <= threshold_lo[k]) {
      res[i] = -1;
    } else {
      res[i] = 0;
    }
  }
}

}  // namespace nnet

#endif
