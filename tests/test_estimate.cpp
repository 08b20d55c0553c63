// The resource and latency estimator (export/estimate.h, docs/estimator.md),
// on layers small enough to work out by hand with the documented formulas
// and constants: DSP when both operand types are wider than 8 bits and a
// constant weight has at least 3 canonical-signed-digit (CSD) digits;
// shift-and-add digits, free products and biases are terms of a ternary adder
// tree costing 0.5 LUT per bit of each addition; a clock period of 5 ns
// leaves 4.375 ns (12.5% uncertainty); tables larger than 1024 bits are BRAM.
#include "tests/test_common.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "export/estimate.h"
#include "export/hls_project.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/model.h"
#include "tests/helpers.h"

using hls_export::EstimateLayer;
using hls_export::EstimateTarget;
using hls_export::EstimateType;

namespace {

EstimateType type(const std::string& text) { return EstimateType::parse(text); }

EstimateLayer dense(int64_t n_in, int64_t n_out, const std::string& input, const std::string& weight,
                    const std::string& accum) {
  EstimateLayer L;
  L.name = "fc";
  L.layer_class = "Dense";
  L.n_in = n_in;
  L.n_out = n_out;
  L.input = type(input);
  L.weight = type(weight);
  L.bias = type(weight);
  L.accum = type(accum);
  L.result = type(accum);
  return L;
}

// Dense 2 -> 2, data and weights ap_fixed<16,6> (weight lsb 2^-10), accum
// and result ap_fixed<32,12>.  Weights (i * n_out + j):
//   w00 = 0                     zero: skipped
//   w01 = 0.5     = 512 lsb     one CSD digit: a shift, free (1 term)
//   w10 = 0.75    = 768 lsb     1024 - 256: two digits, shift-and-add (2 terms)
//   w11 = 21/1024 = 0b10101     three digits, 16 x 16 bits: one DSP (1 term)
// biases {0.25, 0}.
EstimateLayer hand_dense() {
  EstimateLayer L = dense(2, 2, "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<32,12>");
  L.weights = {0.0, 0.5, 0.75, 21.0 / 1024};
  L.biases = {0.25, 0.0};
  return L;
}

EstimateTarget vu9p() {
  EstimateTarget t;
  t.part = "xcvu9p-flgb2104-2-e";
  t.clock_period = 5.0;
  return t;
}

}  // namespace

TEST_CASE("Estimate: a hand-worked Dense (zero, shift, shift-and-add and DSP products)", "[estimate]") {
  hls_export::Estimate e = hls_export::estimate({hand_dense()}, vu9p());
  REQUIRE(e.layers.size() == 1);
  const auto& l = e.layers[0];
  CHECK(l.products == 4);
  CHECK(l.zero == 1);
  CHECK(l.free == 1);
  CHECK(l.lut_products == 1);
  CHECK(l.dsp_products == 1);
  // One 16 x 16 product fits one DSP48E2 (27 x 18).
  CHECK(e.dsp == 1);
  // Aligned product: I = min(6+6, 12) = 12, F = min(10+10, 20) = 20: 32 bits,
  // trees capped at the 32-bit accumulator.  Output 0: w10's 2 digits + the
  // bias = 3 terms, 2 additions; output 1: w01 + w11 = 2 terms (bias 0), 1
  // addition.  3 additions x 32 bits x 0.5 LUT = 48 LUTs; no cast (TRN, WRAP).
  CHECK(e.lut == Approx(48.0));
  // DSP product registered (32 bits) + the registered outputs (2 x 32).
  CHECK(e.ff == Approx(96.0));
  CHECK(e.bram18 == 0);
  // DSP 1.2 ns + one ternary level 0.6 + 0.02 * 32 = 1.24 ns: 2.44 ns < 4.375 ns: one cycle.
  CHECK(e.latency_cycles == 1);
  CHECK(e.latency_ns == Approx(5.0));
  CHECK(e.ii == 1);
}

