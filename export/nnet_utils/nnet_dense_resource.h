// Dense, resource strategy: block_factor = n_in*n_out/reuse_factor
// multipliers, each used reuse_factor times.  The weights are the
// TRANSPOSED Keras kernel, (n_out, n_in) in C order: weights[j*n_in + i].
//
// Arithmetic contract: acc[j] = (accum_t) biases[j]; then, in the order of
// the index walks below, acc[j] = (accum_t)(acc[j] + (accum_t) product(
// data[i], weights[j*n_in + i])); finally res[j] = cast<...>(acc[j]) as in
// dense_latency.  The terms of one output are the same as in the latency
// kernel but are added in a different order, so the results agree exactly
// only when accum_t neither rounds nor overflows on the way.
//
//   rf_leq_nin (reuse_factor <= n_in, reuse_factor divides n_in):
//     for ir in 0..RF-1, for im in 0..block_factor-1:
//       flat weight index w = ir + im*RF, i = w % n_in, j = w / n_in;
//     i.e. output j receives inputs ir, ir+RF, ir+2RF, ... in each round ir.
//   rf_gt_nin_rem0 (reuse_factor > n_in, reuse_factor % n_in == 0):
//     for ir in 0..RF-1: i = ir % n_in; for im in 0..block_factor-1:
//       j = ir / n_in + im * (RF / n_in);
//     i.e. output j receives its inputs in order 0..n_in-1, one per round.
// Zero products are skipped as in dense_latency (no change to the result).
#ifndef NNET_DENSE_RESOURCE_H_
#define NNET_DENSE_RESOURCE_H_

#include "nnet_common.h"
#include "nnet_mult.h"

namespace nnet {

// acc = bias, the first step of both walks.
template <class CONFIG_T>
void dense_resource_init(typename CONFIG_T::accum_t acc[CONFIG_T::n_out],
                         const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  #pragma HLS INLINE
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    #pragma HLS UNROLL
    acc[j] = static_cast<typename CONFIG_T::accum_t>(biases[j]);
  }
}

// acc[j] += (accum_t) product(x, w), unless the weight makes it 0.
template <class data_T, class CONFIG_T>
void dense_resource_mac(typename CONFIG_T::accum_t& acc, data_T x, typename CONFIG_T::weight_t w) {
  #pragma HLS INLINE
  typedef typename CONFIG_T::template product<data_T, typename CONFIG_T::weight_t> product_t;
  if (product_t::product_is_zero(w)) return;
  acc += static_cast<typename CONFIG_T::accum_t>(product_t::product(x, w));
}

template <class data_T, class res_T, class CONFIG_T>
void dense_resource_result(const typename CONFIG_T::accum_t acc[CONFIG_T::n_out],
                           res_T res[CONFIG_T::n_out]) {
  #pragma HLS INLINE
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
    #pragma HLS UNROLL
    res[j] = cast<data_T, res_T, CONFIG_T>(acc[j]);
  }
}

template <class data_T, class res_T, class CONFIG_T>
void dense_resource_rf_leq_nin(
    const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
    const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  static const unsigned rufactor = CONFIG_T::reuse_factor;
  static const unsigned block_factor = DIV_ROUNDUP(CONFIG_T::n_in * CONFIG_T::n_out, rufactor);
  // Consecutive multipliers that feed the same output.
  static const unsigned multscale = CONFIG_T::n_in / rufactor;
  static_assert(rufactor >= 1 && rufactor <= CONFIG_T::n_in && CONFIG_T::n_in % rufactor == 0,
                "dense_resource_rf_leq_nin needs a reuse factor that divides n_in");

  #pragma HLS function_instantiate variable=weights,biases
  #pragma HLS ARRAY_RESHAPE variable=weights block factor=block_factor
  #pragma HLS RESOURCE variable=weights core=ROM_nP_BRAM
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
  #pragma HLS ARRAY_PARTITION variable=acc complete

  dense_resource_init<CONFIG_T>(acc, biases);

  for (unsigned ir = 0; ir < rufactor; ir++) {
    #pragma HLS PIPELINE II=1 rewind
    unsigned w_index = ir;
    unsigned in_index = ir;
    unsigned out_index = 0;
    unsigned acc_step = 0;
    for (unsigned im = 0; im < block_factor; im++) {
      #pragma HLS UNROLL
      dense_resource_mac<data_T, CONFIG_T>(acc[out_index], data[in_index], weights[w_index]);
      w_index += rufactor;
      in_index += rufactor;
      if (in_index >= CONFIG_T::n_in) in_index = ir;
      if (++acc_step == multscale) {
        acc_step = 0;
        out_index++;
      }
    }
  }

  dense_resource_result<data_T, res_T, CONFIG_T>(acc, res);
}

template <class data_T, class res_T, class CONFIG_T>
void dense_resource_rf_gt_nin_rem0(
    const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
    const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  static const unsigned rufactor = CONFIG_T::reuse_factor;
  static const unsigned block_factor = DIV_ROUNDUP(CONFIG_T::n_in * CONFIG_T::n_out, rufactor);
  static const unsigned outscale = rufactor / CONFIG_T::n_in;
  static_assert(rufactor > CONFIG_T::n_in && rufactor % CONFIG_T::n_in == 0 &&
                    (CONFIG_T::n_in * CONFIG_T::n_out) % rufactor == 0,
                "dense_resource_rf_gt_nin_rem0 needs a reuse factor that is a multiple of n_in "
                "and divides n_in*n_out");

  #pragma HLS function_instantiate variable=weights,biases
  #pragma HLS ARRAY_RESHAPE variable=weights block factor=block_factor
  #pragma HLS RESOURCE variable=weights core=ROM_nP_BRAM
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
  #pragma HLS ARRAY_PARTITION variable=acc complete

  dense_resource_init<CONFIG_T>(acc, biases);

  for (unsigned ir = 0; ir < rufactor; ir++) {
    #pragma HLS PIPELINE II=1 rewind
    const unsigned in_index = ir % CONFIG_T::n_in;
    unsigned w_index = ir;
    unsigned out_index = ir / CONFIG_T::n_in;
    for (unsigned im = 0; im < block_factor; im++) {
      #pragma HLS UNROLL
      dense_resource_mac<data_T, CONFIG_T>(acc[out_index], data[in_index], weights[w_index]);
      w_index += rufactor;
      out_index += outscale;
    }
  }

  dense_resource_result<data_T, res_T, CONFIG_T>(acc, res);
}

// The kernels named by a config's `kernel` alias.
template <class data_T, class res_T, class CONFIG_T>
struct DenseResource_rf_leq_nin {
  static void dense(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
                    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    dense_resource_rf_leq_nin<data_T, res_T, CONFIG_T>(data, res, weights, biases);
  }
};

template <class data_T, class res_T, class CONFIG_T>
struct DenseResource_rf_gt_nin_rem0 {
  static void dense(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
                    const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
                    const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    dense_resource_rf_gt_nin_rem0<data_T, res_T, CONFIG_T>(data, res, weights, biases);
  }
};

}  // namespace nnet

#endif
