// Our ap_int<W> / ap_uint<W>: a header-only reimplementation of the Xilinx
// arbitrary-precision integers with the vendor's file name and API, so code
// written for Vivado/Vitis HLS (hls4ml's nnet_utils) compiles unchanged with
// any C++11 compiler.  Semantics: ../shared/spec/hls4ml.md §4.
//
// Widths 1 .. AP_INT_MAX_W (default 1024, for operands and results alike;
// define AP_INT_MAX_W before including to raise it).  Like the vendor's
// ap_int.h this also provides ap_fixed / ap_ufixed.
#pragma once

#include "ap_int_base.h"

// Constructors are the base's; a base value of the same format needs its own
// constructor, because inherited constructors never take the base itself.
template <int W>
struct ap_int : ap_int_base<W, true> {
  using ap_int_base<W, true>::ap_int_base;
  ap_int() = default;
  ap_int(const ap_int_base<W, true>& op) : ap_int_base<W, true>(op) {}
};

template <int W>
struct ap_uint : ap_int_base<W, false> {
  using ap_int_base<W, false>::ap_int_base;
  ap_uint() = default;
  ap_uint(const ap_int_base<W, false>& op) : ap_int_base<W, false>(op) {}
};

// The vendor's names of the bit and range proxies.
template <int W, bool S>
using ap_bit_ref = ap_detail::bit_ref<ap_int_base<W, S> >;
template <int W, bool S>
using ap_range_ref = ap_detail::range_ref<ap_int_base<W, S> >;

#include "ap_fixed.h"
