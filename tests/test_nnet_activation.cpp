// nnet activations and softmax (export/nnet_utils/nnet_activation.h,
// nnet_softmax.h, nnet_lut.h): table index arithmetic, table entries and
// result quantization, worked by hand from ../shared/spec/hls4ml.md §2.6.
#include <cmath>

#include "nnet_utils/nnet_activation.h"
#include "nnet_utils/nnet_activation_stream.h"
#include "tests/test_common.h"

namespace {

typedef ap_fixed<16, 6> in16_t;
typedef ap_fixed<18, 8> out18_t;

template <unsigned N>
struct act_cfg : nnet::activ_config {
  static const unsigned n_in = N;
};

struct hard_cfg : nnet::hard_activ_config {
  static const unsigned n_in = 4;
  static const slope_t slope;
  static const shift_t shift;
};
const hard_cfg::slope_t hard_cfg::slope = 0.5;
const hard_cfg::shift_t hard_cfg::shift = 0.5;

// Softmax types small enough to follow by hand (see the stable test).
template <unsigned N, nnet::softmax_implementation IMPL>
struct softmax_cfg : nnet::softmax_config {
  static const unsigned n_in = N;
  static const unsigned n_slice = N;
  static const nnet::softmax_implementation implementation = IMPL;
  static const unsigned exp_table_size = 32;
  static const unsigned inv_table_size = 32;
  typedef ap_fixed<10, 2, AP_RND, AP_SAT> exp_table_t;
  typedef ap_fixed<10, 2, AP_RND, AP_SAT> inv_table_t;
  typedef ap_fixed<10, 3, AP_RND, AP_SAT> accum_t;
  typedef ap_fixed<10, 3, AP_RND, AP_SAT> inv_inp_t;
  typedef ap_ufixed<5, 2> inp_norm_t;
};

template <unsigned OUTER, unsigned INNER>
struct argmax_cfg : nnet::softmax_config {
  static const unsigned n_in = 4, n_slice = 2, n_outer = OUTER, n_inner = INNER;
  static const nnet::softmax_implementation implementation = nnet::softmax_implementation::argmax;
};

}  // namespace

TEST_CASE("LUT index truncates x*N/range toward zero and clamps", "[nnet]") {
  // -0.3008 -> ap_fixed<16,6> -0.30176; *1024/16 = -19.3 -> -19; + 512.
  CHECK(nnet::table_index<in16_t, 1024, -8, 8>(-0.3008) == 493);
  CHECK(nnet::table_index<in16_t, 1024, -8, 8>(0.3008) == 531);  // 19.2 -> 19
  CHECK(nnet::table_index<in16_t, 1024, -8, 8>(-20) == 0);
  CHECK(nnet::table_index<in16_t, 1024, -8, 8>(8) == 1023);
  CHECK(nnet::table_index<in16_t, 1024, -4, 4>(0.5) == 576);  // 0.5*1024/8 = 64
  CHECK(nnet::table_index<in16_t, 1024, 0, 64>(2) == 32);
  CHECK(nnet::table_input<1024, -8, 8>(493) == -0.296875);
}

TEST_CASE("sigmoid and tanh read the table entry of the truncated index", "[nnet]") {
  const in16_t x[4] = {-0.3008, 0.5, 2, -10};
  out18_t s[4], t[4];
  nnet::sigmoid<in16_t, out18_t, act_cfg<4> >(x, s);
  nnet::tanh<in16_t, out18_t, act_cfg<4> >(x, t);
  // Entry 493: 1/(1+e^0.296875) = 0.426321 -> floor(436.55)/1024.
  CHECK(s[0].to_double() == 436.0 / 1024);
  // 0.5: index 512 + 32 = 544 -> x = 0.5: 0.622459 -> 637/1024.
  CHECK(s[1].to_double() == 637.0 / 1024);
  // -10 clamps to entry 0, sigmoid(-8) = 0.000335 -> 0.
  CHECK(s[3].to_double() == 0.0);
  // tanh(0.5) = 0.462117 -> 473/1024; tanh(2) = 0.964028 -> 987/1024;
  // -10 clamps to tanh(-4) = -0.999329 -> floor(-1023.3)/1024 = -1.
  CHECK(t[1].to_double() == 473.0 / 1024);
  CHECK(t[2].to_double() == 987.0 / 1024);
  CHECK(t[3].to_double() == -1.0);
}

