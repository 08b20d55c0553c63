// Dense (fully connected) layer, io_parallel: res = cast(bias + sum_i
// product(data[i], w[i][j])) through the kernel that the config names
// (DenseLatency: nnet_dense_latency.h, the arithmetic contract is there;
// DenseResource_*: nnet_dense_resource.h, transposed weights and another
// summation order).
#ifndef NNET_DENSE_H_
#define NNET_DENSE_H_

#include "nnet_common.h"
#include "nnet_dense_latency.h"
#include "nnet_dense_resource.h"
#include "nnet_mult.h"

namespace nnet {

// The defaults of a dense layer's config; a generated config{i} derives
// from it and sets every member.
struct dense_config {
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> accum_t;
  typedef ap_uint<1> index_t;  // used by compressed weights only

  static const unsigned n_in = 10;
  static const unsigned n_out = 10;

  static const unsigned io_type = io_parallel;
  static const unsigned strategy = latency;
  static const unsigned reuse_factor = 1;
  static const bool store_weights_in_bram = false;
  static const unsigned n_zeros = 0;
  static const unsigned n_nonzeros = n_in * n_out;
  static const unsigned multiplier_limit =
      DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;

  template <class data_T, class res_T, class CONFIG_T>
  using kernel = DenseLatency<data_T, res_T, CONFIG_T>;
  template <class x_T, class w_T>
  using product = product::mult<x_T, w_T>;
};

template <class data_T, class res_T, class CONFIG_T>
void dense(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
           const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  #pragma HLS INLINE
  CONFIG_T::template kernel<data_T, res_T, CONFIG_T>::dense(data, res, weights, biases);
}

}  // namespace nnet

#endif
