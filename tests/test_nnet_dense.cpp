// nnet dense kernels (export/nnet_utils): the latency algorithm's
// quantization steps, the product kinds, the resource strategy's summation
// orders and the stream wrapper.  Expected values are worked by hand from
// ../shared/spec/hls4ml.md §2.3-§2.5.
#include <random>
#include <type_traits>

#include "nnet_utils/nnet_dense.h"
#include "nnet_utils/nnet_dense_stream.h"
#include "tests/test_common.h"

namespace {

typedef ap_fixed<8, 4> data8_t;
typedef ap_fixed<8, 2> weight8_t;

template <unsigned N_IN, unsigned N_OUT, class ACCUM, class WEIGHT = weight8_t>
struct dense_cfg : nnet::dense_config {
  static const unsigned n_in = N_IN;
  static const unsigned n_out = N_OUT;
  typedef ACCUM accum_t;
  typedef WEIGHT weight_t;
  typedef weight8_t bias_t;
};

template <class BASE, unsigned RF, template <class, class, class> class KERNEL>
struct resource_cfg : BASE {
  static const unsigned strategy = nnet::resource;
  static const unsigned reuse_factor = RF;
  template <class data_T, class res_T, class CONFIG_T>
  using kernel = KERNEL<data_T, res_T, CONFIG_T>;
};

// The Keras kernel (n_in, n_out) transposed to the resource layout.
template <unsigned N_IN, unsigned N_OUT, class T>
void transpose(const T* w, T* wt) {
  for (unsigned i = 0; i < N_IN; i++)
    for (unsigned j = 0; j < N_OUT; j++) wt[j * N_IN + i] = w[i * N_OUT + j];
}

struct exponent_weight_t {
  ap_uint<1> sign;
  ap_int<4> weight;
};

struct exponent5_weight_t {
  ap_uint<1> sign;
  ap_int<5> weight;
};

template <class BASE, template <class, class> class PRODUCT>
struct product_cfg : BASE {
  template <class x_T, class w_T>
  using product = PRODUCT<x_T, w_T>;
};

struct xnor_cfg : product_cfg<dense_cfg<5, 3, ap_int<4>, ap_uint<1> >, nnet::product::both_binary> {
  typedef ap_int<4> bias_t;
};
typedef product_cfg<dense_cfg<2, 1, ap_fixed<16, 8>, exponent_weight_t>,
                    nnet::product::weight_exponential>
    po2_cfg;
typedef product_cfg<dense_cfg<2, 1, ap_fixed<16, 8>, ap_uint<1> >, nnet::product::weight_binary>
    binary_cfg;
typedef product_cfg<dense_cfg<3, 1, ap_fixed<16, 8>, ap_int<2> >, nnet::product::weight_ternary>
    ternary_cfg;

}  // namespace

TEST_CASE("dense_latency stores every partial sum in accum_t, so a narrow accumulator wraps",
          "[nnet]") {
  // Column 0: bias 0.25 then 1, 2, -1.5, 3: 1.25, 3.25, 1.75, 4.75 -> wraps
  // in ap_fixed<6,3> ([-4, 4)) to -3.25.  Column 1 (weights 0.5): 2.25.
  const data8_t x[4] = {1, 2, -1.5, 3};
  const weight8_t w[8] = {1, 0.5, 1, 0.5, 1, 0.5, 1, 0.5};
  const weight8_t b[2] = {0.25, 0};
  ap_fixed<16, 8> narrow[2], wide[2];
  nnet::dense<data8_t, ap_fixed<16, 8>, dense_cfg<4, 2, ap_fixed<6, 3> > >(x, narrow, w, b);
  nnet::dense<data8_t, ap_fixed<16, 8>, dense_cfg<4, 2, ap_fixed<12, 6> > >(x, wide, w, b);
  CHECK(narrow[0].to_double() == -3.25);
  CHECK(narrow[1].to_double() == 2.25);
  CHECK(wide[0].to_double() == 4.75);
}

TEST_CASE("dense_latency quantizes each product to accum_t before adding", "[nnet]") {
  // 0.375 * 0.375 = 0.140625 -> floor to 1/16: 0.125; -0.140625 -> -0.1875.
  // The sum is -0.0625, not the exact 0.
  const data8_t x[2] = {0.375, -0.375};
  const weight8_t w[2] = {0.375, 0.375};
  const weight8_t b[1] = {0};
  ap_fixed<16, 8> res[1];
  nnet::dense<data8_t, ap_fixed<16, 8>, dense_cfg<2, 1, ap_fixed<8, 4> > >(x, res, w, b);
  CHECK(res[0].to_double() == -0.0625);
}

