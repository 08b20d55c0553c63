// im2col for io_parallel convolution: the receptive field of one output
// pixel gathered into a flat buffer in (kernel row, kernel column, channel)
// order, with zero where the field reaches into the padding.  Because the
// Keras kernel (fh, fw, C, F) is stored in C order, the buffer times the
// kernel is exactly a dense layer with n_in = fh*fw*C and weights[i*F + f]
// (or the transposed layout for the resource strategy).
//
// hls4ml generates a fill_buffer function per layer (nnet_code_gen.h);
// these generic templates compute the same buffer from the CONFIG_T
// geometry instead (pads, strides, dilations), so no per-layer code is
// generated.  With constant loop bounds HLS unrolls them into the same
// wiring.
#ifndef NNET_IM2COL_H_
#define NNET_IM2COL_H_

#include "nnet_common.h"
#include "nnet_dense.h"

namespace nnet {

// Output pixel `pixel` (= ow) of a 1-D convolution:
// buffer[kw*C + c] = data[iw*C + c], iw = ow*stride + kw*dilation - pad_left,
// or 0 outside [0, in_width).
template <class data_T, class CONFIG_T>
void im2col_1d_cl(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan],
                  data_T buffer[CONFIG_T::filt_width * CONFIG_T::n_chan], unsigned pixel) {
  #pragma HLS INLINE
  for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
    const int iw =
        int(pixel * CONFIG_T::stride_width + kw * CONFIG_T::dilation) - int(CONFIG_T::pad_left);
    const bool inside = iw >= 0 && iw < int(CONFIG_T::in_width);
    for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
      buffer[kw * CONFIG_T::n_chan + c] = inside ? data[iw * CONFIG_T::n_chan + c] : data_T(0);
    }
  }
}

// Output pixel `pixel` (= oh*out_width + ow) of a 2-D convolution:
// buffer[(kh*fw + kw)*C + c] = data[(ih*in_width + iw)*C + c] with
// ih = oh*stride_height + kh*dilation_height - pad_top and
// iw = ow*stride_width + kw*dilation_width - pad_left, or 0 outside the image.
template <class data_T, class CONFIG_T>
void im2col_2d_cl(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                  data_T buffer[CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan],
                  unsigned pixel) {
  #pragma HLS INLINE
  const unsigned oh = pixel / CONFIG_T::out_width;
  const unsigned ow = pixel % CONFIG_T::out_width;
  for (unsigned kh = 0; kh < CONFIG_T::filt_height; kh++) {
    const int ih =
        int(oh * CONFIG_T::stride_height + kh * CONFIG_T::dilation_height) - int(CONFIG_T::pad_top);
    for (unsigned kw = 0; kw < CONFIG_T::filt_width; kw++) {
      const int iw = int(ow * CONFIG_T::stride_width + kw * CONFIG_T::dilation_width) -
                     int(CONFIG_T::pad_left);
      const bool inside =
          ih >= 0 && ih < int(CONFIG_T::in_height) && iw >= 0 && iw < int(CONFIG_T::in_width);
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
        buffer[(kh * CONFIG_T::filt_width + kw) * CONFIG_T::n_chan + c] =
            inside ? data[(ih * CONFIG_T::in_width + iw) * CONFIG_T::n_chan + c] : data_T(0);
      }
    }
  }
}

// The im2col of a 1-D or 2-D layer as a type, for conv_im2col_cl.
template <class CONFIG_T>
struct im2col_1d {
  static const unsigned n_pixels = CONFIG_T::out_width;
  template <class data_T>
  static void fill(const data_T* data, data_T* buffer, unsigned pixel) {
    #pragma HLS INLINE
    im2col_1d_cl<data_T, CONFIG_T>(data, buffer, pixel);
  }
};
template <class CONFIG_T>
struct im2col_2d {
  static const unsigned n_pixels = CONFIG_T::out_height * CONFIG_T::out_width;
  template <class data_T>
  static void fill(const data_T* data, data_T* buffer, unsigned pixel) {
    #pragma HLS INLINE
    im2col_2d_cl<data_T, CONFIG_T>(data, buffer, pixel);
  }
};

// io_parallel convolution, channels-last: for every output pixel p,
// buffer = IM2COL::fill(data, p), then res[p*n_filt .. p*n_filt+n_filt-1] =
// mult_config::kernel::dense(buffer): exactly the dense arithmetic of
// nnet_dense_latency.h / nnet_dense_resource.h with n_in = kernel size *
// n_chan and n_out = n_filt.  The pixels are processed in n_partitions
// groups of n_pixels, one pipeline stage per group (hls4ml's
// ParallelizationFactor = n_pixels).
template <class data_T, class res_T, class CONFIG_T, class IM2COL>
void conv_im2col_cl(const data_T* data, res_T* res, const typename CONFIG_T::weight_t* weights,
                    const typename CONFIG_T::bias_t* biases) {
  typedef typename CONFIG_T::mult_config mult_config;
  static_assert(mult_config::n_out == CONFIG_T::n_filt,
                "mult_config must be the dense of one output pixel");
  static_assert(CONFIG_T::n_partitions * CONFIG_T::n_pixels == IM2COL::n_pixels,
                "n_partitions * n_pixels must be the number of output pixels");
  data_T buffer[mult_config::n_in];
  #pragma HLS ARRAY_PARTITION variable=buffer complete
  for (unsigned part = 0; part < CONFIG_T::n_partitions; part++) {
    #pragma HLS PIPELINE II=CONFIG_T::reuse_factor rewind
    for (unsigned px = 0; px < CONFIG_T::n_pixels; px++) {
      const unsigned pixel = part * CONFIG_T::n_pixels + px;
      IM2COL::fill(data, buffer, pixel);
      mult_config::template kernel<data_T, res_T, mult_config>::dense(
          buffer, res + pixel * CONFIG_T::n_filt, weights, biases);
    }
  }
}

}  // namespace nnet

#endif
