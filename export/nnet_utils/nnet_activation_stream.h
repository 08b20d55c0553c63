// Activations, io_stream.  Element-wise activations run the io_parallel
// function of nnet_activation.h on one pack at a time (a config with n_in =
// pack size, so lookup tables and thresholds are the same); softmax reads
// all n_in values, runs the io_parallel softmax and writes them back.  So
// the arithmetic is exactly that of io_parallel.
#ifndef NNET_ACTIVATION_STREAM_H_
#define NNET_ACTIVATION_STREAM_H_

#include "hls_stream.h"
#include "nnet_activation.h"
#include "nnet_common.h"
#include "nnet_stream.h"
#include "nnet_types.h"

namespace nnet {

// For each pack: res_pack = KERNEL applied to in_pack, where KERNEL is an
// io_parallel activation called with (template arguments..., pack config).
#define NNET_PACKWISE_LOOP(KERNEL_CALL)                                          \
  static_assert(data_T::size == res_T::size, "input and output packs differ");   \
  static_assert(CONFIG_T::n_in % data_T::size == 0, "n_in must be whole packs"); \
  for (unsigned p = 0; p < CONFIG_T::n_in / data_T::size; p++) {                 \
    NNET_PRAGMA(HLS PIPELINE)                                                    \
    typedef typename data_T::value_type in_T;                                    \
    typedef typename res_T::value_type out_T;                                    \
    typedef pack_config<CONFIG_T, data_T::size> pack_cfg;                        \
    const data_T in = data.read();                                               \
    res_T out;                                                                   \
    PRAGMA_DATA_PACK(out)                                                        \
    KERNEL_CALL;                                                                 \
    res.write(out);                                                              \
  }

#define NNET_PACKWISE_ACTIVATION(NAME)                                   \
  template <class data_T, class res_T, class CONFIG_T>                   \
  void NAME(hls::stream<data_T>& data, hls::stream<res_T>& res) {        \
    NNET_PACKWISE_LOOP((NAME<in_T, out_T, pack_cfg>(in.data, out.data))) \
  }

NNET_PACKWISE_ACTIVATION(linear)
NNET_PACKWISE_ACTIVATION(relu)
NNET_PACKWISE_ACTIVATION(relu6)
NNET_PACKWISE_ACTIVATION(relu1)
NNET_PACKWISE_ACTIVATION(sigmoid)
NNET_PACKWISE_ACTIVATION(tanh)
NNET_PACKWISE_ACTIVATION(hard_sigmoid)
NNET_PACKWISE_ACTIVATION(hard_tanh)
NNET_PACKWISE_ACTIVATION(binary_tanh)
NNET_PACKWISE_ACTIVATION(ternary_tanh)
#undef NNET_PACKWISE_ACTIVATION

template <class data_T, class res_T, int MAX_INT, class CONFIG_T>
void relu_max(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  NNET_PACKWISE_LOOP((relu_max<in_T, out_T, MAX_INT, pack_cfg>(in.data, out.data)))
}

template <class data_T, class param_T, class res_T, class CONFIG_T>
void leaky_relu(hls::stream<data_T>& data, param_T alpha, hls::stream<res_T>& res) {
  NNET_PACKWISE_LOOP((leaky_relu<in_T, param_T, out_T, pack_cfg>(in.data, alpha, out.data)))
}

template <class data_T, class param_T, class res_T, class CONFIG_T>
void thresholded_relu(hls::stream<data_T>& data, param_T theta, hls::stream<res_T>& res) {
  NNET_PACKWISE_LOOP((thresholded_relu<in_T, param_T, out_T, pack_cfg>(in.data, theta, out.data)))
}
#undef NNET_PACKWISE_LOOP

template <class data_T, class res_T, class CONFIG_T>
void softmax(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  typename data_T::value_type in[CONFIG_T::n_in];
  #pragma HLS ARRAY_PARTITION variable=in complete
  typename res_T::value_type out[CONFIG_T::n_in];
  #pragma HLS ARRAY_PARTITION variable=out complete
  read_packs<data_T, CONFIG_T::n_in>(data, in);
  softmax<typename data_T::value_type, typename res_T::value_type, CONFIG_T>(in, out);
  write_packs<res_T, CONFIG_T::n_in>(out, res);
}

}  // namespace nnet

#endif