TEST_CASE("relu rounds and saturates into a QKeras-style result type", "[nnet]") {
  typedef ap_ufixed<4, 1, AP_RND_CONV, AP_SAT> relu_t;  // step 1/8, max 1.875
  const in16_t x[5] = {0.3125, 0.4375, 5, -1, 0.1875};
  relu_t r[5];
  nnet::relu<in16_t, relu_t, act_cfg<5> >(x, r);
  CHECK(r[0].to_double() == 0.25);   // 2.5/8 -> even 2/8
  CHECK(r[1].to_double() == 0.5);    // 3.5/8 -> even 4/8
  CHECK(r[2].to_double() == 1.875);  // saturated
  CHECK(r[3].to_double() == 0.0);
  CHECK(r[4].to_double() == 0.25);  // 1.5/8 -> even 2/8

  in16_t r6[5];
  nnet::relu6<in16_t, in16_t, act_cfg<5> >(x, r6);
  CHECK(r6[2].to_double() == 5.0);
  const in16_t big[1] = {7.5};
  nnet::relu6<in16_t, in16_t, act_cfg<1> >(big, r6);
  CHECK(r6[0].to_double() == 6.0);
}

TEST_CASE("leaky and thresholded relu, hard sigmoid and hard tanh", "[nnet]") {
  const in16_t x[4] = {-1, 0.5, 3, -3};
  in16_t r[4];
  // alpha 0.3 stored in ap_fixed<8,0>: floor(38.4)/128 = 0.296875.
  nnet::leaky_relu<in16_t, ap_fixed<8, 0>, in16_t, act_cfg<4> >(x, 0.3, r);
  CHECK(r[0].to_double() == -0.296875);
  CHECK(r[1].to_double() == 0.5);
  CHECK(r[3].to_double() == -0.890625);
  nnet::thresholded_relu<in16_t, ap_fixed<8, 3>, in16_t, act_cfg<4> >(x, 0.5, r);
  CHECK(r[1].to_double() == 0.0);  // not > 0.5
  CHECK(r[2].to_double() == 3.0);
  // slope 0.5, shift 0.5: 0.5 -> 0.75; 3 -> 2 clipped to 1; -3 -> 0.
  nnet::hard_sigmoid<in16_t, in16_t, hard_cfg>(x, r);
  CHECK(r[0].to_double() == 0.0);
  CHECK(r[1].to_double() == 0.75);
  CHECK(r[2].to_double() == 1.0);
  nnet::hard_tanh<in16_t, in16_t, hard_cfg>(x, r);
  CHECK(r[1].to_double() == 0.5);
  CHECK(r[2].to_double() == 1.0);
  CHECK(r[3].to_double() == -1.0);
}

TEST_CASE("binary_tanh and ternary_tanh thresholds and encodings", "[nnet]") {
  const in16_t x[6] = {-0.5, 0, 0.5, 0.5625, -0.4375, -2};
  ap_int<2> b[6], t[6];
  ap_uint<1> xnor[6];
  nnet::binary_tanh<in16_t, ap_int<2>, act_cfg<6> >(x, b);
  nnet::binary_tanh<in16_t, ap_uint<1>, act_cfg<6> >(x, xnor);
  nnet::ternary_tanh<in16_t, ap_int<2>, act_cfg<6> >(x, t);
  const int binary[6] = {-1, 1, 1, 1, -1, -1};
  const int ternary[6] = {-1, 0, 0, 1, 0, -1};  // > 0.5 -> 1, <= -0.5 -> -1
  for (int i = 0; i < 6; i++) {
    CHECK(b[i].to_int() == binary[i]);
    CHECK(xnor[i].to_int() == (binary[i] > 0 ? 1 : 0));
    CHECK(t[i].to_int() == ternary[i]);
  }
}

TEST_CASE("softmax table addressing uses the top bits of the raw code", "[nnet]") {
  typedef ap_fixed<6, 3> t6;
  // -0.25 is code 111110: top 3 bits 111 = 7; 1.0 is 001000: 1.
  CHECK(nnet::softmax_idx_from_real_val<t6, 8>(-0.25) == 7u);
  CHECK(nnet::softmax_idx_from_real_val<t6, 8>(1.0) == 1u);
  CHECK(nnet::softmax_real_val_from_idx<t6, 8>(7) == -1.0);  // code 111000
  CHECK(nnet::softmax_real_val_from_idx<t6, 8>(3) == 3.0);   // code 011000
  CHECK(nnet::softmax_idx_from_real_val<ap_ufixed<5, 2>, 32>(1.25) == 10u);
}

TEST_CASE("softmax stable, worked through every table and type", "[nnet]") {
  // x = (1, 0.5, -0.25) in ap_fixed<6,3>.  max 1; d = (0, 0.5, 1.25) in
  // ap_ufixed<5,2> -> table indices 0, 4, 10; exp(-k/8) in
  // ap_fixed<10,2,RND,SAT>: 256/256, 155/256 (0.60653), 73/256 (0.28650);
  // into accum_t (7 fraction bits, RND): 1, 78/128, 37/128.  Tree sum
  // (1 + 78/128) + 37/128 = 243/128, code 243 -> inverse index 243 >> 5 = 7,
  // bin value 224/128 = 1.75, 1/1.75 -> 146/256.  Products into
  // ap_ufixed<8,0> (TRN): 146/256, floor(88.97) = 88/256, floor(42.2) = 42/256.
  typedef ap_fixed<6, 3> t6;
  const t6 x[3] = {1.0, 0.5, -0.25};
  ap_ufixed<8, 0> res[3];
  nnet::softmax<t6, ap_ufixed<8, 0>, softmax_cfg<3, nnet::softmax_implementation::stable> >(x, res);
  CHECK(res[0].to_double() == 146.0 / 256);
  CHECK(res[1].to_double() == 88.0 / 256);
  CHECK(res[2].to_double() == 42.0 / 256);
}

