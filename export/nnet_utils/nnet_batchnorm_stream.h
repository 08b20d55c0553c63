// Batch normalization and the threshold fusions, io_stream: the io_parallel
// functions of nnet_batchnorm.h on each pack when a pack is one pixel's
// n_filt channels (scale index = channel), or on the whole vector when
// n_filt == -1 (scale index = position).  Same arithmetic as io_parallel.
#ifndef NNET_BATCHNORM_STREAM_H_
#define NNET_BATCHNORM_STREAM_H_

#include "hls_stream.h"
#include "nnet_batchnorm.h"
#include "nnet_common.h"
#include "nnet_stream.h"
#include "nnet_types.h"

namespace nnet {

// Runs KERNEL_CALL(in_data, out_data, cfg) once per pixel pack or once on
// the whole vector, as described above.
#define NNET_NORM_STREAM_BODY(KERNEL_CALL)                                              \
  typedef typename data_T::value_type in_T;                                             \
  typedef typename res_T::value_type out_T;                                             \
  static_assert(data_T::size == res_T::size, "input and output packs differ");          \
  static_assert(CONFIG_T::n_filt == -1 || unsigned(CONFIG_T::n_filt) == data_T::size,   \
                "a channels-last stream carries one pixel's n_filt channels per pack"); \
  if (CONFIG_T::n_filt == -1) {                                                         \
    typedef CONFIG_T cfg;                                                               \
    in_T in_data[CONFIG_T::n_in];                                                       \
    out_T out_data[CONFIG_T::n_in];                                                     \
    read_packs<data_T, CONFIG_T::n_in>(data, in_data);                                  \
    KERNEL_CALL;                                                                        \
    write_packs<res_T, CONFIG_T::n_in>(out_data, res);                                  \
  } else {                                                                              \
    typedef pack_config<CONFIG_T, data_T::size> cfg;                                    \
    for (unsigned p = 0; p < CONFIG_T::n_in / data_T::size; p++) {                      \
      NNET_PRAGMA(HLS PIPELINE)                                                         \
      const data_T in = data.read();                                                    \
      res_T out;                                                                        \
      PRAGMA_DATA_PACK(out)                                                             \
      const in_T* in_data = in.data;                                                    \
      out_T* out_data = out.data;                                                       \
      KERNEL_CALL;                                                                      \
      res.write(out);                                                                   \
    }                                                                                   \
  }

template <class data_T, class res_T, class CONFIG_T>
void normalize(hls::stream<data_T>& data, hls::stream<res_T>& res,
               const typename CONFIG_T::scale_t scale[CONFIG_T::n_scale_bias],
               const typename CONFIG_T::bias_t bias[CONFIG_T::n_scale_bias]) {
  NNET_NORM_STREAM_BODY((normalize<in_T, out_T, cfg>(in_data, out_data, scale, bias)))
}

template <class data_T, class res_T, class CONFIG_T>
void normalize_binary_tanh(hls::stream<data_T>& data, hls::stream<res_T>& res,
                           const typename data_T::value_type threshold[CONFIG_T::n_scale_bias]) {
  NNET_NORM_STREAM_BODY((normalize_binary_tanh<in_T, cfg>(in_data, out_data, threshold)))
}

template <class data_T, class res_T, class CONFIG_T>
void normalize_ternary_tanh(
    hls::stream<data_T>& data, hls::stream<res_T>& res,
    const typename data_T::value_type threshold_hi[CONFIG_T::n_scale_bias],
    const typename data_T::value_type threshold_lo[CONFIG_T::n_scale_bias]) {
  NNET_NORM_STREAM_BODY(
      (normalize_ternary_tanh<in_T, cfg>(in_data, out_data, threshold_hi, threshold_lo)))
}
#undef NNET_NORM_STREAM_BODY

}  // namespace nnet

#endif
