// Zero padding, channels-last: res is data surrounded by pad_* zero
// pixels (values stored into res_T; normally the same type, so unchanged).
// io_stream convolution and pooling need it as a separate layer.
#ifndef NNET_PADDING_H_
#define NNET_PADDING_H_

#include "nnet_common.h"

namespace nnet {

struct padding1d_config {
  static const unsigned n_chan = 1;
  static const unsigned in_width = 10;
  static const unsigned out_width = 10;
  static const unsigned pad_left = 0;
  static const unsigned pad_right = 0;
};

struct padding2d_config {
  static const unsigned n_chan = 1;
  static const unsigned in_height = 10;
  static const unsigned in_width = 10;
  static const unsigned out_height = 10;
  static const unsigned out_width = 10;
  static const unsigned pad_top = 0;
  static const unsigned pad_bottom = 0;
  static const unsigned pad_left = 0;
  static const unsigned pad_right = 0;
};

// Whether padded position (y, x) lies inside the original image, and where.
template <class CONFIG_T>
bool padded_inside(unsigned y, unsigned x, unsigned& iy, unsigned& ix) {
  #pragma HLS INLINE
  if (y < CONFIG_T::pad_top || y >= CONFIG_T::pad_top + CONFIG_T::in_height) return false;
  if (x < CONFIG_T::pad_left || x >= CONFIG_T::pad_left + CONFIG_T::in_width) return false;
  iy = y - CONFIG_T::pad_top;
  ix = x - CONFIG_T::pad_left;
  return true;
}

// A 1-D layer is a 2-D one of height 1.
template <class CONFIG_T>
struct padding1d_as_2d : CONFIG_T {
  static const unsigned in_height = 1;
  static const unsigned out_height = 1;
  static const unsigned pad_top = 0;
  static const unsigned pad_bottom = 0;
};

template <class data_T, class res_T, class CONFIG_T>
void zeropad2d_cl(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                  res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
  #pragma HLS PIPELINE
  static_assert(
      CONFIG_T::out_height == CONFIG_T::in_height + CONFIG_T::pad_top + CONFIG_T::pad_bottom &&
          CONFIG_T::out_width == CONFIG_T::in_width + CONFIG_T::pad_left + CONFIG_T::pad_right,
      "zeropad: out = in + pads");
  for (unsigned y = 0; y < CONFIG_T::out_height; y++) {
    for (unsigned x = 0; x < CONFIG_T::out_width; x++) {
      unsigned iy = 0, ix = 0;
      const bool inside = padded_inside<CONFIG_T>(y, x, iy, ix);
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
        res[(y * CONFIG_T::out_width + x) * CONFIG_T::n_chan + c] =
            inside ? res_T(data[(iy * CONFIG_T::in_width + ix) * CONFIG_T::n_chan + c]) : res_T(0);
      }
    }
  }
}

template <class data_T, class res_T, class CONFIG_T>
void zeropad1d_cl(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan],
                  res_T res[CONFIG_T::out_width * CONFIG_T::n_chan]) {
  #pragma HLS INLINE
  zeropad2d_cl<data_T, res_T, padding1d_as_2d<CONFIG_T> >(data, res);
}

}  // namespace nnet

#endif