TEST_CASE("Estimate: zero weights and zero biases cost nothing", "[estimate]") {
  EstimateLayer L = dense(4, 3, "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<32,12>");
  L.weights.assign(12, 0.0);
  L.biases.assign(3, 0.0);
  hls_export::Estimate e = hls_export::estimate({L}, vu9p());
  CHECK(e.layers[0].zero == 12);
  CHECK(e.dsp == 0);
  CHECK(e.lut == 0.0);
  // The same layer with every weight 21/1024 (three CSD digits): 12 DSPs.
  L.weights.assign(12, 21.0 / 1024);
  CHECK(hls_export::estimate({L}, vu9p()).dsp == 12);
}

TEST_CASE("Estimate: binary, ternary and power-of-two weights need no multiplier", "[estimate]") {
  // Dense 4 -> 2, data ap_fixed<8,3>, accum ap_fixed<16,6>; every weight
  // non-zero, biases non-zero.  Per output: 4 terms + bias = 5; ternary
  // levels 5 -> 2 -> 1: 3 additions at min(16, 9 + 2) = 11 bits and 1 at 13
  // bits, where the aligned product of a 1-bit-integer weight is
  // I = min(3 + 1, 6) = 4, F = min(5 + 0, 10) = 5: 9 bits.
  // (3 x 11 + 13) x 0.5 = 23 LUTs per output, 46 in all.
  for (const std::string weight : {"xnor", "exponent<4>", "ap_int<2>"}) {
    INFO(weight);
    EstimateLayer L = dense(4, 2, "ap_fixed<8,3>", weight, "ap_fixed<16,6>");
    L.bias = type("ap_fixed<8,3>");
    hls_export::Estimate e = hls_export::estimate({L}, vu9p());
    CHECK(e.dsp == 0);
    CHECK(e.layers[0].free == 8);
    // Aligned widths differ by weight type: ap_int<2> has 2 integer bits
    // (I = 5, F = 5: 10 bits; 3 x 12 + 14 = 50 bits of additions per output,
    // 50 LUTs); a power-of-two shift spans the whole accumulator (16 bits:
    // 4 x 16 x 0.5 = 32 per output, 64).
    const double expected = weight == "xnor" ? 46.0 : weight == "ap_int<2>" ? 50.0 : 64.0;
    CHECK(e.lut == Approx(expected));
  }
  //
  // A fixed 16-bit weight with no values given: a real multiplier per
  // product, 8 x 16 bits > 8: one DSP each.
  EstimateLayer L = dense(4, 2, "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<32,12>");
  CHECK(hls_export::estimate({L}, vu9p()).dsp == 8);
  // 6-bit weights go to LUTs whatever their value (6 <= 8): a fabric multiplier
  // of 16 x 6 bits costs 0.5 x 96 = 48 LUTs when the weight is not a constant.
  L.weight = type("ap_fixed<6,1>");
  hls_export::Estimate e = hls_export::estimate({L}, vu9p());
  CHECK(e.dsp == 0);
  CHECK(e.layers[0].lut_products == 8);
}

TEST_CASE("Estimate: a product wider than the DSP's 27 x 18 inputs takes several DSPs", "[estimate]") {
  // 32-bit data x 24-bit weight: 27x18 orientation needs 2 x 2, the other
  // (24 <= 27, 32 > 18) 1 x 2: 2 DSPs.
  EstimateLayer L = dense(1, 1, "ap_fixed<32,12>", "ap_fixed<24,4>", "ap_fixed<48,16>");
  L.weights = {21.0 / (1 << 20)};
  CHECK(hls_export::estimate({L}, vu9p()).dsp == 2);
}

TEST_CASE("Estimate: the reuse factor shares multipliers and raises II and latency", "[estimate]") {
  EstimateLayer L = hand_dense();
  L.reuse_factor = 2;
  hls_export::Estimate e = hls_export::estimate({L}, vu9p());
  // Shared multipliers read their weights from memory: only the type counts,
  // so 0.5 and 0.75 become 16 x 16 products too: 3 DSP products on
  // ceil(3 / 2) = 2 DSPs.
  CHECK(e.layers[0].dsp_products == 3);
  CHECK(e.dsp == 2);
  // LUTs: 2:1 muxes on both operands of 2 multipliers, 2 x 32 bits x 1 = 64;
  // an accumulator per multiplier, 2 x 32 bits x 0.5 = 32; the weight ROM
  // in LUTs (Latency strategy), 2 weights x 16 bits x 1 = 32.  128 in all.
  CHECK(e.lut == Approx(128.0));
  CHECK(e.ii == 2);
  // The reuse loop adds RF - 1 = 1 cycle to the one of the combinational part.
  CHECK(e.latency_cycles == 2);
  L.reuse_factor = 4;
  e = hls_export::estimate({L}, vu9p());
  CHECK(e.ii == 4);
  CHECK(e.latency_cycles == 4);
  CHECK(e.dsp == 1);
}