TEST_CASE("dense_latency skips zero weights without changing the result", "[nnet]") {
  // With a saturating accumulator the sum is order-sensitive; zero terms
  // still change nothing: 3, +0, +3 -> 3.5 (saturated), +0, -1 -> 2.5.
  typedef ap_fixed<4, 3, AP_TRN, AP_SAT> sat_t;
  const data8_t x[5] = {3, 7, 3, -7.5, 1};
  const weight8_t w[5] = {1, 0, 1, 0, -1};
  const weight8_t b[1] = {0};
  ap_fixed<16, 8> res[1];
  nnet::dense<data8_t, ap_fixed<16, 8>, dense_cfg<5, 1, sat_t> >(x, res, w, b);
  CHECK(res[0].to_double() == 2.5);
}

TEST_CASE("xnor dense counts agreements and returns 2*acc - n_in", "[nnet]") {
  const ap_uint<1> x[5] = {1, 0, 1, 1, 0};
  // Column 0 agrees at 0, 3, 4 (3 of 5 -> 1); column 1 everywhere (5);
  // column 2 nowhere (-5).
  const ap_uint<1> w[15] = {1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1};
  const ap_int<4> b[3] = {0, 0, 0};
  typedef ap_int<nnet::ceillog2(5) + 2> popcount_t;
  STATIC_REQUIRE(popcount_t::width == 5);
  popcount_t res[3];
  nnet::dense<ap_uint<1>, popcount_t, xnor_cfg>(x, res, w, b);
  CHECK(res[0].to_int() == 1);
  CHECK(res[1].to_int() == 5);
  CHECK(res[2].to_int() == -5);
}

TEST_CASE("product kinds return the spec's exact types and values", "[nnet]") {
  using namespace nnet::product;
  STATIC_REQUIRE(
      std::is_same<decltype(mult<data8_t, weight8_t>::product(0, 0)), ap_fixed<16, 6> >::value);
  STATIC_REQUIRE(std::is_same<decltype(weight_binary<data8_t, ap_uint<1> >::product(0, 0)),
                              ap_fixed<9, 5> >::value);
  STATIC_REQUIRE(std::is_same<decltype(data_binary<ap_uint<1>, weight8_t>::product(0, 0)),
                              ap_fixed<9, 3> >::value);
  STATIC_REQUIRE(std::is_same<decltype(both_binary<ap_uint<1>, ap_uint<1> >::product(0, 0)),
                              ap_uint<1> >::value);
  STATIC_REQUIRE(std::is_same<decltype(weight_ternary<data8_t, ap_int<2> >::product(0, 0)),
                              ap_fixed<9, 5> >::value);
  // r_T = ap_fixed<2*(4+8), 4+8>, returned negated-capable: ap_fixed<25, 13>.
  typedef weight_exponential<data8_t, exponent_weight_t> po2;
  STATIC_REQUIRE(std::is_same<po2::r_T, ap_fixed<24, 12> >::value);
  STATIC_REQUIRE(std::is_same<po2::result_T, ap_fixed<25, 13> >::value);

  CHECK(weight_binary<data8_t, ap_uint<1> >::product(1.5, 0).to_double() == -1.5);
  CHECK(weight_binary<data8_t, ap_uint<1> >::product(1.5, 1).to_double() == 1.5);
  CHECK(data_binary<ap_uint<1>, weight8_t>::product(0, 0.75).to_double() == -0.75);
  CHECK(both_binary<ap_uint<1>, ap_uint<1> >::product(0, 0).to_int() == 1);
  CHECK(both_binary<ap_uint<1>, ap_uint<1> >::product(1, 0).to_int() == 0);
  CHECK(weight_ternary<data8_t, ap_int<2> >::product(2.5, -1).to_double() == -2.5);
  CHECK(weight_ternary<data8_t, ap_int<2> >::product(2.5, 0).to_double() == 0);
  CHECK(weight_ternary<data8_t, ap_int<2> >::product(2.5, 1).to_double() == 2.5);
}

