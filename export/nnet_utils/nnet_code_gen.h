// Per-layer code written by the project generator (hls4ml writes its
// im2col fill_buffer functions here).  nnet's convolutions use the generic
// im2col of nnet_im2col.h, so a project needs nothing here unless the
// generator adds code at the marker below.
#ifndef NNET_CODE_GEN_H_
#define NNET_CODE_GEN_H_

#include "nnet_common.h"

namespace nnet {

// hls4ml insert code

}  // namespace nnet

#endif
