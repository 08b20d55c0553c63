// Dense layer, io_stream: reads the n_in inputs (n_in / data_T::size
// packs), runs the same kernel as io_parallel (nnet_dense.h), writes the
// n_out results as packs.  Numerically identical to io_parallel.
#ifndef NNET_DENSE_STREAM_H_
#define NNET_DENSE_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_dense.h"
#include "nnet_stream.h"
#include "nnet_types.h"

namespace nnet {

template <class data_T, class res_T, class CONFIG_T>
void dense(hls::stream<data_T>& data_stream, hls::stream<res_T>& res_stream,
           const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  typename data_T::value_type data[CONFIG_T::n_in];
  #pragma HLS ARRAY_PARTITION variable=data complete
  typename res_T::value_type res[CONFIG_T::n_out];
  #pragma HLS ARRAY_PARTITION variable=res complete

  read_packs<data_T, CONFIG_T::n_in>(data_stream, data);
  dense<typename data_T::value_type, typename res_T::value_type, CONFIG_T>(data, res, weights,
                                                                           biases);
  write_packs<res_T, CONFIG_T::n_out>(res, res_stream);
}

}  // namespace nnet

#endif
