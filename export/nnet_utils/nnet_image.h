// Nearest-neighbour resizing (Keras UpSampling1D/2D, interpolation
// 'nearest'), channels-last: output pixel (i, j) copies input pixel
// (floor(i * height / new_height), floor(j * width / new_width)), i.e. each
// input pixel repeated new_height/height x new_width/width times for integer
// factors.  UpSampling1D is the case height = new_height = 1.  Values are
// copied unchanged (same type in and out).
#ifndef NNET_IMAGE_H_
#define NNET_IMAGE_H_

#include "nnet_common.h"

namespace nnet {

struct resize_config {
  static const unsigned height = 10;
  static const unsigned width = 10;
  static const unsigned n_chan = 10;
  static const unsigned new_height = 10;
  static const unsigned new_width = 10;
};

template <class data_T, class CONFIG_T>
void resize_nearest(const data_T image[CONFIG_T::height * CONFIG_T::width * CONFIG_T::n_chan],
                    data_T resized[CONFIG_T::new_height * CONFIG_T::new_width * CONFIG_T::n_chan]) {
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::new_height; i++) {
    const unsigned y = i * CONFIG_T::height / CONFIG_T::new_height;
    for (unsigned j = 0; j < CONFIG_T::new_width; j++) {
      const unsigned x = j * CONFIG_T::width / CONFIG_T::new_width;
      for (unsigned c = 0; c < CONFIG_T::n_chan; c++) {
        resized[(i * CONFIG_T::new_width + j) * CONFIG_T::n_chan + c] =
            image[(y * CONFIG_T::width + x) * CONFIG_T::n_chan + c];
      }
    }
  }
}

}  // namespace nnet

#endif
