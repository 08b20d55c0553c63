// Our ap_fixed<W, I, Q, O, N> / ap_ufixed<W, I, Q, O, N>: a header-only
// reimplementation of the Xilinx fixed-point types with the vendor's file
// name and API, so code written for Vivado/Vitis HLS (hls4ml's nnet_utils)
// compiles unchanged with any C++11 compiler.  Semantics:
// ../shared/spec/hls4ml.md §4.  Also provides ap_int / ap_uint.
//
// W is 1 .. AP_INT_MAX_W (default 1024; results of operators too), I any
// integer (negative, or larger than W); every quantization mode (AP_TRN,
// AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV)
// and overflow mode (AP_WRAP with N saturated bits, AP_SAT, AP_SAT_ZERO,
// AP_SAT_SYM, AP_WRAP_SM for signed types).
#pragma once

#include "ap_fixed_base.h"
#include "ap_int.h"

// Constructors are the base's; a base value of the same format needs its own
// constructor, because inherited constructors never take the base itself.
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ap_fixed : ap_fixed_base<W, I, true, Q, O, N> {
  using ap_fixed_base<W, I, true, Q, O, N>::ap_fixed_base;
  ap_fixed() = default;
  ap_fixed(const ap_fixed_base<W, I, true, Q, O, N>& op) : ap_fixed_base<W, I, true, Q, O, N>(op) {}
};

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ap_ufixed : ap_fixed_base<W, I, false, Q, O, N> {
  using ap_fixed_base<W, I, false, Q, O, N>::ap_fixed_base;
  ap_ufixed() = default;
  ap_ufixed(const ap_fixed_base<W, I, false, Q, O, N>& op)
      : ap_fixed_base<W, I, false, Q, O, N>(op) {}
};

// The vendor's names of the bit and range proxies.
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
using af_bit_ref = ap_detail::bit_ref<ap_fixed_base<W, I, S, Q, O, N> >;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
using af_range_ref = ap_detail::range_ref<ap_fixed_base<W, I, S, Q, O, N> >;
