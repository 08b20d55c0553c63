// Compiled by the ctest nnet_headers_warning_free (tests/cli_nnet.cmake):
// every nnet header, and the main kernels instantiated the way a generated
// project does, must compile with -Wall -Wextra -Werror (plus
// -Wno-unknown-pragmas: g++ does not know the #pragma HLS directives) in
// C++11, the dialect of the HLS tools, and C++17.
#include "ap_fixed.h"
#include "ap_int.h"
#include "ap_shift_reg.h"
#include "hls_stream.h"
#include "nnet_utils/nnet_activation.h"
#include "nnet_utils/nnet_activation_stream.h"
#include "nnet_utils/nnet_batchnorm.h"
#include "nnet_utils/nnet_batchnorm_stream.h"
#include "nnet_utils/nnet_code_gen.h"
#include "nnet_utils/nnet_common.h"
#include "nnet_utils/nnet_conv1d.h"
#include "nnet_utils/nnet_conv1d_stream.h"
#include "nnet_utils/nnet_conv2d.h"
#include "nnet_utils/nnet_conv2d_stream.h"
#include "nnet_utils/nnet_dense.h"
#include "nnet_utils/nnet_dense_stream.h"
#include "nnet_utils/nnet_helpers.h"
#include "nnet_utils/nnet_image.h"
#include "nnet_utils/nnet_image_stream.h"
#include "nnet_utils/nnet_merge.h"
#include "nnet_utils/nnet_merge_stream.h"
#include "nnet_utils/nnet_padding.h"
#include "nnet_utils/nnet_padding_stream.h"
#include "nnet_utils/nnet_pooling.h"
#include "nnet_utils/nnet_pooling_stream.h"
#include "nnet_utils/nnet_score.h"
#include "nnet_utils/nnet_score_stream.h"
#include "nnet_utils/nnet_types.h"

typedef ap_fixed<16, 6> input_t;
typedef ap_fixed<16, 6> weight_t;
typedef ap_fixed<24, 10> accum_t;
typedef ap_ufixed<8, 3, AP_RND_CONV, AP_SAT> relu_t;
typedef nnet::array<input_t, 4> input_pack_t;
typedef nnet::array<accum_t, 3> conv_pack_t;
typedef struct exponent_weight_t {
  ap_uint<1> sign;
  ap_int<4> weight;
} exponent_weight_t;

