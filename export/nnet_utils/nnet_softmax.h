// Softmax (included by nnet_activation.h), io_parallel, over slices of
// n_slice values: n_in = n_outer * n_slice * n_inner, element k of slice
// (outer, inner) at outer*n_slice*n_inner + k*n_inner + inner (n_inner = 1
// for the last axis).  The implementation is chosen by
// CONFIG_T::implementation; the arithmetic of each:
//
// latency: e[i] = (accum_t) exp_table[idx<data_T, exp_table_size>(x[i])],
//   exp_table[k] = (exp_table_t) exp(val<data_T>(k) * exp_scale);
// stable: m = reduce<data_T, n_slice, Op_max>(x); d[i] = (inp_norm_t)(m - x[i]);
//   e[i] = (accum_t) exp_table[idx<inp_norm_t, exp_table_size>(d[i])],
//   exp_table[k] = (exp_table_t) exp(-val<inp_norm_t>(k) * exp_scale);
// then both: s = (inv_inp_t) reduce<accum_t, n_slice, Op_add>(e) (tree of
//   nnet_common.h, every node in accum_t); r = invert_table[idx<inv_inp_t,
//   inv_table_size>(s)], invert_table[k] = (inv_table_t)(1 / val<inv_inp_t>(k))
//   (max_value<inv_table_t>() where val is 0); res[i] = (res_T)(e[i] * r).
// Here idx<T, N>(v) is the top log2(N) bits of v's code and val<T, N>(k) the
// value with top bits k, other bits 0 (nnet_lut.h); tables are computed in
// double.
//
// legacy (hls4ml <= 0.2): table_t tables of table_size entries, exp over
//   [-8, 8) and 1/x over [0, 64) (table_input / table_index of nnet_lut.h;
//   entry 0 of the inverse is max_value<table_t>()).  For each i:
//   sum = (table_t) 0; for j in order: sum += (j == i ? 1 : exp_table[
//   table_index<-8, 8>(x[j] - x[i])]) (each partial sum stored in table_t);
//   res[i] = (res_T) invert_table[table_index<0, 64>(sum)].
// argmax: res[i] = 1 for the first maximal x[i] (strict >), else 0.
#ifndef NNET_SOFTMAX_H_
#define NNET_SOFTMAX_H_

#include <cmath>

#include "ap_fixed.h"
#include "nnet_common.h"
#include "nnet_lut.h"