TEST_CASE("Estimate: weights in BRAM for the Resource strategy at high reuse", "[estimate]") {
  // Dense 16 -> 64, 16-bit weights, Resource, RF 64: 1024 / 64 = 16 weights
  // read per cycle, a 256-bit x 64-deep ROM.  A BRAM_18K is 512 x 36 at that
  // depth: ceil(256 / 36) = 8 blocks.
  EstimateLayer L = dense(16, 64, "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<32,12>");
  L.strategy = "Resource";
  L.reuse_factor = 64;
  hls_export::Estimate e = hls_export::estimate({L}, vu9p());
  CHECK(e.bram18 == 8);
  CHECK(e.dsp == 16);  // ceil(1024 / 64)
  CHECK(e.ii == 64);
  // RF 2 keeps a 2-deep ROM of 512 weights x 16 bits, still BRAM: 8192 bits
  // a row, ceil(8192 / 36) = 228 blocks.
  L.reuse_factor = 2;
  CHECK(hls_export::estimate({L}, vu9p()).bram18 == 228);
  // The Latency strategy keeps the weights in LUTs.
  L.strategy = "Latency";
  CHECK(hls_export::estimate({L}, vu9p()).bram18 == 0);
}

TEST_CASE("Estimate: softmax tables in BRAM, one copy per two lookups", "[estimate]") {
  EstimateLayer L;
  L.name = "softmax";
  L.layer_class = "Softmax";
  L.n_in = L.n_out = 5;
  L.input = type("ap_fixed<16,6>");
  L.result = type("ap_fixed<16,6>");
  L.table = type("ap_fixed<18,8,AP_RND,AP_SAT>");
  L.inv_table = type("ap_fixed<18,8,AP_RND,AP_SAT>");
  L.implementation = "stable";
  hls_export::Estimate e = hls_export::estimate({L}, vu9p());
  // exp table 1024 x 18 = 18432 bits: one 1K x 18 block per copy, 5 lookups
  // on dual-port blocks: 3 copies; the inverse table is read once: 1 block.
  CHECK(e.bram18 == 4);
  // exp(x_i) * 1/sum: 5 products of 18 x 18 bits, one DSP each.
  CHECK(e.dsp == 5);
  // 32-entry tables (576 bits) are LUT ROM: no BRAM.
  L.table_size = L.inv_table_size = 32;
  CHECK(hls_export::estimate({L}, vu9p()).bram18 == 0);
}

TEST_CASE("Estimate: a slower clock packs more into a cycle; unknown layers are named", "[estimate]") {
  // Dense 64 -> 1 with 64 shift-and-add weights of 2 digits (0.75): 128 terms
  // + bias, ternary levels 129 -> 43 -> 15 -> 5 -> 2 -> 1: 5 levels of 32-bit
  // adders at 0.6 + 0.02 * 32 = 1.24 ns, 6.2 ns in all (shifts take no time):
  // two cycles at 5 ns (4.375 usable), one at 10 ns (8.75 usable).
  EstimateLayer L = dense(64, 1, "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<32,12>");
  L.weights.assign(64, 0.75);
  EstimateTarget t = vu9p();
  CHECK(hls_export::estimate({L}, t).latency_cycles == 2);
  t.clock_period = 10.0;
  CHECK(hls_export::estimate({L}, t).latency_cycles == 1);
  EstimateLayer lstm;
  lstm.name = "lstm1";
  lstm.layer_class = "LSTM";
  CHECK_THROWS_WITH(hls_export::estimate({lstm}, t), Catch::Contains("lstm1") && Catch::Contains("LSTM"));
  // A convolution without its image geometry is named too.
  EstimateLayer conv;
  conv.name = "conv1";
  conv.layer_class = "Conv2D";
  CHECK_THROWS_WITH(hls_export::estimate({conv}, t),
                    Catch::Contains("conv1") && Catch::Contains("Conv2D") && Catch::Contains("geometry"));
}

