// The io_stream sliding window shared by convolution and pooling: an image
// arrives one pixel (one pack of C channels) at a time in row-major order;
// FH-1 line buffers (ap_shift_reg of depth = image width) hold the previous
// rows, and a window of FH x FW x C values in (kernel row, kernel column,
// channel) order -- the im2col order of io_parallel -- is kept up to date.
// When the window covers a whole, correctly strided receptive field, the
// layer's operation runs on it and writes one output pixel.  No arithmetic
// happens here; the window holds the input values unchanged, so a stream
// layer computes exactly what its io_parallel twin computes on the same
// receptive field.  Padding is a separate zeropad layer (nnet_padding.h).
#ifndef NNET_CONV_STREAM_H_
#define NNET_CONV_STREAM_H_

#include "ap_shift_reg.h"
#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_types.h"

namespace nnet {

template <class T, unsigned FH, unsigned FW, unsigned C, unsigned IN_W>
class line_buffer_window {
 public:
  static const unsigned size = FH * FW * C;

  // Shifts the window one column to the left and fills its last column
  // with the new pixel (bottom row) and the pixels above it from the line
  // buffers, which the new pixel enters.
  void push(const T pixel[C]) {
    #pragma HLS INLINE
    for (unsigned kh = 0; kh < FH; kh++) {
      for (unsigned kw = 0; kw + 1 < FW; kw++) {
        for (unsigned c = 0; c < C; c++) {
          window[(kh * FW + kw) * C + c] = window[(kh * FW + kw + 1) * C + c];
        }
      }
    }
    for (unsigned c = 0; c < C; c++) {
      T value = pixel[c];
      window[((FH - 1) * FW + FW - 1) * C + c] = value;
      for (unsigned r = 0; r + 1 < FH; r++) {
        value = lines_[r][c].shift(value);  // the pixel r + 1 rows above
        window[((FH - 2 - r) * FW + FW - 1) * C + c] = value;
      }
    }
  }

  T window[size];

 private:
  ap_shift_reg<T, IN_W> lines_[FH > 1 ? FH - 1 : 1][C];
};

// Streams an IN_H x IN_W image of C-channel packs through a window of
// FH x FW pixels with strides SH, SW (no padding) and calls
// op(window, res_stream) for every output position, in row-major order:
// after input pixel (y, x) when y >= FH-1, x >= FW-1, (y-FH+1) % SH == 0 and
// (x-FW+1) % SW == 0.
template <unsigned IN_H, unsigned IN_W, unsigned C, unsigned FH, unsigned FW, unsigned SH,
          unsigned SW, unsigned II, class data_T, class res_T, class Op>
void sliding_window_stream(hls::stream<data_T>& data, hls::stream<res_T>& res, Op op) {
  static_assert(data_T::size == C, "a stream pack must hold one pixel's channels");
  typedef typename data_T::value_type value_T;
  line_buffer_window<value_T, FH, FW, C, IN_W> window;
  #pragma HLS ARRAY_PARTITION variable=window.window complete
  for (unsigned y = 0; y < IN_H; y++) {
    for (unsigned x = 0; x < IN_W; x++) {
      #pragma HLS PIPELINE II=II
      const data_T pixel = data.read();
      window.push(pixel.data);
      if (y + 1 >= FH && x + 1 >= FW && (y + 1 - FH) % SH == 0 && (x + 1 - FW) % SW == 0) {
        op(window.window, res);
      }
    }
  }
}

}  // namespace nnet

#endif
