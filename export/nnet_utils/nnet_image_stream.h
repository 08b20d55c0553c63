// Nearest-neighbour resizing, io_stream: reads the image (one pack per
// pixel), resizes it as nnet_image.h does and writes the resized pixels.
#ifndef NNET_IMAGE_STREAM_H_
#define NNET_IMAGE_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_image.h"
#include "nnet_stream.h"
#include "nnet_types.h"

namespace nnet {

template <class data_T, class CONFIG_T>
void resize_nearest(hls::stream<data_T>& image, hls::stream<data_T>& resized) {
  static const unsigned n_in = CONFIG_T::height * CONFIG_T::width * CONFIG_T::n_chan;
  static const unsigned n_out = CONFIG_T::new_height * CONFIG_T::new_width * CONFIG_T::n_chan;
  typename data_T::value_type in[n_in];
  typename data_T::value_type out[n_out];
  read_packs<data_T, n_in>(image, in);
  resize_nearest<typename data_T::value_type, CONFIG_T>(in, out);
  write_packs<data_T, n_out>(out, resized);
}

}  // namespace nnet

#endif