TEST_CASE("weight_exponential shifts left and right and applies the sign bit", "[nnet]") {
  typedef nnet::product::weight_exponential<data8_t, exponent_weight_t> po2;
  exponent_weight_t w;
  w.sign = 1;
  w.weight = 2;
  CHECK(po2::product(0.75, w).to_double() == 3.0);  // 0.75 * 2^2
  w.sign = 0;
  w.weight = -1;
  CHECK(po2::product(0.75, w).to_double() == -0.375);  // -(0.75 * 2^-1)
  w.sign = 1;
  w.weight = -3;
  CHECK(po2::product(0.75, w).to_double() == 0.09375);  // 0.75 / 8
  // r_T keeps 12 fractional bits: 2^-4 >> 8 = 2^-12 survives.
  w.weight = -8;
  CHECK(po2::product(0.0625, w).to_double() == 1.0 / 4096);
  // Exponent 7 (ap_int<4>'s largest): 1.5 * 128.
  w.weight = 7;
  CHECK(po2::product(1.5, w).to_double() == 192.0);

  // With a 5-bit exponent r_T is ap_fixed<26, 13>: shifting 2^-4 right by 10
  // drops its only bit, and the arithmetic shift of -2^-4 floors to -2^-13.
  typedef nnet::product::weight_exponential<data8_t, exponent5_weight_t> po2_5;
  STATIC_REQUIRE(std::is_same<po2_5::r_T, ap_fixed<26, 13> >::value);
  exponent5_weight_t w5;
  w5.sign = 1;
  w5.weight = -10;
  CHECK(po2_5::product(0.0625, w5).to_double() == 0.0);
  CHECK(po2_5::product(-0.0625, w5).to_double() == -1.0 / 8192);
}

TEST_CASE("dense with po2, binary and ternary weights", "[nnet]") {
  const weight8_t b[1] = {0.25};
  ap_fixed<16, 8> res[1];

  const data8_t x2[2] = {1.5, -0.5};
  exponent_weight_t po2_w[2];
  po2_w[0].sign = 1;
  po2_w[0].weight = 1;  // +2
  po2_w[1].sign = 0;
  po2_w[1].weight = -1;  // -0.5
  nnet::dense<data8_t, ap_fixed<16, 8>, po2_cfg>(x2, res, po2_w, b);
  CHECK(res[0].to_double() == 0.25 + 3.0 + 0.25);

  const ap_uint<1> bin_w[2] = {1, 0};  // +1, -1
  nnet::dense<data8_t, ap_fixed<16, 8>, binary_cfg>(x2, res, bin_w, b);
  CHECK(res[0].to_double() == 0.25 + 1.5 + 0.5);

  const data8_t x3[3] = {1, 2, 3};
  const ap_int<2> tern_w[3] = {-1, 0, 1};
  nnet::dense<data8_t, ap_fixed<16, 8>, ternary_cfg>(x3, res, tern_w, b);
  CHECK(res[0].to_double() == 0.25 - 1 + 3);
}

TEST_CASE(
    "resource strategy sums in its own order: equal to latency when exact, not when saturating",
    "[nnet]") {
  typedef ap_fixed<4, 3, AP_TRN, AP_SAT> sat_t;  // [-4, 3.5], step 0.5
  typedef dense_cfg<4, 1, sat_t> latency_cfg;
  typedef resource_cfg<latency_cfg, 2, nnet::DenseResource_rf_leq_nin> leq_cfg;
  // Products 3, 1, -3, 1.  Latency order 3, 4 -> 3.5, 0.5, 1.5; the RF = 2
  // walk takes inputs 0, 2 in round 0 and 1, 3 in round 1: 3, 0, 1, 2.
  const data8_t x[4] = {3, 1, -3, 1};
  const weight8_t w[4] = {1, 1, 1, 1};
  const weight8_t b[1] = {0};
  ap_fixed<16, 8> latency_res[1], resource_res[1];
  nnet::dense<data8_t, ap_fixed<16, 8>, latency_cfg>(x, latency_res, w, b);
  nnet::dense<data8_t, ap_fixed<16, 8>, leq_cfg>(x, resource_res, w, b);
  CHECK(latency_res[0].to_double() == 1.5);
  CHECK(resource_res[0].to_double() == 2.0);

  // rf_gt_nin_rem0 feeds each output its inputs in order 0..n_in-1 (one per
  // round), so it matches latency even with the saturating accumulator.
  typedef dense_cfg<4, 2, sat_t> latency2_cfg;
  typedef resource_cfg<latency2_cfg, 8, nnet::DenseResource_rf_gt_nin_rem0> gt_cfg;
  const weight8_t w2[8] = {1, 1, 1, -1, 1, 1, 1, 0.5};
  weight8_t w2t[8];
  transpose<4, 2>(w2, w2t);
  const weight8_t b2[2] = {0, 0};
  ap_fixed<16, 8> a[2], c[2];
  nnet::dense<data8_t, ap_fixed<16, 8>, latency2_cfg>(x, a, w2, b2);
  nnet::dense<data8_t, ap_fixed<16, 8>, gt_cfg>(x, c, w2t, b2);
  CHECK(a[0].to_double() == 1.5);
  CHECK(c[0].to_double() == 1.5);
  CHECK(a[1].to_double() == c[1].to_double());
}

