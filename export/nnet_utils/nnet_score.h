// Anomaly scores for autoencoder models (not in hls4ml; same style): one
// number per event, res[0].
//
// mse_score<input1_T, input2_T, res_T, CONFIG_T>(data1, data2, res[, scale]):
//   the mean squared difference between data1 (the autoencoder's input, the
//   target) and data2 (its reconstruction):
//     acc = (accum_t) 0; count = 0;
//     for i = 0 .. n_in-1 in order, skipping i where mask_zeros and
//       data1[i] == 0 exactly (zero-padded particles):
//       r = (reco_t) data2[i], or with tanh_eta_phi (ADC events: n_in = 19
//         particles x pT, η, φ) for the η and φ elements (i % 3 != 0)
//         r = (reco_t)(scale[i] * tanh_table[table_index<input2_T,
//         table_size, -4, 4>(data2[i])])  -- the product exact; the table
//         is nnet::tanh's, in table_t.  reco_t bounds the width of d.
//       d = data1[i] - r                           exact
//       acc = (accum_t)(acc + (accum_t)(d * d))    the square stored into
//                                                  accum_t, then the sum
//       count = count + 1
//     res[0] = (res_T)(acc / max(count, 1)), where acc / count is the
//       ap_fixed division by an unsigned integer: exact, then truncated
//       toward zero at accum_t's fractional bits (with no positions left
//       the score is 0, as qtrain's masked MSE).
//
// kl_score<mean_T, logvar_T, res_T, CONFIG_T>(mu, logvar, res):
//   the VAE's KL divergence D = -0.5 * sum_i (1 + logvar_i - mu_i^2 -
//   exp(logvar_i)):
//     acc = (accum_t) 0;
//     for i = 0 .. n_in-1 in order:
//       e = exp_table[table_index<logvar_T, table_size, -8, 8>(logvar[i])]
//       m = (accum_t)(mu[i] * mu[i])
//       acc = (accum_t)(acc + (accum_t)(1 + logvar[i] - m - e))
//                              -- the bracket exact, then stored into accum_t
//     res[0] = (res_T)(acc * -0.5), the product exact.
//   The exp table has table_size entries over [-8, 8), filled in double:
//   exp_table[k] = (exp_table_t) exp(-8 + 16 k / table_size), and is indexed
//   like the sigmoid table (nnet_lut.h): index = trunc0(logvar *
//   table_size / 16) + table_size / 2, clamped to [0, table_size - 1]; so
//   logvar is effectively clamped to [-8, 8) and read at the lower edge of
//   its bin (for logvar >= 0; toward zero for negative values).
//   exp_table_t must hold e^8 ~ 2981 (>= 12 integer bits unsigned).
#ifndef NNET_SCORE_H_
#define NNET_SCORE_H_

#include "ap_fixed.h"
#include "nnet_common.h"
#include "nnet_lut.h"

namespace nnet {

struct score_config {
  static const unsigned n_in = 10;
  static const bool mask_zeros = false;
  static const unsigned table_size = 1024;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<32, 16> accum_t;
  typedef ap_ufixed<24, 12> exp_table_t;
  typedef ap_fixed<16, 6> reco_t;     // the reconstruction as compared
  typedef ap_fixed<18, 8> table_t;    // tanh_eta_phi
  typedef ap_fixed<16, 6> scale_t;
};

// The masked mean of squared differences between the target and the
// reconstruction as reco_t holds it: acc += (accum_t)(d * d) over the
// counted elements, then acc / count (a count of 0 divides by 1).
template <class input1_T, class res_T, class CONFIG_T>
void mse_of(const input1_T data1[CONFIG_T::n_in], const typename CONFIG_T::reco_t reco[CONFIG_T::n_in],
            res_T res[1]) {
  #pragma HLS INLINE
  typedef typename CONFIG_T::accum_t accum_t;
  accum_t acc = 0;
  unsigned count = 0;
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    if (CONFIG_T::mask_zeros && data1[i] == 0) continue;
    const auto d = data1[i] - reco[i];
    acc += accum_t(d * d);
    count++;
  }
  res[0] = acc / (count > 0 ? count : 1u);
}

template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void mse_score(const input1_T data1[CONFIG_T::n_in], const input2_T data2[CONFIG_T::n_in],
               res_T res[1]) {
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typename CONFIG_T::reco_t reco[CONFIG_T::n_in];
  #pragma HLS ARRAY_PARTITION variable=reco complete
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) reco[i] = data2[i];
  mse_of<input1_T, res_T, CONFIG_T>(data1, reco, res);
}

// With tanh_eta_phi: the η and φ elements of the reconstruction through
// scale[i] * tanh first (the loss's transform).
template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void mse_score(const input1_T data1[CONFIG_T::n_in], const input2_T data2[CONFIG_T::n_in],
               res_T res[1], const typename CONFIG_T::scale_t scale[CONFIG_T::n_in]) {
  typedef typename CONFIG_T::table_t table_t;
  typedef typename CONFIG_T::reco_t reco_t;
  NNET_LOOKUP_TABLE(table_t, tanh_table, CONFIG_T::table_size,
                    init_range_table<table_t, CONFIG_T::table_size, -4, 4, tanh_fcn>(tanh_table));
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  reco_t reco[CONFIG_T::n_in];
  #pragma HLS ARRAY_PARTITION variable=reco complete
  for (unsigned i = 0; i < CONFIG_T::n_in; i++)
    reco[i] = i % 3 == 0 ? reco_t(data2[i])
                         : reco_t(scale[i] * tanh_table[table_index<input2_T, CONFIG_T::table_size, -4, 4>(data2[i])]);
  mse_of<input1_T, res_T, CONFIG_T>(data1, reco, res);
}

template <class mean_T, class logvar_T, class res_T, class CONFIG_T>
void kl_score(const mean_T mu[CONFIG_T::n_in], const logvar_T logvar[CONFIG_T::n_in],
              res_T res[1]) {
  typedef typename CONFIG_T::accum_t accum_t;
  typedef typename CONFIG_T::exp_table_t exp_table_t;
  NNET_LOOKUP_TABLE(exp_table_t, exp_table, CONFIG_T::table_size,
                    init_range_table<exp_table_t, CONFIG_T::table_size, -8, 8, exp_fcn>(exp_table));
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  accum_t acc = 0;
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    const exp_table_t e = exp_table[table_index<logvar_T, CONFIG_T::table_size, -8, 8>(logvar[i])];
    const accum_t m = mu[i] * mu[i];
    acc += accum_t(1 + logvar[i] - m - e);
  }
  res[0] = acc * ap_fixed<2, 0>(-0.5);
}

}  // namespace nnet

#endif
