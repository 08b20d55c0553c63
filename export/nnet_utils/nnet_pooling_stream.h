// Pooling, io_stream: the line-buffer window of nnet_conv_stream.h
// gathers each pool window, and the accumulators of nnet_pooling.h reduce
// it in the same (pool row, pool column) order, so the results equal
// io_parallel pooling exactly.  No padding (pad_* = 0; a zeropad layer
// before a max pool is equivalent only for non-negative inputs); global
// pooling accumulates the pixels in arrival (row-major) order.
#ifndef NNET_POOLING_STREAM_H_
#define NNET_POOLING_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_conv_stream.h"
#include "nnet_pooling.h"
#include "nnet_stream.h"
#include "nnet_types.h"

namespace nnet {

// The per-window operation of pooling: one accumulator per channel.
template <class res_T, class CONFIG_T>
struct pool_window_op {
  template <class value_T>
  void operator()(const value_T* window, hls::stream<res_T>& res) const {
    #pragma HLS INLINE
    static const unsigned window_len = CONFIG_T::pool_height * CONFIG_T::pool_width;
    res_T out;
    PRAGMA_DATA_PACK(out)
    for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
      pool_accumulator<value_T, CONFIG_T, CONFIG_T::pool_op> acc;
      for (unsigned k = 0; k < window_len; k++) acc.add(window[k * CONFIG_T::n_filt + c]);
      out[c] = acc.template result<typename res_T::value_type>(window_len);
    }
    res.write(out);
  }
};

template <class data_T, class res_T, class CONFIG_T>
void pooling2d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  static_assert(CONFIG_T::pad_top == 0 && CONFIG_T::pad_bottom == 0 && CONFIG_T::pad_left == 0 &&
                    CONFIG_T::pad_right == 0,
                "io_stream pooling supports no padding");
  static_assert(res_T::size == CONFIG_T::n_filt, "an output pack holds n_filt channels");
  sliding_window_stream<CONFIG_T::in_height, CONFIG_T::in_width, CONFIG_T::n_filt,
                        CONFIG_T::pool_height, CONFIG_T::pool_width, CONFIG_T::stride_height,
                        CONFIG_T::stride_width, CONFIG_T::reuse_factor>(
      data, res, pool_window_op<res_T, CONFIG_T>());
}

template <class data_T, class res_T, class CONFIG_T>
void pooling1d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  #pragma HLS INLINE
  pooling2d_cl<data_T, res_T, pooling1d_as_2d<CONFIG_T> >(data, res);
}

template <class data_T, class res_T, class CONFIG_T>
void global_pooling2d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  typedef typename data_T::value_type value_T;
  static const unsigned n_pixels = CONFIG_T::in_height * CONFIG_T::in_width;
  static_assert(data_T::size == CONFIG_T::n_filt, "a stream pack holds one pixel's channels");
  pool_accumulator<value_T, CONFIG_T, CONFIG_T::pool_op> acc[CONFIG_T::n_filt];
  #pragma HLS ARRAY_PARTITION variable=acc complete
  for (unsigned p = 0; p < n_pixels; p++) {
    #pragma HLS PIPELINE
    const data_T pixel = data.read();
    for (unsigned c = 0; c < CONFIG_T::n_filt; c++) acc[c].add(pixel[c]);
  }
  // The n_filt results, as many packs as res_T's size requires.
  typename res_T::value_type out[CONFIG_T::n_filt];
  for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
    out[c] = acc[c].template result<typename res_T::value_type>(n_pixels);
  }
  write_packs<res_T, CONFIG_T::n_filt>(out, res);
}

template <class data_T, class res_T, class CONFIG_T>
void global_pooling1d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  #pragma HLS INLINE
  global_pooling2d_cl<data_T, res_T, pooling1d_as_2d<CONFIG_T> >(data, res);
}

}  // namespace nnet

#endif
