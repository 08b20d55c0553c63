// Lookup-table addressing shared by the activations, softmax and the score
// layer.  Two schemes:
//   * value tables over a fixed range [LO, HI) (sigmoid, tanh, legacy
//     softmax, the KL score's exp): table_index / table_input /
//     init_range_table / range_table_lookup;
//   * bit-pattern tables (softmax latency/stable): the index is the top
//     log2(N) bits of the raw two's-complement code of a value of type T.
#ifndef NNET_LUT_H_
#define NNET_LUT_H_

#include <cmath>

#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_common.h"

namespace nnet {

// The entry that holds x in a table of N entries over [LO, HI):
// index = trunc0(x * N / (HI - LO)) + (-LO) * N / (HI - LO), clamped to
// [0, N-1], where trunc0 truncates toward zero.  Computed as the ap_fixed
// expression (x * N / (HI - LO)).to_int(): the product and the division by
// an int are exact up to the division's truncation toward zero at x's
// fractional bits, and to_int() truncates toward zero again, which composes
// to trunc0 of the exact x*N/(HI-LO).  (Sigmoid, x = -0.3008 in
// ap_fixed<16,6>, N = 1024 over [-8, 8): trunc0(-19.3) + 512 = 493.)
template <class data_T, unsigned N, int LO, int HI>
int table_index(data_T x) {
  #pragma HLS INLINE
  static_assert(HI > LO, "a table range must not be empty");
  const int index = (x * N / (HI - LO)).to_int() + int(-LO * int(N) / (HI - LO));
  if (index < 0) return 0;
  if (index > int(N) - 1) return int(N) - 1;
  return index;
}

// The input at which entry i of such a table is evaluated, in double:
// LO + (HI - LO) * i / N (the lower edge of the entry's bin for x >= 0).
template <unsigned N, int LO, int HI>
double table_input(unsigned i) {
  return LO + (HI - LO) * double(i) / double(N);
}

// The functions tabulated over a range, in double.
inline double sigmoid_fcn(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double tanh_fcn(double x) { return std::tanh(x); }
inline double exp_fcn(double x) { return std::exp(x); }

// A table of N entries over [LO, HI): table[k] = (table_T) F(table_input<N,
// LO, HI>(k)), F evaluated in double.
template <class table_T, unsigned N, int LO, int HI, double (*F)(double)>
void init_range_table(table_T table_out[N]) {
  for (unsigned k = 0; k < N; k++) table_out[k] = F(table_input<N, LO, HI>(k));
}

// An element-wise function by lookup: res[i] = (res_T) table[table_index<
// data_T, table_size, LO, HI>(data[i])] with the table of init_range_table
// in CONFIG_T::table_t, filled on the first call (a ROM in synthesis).
template <class data_T, class res_T, class CONFIG_T, int LO, int HI, double (*F)(double)>
void range_table_lookup(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  typedef typename CONFIG_T::table_t table_T;
  NNET_LOOKUP_TABLE(table_T, table, CONFIG_T::table_size,
                    init_range_table<table_T, CONFIG_T::table_size, LO, HI, F>(table));
  #pragma HLS PIPELINE
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    res[i] = table[table_index<data_T, CONFIG_T::table_size, LO, HI>(data[i])];
  }
}

// The index of x in a table of N entries addressed by bits: the top
// log2(N) bits of x's W-bit code, read as an unsigned number (the sign bit
// included for a signed T, so negative values land in the upper half).
template <class T, unsigned N>
unsigned softmax_idx_from_real_val(T x) {
  #pragma HLS INLINE
  static const int bits = ceillog2(N);
  static_assert(N >= 2 && pow2(ceillog2(N)) == int(N), "bit-addressed tables have 2^k entries");
  static_assert(T::width >= bits, "the table has more entries than the type has codes");
  const ap_uint<bits> index = x(T::width - 1, T::width - bits);
  return index.to_uint();
}

// The value of T whose top log2(N) bits are i and whose other bits are 0:
// the lower edge of the bin of entry i (negative for a signed T and
// i >= N/2), as a double.
template <class T, unsigned N>
double softmax_real_val_from_idx(unsigned i) {
  static const int bits = ceillog2(N);
  T x = 0;
  x(T::width - 1, T::width - bits) = i;
  return x.to_double();
}

}  // namespace nnet

#endif