struct dense_cfg : nnet::dense_config {
  static const unsigned n_in = 4;
  static const unsigned n_out = 3;
  typedef ::accum_t accum_t;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
};
struct dense_resource_cfg : dense_cfg {
  static const unsigned strategy = nnet::resource;
  static const unsigned reuse_factor = 2;
  template <class data_T, class res_T, class CONFIG_T>
  using kernel = nnet::DenseResource_rf_leq_nin<data_T, res_T, CONFIG_T>;
};
struct dense_resource_gt_cfg : dense_cfg {
  static const unsigned strategy = nnet::resource;
  static const unsigned reuse_factor = 12;
  template <class data_T, class res_T, class CONFIG_T>
  using kernel = nnet::DenseResource_rf_gt_nin_rem0<data_T, res_T, CONFIG_T>;
};
struct xnor_cfg : dense_cfg {
  typedef ap_uint<1> weight_t;
  typedef ap_int<4> accum_t;
  typedef ap_int<4> bias_t;
  template <class x_T, class w_T>
  using product = nnet::product::both_binary<x_T, w_T>;
};
struct binary_cfg : dense_cfg {
  typedef ap_uint<1> weight_t;
  template <class x_T, class w_T>
  using product = nnet::product::weight_binary<x_T, w_T>;
};
struct ternary_cfg : dense_cfg {
  typedef ap_int<2> weight_t;
  template <class x_T, class w_T>
  using product = nnet::product::weight_ternary<x_T, w_T>;
};
struct po2_cfg : dense_cfg {
  typedef exponent_weight_t weight_t;
  template <class x_T, class w_T>
  using product = nnet::product::weight_exponential<x_T, w_T>;
};
struct act_cfg : nnet::activ_config {
  static const unsigned n_in = 4;
};
struct hard_cfg : nnet::hard_activ_config {
  static const unsigned n_in = 4;
  static const slope_t slope;
  static const shift_t shift;
};
const hard_cfg::slope_t hard_cfg::slope = 0.5;
const hard_cfg::shift_t hard_cfg::shift = 0.5;
struct softmax_cfg : nnet::softmax_config {
  static const unsigned n_in = 4;
  static const unsigned n_slice = 4;
};
struct softmax_latency_cfg : softmax_cfg {
  static const nnet::softmax_implementation implementation = nnet::softmax_implementation::latency;
};
struct softmax_legacy_cfg : softmax_cfg {
  static const nnet::softmax_implementation implementation = nnet::softmax_implementation::legacy;
};
struct softmax_argmax_cfg : softmax_cfg {
  static const nnet::softmax_implementation implementation = nnet::softmax_implementation::argmax;
};
struct bn_cfg : nnet::batchnorm_config {
  static const unsigned n_in = 4;
  static const unsigned n_scale_bias = 4;
};
struct bn_chan_cfg : bn_cfg {
  static const int n_filt = 4;
};
struct bnt_cfg : nnet::batchnorm_quantized_tanh_config {
  static const unsigned n_in = 4;
  static const unsigned n_scale_bias = 4;
};
struct conv_mult_cfg : dense_cfg {
  static const unsigned n_in = 3 * 3 * 4;
};
struct conv2d_cfg : nnet::conv2d_config {
  static const unsigned in_height = 5, in_width = 5, n_chan = 4, filt_height = 3, filt_width = 3;
  static const unsigned n_filt = 3, out_height = 3, out_width = 3;
  static const unsigned n_pixels = 9;
  typedef conv_mult_cfg mult_config;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
  typedef ::accum_t accum_t;
};
struct conv1d_mult_cfg : dense_cfg {
  static const unsigned n_in = 3 * 4;
};
struct conv1d_cfg : nnet::conv1d_config {
  static const unsigned in_width = 6, n_chan = 4, filt_width = 3, n_filt = 3, out_width = 4;
  static const unsigned n_pixels = 4;
  typedef conv1d_mult_cfg mult_config;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
  typedef ::accum_t accum_t;
};
struct pad2d_cfg : nnet::padding2d_config {
  static const unsigned n_chan = 4, in_height = 3, in_width = 3, out_height = 5, out_width = 5;
  static const unsigned pad_top = 1, pad_bottom = 1, pad_left = 1, pad_right = 1;
};
struct pad1d_cfg : nnet::padding1d_config {
  static const unsigned n_chan = 4, in_width = 4, out_width = 6, pad_left = 1, pad_right = 1;
};
struct pool2d_cfg : nnet::pooling2d_config {
  static const unsigned in_height = 4, in_width = 4, n_filt = 4;
  static const unsigned out_height = 2, out_width = 2;
  typedef ::accum_t accum_t;
};
struct avgpool2d_cfg : pool2d_cfg {
  static const nnet::Pool_Op pool_op = nnet::Average;
};
struct pool1d_cfg : nnet::pooling1d_config {
  static const unsigned n_in = 4, n_filt = 4, n_out = 2;
  typedef ::accum_t accum_t;
};
struct merge_cfg : nnet::merge_config {
  static const unsigned n_elem = 4;
};
struct concat_cfg : nnet::concat_config {
  static const unsigned n_elem1_0 = 2, n_elem1_1 = 2, n_elem1_2 = 4;
  static const unsigned n_elem2_0 = 2, n_elem2_1 = 2, n_elem2_2 = 4;
};
struct dot_cfg : nnet::dot_config {
  static const unsigned n_in = 4;
};
struct resize_cfg : nnet::resize_config {
  static const unsigned height = 2, width = 2, n_chan = 4, new_height = 4, new_width = 4;
};
struct score_cfg : nnet::score_config {
  static const unsigned n_in = 4;
  static const bool mask_zeros = true;
};

namespace nnet {
bool trace_enabled = false;
std::map<std::string, void*>* trace_outputs = NULL;
size_t trace_type_size = sizeof(double);
}  // namespace nnet

