// Conv2D, io_stream: one input pack per pixel (n_chan channels), one output
// pack per output pixel (n_filt channels).  The line-buffer window of
// nnet_conv_stream.h gathers each receptive field in im2col order and
// mult_config's dense kernel computes it, so the result equals io_parallel
// conv_2d_cl exactly.  Padding must be a preceding zeropad2d_cl (pad_* = 0
// here); dilation 1.
#ifndef NNET_CONV2D_STREAM_H_
#define NNET_CONV2D_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_conv2d.h"
#include "nnet_conv_stream.h"
#include "nnet_types.h"

namespace nnet {

// The per-window operation of a convolution: the dense of one output pixel.
template <class res_T, class CONFIG_T>
struct conv_window_op {
  const typename CONFIG_T::weight_t* weights;
  const typename CONFIG_T::bias_t* biases;

  template <class value_T>
  void operator()(const value_T* window, hls::stream<res_T>& res) const {
    #pragma HLS INLINE
    typedef typename CONFIG_T::mult_config mult_config;
    static_assert(res_T::size == CONFIG_T::n_filt, "an output pack holds n_filt channels");
    res_T out;
    PRAGMA_DATA_PACK(out)
    mult_config::template kernel<value_T, typename res_T::value_type, mult_config>::dense(
        window, out.data, weights, biases);
    res.write(out);
  }
};

template <class data_T, class res_T, class CONFIG_T>
void conv_2d_cl(
    hls::stream<data_T>& data, hls::stream<res_T>& res,
    const typename CONFIG_T::weight_t
        weights[CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan * CONFIG_T::n_filt],
    const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  static_assert(CONFIG_T::pad_top == 0 && CONFIG_T::pad_bottom == 0 && CONFIG_T::pad_left == 0 &&
                    CONFIG_T::pad_right == 0,
                "io_stream convolution pads in a separate zeropad2d_cl layer");
  static_assert(CONFIG_T::dilation_height == 1 && CONFIG_T::dilation_width == 1,
                "io_stream convolution supports dilation 1 only");
  const conv_window_op<res_T, CONFIG_T> op = {weights, biases};
  sliding_window_stream<CONFIG_T::in_height, CONFIG_T::in_width, CONFIG_T::n_chan,
                        CONFIG_T::filt_height, CONFIG_T::filt_width, CONFIG_T::stride_height,
                        CONFIG_T::stride_width, CONFIG_T::reuse_factor>(data, res, op);
}

}  // namespace nnet

#endif
