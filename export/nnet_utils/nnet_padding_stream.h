// Zero padding, io_stream: reads the in_height x in_width pixel packs and
// writes out_height x out_width packs, zero packs around the image
// (values stored into res_T's element type, as in nnet_padding.h).
#ifndef NNET_PADDING_STREAM_H_
#define NNET_PADDING_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_padding.h"
#include "nnet_types.h"

namespace nnet {

template <class data_T, class res_T, class CONFIG_T>
void zeropad2d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  static_assert(data_T::size == CONFIG_T::n_chan && res_T::size == CONFIG_T::n_chan,
                "a stream pack must hold one pixel's channels");
  for (unsigned y = 0; y < CONFIG_T::out_height; y++) {
    for (unsigned x = 0; x < CONFIG_T::out_width; x++) {
      #pragma HLS PIPELINE
      unsigned iy = 0, ix = 0;
      res_T out;
      PRAGMA_DATA_PACK(out)
      if (padded_inside<CONFIG_T>(y, x, iy, ix)) {
        const data_T in = data.read();
        for (unsigned c = 0; c < CONFIG_T::n_chan; c++) out[c] = in[c];
      } else {
        for (unsigned c = 0; c < CONFIG_T::n_chan; c++) out[c] = 0;
      }
      res.write(out);
    }
  }
}

template <class data_T, class res_T, class CONFIG_T>
void zeropad1d_cl(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  #pragma HLS INLINE
  zeropad2d_cl<data_T, res_T, padding1d_as_2d<CONFIG_T> >(data, res);
}

}  // namespace nnet

#endif
