// Shared building blocks of the nnet library: size macros, the IO and
// strategy enums of the config structs, compile-time logarithms, and
// reduce(), the balanced adder/comparator tree used by softmax and pooling.
// reduce() re-quantizes every tree node to T (each Op returns a T), so the
// tree shape is part of the arithmetic contract; it is spelled out below.
#ifndef NNET_COMMON_H_
#define NNET_COMMON_H_

#include "ap_fixed.h"

// Rounded-up integer division, and the usual min/max, as hls4ml spells them.
#define DIV_ROUNDUP(n, d) (((n) + (d)-1) / (d))
#define MIN(n, d) ((n) > (d) ? (d) : (n))
#define MAX(n, d) ((n) > (d) ? (n) : (d))

// Vivado packs the fields of a stream element into one word on request;
// Vitis does that by itself and rejects the pragma.
#define NNET_PRAGMA(x) _Pragma(#x)
#ifdef __VITIS_HLS__
#define PRAGMA_DATA_PACK(x)
#else
#define PRAGMA_DATA_PACK(x) NNET_PRAGMA(HLS data_pack variable = x)
#endif

// Declares a lookup table `name`, an array of `size` elements of `type`,
// filled by the statement given as the last argument (it may hold commas).
// In C simulation the table is static and filled on the first call only;
// under synthesis it is a local array whose filling the tool evaluates at
// compile time, as hls4ml writes its tables.
#ifdef __HLS_SYN__
#define NNET_LOOKUP_TABLE(type, name, size, ...) \
  type name[size];                               \
  __VA_ARGS__
#else
#define NNET_LOOKUP_TABLE(type, name, size, ...) \
  static type name[size];                        \
  static bool name##_filled = false;             \
  if (!name##_filled) {                          \
    __VA_ARGS__;                                 \
    name##_filled = true;                        \
  }
#endif

namespace nnet {

// Whether layers exchange whole arrays (io_parallel) or hls::stream packs.
enum io_type { io_parallel = 0, io_stream };
// Dense/conv implementation: fully unrolled (latency) or time-multiplexed
// multipliers with a reuse factor (resource).  The last two are accepted in
// config structs for compatibility; nnet implements latency and resource.
enum strategy { latency, resource, resource_unrolled, distributed_arithmetic };

// ceillog2(x) = ceil(log2(x)) for x >= 2, and 1 for x <= 2 (hls4ml's rule:
// the address width of a table of x entries, never 0).
constexpr int ceillog2(int x) { return x <= 2 ? 1 : 1 + ceillog2((x + 1) / 2); }
// floorlog2(x) = floor(log2(x)) for x >= 1.
constexpr int floorlog2(int x) { return x < 2 ? 0 : 1 + floorlog2(x / 2); }
constexpr int pow2(int x) { return x == 0 ? 1 : 2 * pow2(x - 1); }

// The largest value of an ap type (all value bits 1); e.g. what a table of
// reciprocals stores where it would hold 1/0.
template <class T>
T max_value() {
  T x = 0;
  x(T::width - 1, 0) = -1;
  if (x < 0) x[T::width - 1] = 0;
  return x;
}

// The most negative value of an ap type (0 for unsigned types): the
// padding of max pooling.
template <class T>
T min_value() {
  T x = 0;
  x[T::width - 1] = 1;
  if (x > 0) x = 0;
  return x;
}

// The binary operations of reduce(); each returns a T, so every node of the
// tree is stored in T with T's quantization and overflow modes.
template <class T>
struct Op_add {
  T operator()(T a, T b) const { return a + b; }
};
template <class T>
struct Op_and {
  T operator()(T a, T b) const { return a && b; }
};
template <class T>
struct Op_or {
  T operator()(T a, T b) const { return a || b; }
};
// On ties the left operand wins (>=, <=).
template <class T>
struct Op_max {
  T operator()(T a, T b) const { return a >= b ? a : b; }
};
template <class T>
struct Op_min {
  T operator()(T a, T b) const { return a <= b ? a : b; }
};

// A balanced binary tree over x[0..N-1]: N == 1 gives x[0], N == 2
// op(x[0], x[1]); otherwise the left subtree takes the first
// pow2(floorlog2(N - 1)) elements (the largest power of two below N) and the
// right subtree the rest, and the result is op(left, right).  E.g. N = 5:
// op(op(op(x0, x1), op(x2, x3)), x4); N = 6: op(op(op(x0, x1), op(x2, x3)),
// op(x4, x5)).  (A struct, so that the recursion ends by specialization in
// C++11, the dialect of the HLS tools.)
template <class T, int N, class Op>
struct reduce_tree {
  static_assert(N >= 1, "reduce needs at least one element");
  static const int left = pow2(floorlog2(N - 1));
  static T apply(const T* x, Op op) {
    #pragma HLS INLINE
    return op(reduce_tree<T, left, Op>::apply(x, op),
              reduce_tree<T, N - left, Op>::apply(x + left, op));
  }
};
template <class T, class Op>
struct reduce_tree<T, 1, Op> {
  static T apply(const T* x, Op) { return x[0]; }
};
template <class T, class Op>
struct reduce_tree<T, 2, Op> {
  static T apply(const T* x, Op op) { return op(x[0], x[1]); }
};

template <class T, int N, class Op>
T reduce(const T* x, Op op) {
  #pragma HLS INLINE
  return reduce_tree<T, N, Op>::apply(x, op);
}

}  // namespace nnet

#endif
