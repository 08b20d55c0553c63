// Pooling, io_parallel, channels-last: max, average, and their global
// forms.  Per output pixel and channel, over the window positions in
// (pool row, pool column) order:
//   Max:     m = max of the values, padding = the most negative value of
//            data_T (min_value); exact; res = (res_T) m.
//   Average: s = (accum_t) 0; s = (accum_t)(s + x) for each value inside
//            the image (padding adds 0); n = pool_height*pool_width if
//            count_pad, else the number of positions inside the image;
//            res = (res_T)(s / n), the division exact up to truncation toward
//            zero at accum_t's fractional bits (ap_fixed / unsigned).
// Global pooling is the same over all pixels of a channel, in row-major
// pixel order (n = number of pixels).
#ifndef NNET_POOLING_H_
#define NNET_POOLING_H_

#include "nnet_common.h"

namespace nnet {

enum Pool_Op { Max, Average };

struct pooling1d_config {
  static const unsigned n_in = 10;
  static const unsigned n_filt = 4;
  static const unsigned pool_width = 2;
  static const unsigned stride_width = 2;
  static const unsigned n_out = (n_in - pool_width) / stride_width + 1;
  static const unsigned pad_left = 0;
  static const unsigned pad_right = 0;
  static const bool count_pad = false;
  static const Pool_Op pool_op = Max;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<16, 6> accum_t;
};

struct pooling2d_config {
  static const unsigned in_height = 10;
  static const unsigned in_width = 10;
  static const unsigned n_filt = 4;
  static const unsigned stride_height = 2;
  static const unsigned stride_width = 2;
  static const unsigned pool_height = 2;
  static const unsigned pool_width = 2;
  static const unsigned out_height = (in_height - pool_height) / stride_height + 1;
  static const unsigned out_width = (in_width - pool_width) / stride_width + 1;
  static const unsigned pad_top = 0;
  static const unsigned pad_bottom = 0;
  static const unsigned pad_left = 0;
  static const unsigned pad_right = 0;
  static const bool count_pad = false;
  static const Pool_Op pool_op = Max;
  static const unsigned io_type = io_parallel;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<16, 6> accum_t;
};

// The running state of one pooled value: add() each window value in order
// (pad() for a padding position), then result(n).
template <class data_T, class CONFIG_T, Pool_Op OP>
struct pool_accumulator;

template <class data_T, class CONFIG_T>
struct pool_accumulator<data_T, CONFIG_T, Max> {
  data_T m;
  pool_accumulator() : m(min_value<data_T>()) {}
  void add(data_T x) {
    if (x > m) m = x;
  }
  void pad() {}  // min_value never wins a comparison with >
  template <class res_T>
  res_T result(unsigned) const {
    return res_T(m);
  }
};

template <class data_T, class CONFIG_T>
struct pool_accumulator<data_T, CONFIG_T, Average> {
  typename CONFIG_T::accum_t s;
  pool_accumulator() : s(0) {}
  void add(data_T x) { s += x; }
  void pad() {}  // adds 0
  template <class res_T>
  res_T result(unsigned n) const {
    return res_T(s / n);
  }
};

// 1-D pooling is 2-D pooling of an image of height 1.
template <class CONFIG_T>
struct pooling1d_as_2d : CONFIG_T {
  static const unsigned in_height = 1;
  static const unsigned in_width = CONFIG_T::n_in;
  static const unsigned out_height = 1;
  static const unsigned out_width = CONFIG_T::n_out;
  static const unsigned pool_height = 1;
  static const unsigned stride_height = 1;
  static const unsigned pad_top = 0;
  static const unsigned pad_bottom = 0;
};

template <class data_T, class res_T, class CONFIG_T>
void pooling2d_cl(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_filt],
                  res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt]) {
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typedef pool_accumulator<data_T, CONFIG_T, CONFIG_T::pool_op> accumulator;
  for (unsigned oh = 0; oh < CONFIG_T::out_height; oh++) {
    for (unsigned ow = 0; ow < CONFIG_T::out_width; ow++) {
      for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
        accumulator acc;
        unsigned n = 0;
        for (unsigned kh = 0; kh < CONFIG_T::pool_height; kh++) {
          for (unsigned kw = 0; kw < CONFIG_T::pool_width; kw++) {
            const int ih = int(oh * CONFIG_T::stride_height + kh) - int(CONFIG_T::pad_top);
            const int iw = int(ow * CONFIG_T::stride_width + kw) - int(CONFIG_T::pad_left);
            if (ih >= 0 && ih < int(CONFIG_T::in_height) && iw >= 0 &&
                iw < int(CONFIG_T::in_width)) {
              acc.add(data[(ih * CONFIG_T::in_width + iw) * CONFIG_T::n_filt + c]);
              n++;
            } else {
              acc.pad();
              if (CONFIG_T::count_pad) n++;
            }
          }
        }
        res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt + c] = acc.template result<res_T>(n);
      }
    }
  }
}

template <class data_T, class res_T, class CONFIG_T>
void pooling1d_cl(const data_T data[CONFIG_T::n_in * CONFIG_T::n_filt],
                  res_T res[CONFIG_T::n_out * CONFIG_T::n_filt]) {
  #pragma HLS INLINE
  pooling2d_cl<data_T, res_T, pooling1d_as_2d<CONFIG_T> >(data, res);
}

template <class data_T, class res_T, class CONFIG_T>
void global_pooling2d_cl(
    const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_filt],
    res_T res[CONFIG_T::n_filt]) {
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  static const unsigned n_pixels = CONFIG_T::in_height * CONFIG_T::in_width;
  for (unsigned c = 0; c < CONFIG_T::n_filt; c++) {
    pool_accumulator<data_T, CONFIG_T, CONFIG_T::pool_op> acc;
    for (unsigned p = 0; p < n_pixels; p++) acc.add(data[p * CONFIG_T::n_filt + c]);
    res[c] = acc.template result<res_T>(n_pixels);
  }
}

template <class data_T, class res_T, class CONFIG_T>
void global_pooling1d_cl(const data_T data[CONFIG_T::n_in * CONFIG_T::n_filt],
                         res_T res[CONFIG_T::n_filt]) {
  #pragma HLS INLINE
  global_pooling2d_cl<data_T, res_T, pooling1d_as_2d<CONFIG_T> >(data, res);
}

}  // namespace nnet

#endif