namespace nnet {

enum class softmax_implementation { latency = 0, legacy = 1, stable = 2, argmax = 3 };

struct softmax_config {
  static const unsigned n_in = 10;
  static const unsigned n_slice = 10;
  static const unsigned n_outer = 1;
  static const unsigned n_inner = 1;
  static const int axis = -1;
  static const int parallelization_factor = -1;
  static const unsigned table_size = 1024;
  static const unsigned exp_table_size = 1024;
  static const unsigned inv_table_size = 1024;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
  static const softmax_implementation implementation = softmax_implementation::stable;
  static constexpr float exp_scale = 1.0;
  typedef ap_fixed<18, 8> table_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> exp_table_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> inv_table_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> accum_t;
  typedef ap_fixed<18, 8, AP_RND, AP_SAT> inv_inp_t;
  typedef ap_ufixed<15, 5> inp_norm_t;  // for an ap_fixed<16,6> input
};

// exp_table[k] = exp(sign * val<in_T>(k) * exp_scale).
template <class in_T, class CONFIG_T>
void init_exp_table(typename CONFIG_T::exp_table_t table_out[CONFIG_T::exp_table_size],
                    double sign) {
  for (unsigned k = 0; k < CONFIG_T::exp_table_size; k++) {
    const double x = softmax_real_val_from_idx<in_T, CONFIG_T::exp_table_size>(k);
    table_out[k] = std::exp(sign * x * double(CONFIG_T::exp_scale));
  }
}

// invert_table[k] = 1 / val<inv_inp_t>(k), the type's largest value for 0.
template <class CONFIG_T>
void init_invert_table(typename CONFIG_T::inv_table_t table_out[CONFIG_T::inv_table_size]) {
  typedef typename CONFIG_T::inv_table_t table_T;
  for (unsigned k = 0; k < CONFIG_T::inv_table_size; k++) {
    const double x =
        softmax_real_val_from_idx<typename CONFIG_T::inv_inp_t, CONFIG_T::inv_table_size>(k);
    table_out[k] = x == 0 ? max_value<table_T>() : table_T(1.0 / x);
  }
}

// The common tail of latency and stable: sum, invert, scale.
template <class res_T, class CONFIG_T>
void softmax_normalize(const typename CONFIG_T::accum_t exp_res[CONFIG_T::n_slice],
                       res_T res[CONFIG_T::n_slice]) {
  #pragma HLS INLINE
  typedef typename CONFIG_T::accum_t accum_t;
  NNET_LOOKUP_TABLE(typename CONFIG_T::inv_table_t, invert_table, CONFIG_T::inv_table_size,
                    init_invert_table<CONFIG_T>(invert_table));
  const typename CONFIG_T::inv_inp_t exp_sum =
      reduce<accum_t, CONFIG_T::n_slice, Op_add<accum_t> >(exp_res, Op_add<accum_t>());
  const typename CONFIG_T::inv_table_t inv_exp_sum =
      invert_table[softmax_idx_from_real_val<typename CONFIG_T::inv_inp_t,
                                             CONFIG_T::inv_table_size>(exp_sum)];
  for (unsigned i = 0; i < CONFIG_T::n_slice; i++) {
    #pragma HLS UNROLL
    res[i] = exp_res[i] * inv_exp_sum;
  }
}

template <class data_T, class res_T, class CONFIG_T>
void softmax_latency(const data_T data[CONFIG_T::n_slice], res_T res[CONFIG_T::n_slice]) {
  #pragma HLS PIPELINE
  NNET_LOOKUP_TABLE(typename CONFIG_T::exp_table_t, exp_table, CONFIG_T::exp_table_size,
                    init_exp_table<data_T, CONFIG_T>(exp_table, 1.0));
  typename CONFIG_T::accum_t exp_res[CONFIG_T::n_slice];
  #pragma HLS ARRAY_PARTITION variable=exp_res complete
  for (unsigned i = 0; i < CONFIG_T::n_slice; i++) {
    #pragma HLS UNROLL
    exp_res[i] = exp_table[softmax_idx_from_real_val<data_T, CONFIG_T::exp_table_size>(data[i])];
  }
  softmax_normalize<res_T, CONFIG_T>(exp_res, res);
}

template <class data_T, class res_T, class CONFIG_T>
void softmax_stable(const data_T data[CONFIG_T::n_slice], res_T res[CONFIG_T::n_slice]) {
  #pragma HLS PIPELINE
  typedef typename CONFIG_T::inp_norm_t inp_norm_t;
  NNET_LOOKUP_TABLE(typename CONFIG_T::exp_table_t, exp_table, CONFIG_T::exp_table_size,
                    init_exp_table<inp_norm_t, CONFIG_T>(exp_table, -1.0));
  const data_T x_max = reduce<data_T, CONFIG_T::n_slice, Op_max<data_T> >(data, Op_max<data_T>());
  typename CONFIG_T::accum_t exp_res[CONFIG_T::n_slice];
  #pragma HLS ARRAY_PARTITION variable=exp_res complete
  for (unsigned i = 0; i < CONFIG_T::n_slice; i++) {
    #pragma HLS UNROLL
    const inp_norm_t d = x_max - data[i];
    exp_res[i] = exp_table[softmax_idx_from_real_val<inp_norm_t, CONFIG_T::exp_table_size>(d)];
  }
  softmax_normalize<res_T, CONFIG_T>(exp_res, res);
}

// legacy's inverse table: 1/x over [0, 64), with 1/0 stored as table_T's
// largest value.
template <class table_T, unsigned N>
void init_legacy_invert_table(table_T table_out[N]) {
  for (unsigned k = 0; k < N; k++) {
    const double x = table_input<N, 0, 64>(k);
    table_out[k] = x == 0 ? max_value<table_T>() : table_T(1.0 / x);
  }
}

template <class data_T, class res_T, class CONFIG_T>
void softmax_legacy(const data_T data[CONFIG_T::n_slice], res_T res[CONFIG_T::n_slice]) {
  typedef typename CONFIG_T::table_t table_T;
  static const unsigned N = CONFIG_T::table_size;
  NNET_LOOKUP_TABLE(table_T, exp_table, N, init_range_table<table_T, N, -8, 8, exp_fcn>(exp_table));
  NNET_LOOKUP_TABLE(table_T, invert_table, N, init_legacy_invert_table<table_T, N>(invert_table));
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_slice; i++) {
    table_T exp_sum = 0;
    for (unsigned j = 0; j < CONFIG_T::n_slice; j++) {
      if (j == i) {
        exp_sum += 1;
      } else {
        exp_sum += exp_table[table_index<decltype(data[j] - data[i]), N, -8, 8>(data[j] - data[i])];
      }
    }
    res[i] = invert_table[table_index<table_T, N, 0, 64>(exp_sum)];
  }
}