TEST_CASE("softmax latency, legacy and argmax", "[nnet]") {
  // latency, x = (1, 1) in ap_fixed<6,3>, 32-entry tables: the index of
  // 1.0 is the top 5 bits of 001000, 4 (bin value 1.0); e = 2.71828
  // saturates in ap_fixed<10,2,RND,SAT> at 511/256; into accum_t
  // (ap_fixed<10,3,RND,SAT>, 7 fraction bits) 255.5/128 rounds to 2.0.  The
  // sum 4.0 saturates to 511/128: code 511, inverse index 15, bin value
  // 480/128 = 3.75, 1/3.75 = 0.2667 -> 68/256.  2.0 * 68/256 = 0.53125.
  typedef ap_fixed<6, 3> t6;
  const t6 x[2] = {1.0, 1.0};
  ap_ufixed<8, 0> res[2];
  nnet::softmax<t6, ap_ufixed<8, 0>, softmax_cfg<2, nnet::softmax_implementation::latency> >(x,
                                                                                             res);
  CHECK(res[0].to_double() == 0.53125);
  CHECK(res[1].to_double() == 0.53125);

  // legacy, equal inputs: each sum is 1 + exp(0) = 2 in table_t; 1/x table
  // index trunc(2 * 1024/64) = 32, value 1/2.
  ap_fixed<16, 6> half[2];
  nnet::softmax<t6, ap_fixed<16, 6>, softmax_cfg<2, nnet::softmax_implementation::legacy> >(x,
                                                                                            half);
  CHECK(half[0].to_double() == 0.5);
  CHECK(half[1].to_double() == 0.5);

  // argmax: one-hot on the first maximum.
  const t6 y[4] = {1, 3, 3, 2};
  ap_uint<1> onehot[4];
  nnet::softmax<t6, ap_uint<1>, softmax_cfg<4, nnet::softmax_implementation::argmax> >(y, onehot);
  CHECK(onehot[0].to_int() == 0);
  CHECK(onehot[1].to_int() == 1);
  CHECK(onehot[2].to_int() == 0);
  CHECK(onehot[3].to_int() == 0);
}

TEST_CASE("softmax over slices: n_outer blocks, n_inner-strided elements", "[nnet]") {
  const in16_t x[4] = {5, 1, 3, 2};
  ap_uint<1> r[4];
  // n_inner = 2: slices (x0, x2) and (x1, x3).
  nnet::softmax<in16_t, ap_uint<1>, argmax_cfg<1, 2> >(x, r);
  CHECK((r[0] == 1 && r[1] == 0 && r[2] == 0 && r[3] == 1));
  // n_outer = 2: slices (x0, x1) and (x2, x3).
  nnet::softmax<in16_t, ap_uint<1>, argmax_cfg<2, 1> >(x, r);
  CHECK((r[0] == 1 && r[1] == 0 && r[2] == 1 && r[3] == 0));
}

TEST_CASE("io_stream activations equal io_parallel pack by pack", "[nnet]") {
  typedef nnet::array<in16_t, 3> pack_t;
  typedef nnet::array<out18_t, 3> res_pack_t;
  in16_t x[6];
  for (int i = 0; i < 6; i++) x[i] = -2.5 + 1.1 * i;
  out18_t expected_sigmoid[6], expected_softmax[6];
  nnet::sigmoid<in16_t, out18_t, act_cfg<6> >(x, expected_sigmoid);
  typedef softmax_cfg<6, nnet::softmax_implementation::latency> latency6;
  nnet::softmax<in16_t, out18_t, latency6>(x, expected_softmax);

  hls::stream<pack_t> in1, in2;
  hls::stream<res_pack_t> out1, out2;
  for (int p = 0; p < 2; p++) {
    pack_t pack;
    for (int k = 0; k < 3; k++) pack[k] = x[3 * p + k];
    in1.write(pack);
    in2.write(pack);
  }
  nnet::sigmoid<pack_t, res_pack_t, act_cfg<6> >(in1, out1);
  nnet::softmax<pack_t, res_pack_t, latency6>(in2, out2);
  for (int p = 0; p < 2; p++) {
    const res_pack_t s = out1.read(), m = out2.read();
    for (int k = 0; k < 3; k++) {
      CHECK(s[k] == expected_sigmoid[3 * p + k]);
      CHECK(m[k] == expected_softmax[3 * p + k]);
    }
  }
}
