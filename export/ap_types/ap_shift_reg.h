// Our ap_shift_reg<T, N>: the vendor's shift register (an SRL in hardware),
// same file name and API.  shift(in, addr, enable) returns the element at
// position addr (0 = newest) as it was before the call, then, if enabled,
// moves every element one position older and stores in at position 0;
// read(addr) only reads.  The line buffers of nnet's io_stream convolution
// and pooling use depth = image width, so shift() returns the pixel one row
// above.
#pragma once

template <class T, unsigned N>
class ap_shift_reg {
  static_assert(N >= 1, "ap_shift_reg needs a depth of at least 1");

 public:
  ap_shift_reg() : data_() {}

  T shift(const T& in, unsigned addr = N - 1, bool enable = true) {
    const T out = data_[addr];
    if (enable) {
      for (unsigned i = N - 1; i > 0; --i) data_[i] = data_[i - 1];
      data_[0] = in;
    }
    return out;
  }
  T read(unsigned addr = N - 1) const { return data_[addr]; }

 private:
  T data_[N];
};
