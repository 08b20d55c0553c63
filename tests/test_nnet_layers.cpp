// nnet building blocks and the smaller layers (export/nnet_utils): the
// reduce tree, arrays and streams, batch normalization and the
// binary/ternary threshold fusion, merges, the anomaly scores and the
// testbench helpers.  Expected values are worked by hand from
// ../shared/spec/hls4ml.md §2 and the headers' stated arithmetic.
#include <sstream>
#include <stdexcept>

#include "ap_shift_reg.h"
#include "nnet_utils/nnet_batchnorm.h"
#include "nnet_utils/nnet_batchnorm_stream.h"
#include "nnet_utils/nnet_common.h"
#include "nnet_utils/nnet_helpers.h"
#include "nnet_utils/nnet_merge.h"
#include "nnet_utils/nnet_merge_stream.h"
#include "nnet_utils/nnet_score.h"
#include "nnet_utils/nnet_score_stream.h"
#include "nnet_utils/nnet_stream.h"
#include "tests/helpers.h"
#include "tests/test_common.h"

namespace {

typedef ap_fixed<4, 3, AP_TRN, AP_SAT> sat_t;  // [-4, 3.5], step 0.5
typedef ap_fixed<16, 6> in16_t;
typedef ap_fixed<8, 4> small_t;  // [-8, 8), step 1/16

}  // namespace

TEST_CASE("compile-time logarithms follow hls4ml's rules", "[nnet]") {
  STATIC_REQUIRE(nnet::ceillog2(1) == 1);
  STATIC_REQUIRE(nnet::ceillog2(2) == 1);
  STATIC_REQUIRE(nnet::ceillog2(5) == 3);
  STATIC_REQUIRE(nnet::ceillog2(16) == 4);
  STATIC_REQUIRE(nnet::ceillog2(17) == 5);
  STATIC_REQUIRE(nnet::floorlog2(1) == 0);
  STATIC_REQUIRE(nnet::floorlog2(9) == 3);
  STATIC_REQUIRE(nnet::pow2(5) == 32);
  STATIC_REQUIRE(DIV_ROUNDUP(10, 4) == 3);
  CHECK(nnet::max_value<ap_fixed<6, 3> >().to_double() == 3.875);
  CHECK(nnet::max_value<ap_ufixed<6, 3> >().to_double() == 7.875);
  CHECK(nnet::min_value<ap_fixed<6, 3> >().to_double() == -4.0);
  CHECK(nnet::min_value<ap_ufixed<6, 3> >().to_double() == 0.0);
}

TEST_CASE("reduce is a balanced tree whose nodes are stored in T", "[nnet]") {
  // N = 5: ((x0 + x1) + (x2 + x3)) + x4 = (3.5 + -4) + 1 = 0.5 with
  // saturation at every node; a sequential sum would give -1.5.
  const sat_t x[5] = {3, 3, -3, -3, 1};
  CHECK((nnet::reduce<sat_t, 5, nnet::Op_add<sat_t> >(x, nnet::Op_add<sat_t>())).to_double() ==
        0.5);
  // N = 3: (x0 + x1) + x2 = 3.5 - 3 = 0.5 (not 3 + (3 - 3) = 3).
  CHECK((nnet::reduce<sat_t, 3, nnet::Op_add<sat_t> >(x, nnet::Op_add<sat_t>())).to_double() ==
        0.5);
  // N = 6 splits 4 + 2: (3.5 + -4) + (1 + 3) -> -0.5 + 3.5 = 3.
  const sat_t y[6] = {3, 3, -3, -3, 1, 3};
  CHECK((nnet::reduce<sat_t, 6, nnet::Op_add<sat_t> >(y, nnet::Op_add<sat_t>())).to_double() ==
        3.0);
  CHECK((nnet::reduce<sat_t, 6, nnet::Op_max<sat_t> >(y, nnet::Op_max<sat_t>())).to_double() ==
        3.0);
  CHECK((nnet::reduce<sat_t, 6, nnet::Op_min<sat_t> >(y, nnet::Op_min<sat_t>())).to_double() ==
        -3.0);
  CHECK((nnet::reduce<sat_t, 1, nnet::Op_add<sat_t> >(y, nnet::Op_add<sat_t>())).to_double() ==
        3.0);
}

