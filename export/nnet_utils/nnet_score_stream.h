// Anomaly scores, io_stream: both inputs read whole, the io_parallel score
// of nnet_score.h, one output pack holding the score.
#ifndef NNET_SCORE_STREAM_H_
#define NNET_SCORE_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_score.h"
#include "nnet_stream.h"
#include "nnet_types.h"

namespace nnet {

template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void mse_score(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2,
               hls::stream<res_T>& res) {
  typename input1_T::value_type in1[CONFIG_T::n_in];
  typename input2_T::value_type in2[CONFIG_T::n_in];
  typename res_T::value_type out[1];
  read_packs<input1_T, CONFIG_T::n_in>(data1, in1);
  read_packs<input2_T, CONFIG_T::n_in>(data2, in2);
  mse_score<typename input1_T::value_type, typename input2_T::value_type,
            typename res_T::value_type, CONFIG_T>(in1, in2, out);
  write_packs<res_T, 1>(out, res);
}

template <class input1_T, class input2_T, class res_T, class CONFIG_T>
void mse_score(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2,
               hls::stream<res_T>& res, const typename CONFIG_T::scale_t scale[CONFIG_T::n_in]) {
  typename input1_T::value_type in1[CONFIG_T::n_in];
  typename input2_T::value_type in2[CONFIG_T::n_in];
  typename res_T::value_type out[1];
  read_packs<input1_T, CONFIG_T::n_in>(data1, in1);
  read_packs<input2_T, CONFIG_T::n_in>(data2, in2);
  mse_score<typename input1_T::value_type, typename input2_T::value_type,
            typename res_T::value_type, CONFIG_T>(in1, in2, out, scale);
  write_packs<res_T, 1>(out, res);
}

template <class mean_T, class logvar_T, class res_T, class CONFIG_T>
void kl_score(hls::stream<mean_T>& mu, hls::stream<logvar_T>& logvar, hls::stream<res_T>& res) {
  typename mean_T::value_type in1[CONFIG_T::n_in];
  typename logvar_T::value_type in2[CONFIG_T::n_in];
  typename res_T::value_type out[1];
  read_packs<mean_T, CONFIG_T::n_in>(mu, in1);
  read_packs<logvar_T, CONFIG_T::n_in>(logvar, in2);
  kl_score<typename mean_T::value_type, typename logvar_T::value_type, typename res_T::value_type,
           CONFIG_T>(in1, in2, out);
  write_packs<res_T, 1>(out, res);
}

}  // namespace nnet

#endif