void parallel_kernels(const input_t x[100], accum_t y[100], const weight_t w[108],
                      const weight_t b[4]) {
  nnet::dense<input_t, accum_t, dense_cfg>(x, y, w, b);
  nnet::dense<input_t, accum_t, dense_resource_cfg>(x, y, w, b);
  nnet::dense<input_t, accum_t, dense_resource_gt_cfg>(x, y, w, b);
  ap_uint<1> bits[4] = {1, 0, 1, 1};
  ap_uint<1> wbits[12] = {};
  ap_int<4> xnor_bias[3] = {};
  ap_int<4> xnor_out[3];
  nnet::dense<ap_uint<1>, ap_int<4>, xnor_cfg>(bits, xnor_out, wbits, xnor_bias);
  nnet::dense<input_t, accum_t, binary_cfg>(x, y, wbits, b);
  ap_int<2> trits[12] = {};
  nnet::dense<input_t, accum_t, ternary_cfg>(x, y, trits, b);
  exponent_weight_t po2[12] = {};
  nnet::dense<input_t, accum_t, po2_cfg>(x, y, po2, b);

  relu_t r[4];
  input_t z[100];
  nnet::linear<input_t, relu_t, act_cfg>(x, r);
  nnet::relu<input_t, relu_t, act_cfg>(x, r);
  nnet::relu6<input_t, relu_t, act_cfg>(x, r);
  nnet::leaky_relu<input_t, ap_fixed<8, 0>, input_t, act_cfg>(x, 0.3, z);
  nnet::thresholded_relu<input_t, ap_fixed<8, 2>, input_t, act_cfg>(x, 1.0, z);
  nnet::sigmoid<input_t, relu_t, act_cfg>(x, r);
  nnet::tanh<input_t, input_t, act_cfg>(x, z);
  nnet::hard_sigmoid<input_t, relu_t, hard_cfg>(x, r);
  nnet::hard_tanh<input_t, input_t, hard_cfg>(x, z);
  ap_int<2> t[4];
  nnet::binary_tanh<input_t, ap_int<2>, act_cfg>(x, t);
  nnet::ternary_tanh<input_t, ap_int<2>, act_cfg>(x, t);
  nnet::softmax<input_t, input_t, softmax_cfg>(x, z);
  nnet::softmax<input_t, input_t, softmax_latency_cfg>(x, z);
  nnet::softmax<input_t, input_t, softmax_legacy_cfg>(x, z);
  nnet::softmax<input_t, input_t, softmax_argmax_cfg>(x, z);

  nnet::normalize<input_t, accum_t, bn_cfg>(x, y, w, b);
  nnet::normalize<input_t, accum_t, bn_chan_cfg>(x, y, w, b);
  nnet::normalize_binary_tanh<input_t, bnt_cfg>(x, bits, x);
  nnet::normalize_ternary_tanh<input_t, bnt_cfg>(x, t, x, x);

  nnet::conv_2d_cl<input_t, accum_t, conv2d_cfg>(x, y, w, b);
  nnet::conv_1d_cl<input_t, accum_t, conv1d_cfg>(x, y, w, b);
  nnet::zeropad2d_cl<input_t, input_t, pad2d_cfg>(x, z);
  nnet::zeropad1d_cl<input_t, input_t, pad1d_cfg>(x, z);
  nnet::pooling2d_cl<input_t, input_t, pool2d_cfg>(x, z);
  nnet::pooling2d_cl<input_t, input_t, avgpool2d_cfg>(x, z);
  nnet::pooling1d_cl<input_t, input_t, pool1d_cfg>(x, z);
  nnet::global_pooling2d_cl<input_t, input_t, avgpool2d_cfg>(x, z);
  nnet::global_pooling1d_cl<input_t, input_t, pool1d_cfg>(x, z);
  nnet::resize_nearest<input_t, resize_cfg>(x, z);

  nnet::add<input_t, input_t, accum_t, merge_cfg>(x, x, y);
  nnet::subtract<input_t, input_t, accum_t, merge_cfg>(x, x, y);
  nnet::multiply<input_t, input_t, accum_t, merge_cfg>(x, x, y);
  nnet::average<input_t, input_t, accum_t, merge_cfg>(x, x, y);
  nnet::maximum<input_t, input_t, accum_t, merge_cfg>(x, x, y);
  nnet::minimum<input_t, input_t, accum_t, merge_cfg>(x, x, y);
  nnet::dot1d<input_t, input_t, accum_t, dot_cfg>(x, x, y);
  nnet::concatenate1d<input_t, input_t, accum_t, concat_cfg>(x, x, y);
  nnet::concatenate2d<input_t, input_t, accum_t, concat_cfg>(x, x, y);
  nnet::concatenate3d<input_t, input_t, accum_t, concat_cfg>(x, x, y);

  nnet::mse_score<input_t, input_t, accum_t, score_cfg>(x, x, y);
  nnet::kl_score<input_t, input_t, accum_t, score_cfg>(x, x, y);
}

