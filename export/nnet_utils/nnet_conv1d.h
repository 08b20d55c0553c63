// Conv1D, io_parallel, channels-last: data (in_width, n_chan) → res
// (out_width, n_filt), with padding, stride and dilation folded into the
// im2col (nnet_im2col.h, which states the arithmetic).  One implementation
// serves both strategies: the strategy is mult_config's dense kernel
// (DenseLatency with the Keras kernel order, or DenseResource_* with the
// weights transposed to (n_filt, kernel positions, n_chan)), so hls4ml's
// separate _latency / _resource headers are not needed.
#ifndef NNET_CONV1D_H_
#define NNET_CONV1D_H_

#include "nnet_common.h"
#include "nnet_im2col.h"

namespace nnet {

// How io_stream convolutions gather windows; nnet implements the line
// buffer and accepts `encoded` configs with the same (numerically
// identical) implementation.
enum class conv_implementation { linebuffer = 0, encoded = 1, pointwise = 2 };

struct conv1d_config {
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> accum_t;

  static const unsigned pad_left = 0;
  static const unsigned pad_right = 0;
  static const unsigned in_width = 10;
  static const unsigned n_chan = 1;
  static const unsigned filt_width = 1;
  static const unsigned kernel_size = filt_width;
  static const unsigned n_filt = 1;
  static const unsigned stride_width = 1;
  static const unsigned dilation = 1;
  static const unsigned out_width = 10;

  static const unsigned io_type = io_parallel;
  static const unsigned strategy = latency;
  static const unsigned reuse_factor = 1;
  static const bool store_weights_in_bram = false;
  static const unsigned n_zeros = 0;
  static const unsigned n_partitions = 1;
  static const unsigned n_pixels = out_width;
};

template <class data_T, class res_T, class CONFIG_T>
void conv_1d_cl(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan],
                res_T res[CONFIG_T::out_width * CONFIG_T::n_filt],
                const typename CONFIG_T::weight_t
                    weights[CONFIG_T::filt_width * CONFIG_T::n_chan * CONFIG_T::n_filt],
                const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
  #pragma HLS INLINE region
  conv_im2col_cl<data_T, res_T, CONFIG_T, im2col_1d<CONFIG_T> >(data, res, weights, biases);
}

}  // namespace nnet

#endif