TEST_CASE("resource strategy equals latency with a wide accumulator", "[nnet]") {
  typedef ap_fixed<24, 10> wide_t;
  typedef dense_cfg<6, 4, wide_t> latency_cfg;
  typedef resource_cfg<latency_cfg, 1, nnet::DenseResource_rf_leq_nin> rf1_cfg;
  typedef resource_cfg<latency_cfg, 3, nnet::DenseResource_rf_leq_nin> rf3_cfg;
  typedef resource_cfg<latency_cfg, 6, nnet::DenseResource_rf_leq_nin> rf6_cfg;
  typedef resource_cfg<latency_cfg, 12, nnet::DenseResource_rf_gt_nin_rem0> rf12_cfg;
  typedef resource_cfg<latency_cfg, 24, nnet::DenseResource_rf_gt_nin_rem0> rf24_cfg;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> code(-128, 127);
  for (int trial = 0; trial < 20; trial++) {
    data8_t x[6];
    weight8_t w[24], wt[24], b[4];
    for (auto& v : x) v = code(rng) / 16.0;
    for (auto& v : w) v = trial % 2 && code(rng) % 3 == 0 ? 0.0 : code(rng) / 64.0;
    for (auto& v : b) v = code(rng) / 64.0;
    transpose<6, 4>(w, wt);
    wide_t expected[4], got[4];
    nnet::dense<data8_t, wide_t, latency_cfg>(x, expected, w, b);
    nnet::dense<data8_t, wide_t, rf1_cfg>(x, got, wt, b);
    for (int j = 0; j < 4; j++) CHECK(got[j] == expected[j]);
    nnet::dense<data8_t, wide_t, rf3_cfg>(x, got, wt, b);
    for (int j = 0; j < 4; j++) CHECK(got[j] == expected[j]);
    nnet::dense<data8_t, wide_t, rf6_cfg>(x, got, wt, b);
    for (int j = 0; j < 4; j++) CHECK(got[j] == expected[j]);
    nnet::dense<data8_t, wide_t, rf12_cfg>(x, got, wt, b);
    for (int j = 0; j < 4; j++) CHECK(got[j] == expected[j]);
    nnet::dense<data8_t, wide_t, rf24_cfg>(x, got, wt, b);
    for (int j = 0; j < 4; j++) CHECK(got[j] == expected[j]);
  }
}

TEST_CASE("io_stream dense reads packs, runs the io_parallel kernel, writes packs", "[nnet]") {
  typedef dense_cfg<4, 2, ap_fixed<6, 3> > cfg;
  const data8_t x[4] = {1, 2, -1.5, 3};
  const weight8_t w[8] = {1, 0.5, 1, 0.5, 1, 0.5, 1, 0.5};
  const weight8_t b[2] = {0.25, 0};
  hls::stream<nnet::array<data8_t, 2> > in("in");
  hls::stream<nnet::array<ap_fixed<16, 8>, 1> > out("out");
  for (int p = 0; p < 2; p++) {
    nnet::array<data8_t, 2> pack;
    pack[0] = x[2 * p];
    pack[1] = x[2 * p + 1];
    in.write(pack);
  }
  nnet::dense<nnet::array<data8_t, 2>, nnet::array<ap_fixed<16, 8>, 1>, cfg>(in, out, w, b);
  REQUIRE(out.size() == 2);
  CHECK(out.read()[0].to_double() == -3.25);
  CHECK(out.read()[0].to_double() == 2.25);
  CHECK(in.empty());
}
