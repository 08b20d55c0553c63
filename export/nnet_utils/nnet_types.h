// nnet::array<T, N>: a fixed-size POD array, the element type of every
// hls::stream in io_stream designs (one pack = the channels of one pixel,
// or a slice of a flat vector).  No arithmetic happens here.
#ifndef NNET_TYPES_H_
#define NNET_TYPES_H_

#include <cstddef>

namespace nnet {

template <class T, unsigned N>
struct array {
  typedef T value_type;
  static const unsigned size = N;

  T data[N];  // copied member-wise, so the struct stays a POD

  T& operator[](std::size_t pos) { return data[pos]; }
  const T& operator[](std::size_t pos) const { return data[pos]; }

  bool operator==(const array& other) const {
    for (unsigned i = 0; i < N; i++) {
      if (!(data[i] == other.data[i])) return false;
    }
    return true;
  }
  bool operator!=(const array& other) const { return !(*this == other); }
};

template <class T, unsigned N>
const unsigned array<T, N>::size;

}  // namespace nnet

#endif