namespace {

// Conv2D, 4 filters of 3 x 3 on an 8 x 8 x 1 image, 'valid': 6 x 6 = 36
// output pixels, each the dense of its 9 inputs.  Data and weights
// ap_fixed<16,6>, accum and result ap_fixed<32,12> (as hand_dense).
// Weights (kernel position k, filter f) at k * 4 + f:
//   filter 0: all 21/1024   three CSD digits, 16 x 16 bits: a DSP each
//   filter 1: all 0.5       a shift: free
//   filter 2: all 0.75      two digits: shift-and-add (2 terms each)
//   filter 3: all 0         skipped; its bias is 0 too
// biases {0.25, 0.25, 0.25, 0}.
EstimateLayer hand_conv() {
  EstimateLayer L = dense(64, 144, "ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<32,12>");
  L.name = "conv";
  L.layer_class = "Conv2D";
  L.in_pixels = 64;
  L.out_pixels = 36;
  L.window = 9;
  L.window_rows = 3;
  L.in_width = 8;
  for (int k = 0; k < 9; ++k) L.weights.insert(L.weights.end(), {21.0 / 1024, 0.5, 0.75, 0.0});
  L.biases = {0.25, 0.25, 0.25, 0.0};
  return L;
}

// Pooling of a 6 x 6 x 4 image, data ap_fixed<16,6>, the result in the
// same type (no cast).
EstimateLayer pool(const std::string& operation, int64_t size) {
  EstimateLayer L;
  L.name = "pool";
  L.layer_class = "Pooling2D";
  L.operation = operation;
  L.input = L.result = type("ap_fixed<16,6>");
  L.accum = type("ap_fixed<18,8>");
  L.in_pixels = 36;
  L.out_pixels = (6 / size) * (6 / size);
  L.n_in = L.in_pixels * 4;
  L.n_out = L.out_pixels * 4;
  L.window = size * size;
  L.window_rows = size;
  L.in_width = 6;
  return L;
}

EstimateTarget stream(EstimateTarget t) {
  t.io_type = "io_stream";
  return t;
}

}  // namespace

TEST_CASE("Estimate: a hand-worked Conv2D is its per-pixel dense, per pixel or streamed", "[estimate]") {
  // Per pixel: filter 0, 9 DSP products; aligned products 32 bits wide (as
  // in hand_dense), trees capped at the 32-bit accumulator, so every
  // addition costs 32 x 0.5 = 16 LUTs, and t terms take t - 1 additions:
  // filter 0: 9 + bias = 10 terms, 9 additions; filter 1: 10 terms, 9;
  // filter 2: 18 + bias = 19 terms, 18; filter 3: none.  36 additions x 16 =
  // 576 LUTs per pixel; no cast (TRN, WRAP).
  hls_export::Estimate e = hls_export::estimate({hand_conv()}, vu9p());
  const auto& l = e.layers[0];
  // io_parallel: 36 pixels at once.
  CHECK(l.products == 36 * 36);
  CHECK(l.zero == 9 * 36);
  CHECK(l.dsp_products == 9 * 36);
  CHECK(e.dsp == 9 * 36);          // 324
  CHECK(e.lut == Approx(576.0 * 36));  // 20736
  // DSP 1.2 ns, then filter 2's tree 19 -> 7 -> 3 -> 1, 3 levels of 1.24 ns:
  // 4.92 ns > 4.375: a cut before the third level, 2 cycles; II 1.
  CHECK(e.latency_cycles == 2);
  CHECK(e.ii == 1);

  // io_stream: one pixel's dense behind the line buffers: 2 rows of 8
  // pixels x 1 channel x 16 bits, 16 lanes of one SRL32 each: 32 LUTs.  The
  // loop reads the 64 input pixels one per cycle: II 64, and 63 cycles
  // after the first pixel's 2 stages and the output FIFO's stage: 66.
  e = hls_export::estimate({hand_conv()}, stream(vu9p()));
  CHECK(e.dsp == 9);
  CHECK(e.lut == Approx(576.0 + 32.0));
  CHECK(e.ii == 64);
  CHECK(e.latency_cycles == 3 + 63);
  CHECK(e.layers[0].products == 36);

  // Reuse factor 3 in io_stream: the 9 DSP products share 3 DSPs and the
  // loop takes a pixel every 3 cycles: II 192.
  EstimateLayer shared = hand_conv();
  shared.reuse_factor = 3;
  e = hls_export::estimate({shared}, stream(vu9p()));
  // (With RF > 1 the weights' values no longer count: 27 DSP products.)
  CHECK(e.dsp == 9);
  CHECK(e.ii == 192);
}

