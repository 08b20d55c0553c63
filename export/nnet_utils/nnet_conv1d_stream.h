// Conv1D, io_stream: the 1-D case of nnet_conv2d_stream.h (an image of one
// row; a window of filt_width pixels, no line buffer), equal to io_parallel
// conv_1d_cl.  Padding must be a preceding zeropad1d_cl; dilation 1.
#ifndef NNET_CONV1D_STREAM_H_
#define NNET_CONV1D_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_conv1d.h"
#include "nnet_conv2d_stream.h"
#include "nnet_conv_stream.h"
#include "nnet_types.h"

namespace nnet {

template <class data_T, class res_T, class CONFIG_T>
void conv_1d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res,
                const typename CONFIG_T::weight_t
                    weights[CONFIG_T::filt_width * CONFIG_T::n_chan * CONFIG_T::n_filt],
                const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  static_assert(CONFIG_T::pad_left == 0 && CONFIG_T::pad_right == 0,
                "io_stream convolution pads in a separate zeropad1d_cl layer");
  static_assert(CONFIG_T::dilation == 1, "io_stream convolution supports dilation 1 only");
  const conv_window_op<res_T, CONFIG_T> op = {weights, biases};
  sliding_window_stream<1, CONFIG_T::in_width, CONFIG_T::n_chan, 1, CONFIG_T::filt_width, 1,
                        CONFIG_T::stride_width, CONFIG_T::reuse_factor>(data, res, op);
}

}  // namespace nnet

#endif
