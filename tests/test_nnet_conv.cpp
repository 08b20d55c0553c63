// nnet convolution, padding, pooling and upsampling
// (export/nnet_utils): io_parallel against a direct loop and hand values,
// io_stream (line buffers) against io_parallel on random inputs.
#include <random>

#include "nnet_utils/nnet_conv1d.h"
#include "nnet_utils/nnet_conv1d_stream.h"
#include "nnet_utils/nnet_conv2d.h"
#include "nnet_utils/nnet_conv2d_stream.h"
#include "nnet_utils/nnet_image.h"
#include "nnet_utils/nnet_image_stream.h"
#include "nnet_utils/nnet_padding.h"
#include "nnet_utils/nnet_padding_stream.h"
#include "nnet_utils/nnet_pooling.h"
#include "nnet_utils/nnet_pooling_stream.h"
#include "tests/test_common.h"

namespace {

typedef ap_fixed<10, 4> data_t;    // 6 fraction bits
typedef ap_fixed<8, 2> weight_t;   // 6 fraction bits
typedef ap_fixed<24, 10> accum_t;  // 12 fraction bits: every sum below is exact
typedef ap_fixed<16, 8> res_t;

// A 5x6x2 image, 3x3 kernel, 3 filters.
const unsigned H = 5, W = 6, C = 2, K = 3, F = 3;

struct mult_cfg : nnet::dense_config {
  static const unsigned n_in = K * K * C;
  static const unsigned n_out = F;
  typedef ::accum_t accum_t;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
};

struct mult_resource_cfg : mult_cfg {
  static const unsigned strategy = nnet::resource;
  static const unsigned reuse_factor = 3;
  template <class data_T, class res_T, class CONFIG_T>
  using kernel = nnet::DenseResource_rf_leq_nin<data_T, res_T, CONFIG_T>;
};

template <unsigned PAD, unsigned STRIDE, class MULT = mult_cfg>
struct conv2d_cfg : nnet::conv2d_config {
  static const unsigned in_height = H, in_width = W, n_chan = C;
  static const unsigned filt_height = K, filt_width = K, kernel_size = K * K, n_filt = F;
  static const unsigned pad_top = PAD, pad_bottom = PAD, pad_left = PAD, pad_right = PAD;
  static const unsigned stride_height = STRIDE, stride_width = STRIDE;
  static const unsigned out_height = (H + 2 * PAD - K) / STRIDE + 1;
  static const unsigned out_width = (W + 2 * PAD - K) / STRIDE + 1;
  static const unsigned strategy = MULT::strategy;
  static const unsigned n_partitions = 1;
  static const unsigned n_pixels = out_height * out_width;
  typedef MULT mult_config;
  typedef ::accum_t accum_t;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
};

// The same layer on the padded image, for io_stream.
template <unsigned STRIDE>
struct conv2d_stream_cfg : conv2d_cfg<0, STRIDE> {
  static const unsigned in_height = H + 2, in_width = W + 2;
  static const unsigned out_height = (H + 2 - K) / STRIDE + 1;
  static const unsigned out_width = (W + 2 - K) / STRIDE + 1;
  static const unsigned n_pixels = out_height * out_width;
};

struct pad2d_cfg : nnet::padding2d_config {
  static const unsigned n_chan = C, in_height = H, in_width = W;
  static const unsigned out_height = H + 2, out_width = W + 2;
  static const unsigned pad_top = 1, pad_bottom = 1, pad_left = 1, pad_right = 1;
};

template <class T>
std::vector<T> random_values(unsigned n, std::mt19937& rng, double scale) {
  std::uniform_int_distribution<int> code(-100, 100);
  std::vector<T> v(n);
  for (auto& x : v) x = code(rng) * scale;
  return v;
}

template <class pack_T, class T>
void write_pixels(const T* data, unsigned n_pixels, hls::stream<pack_T>& s) {
  for (unsigned p = 0; p < n_pixels; p++) {
    pack_T pack;
    for (unsigned c = 0; c < pack_T::size; c++) pack[c] = data[p * pack_T::size + c];
    s.write(pack);
  }
}

template <class pack_T, class T>
void check_stream_equals(hls::stream<pack_T>& s, const T* expected, unsigned n_pixels) {
  REQUIRE(s.size() == n_pixels);
  for (unsigned p = 0; p < n_pixels; p++) {
    const pack_T pack = s.read();
    for (unsigned c = 0; c < pack_T::size; c++) CHECK(pack[c] == expected[p * pack_T::size + c]);
  }
}

}  // namespace