void stream_kernels(hls::stream<input_pack_t>& in, hls::stream<input_pack_t>& in2,
                    hls::stream<conv_pack_t>& out, hls::stream<input_pack_t>& out4,
                    const weight_t w[108], const weight_t b[4]) {
  nnet::dense<input_pack_t, conv_pack_t, dense_cfg>(in, out, w, b);
  nnet::conv_2d_cl<input_pack_t, conv_pack_t, conv2d_cfg>(in, out, w, b);
  nnet::conv_1d_cl<input_pack_t, conv_pack_t, conv1d_cfg>(in, out, w, b);
  nnet::zeropad2d_cl<input_pack_t, input_pack_t, pad2d_cfg>(in, out4);
  nnet::zeropad1d_cl<input_pack_t, input_pack_t, pad1d_cfg>(in, out4);
  nnet::pooling2d_cl<input_pack_t, input_pack_t, pool2d_cfg>(in, out4);
  nnet::pooling1d_cl<input_pack_t, input_pack_t, pool1d_cfg>(in, out4);
  nnet::global_pooling2d_cl<input_pack_t, input_pack_t, avgpool2d_cfg>(in, out4);
  nnet::relu<input_pack_t, input_pack_t, act_cfg>(in, out4);
  nnet::sigmoid<input_pack_t, input_pack_t, act_cfg>(in, out4);
  nnet::relu_max<input_pack_t, input_pack_t, 6, act_cfg>(in, out4);
  nnet::leaky_relu<input_pack_t, ap_fixed<8, 0>, input_pack_t, act_cfg>(in, 0.3, out4);
  nnet::softmax<input_pack_t, input_pack_t, softmax_cfg>(in, out4);
  nnet::normalize<input_pack_t, input_pack_t, bn_chan_cfg>(in, out4, w, b);
  nnet::normalize<input_pack_t, input_pack_t, bn_cfg>(in, out4, w, b);
  hls::stream<nnet::array<ap_uint<1>, 4> > bits;
  nnet::normalize_binary_tanh<input_pack_t, nnet::array<ap_uint<1>, 4>, bnt_cfg>(in, bits, w);
  nnet::add<input_pack_t, input_pack_t, input_pack_t, merge_cfg>(in, in2, out4);
  nnet::concatenate3d<input_pack_t, input_pack_t, input_pack_t, concat_cfg>(in, in2, out4);
  nnet::resize_nearest<input_pack_t, resize_cfg>(in, out4);
  hls::stream<nnet::array<accum_t, 1> > score;
  nnet::mse_score<input_pack_t, input_pack_t, nnet::array<accum_t, 1>, score_cfg>(in, in2, score);
  nnet::kl_score<input_pack_t, input_pack_t, nnet::array<accum_t, 1>, score_cfg>(in, in2, score);
  nnet::clone_stream<input_pack_t, 16>(in, in2, out4);
  input_t values[16];
  nnet::convert_data<float, input_t, 16>(static_cast<const float*>(0), values);
  nnet::load_weights_from_txt<weight_t, 108>(const_cast<weight_t*>(w), "w2.txt");
  nnet::print_result<input_pack_t, 16>(out4, std::cout, true);
  nnet::save_layer_output<input_pack_t>(out4, "layer2", 16);
  nnet::save_layer_output<input_t>(values, "layer2", 16);
}