TEST_CASE("hls::stream is a FIFO; ap_shift_reg returns the value N shifts ago", "[nnet]") {
  hls::stream<int> s("fifo");
  CHECK(s.empty());
  s << 1;
  s.write(2);
  CHECK(s.size() == 2u);
  int first = 0;
  s >> first;
  CHECK(first == 1);
  CHECK(s.read() == 2);
  CHECK(s.name() == "fifo");
  CHECK(s.read() == 0);  // empty: warns, returns a default value
  int value = 7;
  CHECK(!s.read_nb(value));
  CHECK(value == 7);

  ap_shift_reg<int, 3> reg;
  CHECK(reg.shift(10) == 0);
  CHECK(reg.shift(20) == 0);
  CHECK(reg.shift(30) == 0);
  CHECK(reg.shift(40) == 10);  // the value pushed three shifts ago
  CHECK(reg.read(0) == 40);
  CHECK(reg.shift(50, 1) == 30);
  CHECK(reg.shift(60, 0, false) == 50);  // disabled: reads, does not shift
  CHECK(reg.read(0) == 50);

  nnet::array<int, 3> a = {{1, 2, 3}}, b = a;
  CHECK(a == b);
  b[2] = 4;
  CHECK(a != b);
  STATIC_REQUIRE(nnet::array<int, 3>::size == 3);
}

TEST_CASE("clone_stream and repack_stream move values unchanged", "[nnet]") {
  typedef nnet::array<small_t, 2> pack2;
  typedef nnet::array<small_t, 4> pack4;
  hls::stream<pack2> in, a, b;
  for (int p = 0; p < 2; p++) {
    pack2 pack = {{small_t(p), small_t(p + 0.5)}};
    in.write(pack);
  }
  nnet::clone_stream<pack2, 4>(in, a, b);
  CHECK(a.size() == 2u);
  CHECK(b.size() == 2u);
  hls::stream<pack4> flat;
  nnet::repack_stream<pack2, pack4, 4>(a, flat);
  const pack4 all = flat.read();
  CHECK(all[3].to_double() == 1.5);
  CHECK(b.read()[1].to_double() == 0.5);
}

namespace {
template <int N_FILT>
struct bn_cfg : nnet::batchnorm_config {
  static const unsigned n_in = 4;
  static const int n_filt = N_FILT;
  static const unsigned n_scale_bias = N_FILT == -1 ? 4 : N_FILT;
  typedef small_t scale_t;
  typedef small_t bias_t;
};
struct bnt_cfg : nnet::batchnorm_quantized_tanh_config {
  static const unsigned n_in = 4;
  static const unsigned n_scale_bias = 4;
};
}  // namespace

TEST_CASE("normalize: exact scale*x + bias stored once into res_T", "[nnet]") {
  const small_t x[4] = {1.5, -1, 0.3125, 2};
  const small_t scale[4] = {0.5, 2, 0.5, -1};
  const small_t bias[4] = {0.25, 0, 0.0625, 1};
  ap_fixed<8, 4> y[4];
  nnet::normalize<small_t, ap_fixed<8, 4>, bn_cfg<-1> >(x, y, scale, bias);
  CHECK(y[0].to_double() == 1.0);  // 0.75 + 0.25
  CHECK(y[1].to_double() == -2.0);
  CHECK(y[2].to_double() == 0.1875);  // 0.15625 + 0.0625 = 0.21875 -> floor 3/16
  CHECK(y[3].to_double() == -1.0);
  // Channels-last with n_filt = 2: element i uses scale[i % 2].
  ap_fixed<8, 4> z[4];
  nnet::normalize<small_t, ap_fixed<8, 4>, bn_cfg<2> >(x, z, scale, bias);
  CHECK(z[2].to_double() == 0.375);  // 0.3125 * 0.5 + 0.25 = 0.40625 -> floor 6/16
  CHECK(z[3].to_double() == 4.0);    // 2 * 2 + 0
}