TEST_CASE("conv2d io_parallel with same padding equals a direct loop", "[nnet]") {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 3; trial++) {
    const std::vector<data_t> x = random_values<data_t>(H * W * C, rng, 1.0 / 32);
    const std::vector<weight_t> w = random_values<weight_t>(K * K * C * F, rng, 1.0 / 64);
    const std::vector<weight_t> b = random_values<weight_t>(F, rng, 1.0 / 64);
    std::vector<res_t> same(H * W * F), strided(2 * 2 * F);
    nnet::conv_2d_cl<data_t, res_t, conv2d_cfg<1, 1> >(x.data(), same.data(), w.data(), b.data());
    nnet::conv_2d_cl<data_t, res_t, conv2d_cfg<0, 2> >(x.data(), strided.data(), w.data(),
                                                       b.data());
    // Keras: out[oh][ow][f] = b[f] + sum x[oh*s+kh-pad][ow*s+kw-pad][c] *
    // kernel[kh][kw][c][f] over the positions inside the image.  The
    // accumulator is wide enough for the sum to be exact, so the double sum
    // is the reference.
    auto direct = [&](unsigned pad, unsigned stride, unsigned oh, unsigned ow, unsigned f) {
      double s = b[f].to_double();
      for (unsigned kh = 0; kh < K; kh++)
        for (unsigned kw = 0; kw < K; kw++)
          for (unsigned c = 0; c < C; c++) {
            const int ih = int(oh * stride + kh) - int(pad), iw = int(ow * stride + kw) - int(pad);
            if (ih < 0 || ih >= int(H) || iw < 0 || iw >= int(W)) continue;
            s += x[(ih * W + iw) * C + c].to_double() *
                 w[((kh * K + kw) * C + c) * F + f].to_double();
          }
      return res_t(s);
    };
    for (unsigned oh = 0; oh < H; oh++)
      for (unsigned ow = 0; ow < W; ow++)
        for (unsigned f = 0; f < F; f++)
          CHECK(same[(oh * W + ow) * F + f] == direct(1, 1, oh, ow, f));
    for (unsigned oh = 0; oh < 2; oh++)
      for (unsigned ow = 0; ow < 2; ow++)
        for (unsigned f = 0; f < F; f++)
          CHECK(strided[(oh * 2 + ow) * F + f] == direct(0, 2, oh, ow, f));
  }
}

namespace {
struct small_pad_cfg : nnet::padding2d_config {
  static const unsigned n_chan = 1, in_height = 1, in_width = 2, out_height = 3, out_width = 5;
  static const unsigned pad_top = 1, pad_bottom = 1, pad_left = 1, pad_right = 2;
};
}  // namespace

TEST_CASE("zeropad2d surrounds the image with zero pixels", "[nnet]") {
  const data_t x[2] = {1.5, -2};
  data_t y[15];
  nnet::zeropad2d_cl<data_t, data_t, small_pad_cfg>(x, y);
  const double expected[15] = {0, 0, 0, 0, 0, 0, 1.5, -2, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 15; i++) CHECK(y[i].to_double() == expected[i]);
}

TEST_CASE("conv2d resource strategy with transposed weights equals latency", "[nnet]") {
  std::mt19937 rng(5);
  const std::vector<data_t> x = random_values<data_t>(H * W * C, rng, 1.0 / 32);
  const std::vector<weight_t> w = random_values<weight_t>(K * K * C * F, rng, 1.0 / 64);
  const std::vector<weight_t> b = random_values<weight_t>(F, rng, 1.0 / 64);
  std::vector<weight_t> wt(w.size());  // (F, kh, kw, C)
  for (unsigned i = 0; i < K * K * C; i++)
    for (unsigned f = 0; f < F; f++) wt[f * K * K * C + i] = w[i * F + f];
  std::vector<res_t> latency(H * W * F), resource(H * W * F);
  nnet::conv_2d_cl<data_t, res_t, conv2d_cfg<1, 1> >(x.data(), latency.data(), w.data(), b.data());
  nnet::conv_2d_cl<data_t, res_t, conv2d_cfg<1, 1, mult_resource_cfg> >(x.data(), resource.data(),
                                                                        wt.data(), b.data());
  for (unsigned i = 0; i < latency.size(); i++) CHECK(resource[i] == latency[i]);
}

