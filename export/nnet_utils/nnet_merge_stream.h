// Merge layers, io_stream: element-wise merges run the io_parallel
// function of nnet_merge.h pack by pack; dot and concatenations read both
// inputs whole, run the io_parallel function and write the result.  Same
// arithmetic as io_parallel.
#ifndef NNET_MERGE_STREAM_H_
#define NNET_MERGE_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_merge.h"
#include "nnet_stream.h"
#include "nnet_types.h"

namespace nnet {

// CONFIG_T with n_elem = N: one pack of an element-wise merge.
template <class CONFIG_T, unsigned N>
struct merge_pack_config : CONFIG_T {
  static const unsigned n_elem = N;
};

#define NNET_MERGE_ELEMENTWISE_STREAM(NAME)                                                        \
  template <class input1_T, class input2_T, class res_T, class CONFIG_T>                           \
  void NAME(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2, hls::stream<res_T>& res) { \
    static_assert(input1_T::size == res_T::size && input2_T::size == res_T::size,                  \
                  "merged streams must have equal packs");                                         \
    for (unsigned p = 0; p < CONFIG_T::n_elem / res_T::size; p++) {                                \
      NNET_PRAGMA(HLS PIPELINE)                                                                    \
      const input1_T a = data1.read();                                                             \
      const input2_T b = data2.read();                                                             \
      res_T out;                                                                                   \
      PRAGMA_DATA_PACK(out)                                                                        \
      NAME<typename input1_T::value_type, typename input2_T::value_type,                           \
           typename res_T::value_type, merge_pack_config<CONFIG_T, res_T::size> >(a.data, b.data,  \
                                                                                  out.data);       \
      res.write(out);                                                                              \
    }                                                                                              \
  }
NNET_MERGE_ELEMENTWISE_STREAM(add)
NNET_MERGE_ELEMENTWISE_STREAM(subtract)
NNET_MERGE_ELEMENTWISE_STREAM(multiply)
NNET_MERGE_ELEMENTWISE_STREAM(average)
NNET_MERGE_ELEMENTWISE_STREAM(maximum)
NNET_MERGE_ELEMENTWISE_STREAM(minimum)
#undef NNET_MERGE_ELEMENTWISE_STREAM

// Whole-tensor merges: both inputs read into arrays, the io_parallel
// function, the result written as packs.
#define NNET_MERGE_WHOLE_STREAM(NAME, N1, N2, NOUT)                                                \
  template <class input1_T, class input2_T, class res_T, class CONFIG_T>                           \
  void NAME(hls::stream<input1_T>& data1, hls::stream<input2_T>& data2, hls::stream<res_T>& res) { \
    typename input1_T::value_type in1[N1];                                                         \
    typename input2_T::value_type in2[N2];                                                         \
    typename res_T::value_type out[NOUT];                                                          \
    read_packs<input1_T, N1>(data1, in1);                                                          \
    read_packs<input2_T, N2>(data2, in2);                                                          \
    NAME<typename input1_T::value_type, typename input2_T::value_type, typename res_T::value_type, \
         CONFIG_T>(in1, in2, out);                                                                 \
    write_packs<res_T, NOUT>(out, res);                                                            \
  }
NNET_MERGE_WHOLE_STREAM(dot1d, CONFIG_T::n_in, CONFIG_T::n_in, CONFIG_T::n_out)
NNET_MERGE_WHOLE_STREAM(concatenate1d, CONFIG_T::n_elem1_0, CONFIG_T::n_elem2_0,
                        CONFIG_T::n_elem1_0 + CONFIG_T::n_elem2_0)
NNET_MERGE_WHOLE_STREAM(concatenate2d, CONFIG_T::n_elem1_0* CONFIG_T::n_elem1_1,
                        CONFIG_T::n_elem2_0* CONFIG_T::n_elem2_1,
                        CONFIG_T::n_elem1_0* CONFIG_T::n_elem1_1 +
                            CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1)
NNET_MERGE_WHOLE_STREAM(concatenate3d,
                        CONFIG_T::n_elem1_0* CONFIG_T::n_elem1_1* CONFIG_T::n_elem1_2,
                        CONFIG_T::n_elem2_0* CONFIG_T::n_elem2_1* CONFIG_T::n_elem2_2,
                        CONFIG_T::n_elem1_0* CONFIG_T::n_elem1_1* CONFIG_T::n_elem1_2 +
                            CONFIG_T::n_elem2_0 * CONFIG_T::n_elem2_1 * CONFIG_T::n_elem2_2)
#undef NNET_MERGE_WHOLE_STREAM

}  // namespace nnet

#endif