TEST_CASE("BN + binary/ternary tanh fuse into thresholds on the input", "[nnet]") {
  // BN scale 2, bias -0.5 then binary_tanh: 2x - 0.5 >= 0  <=>  x >= 0.25
  // = floor(0.25 * 2^F) / 2^F.  The fused layer matches BN followed by the
  // activation at every input code around the threshold.
  const small_t scale[4] = {2, 2, 2, 2};
  const small_t bias[4] = {-0.5, -0.5, -0.5, -0.5};
  const small_t threshold[4] = {0.25, 0.25, 0.25, 0.25};
  for (int code = -16; code <= 16; code += 4) {
    small_t x[4];
    for (int k = 0; k < 4; k++) x[k] = (code + k) / 16.0;
    ap_fixed<16, 8> normalized[4];
    nnet::normalize<small_t, ap_fixed<16, 8>, bn_cfg<-1> >(x, normalized, scale, bias);
    ap_uint<1> fused[4];
    nnet::normalize_binary_tanh<small_t, bnt_cfg>(x, fused, threshold);
    for (int k = 0; k < 4; k++) CHECK(fused[k].to_int() == (normalized[k] >= 0 ? 1 : 0));
  }
  // Ternary: +1 above th, -1 at or below tl, else 0.
  const small_t th[4] = {0.5, 0.5, 0.5, 0.5}, tl[4] = {-0.5, -0.5, -0.5, -0.5};
  const small_t x[4] = {0.5, 0.5625, -0.5, -0.4375};
  ap_int<2> t[4];
  nnet::normalize_ternary_tanh<small_t, bnt_cfg>(x, t, th, tl);
  CHECK(t[0].to_int() == 0);
  CHECK(t[1].to_int() == 1);
  CHECK(t[2].to_int() == -1);
  CHECK(t[3].to_int() == 0);
}

TEST_CASE("io_stream batchnorm equals io_parallel per pixel and per vector", "[nnet]") {
  const small_t x[4] = {1.5, -1, 0.3125, 2};
  const small_t scale[4] = {0.5, 2, 0.5, -1};
  const small_t bias[4] = {0.25, 0, 0.0625, 1};
  ap_fixed<8, 4> flat[4], channels[4];
  nnet::normalize<small_t, ap_fixed<8, 4>, bn_cfg<-1> >(x, flat, scale, bias);
  nnet::normalize<small_t, ap_fixed<8, 4>, bn_cfg<2> >(x, channels, scale, bias);
  typedef nnet::array<small_t, 2> in_pack;
  typedef nnet::array<ap_fixed<8, 4>, 2> out_pack;
  hls::stream<in_pack> a, b;
  hls::stream<out_pack> ya, yb;
  for (int p = 0; p < 2; p++) {
    in_pack pack = {{x[2 * p], x[2 * p + 1]}};
    a.write(pack);
    b.write(pack);
  }
  nnet::normalize<in_pack, out_pack, bn_cfg<-1> >(a, ya, scale, bias);
  nnet::normalize<in_pack, out_pack, bn_cfg<2> >(b, yb, scale, bias);
  for (int p = 0; p < 2; p++) {
    const out_pack pa = ya.read(), pb = yb.read();
    for (int k = 0; k < 2; k++) {
      CHECK(pa[k] == flat[2 * p + k]);
      CHECK(pb[k] == channels[2 * p + k]);
    }
  }
}

namespace {
struct merge_cfg : nnet::merge_config {
  static const unsigned n_elem = 4;
};
struct dot_cfg : nnet::dot_config {
  static const unsigned n_in = 4;
  typedef sat_t accum_t;
};
struct concat_cfg : nnet::concat_config {
  static const unsigned n_elem1_0 = 2, n_elem1_1 = 2, n_elem1_2 = 2;
  static const unsigned n_elem2_0 = 2, n_elem2_1 = 2, n_elem2_2 = 1;
};
struct cat_cfg : nnet::concat_config {
  static const unsigned n_elem1_0 = 4, n_elem2_0 = 4;
};
template <int AXIS>
struct concat_axis_cfg : nnet::concat_config {
  static const int axis = AXIS;
  static const unsigned n_elem1_0 = 2, n_elem1_1 = 3, n_elem2_0 = 2, n_elem2_1 = 3;
};
}  // namespace