TEST_CASE("conv2d io_stream (zeropad + line buffer) equals io_parallel", "[nnet]") {
  typedef nnet::array<data_t, C> in_pack;
  typedef nnet::array<res_t, F> out_pack;
  std::mt19937 rng(11);
  for (int trial = 0; trial < 3; trial++) {
    const std::vector<data_t> x = random_values<data_t>(H * W * C, rng, 1.0 / 32);
    const std::vector<weight_t> w = random_values<weight_t>(K * K * C * F, rng, 1.0 / 64);
    const std::vector<weight_t> b = random_values<weight_t>(F, rng, 1.0 / 64);
    std::vector<res_t> same(H * W * F), strided(3 * 3 * F);
    nnet::conv_2d_cl<data_t, res_t, conv2d_cfg<1, 1> >(x.data(), same.data(), w.data(), b.data());
    nnet::conv_2d_cl<data_t, res_t, conv2d_cfg<1, 2> >(x.data(), strided.data(), w.data(),
                                                       b.data());
    for (unsigned stride = 1; stride <= 2; stride++) {
      hls::stream<in_pack> in("in"), padded("padded");
      hls::stream<out_pack> out("out");
      write_pixels(x.data(), H * W, in);
      nnet::zeropad2d_cl<in_pack, in_pack, pad2d_cfg>(in, padded);
      REQUIRE(padded.size() == (H + 2) * (W + 2));
      if (stride == 1) {
        nnet::conv_2d_cl<in_pack, out_pack, conv2d_stream_cfg<1> >(padded, out, w.data(), b.data());
        check_stream_equals(out, same.data(), H * W);
      } else {
        nnet::conv_2d_cl<in_pack, out_pack, conv2d_stream_cfg<2> >(padded, out, w.data(), b.data());
        check_stream_equals(out, strided.data(), 3 * 3);
      }
      CHECK(padded.empty());
    }
  }
}

namespace {
struct mult1d_cfg : mult_cfg {
  static const unsigned n_in = K * C;
};
template <unsigned PAD, unsigned IN_W>
struct conv1d_cfg : nnet::conv1d_config {
  static const unsigned in_width = IN_W, n_chan = C, filt_width = K, kernel_size = K, n_filt = F;
  static const unsigned pad_left = PAD, pad_right = PAD;
  static const unsigned out_width = IN_W + 2 * PAD - K + 1;
  static const unsigned n_pixels = out_width;
  typedef mult1d_cfg mult_config;
  typedef ::accum_t accum_t;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
};
struct pad1d_cfg : nnet::padding1d_config {
  static const unsigned n_chan = C, in_width = 7, out_width = 9, pad_left = 1, pad_right = 1;
};
}  // namespace

TEST_CASE("conv1d: same padding by hand, io_stream equals io_parallel", "[nnet]") {
  // One channel pair, kernel 3: at the left edge the field is (pad, x0, x1).
  std::mt19937 rng(13);
  const std::vector<data_t> x = random_values<data_t>(7 * C, rng, 1.0 / 32);
  const std::vector<weight_t> w = random_values<weight_t>(K * C * F, rng, 1.0 / 64);
  const std::vector<weight_t> b = random_values<weight_t>(F, rng, 1.0 / 64);
  std::vector<res_t> y(7 * F);
  nnet::conv_1d_cl<data_t, res_t, conv1d_cfg<1, 7> >(x.data(), y.data(), w.data(), b.data());
  for (unsigned f = 0; f < F; f++) {
    double s = b[f].to_double();
    for (unsigned kw = 1; kw < K; kw++)
      for (unsigned c = 0; c < C; c++)
        s += x[(kw - 1) * C + c].to_double() * w[(kw * C + c) * F + f].to_double();
    CHECK(y[f] == res_t(s));
  }

  typedef nnet::array<data_t, C> in_pack;
  typedef nnet::array<res_t, F> out_pack;
  hls::stream<in_pack> in, padded;
  hls::stream<out_pack> out;
  write_pixels(x.data(), 7, in);
  nnet::zeropad1d_cl<in_pack, in_pack, pad1d_cfg>(in, padded);
  nnet::conv_1d_cl<in_pack, out_pack, conv1d_cfg<0, 9> >(padded, out, w.data(), b.data());
  check_stream_equals(out, y.data(), 7);
}