TEST_CASE("Estimate: hand-worked pooling, merge and wires", "[estimate]") {
  // Max 2 x 2 on 6 x 6 x 4: 36 outputs, each 3 compare-and-selects of 16
  // bits at 2 LUTs per bit: 96 LUTs, 3456 in all.
  hls_export::Estimate e = hls_export::estimate({pool("max", 2)}, vu9p());
  CHECK(e.dsp == 0);
  CHECK(e.lut == Approx(36 * 96.0));
  // io_stream: one window's 4 channels (384) and a line buffer of 1 row x 4
  // channels x 16 bits (64 SRL LUTs); 36 input pixels: II 36.
  e = hls_export::estimate({pool("max", 2)}, stream(vu9p()));
  CHECK(e.lut == Approx(384.0 + 64.0));
  CHECK(e.ii == 36);
  // Average 2 x 2 in an ap_fixed<18,8> accumulator: 4 terms, levels
  // 4 -> 2 -> 1: 2 additions at min(18, 16 + 2) = 18 bits and one at
  // min(18, 20) = 18: 27 LUTs per output, 972; the division by 4 is a shift.
  e = hls_export::estimate({pool("average", 2)}, vu9p());
  CHECK(e.dsp == 0);
  CHECK(e.lut == Approx(36 * 27.0));
  // Average 3 x 3: 2 x 2 x 4 = 16 outputs divided by 9, a product by
  // 1/9 ~ 114 lsb of 2^-10 (128 - 16 + 2: three CSD digits) at 18 x 18
  // bits: one DSP each.
  CHECK(hls_export::estimate({pool("average", 3)}, vu9p()).dsp == 16);

  // Add of two 10-element ap_fixed<16,6> vectors: 10 additions of 17 bits at
  // 0.5 LUT per bit, 85 LUTs; the ap_fixed<16,6> result wraps and truncates.
  EstimateLayer add;
  add.name = "add";
  add.layer_class = "Merge";
  add.operation = "add";
  add.n_in = add.n_out = 10;
  add.input = add.input2 = add.result = type("ap_fixed<16,6>");
  add.out_pixels = 1;
  CHECK(hls_export::estimate({add}, vu9p()).lut == Approx(85.0));
  // Upsampling is wires; in io_stream it reads 4 pixels then writes 16.
  EstimateLayer up;
  up.name = "up";
  up.layer_class = "UpSampling2D";
  up.in_pixels = 4;
  up.out_pixels = 16;
  up.n_in = 8;
  up.n_out = 32;
  up.input = up.result = type("ap_fixed<16,6>");
  e = hls_export::estimate({up}, stream(vu9p()));
  CHECK(e.lut == 0.0);
  CHECK(e.ii == 20);
  // ReLU of an 8 x 8 x 4 image into ap_fixed<16,6>: 256 x 16 bits x 0.5 =
  // 2048 LUTs at once in io_parallel; io_stream computes one pixel's pack of
  // 4 (32 LUTs) per cycle: II 64.
  EstimateLayer relu;
  relu.name = "relu";
  relu.layer_class = "Activation";
  relu.activation = "relu";
  relu.n_in = relu.n_out = 256;
  relu.out_pixels = 64;
  relu.input = relu.result = type("ap_fixed<16,6>");
  CHECK(hls_export::estimate({relu}, vu9p()).lut == Approx(2048.0));
  e = hls_export::estimate({relu}, stream(vu9p()));
  CHECK(e.lut == Approx(32.0));
  CHECK(e.ii == 64);
}