TEST_CASE("merges compute exactly and store once into res_T", "[nnet]") {
  const small_t a[4] = {0.5, -1, 3, 7.5};
  const small_t b[4] = {0.25, 2, -3, 7.5};
  ap_fixed<8, 6> r[4];  // step 0.25
  nnet::add<small_t, small_t, ap_fixed<8, 6>, merge_cfg>(a, b, r);
  CHECK(r[0].to_double() == 0.75);
  CHECK(r[3].to_double() == 15.0);
  nnet::subtract<small_t, small_t, ap_fixed<8, 6>, merge_cfg>(a, b, r);
  CHECK(r[0].to_double() == 0.25);
  CHECK(r[1].to_double() == -3.0);
  nnet::multiply<small_t, small_t, ap_fixed<8, 6>, merge_cfg>(a, b, r);
  CHECK(r[0].to_double() == 0.0);  // 0.125 floors to 0
  CHECK(r[2].to_double() == -9.0);
  nnet::average<small_t, small_t, ap_fixed<8, 6>, merge_cfg>(a, b, r);
  CHECK(r[0].to_double() == 0.25);  // 0.375 floors to 0.25
  CHECK(r[1].to_double() == 0.5);
  CHECK(r[3].to_double() == 7.5);  // (7.5 + 7.5) / 2, no overflow in between
  nnet::maximum<small_t, small_t, ap_fixed<8, 6>, merge_cfg>(a, b, r);
  CHECK(r[1].to_double() == 2.0);
  nnet::minimum<small_t, small_t, ap_fixed<8, 6>, merge_cfg>(a, b, r);
  CHECK(r[1].to_double() == -1.0);
  // dot1d: products 0.125 -> 0 (accum_t step 0.5), -2, -9 -> -4 (sat),
  // 56.25 -> 3.5: 0, -2, -4, -0.5.
  ap_fixed<8, 6> d[1];
  nnet::dot1d<small_t, small_t, ap_fixed<8, 6>, dot_cfg>(a, b, d);
  CHECK(d[0].to_double() == -0.5);
}

TEST_CASE("concatenations follow the Keras axis in C order", "[nnet]") {
  const small_t a[8] = {0, 1, 2, 3, 4, 5, 6, 7};  // (2, 2, 2)
  const small_t b[4] = {-1, -2, -3, -4};          // (2, 2, 1)
  small_t r[12];
  nnet::concatenate3d<small_t, small_t, small_t, concat_cfg>(a, b, r);  // axis -1
  const double last[12] = {0, 1, -1, 2, 3, -2, 4, 5, -3, 6, 7, -4};
  for (int i = 0; i < 12; i++) CHECK(r[i].to_double() == last[i]);

  const small_t c[6] = {0, 1, 2, 3, 4, 5};        // (2, 3)
  const small_t e[6] = {-0, -1, -2, -3, -4, -5};  // (2, 3)
  small_t rows[12], cols[12];
  nnet::concatenate2d<small_t, small_t, small_t, concat_axis_cfg<1> >(c, e, rows);
  nnet::concatenate2d<small_t, small_t, small_t, concat_axis_cfg<2> >(c, e, cols);
  const double by_rows[12] = {0, 1, 2, 3, 4, 5, 0, -1, -2, -3, -4, -5};
  const double by_cols[12] = {0, 1, 2, 0, -1, -2, 3, 4, 5, -3, -4, -5};
  for (int i = 0; i < 12; i++) {
    CHECK(rows[i].to_double() == by_rows[i]);
    CHECK(cols[i].to_double() == by_cols[i]);
  }
  small_t flat[4];  // n_elem1_0 = n_elem2_0 = 2
  nnet::concatenate1d<small_t, small_t, small_t, concat_axis_cfg<-1> >(c, e, flat);
  CHECK(flat[1].to_double() == 1);
  CHECK(flat[3].to_double() == -1);
}