namespace {
template <nnet::Pool_Op OP, unsigned PAD, bool COUNT_PAD, class ACCUM = ap_fixed<16, 8> >
struct pool2d_cfg : nnet::pooling2d_config {
  static const unsigned in_height = 3, in_width = 3, n_filt = 1;
  static const unsigned pool_height = 2, pool_width = 2, stride_height = 2, stride_width = 2;
  static const unsigned pad_top = 0, pad_left = 0, pad_bottom = PAD, pad_right = PAD;
  static const unsigned out_height = (3 + PAD - 2) / 2 + 1, out_width = (3 + PAD - 2) / 2 + 1;
  static const bool count_pad = COUNT_PAD;
  static const nnet::Pool_Op pool_op = OP;
  typedef ACCUM accum_t;
};
typedef ap_fixed<8, 4> pool_t;  // 4 fraction bits
}  // namespace

TEST_CASE("pooling by hand: max pads with the most negative value, average divides", "[nnet]") {
  // 3x3 image, 2x2 pool, stride 2, one row and column of padding ('same').
  const pool_t x[9] = {-1, -2, -3, -4, -5, -6, -7, -0.5, -0.25};
  pool_t y[4];
  nnet::pooling2d_cl<pool_t, pool_t, pool2d_cfg<nnet::Max, 1, false> >(x, y);
  CHECK(y[0].to_double() == -1);     // max(-1, -2, -4, -5)
  CHECK(y[1].to_double() == -3);     // max(-3, -6, pad, pad)
  CHECK(y[2].to_double() == -0.5);   // max(-7, -0.5, pad, pad)
  CHECK(y[3].to_double() == -0.25);  // x[2][2] and three pads
  // Average without count_pad divides by the positions inside the image.
  nnet::pooling2d_cl<pool_t, pool_t, pool2d_cfg<nnet::Average, 1, false> >(x, y);
  CHECK(y[0].to_double() == -3);     // -12 / 4
  CHECK(y[1].to_double() == -4.5);   // -9 / 2
  CHECK(y[2].to_double() == -3.75);  // -7.5 / 2
  CHECK(y[3].to_double() == -0.25);
  nnet::pooling2d_cl<pool_t, pool_t, pool2d_cfg<nnet::Average, 1, true> >(x, y);
  CHECK(y[1].to_double() == -2.25);    // -9 / 4
  CHECK(y[3].to_double() == -0.0625);  // -0.25 / 4
  nnet::pooling2d_cl<pool_t, pool_t, pool2d_cfg<nnet::Max, 0, false> >(x, y);
  CHECK(y[0].to_double() == -1);  // valid: one output
}

TEST_CASE("average pooling divides in accum_t, truncating toward zero", "[nnet]") {
  // -0.0625 / 4 = -0.015625: with 4 fraction bits in accum_t the quotient
  // truncates toward zero to 0 (a floor would give -0.0625); with 6 bits it
  // is exact and the result type (4 bits, TRN) floors it to -0.0625.
  const pool_t x[9] = {-0.0625, 0, 0, 0, 0, 0, 0, 0, 0};
  pool_t coarse[1], fine[1];
  nnet::pooling2d_cl<pool_t, pool_t, pool2d_cfg<nnet::Average, 0, false, ap_fixed<10, 6> > >(
      x, coarse);
  nnet::pooling2d_cl<pool_t, pool_t, pool2d_cfg<nnet::Average, 0, false, ap_fixed<12, 6> > >(x,
                                                                                             fine);
  CHECK(coarse[0].to_double() == 0.0);
  CHECK(fine[0].to_double() == -0.0625);
}

namespace {
template <nnet::Pool_Op OP>
struct pool_stream_cfg : nnet::pooling2d_config {
  static const unsigned in_height = 6, in_width = 8, n_filt = 3;
  static const unsigned pool_height = 2, pool_width = 2, stride_height = 2, stride_width = 2;
  static const unsigned out_height = 3, out_width = 4;
  static const nnet::Pool_Op pool_op = OP;
  typedef ap_fixed<10, 4> accum_t;
};
struct pool1d_cfg : nnet::pooling1d_config {
  static const unsigned n_in = 8, n_filt = 3, pool_width = 3, stride_width = 2, n_out = 3;
  static const nnet::Pool_Op pool_op = nnet::Average;
  typedef ap_fixed<12, 6> accum_t;
};
}  // namespace

