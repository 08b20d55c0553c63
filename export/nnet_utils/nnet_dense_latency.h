// Dense, latency strategy: every product in parallel (one multiplier each,
// fewer when reuse_factor > 1), then one accumulator per output.
//
// Arithmetic contract (what the emulator reproduces):
//   1. acc[j] = (accum_t) biases[j];
//   2. for i = 0 .. n_in-1 (outer), j = 0 .. n_out-1 (inner):
//      p = (accum_t) product(data[i], weights[i*n_out + j])
//        -- the exact product (nnet_mult.h) stored into accum_t;
//      acc[j] = (accum_t)(acc[j] + p)
//        -- a sequential sum in input order, each partial sum stored into
//        accum_t (so a narrow accum_t wraps or saturates step by step);
//   3. res[j] = cast<data_T, res_T, CONFIG_T>(acc[j]): (res_T) acc[j], or
//      for the xnor case (data and weights ap_uint<1>) 2*acc[j] - n_in.
// Weights are the Keras kernel (n_in, n_out) in C order.  Terms whose
// weight makes the product 0 (product_is_zero) are skipped: no multiplier,
// no addition, the same result.
#ifndef NNET_DENSE_LATENCY_H_
#define NNET_DENSE_LATENCY_H_

#include "nnet_common.h"
#include "nnet_mult.h"

namespace nnet {

template <class data_T, class res_T, class CONFIG_T>
void dense_latency(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
                   const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                   const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  typedef typename CONFIG_T::accum_t accum_t;
  typedef typename CONFIG_T::template product<data_T, typename CONFIG_T::weight_t> product_t;

  accum_t acc[CONFIG_T::n_out];

  // Each layer gets its own copy of the kernel with its constant weights.
  #pragma HLS function_instantiate variable=weights,biases
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  #pragma HLS ARRAY_PARTITION variable=biases complete
  #pragma HLS ARRAY_PARTITION variable=acc complete
  #pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit

  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    acc[j] = static_cast<accum_t>(biases[j]);
  }

  // Fully unrolled by the pipeline, this is hls4ml's products-then-sums
  // network; written as one loop nest it C-simulates several times faster.
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const data_T cache = data[i];
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
      const unsigned index = i * CONFIG_T::n_out + j;
      if (product_t::product_is_zero(weights[index])) continue;
      acc[j] += static_cast<accum_t>(product_t::product(cache, weights[index]));
    }
  }

  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    res[j] = cast<data_T, res_T, CONFIG_T>(acc[j]);
  }
}

// The kernel named by a config's `kernel` alias.
template <class data_T, class res_T, class CONFIG_T>
struct DenseLatency {
  static void dense(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
                    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    dense_latency<data_T, res_T, CONFIG_T>(data, res, weights, biases);
  }
};

}  // namespace nnet

#endif