TEST_CASE("io_stream merges equal io_parallel", "[nnet]") {
  typedef nnet::array<small_t, 2> pack_t;
  const small_t a[4] = {0.5, -1, 3, 7.5};
  const small_t b[4] = {0.25, 2, -3, 7.5};
  small_t sum[4], cat[8];
  nnet::add<small_t, small_t, small_t, merge_cfg>(a, b, sum);
  nnet::concatenate1d<small_t, small_t, small_t, cat_cfg>(a, b, cat);
  hls::stream<pack_t> a1, b1, a2, b2, s, c;
  for (int p = 0; p < 2; p++) {
    const pack_t pa = {{a[2 * p], a[2 * p + 1]}}, pb = {{b[2 * p], b[2 * p + 1]}};
    a1.write(pa);
    a2.write(pa);
    b1.write(pb);
    b2.write(pb);
  }
  nnet::add<pack_t, pack_t, pack_t, merge_cfg>(a1, b1, s);
  nnet::concatenate1d<pack_t, pack_t, pack_t, cat_cfg>(a2, b2, c);
  for (int p = 0; p < 2; p++) {
    const pack_t ps = s.read();
    for (int k = 0; k < 2; k++) CHECK(ps[k] == sum[2 * p + k]);
  }
  for (int p = 0; p < 4; p++) {
    const pack_t pc = c.read();
    for (int k = 0; k < 2; k++) CHECK(pc[k] == cat[2 * p + k]);
  }
}

namespace {
template <bool MASK, class ACCUM = ap_fixed<16, 6> >
struct score_cfg : nnet::score_config {
  static const unsigned n_in = 4;
  static const bool mask_zeros = MASK;
  typedef ACCUM accum_t;
};
struct kl_cfg : nnet::score_config {
  static const unsigned n_in = 2;
};
}  // namespace

TEST_CASE("mse_score: mean of squared differences, optionally masking zero inputs", "[nnet]") {
  const in16_t input[4] = {1, 0, 0.5, -1};
  const in16_t output[4] = {0.5, 0.25, 0.5, 0};
  in16_t score[1];
  // Squares 0.25, 0.0625, 0, 1: sum 1.3125 / 4 = 0.328125.
  nnet::mse_score<in16_t, in16_t, in16_t, score_cfg<false> >(input, output, score);
  CHECK(score[0].to_double() == 0.328125);
  // Masked: position 1 (input 0) is skipped: 1.25 / 3 = 0.41667, truncated
  // toward zero at 10 fraction bits: 426/1024.
  nnet::mse_score<in16_t, in16_t, in16_t, score_cfg<true> >(input, output, score);
  CHECK(score[0].to_double() == 426.0 / 1024);
  // Each square is stored into accum_t first: with step 1/8, 0.0625 -> 0,
  // so the sum is 1.25; the mean 0.3125 truncates at 3 fraction bits to 0.25.
  nnet::mse_score<in16_t, in16_t, in16_t, score_cfg<false, ap_fixed<8, 5> > >(input, output, score);
  CHECK(score[0].to_double() == 0.25);
  // All inputs zero and masked: the score is 0.
  const in16_t zeros[4] = {0, 0, 0, 0};
  nnet::mse_score<in16_t, in16_t, in16_t, score_cfg<true> >(zeros, output, score);
  CHECK(score[0].to_double() == 0.0);
}

TEST_CASE("kl_score: -0.5 * sum(1 + logvar - mu^2 - exp(logvar)) with a lookup exp", "[nnet]") {
  // mu = (0.5, 0), logvar = (0, 1).  Index of 0: 512, exp(0) = 1: term
  // 1 + 0 - 0.25 - 1 = -0.25.  Index of 1: 64 + 512 = 576, exp(1) = 2.718282
  // in ap_ufixed<24,12>: floor(11134.08)/4096 = 11134/4096: term
  // 2 - 11134/4096.  D = -0.5 * (-0.25 + 2 - 11134/4096).
  const in16_t mu[2] = {0.5, 0};
  const in16_t logvar[2] = {0, 1};
  ap_fixed<32, 8> score[1];
  nnet::kl_score<in16_t, in16_t, ap_fixed<32, 8>, kl_cfg>(mu, logvar, score);
  CHECK(score[0].to_double() == -0.5 * (-0.25 + 2 - 11134.0 / 4096));
}