template <class data_T, class res_T, class CONFIG_T>
void softmax_argmax(const data_T data[CONFIG_T::n_slice], res_T res[CONFIG_T::n_slice]) {
  #pragma HLS PIPELINE
  unsigned best = 0;
  for (unsigned i = 1; i < CONFIG_T::n_slice; i++) {
    if (data[i] > data[best]) best = i;
  }
  for (unsigned i = 0; i < CONFIG_T::n_slice; i++) {
    res[i] = i == best ? 1 : 0;
  }
}

// Compile-time choice of the implementation by overloading on a tag: only
// the chosen one is instantiated, so a config needs only the types its
// implementation uses.
template <softmax_implementation I>
struct softmax_tag {};

template <class data_T, class res_T, class CONFIG_T>
void softmax_slice(const data_T* data, res_T* res, softmax_tag<softmax_implementation::latency>) {
  softmax_latency<data_T, res_T, CONFIG_T>(data, res);
}
template <class data_T, class res_T, class CONFIG_T>
void softmax_slice(const data_T* data, res_T* res, softmax_tag<softmax_implementation::stable>) {
  softmax_stable<data_T, res_T, CONFIG_T>(data, res);
}
template <class data_T, class res_T, class CONFIG_T>
void softmax_slice(const data_T* data, res_T* res, softmax_tag<softmax_implementation::legacy>) {
  softmax_legacy<data_T, res_T, CONFIG_T>(data, res);
}
template <class data_T, class res_T, class CONFIG_T>
void softmax_slice(const data_T* data, res_T* res, softmax_tag<softmax_implementation::argmax>) {
  softmax_argmax<data_T, res_T, CONFIG_T>(data, res);
}

template <class data_T, class res_T, class CONFIG_T>
void softmax(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS INLINE
  static_assert(CONFIG_T::n_outer * CONFIG_T::n_slice * CONFIG_T::n_inner == CONFIG_T::n_in,
                "softmax: n_in must be n_outer * n_slice * n_inner");
  typedef softmax_tag<CONFIG_T::implementation> tag;
  if (CONFIG_T::n_outer == 1 && CONFIG_T::n_inner == 1) {
    softmax_slice<data_T, res_T, CONFIG_T>(data, res, tag());
    return;
  }
  data_T slice_in[CONFIG_T::n_slice];
  res_T slice_out[CONFIG_T::n_slice];
  for (unsigned outer = 0; outer < CONFIG_T::n_outer; outer++) {
    for (unsigned inner = 0; inner < CONFIG_T::n_inner; inner++) {
      const unsigned base = outer * CONFIG_T::n_slice * CONFIG_T::n_inner + inner;
      for (unsigned k = 0; k < CONFIG_T::n_slice; k++) {
        slice_in[k] = data[base + k * CONFIG_T::n_inner];
      }
      softmax_slice<data_T, res_T, CONFIG_T>(slice_in, slice_out, tag());
      for (unsigned k = 0; k < CONFIG_T::n_slice; k++) {
        res[base + k * CONFIG_T::n_inner] = slice_out[k];
      }
    }
  }
}

}  // namespace nnet

#endif