TEST_CASE("pooling io_stream equals io_parallel; global pooling", "[nnet]") {
  typedef nnet::array<pool_t, 3> pack_t;
  std::mt19937 rng(17);
  const std::vector<pool_t> x = random_values<pool_t>(6 * 8 * 3, rng, 1.0 / 16);
  pool_t max_y[36], avg_y[36], pool1d_y[9];
  nnet::pooling2d_cl<pool_t, pool_t, pool_stream_cfg<nnet::Max> >(x.data(), max_y);
  nnet::pooling2d_cl<pool_t, pool_t, pool_stream_cfg<nnet::Average> >(x.data(), avg_y);
  nnet::pooling1d_cl<pool_t, pool_t, pool1d_cfg>(x.data(), pool1d_y);
  hls::stream<pack_t> in1, in2, in3, out1, out2, out3;
  write_pixels(x.data(), 48, in1);
  write_pixels(x.data(), 48, in2);
  write_pixels(x.data(), 8, in3);
  nnet::pooling2d_cl<pack_t, pack_t, pool_stream_cfg<nnet::Max> >(in1, out1);
  nnet::pooling2d_cl<pack_t, pack_t, pool_stream_cfg<nnet::Average> >(in2, out2);
  nnet::pooling1d_cl<pack_t, pack_t, pool1d_cfg>(in3, out3);
  check_stream_equals(out1, max_y, 12);
  check_stream_equals(out2, avg_y, 12);
  check_stream_equals(out3, pool1d_y, 3);
  // The 1-D average at position 1 covers inputs 2, 3, 4.
  const double sum = x[6].to_double() + x[9].to_double() + x[12].to_double();
  CHECK(pool1d_y[3] == pool_t(ap_fixed<12, 6>(sum) / 3u));

  // Global average of channel 0 over 48 pixels; global max of channel 2.
  pool_t g_avg[3], g_max[3];
  nnet::global_pooling2d_cl<pool_t, pool_t, pool_stream_cfg<nnet::Average> >(x.data(), g_avg);
  nnet::global_pooling2d_cl<pool_t, pool_t, pool_stream_cfg<nnet::Max> >(x.data(), g_max);
  ap_fixed<10, 4> s = 0;
  pool_t m = x[2];
  for (unsigned p = 0; p < 48; p++) {
    s += x[p * 3];
    if (x[p * 3 + 2] > m) m = x[p * 3 + 2];
  }
  CHECK(g_avg[0] == pool_t(s / 48u));
  CHECK(g_max[2] == m);
  hls::stream<pack_t> in4, out4;
  write_pixels(x.data(), 48, in4);
  nnet::global_pooling2d_cl<pack_t, pack_t, pool_stream_cfg<nnet::Average> >(in4, out4);
  check_stream_equals(out4, g_avg, 1);
}

namespace {
struct resize_cfg : nnet::resize_config {
  static const unsigned height = 2, width = 3, n_chan = 2, new_height = 4, new_width = 6;
};
}  // namespace

TEST_CASE("nearest upsampling repeats pixels; io_stream equals io_parallel", "[nnet]") {
  pool_t x[12];
  for (int i = 0; i < 12; i++) x[i] = 0.5 * i;
  pool_t y[48];
  nnet::resize_nearest<pool_t, resize_cfg>(x, y);
  // Output pixel (3, 5) copies input pixel (1, 2); (1, 2) copies (0, 1).
  CHECK(y[(3 * 6 + 5) * 2 + 1].to_double() == 0.5 * ((1 * 3 + 2) * 2 + 1));
  CHECK(y[(1 * 6 + 2) * 2 + 0].to_double() == 0.5 * ((0 * 3 + 1) * 2 + 0));
  typedef nnet::array<pool_t, 2> pack_t;
  hls::stream<pack_t> in, out;
  write_pixels(x, 6, in);
  nnet::resize_nearest<pack_t, resize_cfg>(in, out);
  check_stream_equals(out, y, 24);
}
