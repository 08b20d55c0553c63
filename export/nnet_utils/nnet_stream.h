// io_stream plumbing shared by the stream layers: moving nnet::array packs
// between a stream and a flat array, and fan-out / repacking of streams.
// Pure data movement: no value is converted (the element types of source
// and destination are the same).
#ifndef NNET_STREAM_H_
#define NNET_STREAM_H_

#include <type_traits>

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_types.h"

namespace nnet {

// Reads N values, N / pack_T::size packs, into data[0..N-1].
template <class pack_T, unsigned N>
void read_packs(hls::stream<pack_T>& in, typename pack_T::value_type data[N]) {
  static_assert(N % pack_T::size == 0, "a flat array must hold whole packs");
  for (unsigned p = 0; p < N / pack_T::size; p++) {
    #pragma HLS PIPELINE
    const pack_T pack = in.read();
    for (unsigned k = 0; k < pack_T::size; k++) {
      #pragma HLS UNROLL
      data[p * pack_T::size + k] = pack[k];
    }
  }
}

// Writes data[0..N-1] as N / pack_T::size packs.
template <class pack_T, unsigned N>
void write_packs(const typename pack_T::value_type data[N], hls::stream<pack_T>& out) {
  static_assert(N % pack_T::size == 0, "a flat array must hold whole packs");
  for (unsigned p = 0; p < N / pack_T::size; p++) {
    #pragma HLS PIPELINE
    pack_T pack;
    PRAGMA_DATA_PACK(pack)
    for (unsigned k = 0; k < pack_T::size; k++) {
      #pragma HLS UNROLL
      pack[k] = data[p * pack_T::size + k];
    }
    out.write(pack);
  }
}

// A config that is CONFIG_T with n_in = N: stream layers run an io_parallel
// element-wise kernel on one pack at a time with it.
template <class CONFIG_T, unsigned N>
struct pack_config : CONFIG_T {
  static const unsigned n_in = N;
};

// Fan-out: N values (N / pack_T::size packs) copied to two or three streams.
template <class pack_T, unsigned N>
void clone_stream(hls::stream<pack_T>& in, hls::stream<pack_T>& out1, hls::stream<pack_T>& out2) {
  for (unsigned p = 0; p < N / pack_T::size; p++) {
    #pragma HLS PIPELINE
    const pack_T pack = in.read();
    out1.write(pack);
    out2.write(pack);
  }
}

template <class pack_T, unsigned N>
void clone_stream(hls::stream<pack_T>& in, hls::stream<pack_T>& out1, hls::stream<pack_T>& out2,
                  hls::stream<pack_T>& out3) {
  for (unsigned p = 0; p < N / pack_T::size; p++) {
    #pragma HLS PIPELINE
    const pack_T pack = in.read();
    out1.write(pack);
    out2.write(pack);
    out3.write(pack);
  }
}

// N values moved from packs of one size to packs of another (e.g. a conv
// output of n_filt channels per pixel flattened for a dense layer).
template <class in_pack_T, class out_pack_T, unsigned N>
void repack_stream(hls::stream<in_pack_T>& in, hls::stream<out_pack_T>& out) {
  static_assert(
      std::is_same<typename in_pack_T::value_type, typename out_pack_T::value_type>::value,
      "repack_stream moves values, it does not convert them");
  typename in_pack_T::value_type data[N];
  read_packs<in_pack_T, N>(in, data);
  write_packs<out_pack_T, N>(data, out);
}

}  // namespace nnet

#endif