TEST_CASE("io_stream scores equal io_parallel", "[nnet]") {
  typedef nnet::array<in16_t, 2> pack_t;
  typedef nnet::array<in16_t, 1> score_t;
  const in16_t input[4] = {1, 0, 0.5, -1};
  const in16_t output[4] = {0.5, 0.25, 0.5, 0};
  hls::stream<pack_t> a, b;
  hls::stream<score_t> s;
  for (int p = 0; p < 2; p++) {
    const pack_t pa = {{input[2 * p], input[2 * p + 1]}}, pb = {{output[2 * p], output[2 * p + 1]}};
    a.write(pa);
    b.write(pb);
  }
  nnet::mse_score<pack_t, pack_t, score_t, score_cfg<true> >(a, b, s);
  CHECK(s.read()[0].to_double() == 426.0 / 1024);
}

TEST_CASE("testbench helpers: weights from text, conversions, result lines", "[nnet]") {
  test_helpers::TempDir dir;
  const std::string good = dir.write("w2.txt", "0.5, -1.25, 3.03125, 0\n");
  in16_t w[4];
  nnet::load_weights_from_txt<in16_t, 4>(w, good.c_str());
  CHECK(w[1].to_double() == -1.25);
  CHECK(w[2].to_double() == 3.03125);
  // Values are converted with the type's modes: 0.3 in ap_fixed<8,4> floors.
  small_t coarse[1];
  const std::string one = dir.write("b2.txt", "0.3\n");
  nnet::load_weights_from_txt<small_t, 1>(coarse, one.c_str());
  CHECK(coarse[0].to_double() == 0.25);

  const std::string short_file = dir.write("w3.txt", "1, 2, 3\n");
  CHECK_THROWS_WITH((nnet::load_weights_from_txt<in16_t, 4>(w, short_file.c_str())),
                    Catch::Contains("w3.txt: expected 4 values, read 3"));
  const std::string bad = dir.write("w4.txt", "1, x, 3, 4\n");
  CHECK_THROWS_WITH((nnet::load_weights_from_txt<in16_t, 4>(w, bad.c_str())),
                    Catch::Contains("w4.txt: bad value ' x'"));
  CHECK_THROWS_WITH((nnet::load_weights_from_txt<in16_t, 4>(w, dir.file("none.txt").c_str())),
                    Catch::Contains("none.txt: cannot read weights"));

  struct exponent_t {
    ap_uint<1> sign;
    ap_int<4> weight;
  } po2[2];
  const std::string exps = dir.write("w5.txt", "{1, -2}, {0, 3}\n");
  nnet::load_exponent_weights_from_txt<exponent_t, 2>(po2, exps.c_str());
  CHECK(po2[0].sign.to_int() == 1);
  CHECK(po2[0].weight.to_int() == -2);
  CHECK(po2[1].weight.to_int() == 3);

  // The testbench input conversion truncates (TRN) into input_t.
  const std::vector<float> line = {9, 0.3f, -0.3f};
  small_t input[2];
  nnet::copy_data<float, small_t, 1, 2>(line, input);
  CHECK(input[0].to_double() == 0.25);
  CHECK(input[1].to_double() == -0.3125);
  std::ostringstream log;
  nnet::print_result<small_t, 2>(input, log);
  CHECK(log.str() == "0.25 -0.3125 \n");

  typedef nnet::array<small_t, 2> pack_t;
  hls::stream<pack_t> packed;
  nnet::copy_data<float, pack_t, 1, 2>(line, packed);
  std::ostringstream stream_log;
  nnet::print_result<pack_t, 2>(packed, stream_log, true);
  CHECK(stream_log.str() == "0.25 -0.3125 \n");
  float back[2];
  nnet::convert_data<pack_t, float, 2>(packed, back);  // kept by print_result
  CHECK(back[1] == -0.3125f);
}