TEST_CASE("Estimate: an exported CNN reads back to the same estimate as its model", "[estimate]") {
  // Conv2D 4 filters 3 x 3 'same' on 8 x 8 x 1 (a zero-padding layer of its
  // own in io_stream) + ReLU + MaxPooling 2 x 2 + Flatten + Dense 3.
  qtrain::Model model(qtrain::ModelSpec::from_json(
      nlohmann::json{{"name", "cnn"},
                     {"input_shape", {8, 8, 1}},
                     {"layers",
                      {{{"name", "conv1"}, {"type", "Conv2D"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"}},
                       {{"name", "relu1"}, {"type", "Activation"}, {"activation", "relu"}},
                       {{"name", "pool1"}, {"type", "MaxPooling2D"}, {"pool_size", 2}},
                       {{"name", "flatten"}, {"type", "Flatten"}},
                       {{"name", "fc"}, {"type", "Dense"}, {"units", 3}}}}},
      "cnn.json"));
  model.eval();
  for (const auto& [io, strategy] : std::vector<std::pair<std::string, std::string>>{
           {"io_parallel", "Latency"}, {"io_stream", "Latency"}, {"io_parallel", "Resource"}}) {
    INFO(io << ", " << strategy);
    qtrain::HlsConfig config = qtrain::hls_config_of(model);
    config.part = "xcvu9p-flgb2104-2-e";
    hls_export::ConfigOverrides o;
    o.io_type = io;
    o.strategy = strategy;
    hls_export::apply_overrides(config, o);
    qtrain::HlsModel firmware = qtrain::build_hls_model(model, config);
    test_helpers::TempDir dir;
    const std::string prj = dir.file("prj");
    hls_export::write_project(firmware, prj, {}, at::Tensor(), at::Tensor());

    const std::vector<EstimateLayer> layers = hls_export::estimate_layers(firmware);
    hls_export::Estimate from_model = hls_export::estimate(layers, hls_export::estimate_target(firmware));
    EstimateTarget target;
    std::vector<EstimateLayer> read = hls_export::read_project_layers(prj, target);
    hls_export::Estimate from_project = hls_export::estimate(read, target);
    CHECK(target.io_type == io);
    // io_stream pads in a layer "conv1_pad" before the convolution.
    const bool stream = io == "io_stream";
    REQUIRE(read.size() == (stream ? 6u : 5u));
    REQUIRE(layers.size() == read.size() + 1);  // the input layer is not a call in the project
    for (size_t k = 0; k < read.size(); ++k) {
      INFO(read[k].name);
      CHECK(read[k].name == layers[k + 1].name);
      CHECK(read[k].layer_class == layers[k + 1].layer_class);
      CHECK(read[k].weights == layers[k + 1].weights);  // Resource files are transposed: read back in Keras order
    }
    CHECK(read[stream ? 1 : 0].layer_class == "Conv2D");
    CHECK(read[stream ? 3 : 2].layer_class == "Pooling2D");
    CHECK(from_project.dsp == from_model.dsp);
    CHECK(from_project.lut == Approx(from_model.lut));
    CHECK(from_project.ff == Approx(from_model.ff));
    CHECK(from_project.bram18 == from_model.bram18);
    CHECK(from_project.latency_cycles == from_model.latency_cycles);
    CHECK(from_project.ii == from_model.ii);
    // The convolution: 64 output pixels in io_parallel, one in io_stream,
    // which loops over the 10 x 10 padded image.
    const auto& conv = from_model.layers[stream ? 2 : 1];
    CHECK(conv.products == (stream ? 1 : 64) * 9 * 4);
    CHECK(from_model.ii == (stream ? 100 : 1));
  }
}

TEST_CASE("Estimate: an exported project reads back to the same estimate as its model", "[estimate]") {
  qtrain::Model model(qtrain::ModelSpec::from_json(
      nlohmann::json{{"name", "small"},
                     {"input_shape", {6}},
                     {"layers",
                      {{{"name", "fc1"}, {"type", "Dense"}, {"units", 8}},
                       {{"name", "bn1"}, {"type", "BatchNormalization"}},
                       {{"name", "relu1"}, {"type", "Activation"}, {"activation", "relu"}},
                       {{"name", "fc2"}, {"type", "Dense"}, {"units", 3}},
                       {{"name", "softmax"}, {"type", "Activation"}, {"activation", "softmax"}}}}},
      "small.json"));
  model.eval();
  qtrain::HlsConfig config = qtrain::hls_config_of(model);
  config.part = "xcvu9p-flgb2104-2-e";
  qtrain::HlsModel firmware = qtrain::build_hls_model(model, config);
  test_helpers::TempDir dir;
  const std::string prj = dir.file("prj");
  hls_export::write_project(firmware, prj, {}, at::Tensor(), at::Tensor());

  hls_export::Estimate from_model =
      hls_export::estimate(hls_export::estimate_layers(firmware), hls_export::estimate_target(firmware));
  EstimateTarget target;
  REQUIRE(hls_export::is_project_dir(prj));
  std::vector<EstimateLayer> read = hls_export::read_project_layers(prj, target);
  hls_export::Estimate from_project = hls_export::estimate(read, target);
  CHECK(target.part == "xcvu9p-flgb2104-2-e");
  REQUIRE(read.size() == 5);  // the input layer is not a call in the project
  CHECK(read[1].layer_class == "BatchNormalization");
  CHECK(read[4].layer_class == "Softmax");
  CHECK(from_project.dsp == from_model.dsp);
  CHECK(from_project.lut == Approx(from_model.lut));
  CHECK(from_project.ff == Approx(from_model.ff));
  CHECK(from_project.bram18 == from_model.bram18);
  CHECK(from_project.latency_cycles == from_model.latency_cycles);
  CHECK(from_model.dsp > 0);
  CHECK(from_model.bram18 == 3);  // the softmax's tables: 2 copies of exp for 3 lookups, 1 inverse

  CHECK_THROWS_AS(hls_export::read_project_layers(dir.file("missing"), target), std::invalid_argument);
  CHECK_THROWS_WITH(hls_export::read_project_layers(dir.path().string(), target),
                    Catch::Contains("not an exported project"));
}

TEST_CASE("Estimate: QKeras Table 3 and the jet tagger's shape", "[estimate]") {
  auto q6 = hls_export::qkeras_table3_row("q6");
  REQUIRE(q6);
  CHECK(q6->dsp == 124);
  CHECK(q6->lut == 39782);
  CHECK(q6->ff == 8128);
  CHECK(q6->cycles == 11);
  CHECK(hls_export::qkeras_table3_row("BF")->dsp == 1826);
  CHECK(hls_export::qkeras_table3_row("QE")->lut == 9149);
  CHECK_FALSE(hls_export::qkeras_table3_row("BP"));

  qtrain::Model jets(qtrain::ModelSpec::load(std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/q6.json"));
  jets.eval();
  qtrain::HlsModel firmware = qtrain::build_hls_model(jets, qtrain::hls_config_of(jets));
  CHECK(hls_export::is_jet_tagger(hls_export::estimate_layers(firmware)));
  CHECK_FALSE(hls_export::is_jet_tagger({hand_dense()}));
  CHECK(hls_export::device_of("xcvu9p-flgb2104-2-e").dsp == 6840);
  CHECK(hls_export::device_of("unknown").dsp == 0);

  // The comparison is printed beside the totals with relative errors.
  hls_export::Estimate e = hls_export::estimate(hls_export::estimate_layers(firmware), vu9p());
  const std::string text = hls_export::format_estimate(e, q6);
  CHECK_THAT(text, Catch::Contains("QKeras paper Table 3, Q6"));
  const nlohmann::json j = hls_export::estimate_json(e, q6);
  CHECK(j["paper"]["relative_error"]["dsp"].get<double>() == Approx((e.dsp - 124.0) / 124.0));
  CHECK(j["total"]["dsp"].get<int64_t>() == e.dsp);
}
