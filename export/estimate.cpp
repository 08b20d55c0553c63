#include "export/estimate.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "qtrain/files.h"
#include "qtrain/hls_model.h"

namespace hls_export {

using Kind = EstimateType::Kind;
using qtrain::element_count;

// ---------------------------------------------------------------------------
// The model's constants (docs/estimator.md, "Constants").  Widths in bits,
// delays in ns.
namespace {

struct Constants {
  // A multiplication goes to DSP slices when both operand types are wider
  // than this (hls4ml's rule of thumb: 9 bits and more), and, for a constant
  // weight, when shift-and-add would need more than `dsp_min_digits` - 1 adders.
  int dsp_min_width = 8;
  int dsp_min_digits = 3;
  // LUTs of a fabric multiplier of two variables per bit of the width product (wa * wb).
  double lut_per_mult_bit = 0.5;
  // LUTs per bit of one addition in an adder tree: Vivado builds the trees
  // from ternary adders (a LUT6 column with its carry chain adds three
  // terms), so an addition costs half a LUT per bit.
  double lut_per_add_bit = 0.5;
  // Per element and output bit: relu (sign mux), rounding (incrementer),
  // saturation (overflow detect + clamp).
  double lut_relu_bit = 0.5, lut_round_bit = 1.0, lut_sat_bit = 1.0;
  // A maximum of two values: a comparator (a subtraction's carry chain) and a
  // 2:1 select, per bit.
  double lut_max_bit = 2.0;
  // io_stream's line buffers are ap_shift_reg chains: Vivado maps them to
  // shift-register LUTs (SRL32), 32 bits of one bit lane per LUT.
  int64_t srl_bits = 32;
  // A ROM of at most this many bits is LUTs (64 bits per LUT6), larger ones BRAM.
  int64_t lutrom_max_bits = 1024;
  // Delays: one LUT level with its routing; a ternary adder level: base plus
  // carry per bit; a DSP multiplication; a BRAM read (clock to out plus routing).
  double t_lut = 0.35, t_add_base = 0.6, t_add_bit = 0.02, t_dsp = 1.2, t_bram = 2.2;
};
const Constants K;

double add_delay(int width) { return K.t_add_base + K.t_add_bit * width; }
int ceil_log2(int64_t n) {
  int levels = 0;
  while ((int64_t{1} << levels) < n) ++levels;
  return levels;
}
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

bool is_fixed(const EstimateType& t) { return t.kind == Kind::Fixed; }

// The integer |w| / lsb of a constant exact in `type`.
uint64_t magnitude(double w, const quantizers::FixedType& type) {
  return static_cast<uint64_t>(std::llround(std::fabs(w) / type.lsb()));
}

// Non-zero digits of n in canonical signed-digit form: the shifted terms a
// constant multiplication becomes (0 for zero, 1 for a power of two).
int csd_digits(uint64_t n) {
  int digits = 0;
  while (n) {
    if (n & 1u) {
      ++digits;
      n = (n & 3u) == 1 ? n - 1 : n + 1;
    }
    n >>= 1;
  }
  return digits;
}

// DSP slices for one wa x wb multiplication (either orientation).
int64_t dsps_for(int wa, int wb, const Device& d) {
  auto fit = [&](int a, int b) { return ceil_div(a, d.dsp_a_width) * ceil_div(b, d.dsp_b_width); };
  return std::min(fit(wa, wb), fit(wb, wa));
}

// How one product is built, and how many terms it adds to the adder tree.
enum class ProductKind { Zero, Free, Dsp, Lut };
struct Product {
  ProductKind kind = ProductKind::Zero;
  int terms = 0;     // shifted copies of the data entering the adder tree
  int64_t dsps = 0;
  double luts = 0;   // a fabric multiplier of two variables (not the tree)
  double delay = 0;
};

// A product of data (type `a`) by a weight.  `constant`: the weight is a
// constant of the logic (reuse factor 1), so its value decides (zero, power
// of two, shift-and-add terms); otherwise it is read from memory and only its
// type counts.
Product classify(const EstimateType& a, const EstimateType& w, std::optional<double> value, bool constant,
                 const Device& device) {
  Product p;
  if (value && *value == 0.0) return p;  // zero weights are skipped
  p.kind = ProductKind::Free;
  p.terms = 1;
  // Binary (xnor: +-a), power-of-two (a shift) and ternary (+-a or 0)
  // products need no multiplier: the adder tree adds or subtracts.
  if (w.kind != Kind::Fixed || a.kind == Kind::Xnor) return p;
  const quantizers::FixedType& wf = w.fixed;
  if (wf.width == 1 || (wf.width == 2 && wf.integer == 2 && wf.is_signed)) return p;  // ap_int<2>: ternary
  const int wa = a.width(), wb = wf.width;
  const bool wide = wa > K.dsp_min_width && wb > K.dsp_min_width;
  if (constant && value) {
    const int digits = csd_digits(magnitude(*value, wf));
    if (digits <= 1) return p;  // a power of two: a shift
    if (!wide || digits < K.dsp_min_digits) {  // shift-and-add: the digits join the adder tree
      p.kind = ProductKind::Lut;
      p.terms = digits;
      return p;
    }
  }
  if (wide) {
    p.kind = ProductKind::Dsp;
    p.dsps = dsps_for(wa, wb, device);
    p.delay = K.t_dsp;
  } else {
    p.kind = ProductKind::Lut;
    p.luts = K.lut_per_mult_bit * wa * wb;
    p.delay = ceil_log2(std::max(1, wb)) * add_delay(wa + wb);
  }
  return p;
}

// The width of a product once aligned to the accumulator (the nnet code
// assigns every product into accum_t).
int aligned_product_width(const EstimateType& a, const EstimateType& w, const EstimateType& acc) {
  if (!is_fixed(acc)) return acc.width();
  auto int_bits = [](const EstimateType& t) { return t.kind == Kind::Fixed ? t.fixed.integer : 1; };
  auto frac_bits = [](const EstimateType& t) { return t.kind == Kind::Fixed ? t.fixed.fractional() : 0; };
  int ib = std::min(int_bits(a) + int_bits(w), acc.fixed.integer);
  int fb = std::min(frac_bits(a) + frac_bits(w), acc.fixed.fractional());
  if (w.kind == Kind::Exponent) {  // a shift spans the accumulator
    ib = acc.fixed.integer;
    fb = acc.fixed.fractional();
  }
  return std::max(1, std::min(acc.width(), ib + fb));
}

// An adder tree over `terms` inputs of width `width`, built from ternary
// adders: each level adds groups of three and grows by two bits (at most
// `max_width`).  LUTs, depth in levels, and per level the bits alive after
// it and its delay.  `copies`: identical trees (outputs with as many terms).
struct Tree {
  double luts = 0;
  int levels = 0;
  std::vector<double> live_bits;    // per level
  std::vector<double> level_delay;  // per level
};
void add_tree(Tree& t, int64_t terms, int width, int max_width, int64_t copies) {
  int level = 0;
  while (terms > 1) {
    const int64_t next = ceil_div(terms, 3);
    const int w = std::min(max_width, width + 2 * (level + 1));
    t.luts += static_cast<double>(copies * (terms - next)) * w * K.lut_per_add_bit;  // terms - next additions
    terms = next;
    if (static_cast<int>(t.live_bits.size()) <= level) {
      t.live_bits.push_back(0);
      t.level_delay.push_back(0);
    }
    t.live_bits[level] += static_cast<double>(copies * terms) * w;
    t.level_delay[level] = std::max(t.level_delay[level], add_delay(w));
    ++level;
  }
  t.levels = std::max(t.levels, level);
}

// HLS-style chaining: operations run back to back inside a clock period; a
// register stage is cut where the next one would not fit.  The registers go
// where the fewest bits are alive inside the cycle just closed (Vivado
// retimes them there).
struct Scheduler {
  double period;  // usable ns per cycle
  double t = 0;   // ns used in the current cycle
  int cycle = 0;
  double ff = 0;
  double narrowest = -1;  // fewest live bits at a boundary of the current cycle; -1: none yet
  void cut(double live_bits) {
    ++cycle;
    ff += narrowest < 0 ? live_bits : std::min(narrowest, live_bits);
    narrowest = live_bits;
    t = 0;
  }
  void op(double delay, double live_bits_before) {
    if (delay <= 0) return;
    if (t > 0 && t + delay > period) cut(live_bits_before);
    narrowest = narrowest < 0 ? live_bits_before : std::min(narrowest, live_bits_before);
    while (delay > period) {  // a multi-cycle operation
      cut(live_bits_before);
      delay -= period;
    }
    t += delay;
  }
};

// Rounding and saturation when a value is cast to `result`.
void cast_cost(const EstimateType& result, int64_t n, double& luts, double& delay) {
  if (!is_fixed(result)) return;
  const auto& f = result.fixed;
  delay = 0;
  if (f.rounding != quantizers::RoundingMode::TRN) {
    luts += static_cast<double>(n) * f.width * K.lut_round_bit;
    delay += add_delay(f.width);
  }
  if (f.overflow != quantizers::OverflowMode::WRAP) {
    luts += static_cast<double>(n) * f.width * K.lut_sat_bit;
    delay += K.t_lut;
  }
}

// BRAM_18K for `copies` of a ROM (entries x width bits), or LUTs when small.
void rom_cost(int64_t entries, int width, int64_t lookups, int64_t& bram, double& luts, double& delay) {
  const int64_t bits = entries * width;
  if (bits <= K.lutrom_max_bits) {
    luts += static_cast<double>(lookups) * ceil_div(bits, 64);
    delay = K.t_lut * (1 + ceil_log2(ceil_div(entries, 64)));
    return;
  }
  // An 18 Kb block is 512 x 36, 1K x 18, 2K x 9, ... with two read ports.
  int64_t depth = 512, block_width = 36;
  while (depth < entries && block_width > 1) {
    depth *= 2;
    block_width /= 2;
  }
  const int64_t per_copy = ceil_div(width, block_width) * ceil_div(entries, depth);
  bram += per_copy * ceil_div(lookups, 2);
  delay = K.t_bram;
}

struct LayerWork {
  LayerEstimate e;
  std::vector<std::pair<double, double>> ops;  // (delay, live bits before)
  int extra_cycles = 0;                        // reuse loops, stream handshakes
  double registers = 0;                        // FF outside the pipeline cuts
  int64_t loop_cycles = 0;                     // io_stream: a pixel loop's cycles after its first pixel

  // An adder tree's levels as operations: each level's delay, with the bits
  // alive before it (`live` entering the tree, then the previous level's).
  void add_tree_levels(const Tree& tree, double live) {
    for (size_t level = 0; level < tree.level_delay.size(); ++level) {
      ops.push_back({tree.level_delay[level], live});
      live = tree.live_bits[level];
    }
  }
};

void dense_like(const EstimateLayer& L, const Device& device, LayerWork& w, bool scale_layer) {
  LayerEstimate& e = w.e;
  const int64_t n_in = scale_layer ? 1 : L.n_in;  // a scale layer: one product per element
  const int64_t n_out = scale_layer ? L.n_in : L.n_out;
  const int64_t total = n_in * n_out;
  if (!L.weights.empty() && static_cast<int64_t>(L.weights.size()) != total)
    throw EstimateError("layer '" + L.name + "': " + std::to_string(L.weights.size()) + " weights, expected " +
                        std::to_string(total));
  const int rf = std::max(1, L.reuse_factor);
  const bool constant = rf == 1;
  const EstimateType& acc = scale_layer ? L.result : L.accum;

  std::vector<int64_t> terms(n_out, 0);
  double lut_mult = 0, mult_delay = 0, product_bits = 0;
  int64_t dsp = 0;
  for (int64_t i = 0; i < n_in; ++i)
    for (int64_t j = 0; j < n_out; ++j) {
      std::optional<double> v;
      if (!L.weights.empty()) v = L.weights[i * n_out + j];
      Product p = classify(L.input, L.weight, v, constant, device);
      ++e.products;
      switch (p.kind) {
        case ProductKind::Zero: ++e.zero; continue;
        case ProductKind::Free: ++e.free; break;
        case ProductKind::Dsp:
          ++e.dsp_products;
          dsp += p.dsps;
          break;
        case ProductKind::Lut:
          ++e.lut_products;
          lut_mult += p.luts;
          break;
      }
      terms[j] += p.terms;
      // Alive after the products: what a multiplier computed.  Shifted copies
      // of the data are wires; registering the data covers them.
      if (p.kind == ProductKind::Dsp || p.luts > 0) product_bits += aligned_product_width(L.input, L.weight, acc);
      mult_delay = std::max(mult_delay, p.delay);
    }
  // Shared multipliers: reuse factor RF gives each multiplier RF products,
  // behind an RF:1 multiplexer per operand (a LUT6 is a 4:1 mux).
  double mux = 0;
  if (rf > 1) {
    const int64_t mults = ceil_div(e.dsp_products + e.lut_products, rf);
    mux = static_cast<double>(mults) * (L.input.width() + L.weight.width()) * ceil_div(rf - 1, 3);
    dsp = ceil_div(dsp, rf);
    lut_mult /= rf;
  }
  Tree tree;
  const int pw = aligned_product_width(L.input, L.weight, acc);
  std::map<int64_t, int64_t> groups;  // terms per output -> outputs
  for (int64_t j = 0; j < n_out; ++j) {
    int64_t t = terms[j];
    const bool bias = L.biases.empty() || L.biases.at(j) != 0.0;
    if (bias && t > 0) ++t;  // the bias is one more term (a constant added last otherwise)
    ++groups[t];
  }
  for (auto [t, outputs] : groups) add_tree(tree, t, pw, acc.width(), outputs);
  double tree_luts = tree.luts;
  if (rf > 1) {
    // Each output accumulates over RF cycles instead: one adder per multiplier.
    const int64_t mults = ceil_div(e.dsp_products + e.lut_products + e.free, rf);
    tree_luts = static_cast<double>(mults) * acc.width() * K.lut_per_add_bit;
  }
  double cast_luts = 0, cast_delay = 0;
  cast_cost(L.result, n_out, cast_luts, cast_delay);
  e.dsp = dsp;
  e.lut = lut_mult + mux + tree_luts + cast_luts;
  // A DSP multiplication is pipelined: its product is registered.
  w.registers = static_cast<double>(ceil_div(e.dsp_products, rf)) * pw;

  // Weights read from memory when shared: BRAM for the Resource strategy
  // (hls4ml's ROM_nP_BRAM), LUT ROM otherwise.
  if (rf > 1 && L.weight.width() > 0) {
    const int64_t block = ceil_div(total, rf);  // weights read per cycle
    if (L.strategy == "Resource") {
      double unused = 0, rom_delay = 0;
      int64_t bram = 0;
      rom_cost(rf, static_cast<int>(block * L.weight.width()), 1, bram, unused, rom_delay);
      if (bram == 0) e.lut += unused;
      e.bram18 = bram;
    } else {
      e.lut += static_cast<double>(block * L.weight.width()) * ceil_div(rf, 64);
    }
  }

  // Timing: products (registered by the DSP or chained), the adder tree, the cast.
  const double in_bits = static_cast<double>(L.n_in) * L.input.width();
  w.ops.push_back({mult_delay, in_bits});
  w.add_tree_levels(tree, product_bits + (e.free + e.lut_products > 0 ? in_bits : 0.0));
  w.ops.push_back({cast_delay, static_cast<double>(n_out) * acc.width()});
  if (rf > 1) w.extra_cycles += rf - 1 + (L.strategy == "Resource" ? 1 : 0);
  e.ii = rf;
}

void activation(const EstimateLayer& L, const Device& device, LayerWork& w) {
  LayerEstimate& e = w.e;
  const int64_t n = L.n_in;
  const int wo = L.result.width();
  const double in_bits = static_cast<double>(n) * L.input.width();
  double luts = 0, delay = 0, cast_delay = 0;
  const std::string& a = L.activation;
  if (a == "linear") {
  } else if (a == "relu") {
    luts = static_cast<double>(n) * wo * K.lut_relu_bit;
    delay = K.t_lut;
  } else if (a == "leaky_relu") {
    EstimateType slope;
    slope.fixed = quantizers::FixedType::parse("ap_fixed<16,6>");
    Product p = classify(L.input, slope, std::nullopt, false, device);
    e.dsp = p.dsps * n;
    luts = (p.luts + wo * K.lut_relu_bit) * static_cast<double>(n);
    delay = p.delay + K.t_lut;
  } else if (a == "hard_sigmoid" || a == "hard_tanh") {  // x/2 + 1/2, clamped
    luts = static_cast<double>(n) * wo * (K.lut_per_add_bit + K.lut_sat_bit);
    delay = add_delay(wo) + K.t_lut;
  } else if (a == "binary_tanh" || a == "ternary_tanh") {
    luts = static_cast<double>(n) * 2 * wo;
    delay = add_delay(L.input.width());
  } else if (a == "sigmoid" || a == "tanh") {
    // Index: a scaled copy of the input (shift and add); one table read per element.
    luts = static_cast<double>(n) * L.input.width() * K.lut_per_add_bit;
    double rom_delay = 0;
    rom_cost(L.table_size, L.table.width(), n, e.bram18, luts, rom_delay);
    delay = add_delay(L.input.width()) + rom_delay;
  } else {
    throw EstimateError("layer '" + L.name + "': activation " + a + " has no resource model");
  }
  if (a != "sigmoid" && a != "tanh") cast_cost(L.result, n, luts, cast_delay);
  e.lut = luts;
  w.ops.push_back({delay + cast_delay, in_bits});
}

void softmax(const EstimateLayer& L, const Device& device, LayerWork& w) {
  LayerEstimate& e = w.e;
  const int64_t n = L.n_in;
  const int wi = L.input.width(), we = L.table.width(), wv = L.inv_table.width();
  double luts = 0;
  const double in_bits = static_cast<double>(n) * wi;
  if (L.implementation != "latency") {
    // stable: the maximum (compare + select tree), then x - max.
    luts += static_cast<double>(n - 1) * wi * K.lut_max_bit + static_cast<double>(n) * wi * K.lut_per_add_bit;
    w.ops.push_back({ceil_log2(n) * (add_delay(wi) + K.t_lut), in_bits});
    w.ops.push_back({add_delay(wi), in_bits});
  }
  double rom_delay = 0;
  rom_cost(L.table_size, we, n, e.bram18, luts, rom_delay);
  w.ops.push_back({rom_delay, in_bits});
  Tree tree;
  add_tree(tree, n, we, we + ceil_log2(n), 1);
  luts += tree.luts;
  double level_delay = tree.level_delay.empty() ? 0 : tree.level_delay.back();
  w.ops.push_back({tree.levels * level_delay, static_cast<double>(n) * we});
  rom_cost(L.inv_table_size, wv, 1, e.bram18, luts, rom_delay);
  w.ops.push_back({rom_delay, static_cast<double>(n + 1) * we});
  // exp(x_i) * 1/sum for every element.
  EstimateType exp_type = L.table;
  Product p = classify(exp_type, L.inv_table, std::nullopt, false, device);
  e.dsp = p.dsps * n;
  luts += p.luts * static_cast<double>(n);
  double cast_luts = 0, cast_delay = 0;
  cast_cost(L.result, n, cast_luts, cast_delay);
  e.lut = luts + cast_luts;
  w.ops.push_back({p.delay + cast_delay, static_cast<double>(n) * (we + wv)});
}

// The exact sum or difference of two fixed-point values: one bit wider than
// the wider of the two, signed.
EstimateType sum_type(const EstimateType& a, const EstimateType& b) {
  EstimateType d = b;
  d.fixed.integer = std::max(a.fixed.integer, b.fixed.integer) + 1;
  d.fixed.width = d.fixed.integer + std::max(a.fixed.fractional(), b.fixed.fractional());
  d.fixed.is_signed = true;
  return d;
}

// The anomaly score (nnet_score.h), n elements: mse subtracts and squares
// each (with tanh_eta_phi first a table read and a product by the factor for
// the two thirds that are η and φ), kl squares mu, reads the exp table and
// adds three terms; an adder tree into accum_t; mse then divides by the
// count, a restoring divider (one count-wide subtraction per quotient bit).
void score(const EstimateLayer& L, const Device& device, LayerWork& w) {
  LayerEstimate& e = w.e;
  const int64_t n = L.n_in;
  const int acc = L.accum.width();
  const double in_bits = static_cast<double>(n) * (L.input.width() + L.input2.width());
  double luts = 0, rom_delay = 0, first = 0;
  const bool kl = L.operation == "kl";
  if (kl || L.activation == "tanh_eta_phi") {
    const int64_t reads = kl ? n : n - ceil_div(n, 3);
    rom_cost(L.table_size, L.table.width(), reads, e.bram18, luts, rom_delay);
    first = rom_delay;
    if (!kl) {  // scale * tanh
      const Product p = classify(L.table, L.weight, std::nullopt, false, device);
      e.dsp += p.dsps * reads;
      luts += p.luts * static_cast<double>(reads);
      first += p.delay;
    }
  }
  // The squared operand: mu (kl) or the difference (mse).
  const EstimateType d = kl ? L.input : sum_type(L.input, L.input2);
  if (!kl) luts += static_cast<double>(n) * d.width() * K.lut_per_add_bit;
  const Product square = classify(d, d, std::nullopt, false, device);
  e.dsp += square.dsps * n;
  luts += square.luts * static_cast<double>(n);
  w.ops.push_back({first + (kl ? 0.0 : add_delay(d.width())) + square.delay, in_bits});
  if (kl) {  // 1 + logvar - m - e: two more additions per element
    luts += static_cast<double>(n) * 2 * acc * K.lut_per_add_bit;
    w.ops.push_back({2 * add_delay(acc), static_cast<double>(n) * acc});
  }
  Tree tree;
  add_tree(tree, n, acc, acc, 1);
  luts += tree.luts;
  w.add_tree_levels(tree, static_cast<double>(n) * acc);
  if (!kl) {
    const int count_bits = ceil_log2(n + 1);
    luts += static_cast<double>(acc) * count_bits * K.lut_per_add_bit * 2;
    w.ops.push_back({acc * add_delay(count_bits), static_cast<double>(acc)});
  }
  double cast_luts = 0, cast_delay = 0;
  cast_cost(L.result, 1, cast_luts, cast_delay);
  e.lut = luts + cast_luts;
  w.ops.push_back({cast_delay, static_cast<double>(acc)});
}

// ---------------------------------------------------------------------------
// Images: convolution, pooling, padding, resizing and merges.

// An image layer needs its pixel counts (and a window, for Conv and pooling).
void require_geometry(const EstimateLayer& L, bool window) {
  if (L.in_pixels <= 0 || L.out_pixels <= 0 || (window && L.window <= 0))
    throw EstimateError("layer '" + L.name + "' (" + L.layer_class + "): no image geometry (in_pixels " +
                        std::to_string(L.in_pixels) + ", out_pixels " + std::to_string(L.out_pixels) +
                        (window ? ", window " + std::to_string(L.window) : std::string()) + ")");
}

// io_stream: a loop over `iterations` pixels, one every `ii` cycles.  The
// layer takes a new image once the loop is done.
void pixel_loop(LayerWork& w, int64_t iterations, int ii) {
  w.loop_cycles = (iterations - 1) * ii;
  w.e.ii = static_cast<int>(iterations * ii);
}

// io_stream's sliding window (nnet_conv_stream.h): window_rows - 1 line
// buffers of in_width pixels in shift-register LUTs, the window's values in
// registers, and a loop that reads one input pixel every `ii` cycles.
void line_buffer(const EstimateLayer& L, int64_t channels, int width, int ii, LayerWork& w) {
  w.e.lut += static_cast<double>((L.window_rows - 1) * channels * width * ceil_div(L.in_width, K.srl_bits));
  w.registers += static_cast<double>(L.window * channels * width);
  pixel_loop(w, L.in_pixels, ii);
}

// `copies` instances of one layer's work side by side, timed as one.
void replicate(LayerWork& w, int64_t copies) {
  LayerEstimate& e = w.e;
  const auto c = static_cast<double>(copies);
  e.dsp *= copies;
  e.lut *= c;
  e.bram18 *= copies;
  for (int64_t* count : {&e.products, &e.zero, &e.free, &e.dsp_products, &e.lut_products}) *count *= copies;
  w.registers *= c;
  for (auto& op : w.ops) op.second *= c;
}

// Conv1D/2D: hls4ml's im2col times the dense of one output pixel
// (config{i}_mult: window x channels inputs, one output per filter).
// io_parallel unrolls the pixel loop (nnet_im2col.h): a dense per output
// pixel, all computing at once.  io_stream has one dense behind the line
// buffers, computing a pixel every reuse-factor cycles.
void conv(const EstimateLayer& L, const Device& device, bool stream, LayerWork& w) {
  require_geometry(L, true);
  const int64_t channels = L.n_in / L.in_pixels, filters = L.n_out / L.out_pixels;
  EstimateLayer pixel = L;
  pixel.n_in = L.window * channels;
  pixel.n_out = filters;
  dense_like(pixel, device, w, false);
  if (stream) {
    line_buffer(L, channels, L.input.width(), std::max(1, L.reuse_factor), w);
  } else {
    replicate(w, L.out_pixels);
  }
}

// `outputs` pooled values, each reducing `values` inputs (nnet_pooling.h):
// max by the code's chain of compare-and-select (`if (x > m) m = x`);
// average by an adder tree at accum_t, then a division by `count`: a shift
// for a power of two, else a product by the constant reciprocal (as Vivado
// implements a division by a constant).  `in_bits`: the inputs' bits.
void pool_reduce(const EstimateLayer& L, const Device& device, int64_t outputs, int64_t values, int64_t count,
                 double in_bits, LayerWork& w) {
  LayerEstimate& e = w.e;
  const int wi = L.input.width();
  const auto n = static_cast<double>(outputs);
  double luts = 0, delay = 0, cast_delay = 0;
  if (L.operation == "max") {
    luts = n * static_cast<double>(values - 1) * wi * K.lut_max_bit;
    delay = static_cast<double>(values - 1) * (add_delay(wi) + K.t_lut);
    if (!(L.result.fixed == L.input.fixed)) cast_cost(L.result, outputs, luts, cast_delay);
  } else if (L.operation == "average") {
    const int acc = L.accum.width();
    Tree sum, divide;
    add_tree(sum, values, std::min(wi, acc), acc, outputs);
    if (csd_digits(static_cast<uint64_t>(count)) > 1) {
      const double lsb = L.accum.fixed.lsb();
      const Product p = classify(L.accum, L.accum, std::round(1.0 / count / lsb) * lsb, true, device);
      e.dsp += p.dsps * outputs;
      delay += p.delay;
      add_tree(divide, p.terms, acc, acc, outputs);  // shift-and-add: the reciprocal's digits
    }
    luts = sum.luts + divide.luts;
    for (const Tree* t : {&sum, &divide})
      for (double level : t->level_delay) delay += level;
    cast_cost(L.result, outputs, luts, cast_delay);
  } else {
    throw EstimateError("layer '" + L.name + "' (" + L.layer_class + "): pooling operation '" + L.operation +
                        "' has no resource model (max, average)");
  }
  e.lut += luts;
  w.ops.push_back({delay + cast_delay, in_bits});
}

// Pooling1D/2D and GlobalPooling1D/2D.  io_parallel: every output at once.
// io_stream pooling: one window's reductions behind the line buffers; global
// pooling: a running maximum or sum per channel, one pixel per cycle.
void pooling(const EstimateLayer& L, const Device& device, bool stream, LayerWork& w) {
  require_geometry(L, true);
  const bool global = L.layer_class.rfind("Global", 0) == 0;
  const int wi = L.input.width();
  const int64_t channels = L.n_out / L.out_pixels;
  const int rf = std::max(1, L.reuse_factor);
  if (!stream) {
    pool_reduce(L, device, L.n_out, L.window, L.window, static_cast<double>(L.n_in) * wi, w);
    w.e.ii = rf;
  } else if (global) {
    pool_reduce(L, device, channels, 2, L.window, static_cast<double>(channels) * wi, w);
    pixel_loop(w, L.in_pixels, 1);
  } else {
    pool_reduce(L, device, channels, L.window, L.window, static_cast<double>(L.window * channels) * wi, w);
    line_buffer(L, channels, wi, rf, w);
  }
}

// Merge add (nnet_merge.h): one exact addition per element, cast to the
// result.  io_stream adds one pixel's pack per cycle.
void merge_add(const EstimateLayer& L, bool stream, LayerWork& w) {
  if (L.operation != "add")
    throw EstimateError("layer '" + L.name + "' (Merge): operation '" + L.operation +
                        "' has no resource model (add)");
  if (stream && L.out_pixels <= 0)
    throw EstimateError("layer '" + L.name + "' (Merge): no pixel count for io_stream");
  const int64_t n = stream ? L.n_out / L.out_pixels : L.n_out;
  const int width = sum_type(L.input, L.input2).width();
  double luts = static_cast<double>(n) * width * K.lut_per_add_bit, cast_delay = 0;
  cast_cost(L.result, n, luts, cast_delay);
  w.e.lut = luts;
  w.ops.push_back({add_delay(width) + cast_delay, static_cast<double>(n) * (L.input.width() + L.input2.width())});
  if (stream) pixel_loop(w, L.out_pixels, 1);
}

// Wires: zero padding, nearest-neighbour upsampling and concatenation move
// values without arithmetic.  io_stream still loops over the pixels: the
// padded image (nnet_padding_stream.h), or reading every input pixel and
// then writing every output pixel (nnet_image_stream.h, nnet_merge_stream.h).
void wiring(const EstimateLayer& L, bool stream, LayerWork& w) {
  if (!stream) return;
  require_geometry(L, false);
  pixel_loop(w, L.layer_class == "ZeroPadding" ? L.out_pixels : L.in_pixels + L.out_pixels, 1);
}

// One pixel's pack of an element-wise layer of an image: its channels, and
// their per-channel scales and biases.
EstimateLayer one_pack(const EstimateLayer& L) {
  EstimateLayer P = L;
  P.n_in = L.n_in / L.out_pixels;
  P.n_out = L.n_out / L.out_pixels;
  if (!P.weights.empty()) P.weights.resize(P.n_in);
  if (!P.biases.empty()) P.biases.resize(P.n_in);
  return P;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------

EstimateType EstimateType::parse(const std::string& text) {
  EstimateType t;
  if (text == "xnor" || text.rfind("xnor<", 0) == 0) {
    t.kind = Kind::Xnor;
    t.fixed = quantizers::FixedType::integer_type(1, false);
  } else if (text.rfind("exponent<", 0) == 0) {
    t.kind = Kind::Exponent;
    t.fixed = quantizers::FixedType::integer_type(std::stoi(text.substr(9)), true);
  } else {
    t.fixed = quantizers::FixedType::parse(text);
  }
  return t;
}

int EstimateType::width() const {
  switch (kind) {
    case Kind::Xnor: return 1;
    case Kind::Exponent: return fixed.width + 1;
    case Kind::Fixed: break;
  }
  return fixed.width;
}

Device device_of(const std::string& part) {
  // Resources from the AMD product tables (UltraScale+ and 7-series DSPs:
  // 27x18 and 25x18 signed multipliers).
  struct Row {
    const char* prefix;
    int64_t dsp, lut, ff, bram18;
    int a, b;
  };
  static const Row rows[] = {
      {"xcvu9p", 6840, 1182240, 2364480, 4320, 27, 18},  {"xcvu13p", 12288, 1728000, 3456000, 5376, 27, 18},
      {"xcvu7p", 4560, 788160, 1576320, 2880, 27, 18},   {"xcku115", 5520, 663360, 1326720, 4320, 27, 18},
      {"xcku15p", 1968, 522720, 1045440, 1968, 27, 18},  {"xczu9eg", 2520, 274080, 548160, 1824, 27, 18},
      {"xcu250", 12288, 1728000, 3456000, 5376, 27, 18}, {"xc7z020", 220, 53200, 106400, 280, 25, 18},
      {"xc7vx690t", 3600, 433200, 866400, 2940, 25, 18},
  };
  const std::string p = lower(part);
  for (const Row& r : rows)
    if (p.rfind(r.prefix, 0) == 0) return Device{r.prefix, r.dsp, r.lut, r.ff, r.bram18, r.a, r.b};
  return Device{"", 0, 0, 0, 0, 27, 18};
}

Estimate estimate(const std::vector<EstimateLayer>& layers, const EstimateTarget& target) {
  Estimate out;
  out.target = target;
  out.device = device_of(target.part);
  if (!(target.clock_period > 0)) throw EstimateError("clock period must be positive");
  const bool stream = target.io_type == "io_stream";
  Scheduler s{target.clock_period * (1.0 - target.clock_uncertainty)};
  double last_bits = 0;
  int64_t longest_loop = 0;
  for (const EstimateLayer& L : layers) {
    LayerWork w;
    w.e.name = L.name;
    w.e.layer_class = L.layer_class;
    const std::string& c = L.layer_class;
    const bool scale_layer = c == "BatchNormalization" || c == "ApplyAlpha";
    const bool activation_layer = c == "Activation" || c == "LeakyReLU" || c == "HardActivation" || c == "TernaryTanh";
    // io_stream computes these element-wise layers of an image one pixel's
    // pack at a time (nnet_batchnorm_stream.h, nnet_activation_stream.h).
    const bool packwise = stream && (scale_layer || activation_layer) && L.out_pixels > 1;
    std::optional<EstimateLayer> pack;
    if (packwise) pack = one_pack(L);
    const EstimateLayer& E = pack ? *pack : L;
    if (c == "Input" || c == "Reshape") {
      // wires only
    } else if (c == "Dense") {
      dense_like(L, out.device, w, false);
    } else if (scale_layer) {
      dense_like(E, out.device, w, true);
    } else if (c == "Softmax") {
      softmax(L, out.device, w);
    } else if (activation_layer) {
      activation(E, out.device, w);
    } else if (c == "Score") {
      score(L, out.device, w);
    } else if (c == "Conv1D" || c == "Conv2D") {
      conv(L, out.device, stream, w);
    } else if (c == "Pooling1D" || c == "Pooling2D" || c == "GlobalPooling1D" || c == "GlobalPooling2D") {
      pooling(L, out.device, stream, w);
    } else if (c == "Merge") {
      merge_add(L, stream, w);
    } else if (c == "ZeroPadding" || c == "UpSampling1D" || c == "UpSampling2D" || c == "Concatenate") {
      wiring(L, stream, w);
    } else {
      throw EstimateError("layer '" + L.name + "' (" + c + "): the estimator has no model for this layer class");
    }
    if (packwise) pixel_loop(w, L.out_pixels, 1);
    const int before = s.cycle;
    const double ff_before = s.ff;
    for (auto [delay, bits] : w.ops) s.op(delay, bits);
    if (stream && c != "Input" && c != "Reshape") {
      // A FIFO between layers: a register stage and a handshake cycle.
      s.op(s.period, static_cast<double>(L.n_out ? L.n_out : L.n_in) * L.result.width());
    }
    s.cycle += w.extra_cycles;
    // io_stream layers run as a dataflow, each starting on its input's first
    // pixels: the pixel loops overlap, and the longest one adds to the total.
    w.e.cycles = s.cycle - before + static_cast<int>(w.loop_cycles);
    longest_loop = std::max(longest_loop, w.loop_cycles);
    w.e.ff = s.ff - ff_before + w.registers;
    if (c != "Reshape") last_bits = static_cast<double>(L.n_out ? L.n_out : L.n_in) * L.result.width();
    out.layers.push_back(w.e);
  }
  // The outputs are registered (ap_vld); a partly used last cycle counts.
  if (s.t > 0 && !out.layers.empty()) {
    ++s.cycle;
    ++out.layers.back().cycles;
  }
  if (!out.layers.empty()) out.layers.back().ff += last_bits;
  for (const LayerEstimate& e : out.layers) {
    out.dsp += e.dsp;
    out.lut += e.lut;
    out.ff += e.ff;
    out.bram18 += e.bram18;
    out.ii = std::max(out.ii, e.ii);
  }
  out.latency_cycles = s.cycle + static_cast<int>(longest_loop);
  out.latency_ns = out.latency_cycles * target.clock_period;
  return out;
}

// ---------------------------------------------------------------------------

const std::vector<PaperResult>& qkeras_table3() {
  static const std::vector<PaperResult> rows = {
      {"BF", "float model, ap_fixed<14,6> everywhere", 1826, 48321, 20132, 9},
      {"Q6", "6-bit quantization-aware (QKeras Listing 2)", 124, 39782, 8128, 11},
      {"QE", "AutoQKeras energy-optimised mix", 66, 9149, 1781, 11},
  };
  return rows;
}

std::optional<PaperResult> qkeras_table3_row(const std::string& model) {
  for (const PaperResult& r : qkeras_table3())
    if (lower(r.model) == lower(model)) return r;
  return std::nullopt;
}

bool is_jet_tagger(const std::vector<EstimateLayer>& layers) {
  std::vector<std::pair<int64_t, int64_t>> dense;
  bool softmax = false;
  for (const EstimateLayer& L : layers) {
    if (L.layer_class == "Dense") dense.emplace_back(L.n_in, L.n_out);
    if (L.layer_class == "Softmax") softmax = true;
  }
  const std::vector<std::pair<int64_t, int64_t>> expected = {{16, 64}, {64, 32}, {32, 32}, {32, 5}};
  return softmax && dense == expected;
}

namespace {

std::string fmt(double v, int decimals = 0) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}
std::string percent(double estimate, double paper) { return (estimate >= paper ? "+" : "") + fmt(100.0 * (estimate - paper) / paper, 1) + "%"; }

}  // namespace

std::string format_estimate(const Estimate& est, const std::optional<PaperResult>& paper) {
  std::ostringstream o;
  o << "Estimate for " << est.target.part;
  if (est.device.family.empty()) o << " (unknown part: no utilisation)";
  o << ", clock " << fmt(est.target.clock_period, 2) << " ns, " << est.target.io_type << "\n";
  o << std::left << std::setw(18) << "layer" << std::setw(20) << "class" << std::right << std::setw(7) << "DSP"
    << std::setw(9) << "LUT" << std::setw(9) << "FF" << std::setw(6) << "BRAM" << std::setw(7) << "cycles"
    << std::setw(5) << "II" << "  products (zero/free/DSP/LUT)\n";
  for (const LayerEstimate& e : est.layers) {
    o << std::left << std::setw(18) << e.name << std::setw(20) << e.layer_class << std::right << std::setw(7) << e.dsp
      << std::setw(9) << fmt(e.lut) << std::setw(9) << fmt(e.ff) << std::setw(6) << e.bram18 << std::setw(7)
      << e.cycles << std::setw(5) << e.ii;
    if (e.products)
      o << "  " << e.products << " (" << e.zero << "/" << e.free << "/" << e.dsp_products << "/" << e.lut_products
        << ")";
    o << "\n";
  }
  o << std::left << std::setw(38) << "total" << std::right << std::setw(7) << est.dsp << std::setw(9) << fmt(est.lut)
    << std::setw(9) << fmt(est.ff) << std::setw(6) << est.bram18 << std::setw(7) << est.latency_cycles
    << std::setw(5) << est.ii << "\n";
  o << "latency " << est.latency_cycles << " cycles = " << fmt(est.latency_ns, 1) << " ns, II " << est.ii << " cycle"
    << (est.ii == 1 ? "" : "s") << "\n";
  if (!est.device.family.empty()) {
    const Device& d = est.device;
    o << "utilisation of " << d.family << ": DSP " << fmt(100.0 * est.dsp / d.dsp, 1) << "%, LUT "
      << fmt(100.0 * est.lut / d.lut, 1) << "%, FF " << fmt(100.0 * est.ff / d.ff, 1) << "%, BRAM_18K "
      << fmt(100.0 * est.bram18 / d.bram18, 1) << "%\n";
  }
  if (paper) {
    o << "QKeras paper Table 3, " << paper->model << " (" << paper->description << ", VU9P at 200 MHz):\n";
    o << std::left << std::setw(10) << "" << std::right << std::setw(10) << "estimate" << std::setw(10) << "paper"
      << std::setw(9) << "error\n";
    auto row = [&](const char* what, double e, double p) {
      o << std::left << std::setw(10) << what << std::right << std::setw(10) << fmt(e) << std::setw(10) << fmt(p)
        << std::setw(9) << percent(e, p) << "\n";
    };
    row("DSP", static_cast<double>(est.dsp), static_cast<double>(paper->dsp));
    row("LUT", est.lut, paper->lut);
    row("FF", est.ff, paper->ff);
    row("cycles", est.latency_cycles, paper->cycles);
  }
  return o.str();
}

nlohmann::json estimate_json(const Estimate& est, const std::optional<PaperResult>& paper) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerEstimate& e : est.layers) {
    nlohmann::json l = {{"name", e.name}, {"class", e.layer_class}, {"dsp", e.dsp},       {"lut", std::llround(e.lut)},
                        {"ff", std::llround(e.ff)}, {"bram_18k", e.bram18}, {"cycles", e.cycles}, {"ii", e.ii}};
    if (e.products)
      l["products"] = {{"total", e.products}, {"zero", e.zero}, {"free", e.free}, {"dsp", e.dsp_products},
                       {"lut", e.lut_products}};
    layers.push_back(l);
  }
  nlohmann::json j = {{"part", est.target.part},
                      {"clock_period_ns", est.target.clock_period},
                      {"io_type", est.target.io_type},
                      {"layers", layers},
                      {"total",
                       {{"dsp", est.dsp},
                        {"lut", std::llround(est.lut)},
                        {"ff", std::llround(est.ff)},
                        {"bram_18k", est.bram18},
                        {"latency_cycles", est.latency_cycles},
                        {"latency_ns", est.latency_ns},
                        {"ii", est.ii}}}};
  if (!est.device.family.empty())
    j["device"] = {{"family", est.device.family}, {"dsp", est.device.dsp}, {"lut", est.device.lut},
                   {"ff", est.device.ff},         {"bram_18k", est.device.bram18}};
  if (paper) {
    auto err = [](double e, double p) { return (e - p) / p; };
    j["paper"] = {{"model", paper->model},
                  {"source", "QKeras paper (Coelho et al. 2021) Table 3, VU9P at 200 MHz"},
                  {"dsp", paper->dsp},
                  {"lut", paper->lut},
                  {"ff", paper->ff},
                  {"latency_cycles", paper->cycles},
                  {"relative_error",
                   {{"dsp", err(static_cast<double>(est.dsp), static_cast<double>(paper->dsp))},
                    {"lut", err(est.lut, paper->lut)},
                    {"ff", err(est.ff, paper->ff)},
                    {"latency_cycles", err(est.latency_cycles, paper->cycles)}}}};
  }
  return j;
}

// ---------------------------------------------------------------------------
// The layer descriptions from a firmware model, and read back from an
// exported project's files.
namespace fs = std::filesystem;
using quantizers::HardwareType;

namespace {

EstimateType from_hardware(const HardwareType& t) {
  EstimateType e;
  e.fixed = t.fixed;
  switch (t.kind) {
    case HardwareType::Kind::Fixed: e.kind = EstimateType::Kind::Fixed; break;
    case HardwareType::Kind::Xnor: e.kind = EstimateType::Kind::Xnor; break;
    case HardwareType::Kind::Exponent: e.kind = EstimateType::Kind::Exponent; break;
  }
  return e;
}


std::vector<double> values_of(const at::Tensor& t) {
  if (!t.defined()) return {};
  at::Tensor flat = t.contiguous().to(torch::kFloat64).flatten();
  return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

// Per-channel values repeated over the elements (channels last).
std::vector<double> per_element(const std::vector<double>& channels, int64_t n) {
  if (channels.empty()) return {};
  std::vector<double> out(n);
  for (int64_t k = 0; k < n; ++k) out[k] = channels[k % channels.size()];
  return out;
}

}  // namespace

EstimateTarget estimate_target(const qtrain::HlsModel& model) {
  EstimateTarget t;
  t.part = model.config.part;
  t.clock_period = model.config.clock_period;
  t.io_type = model.config.io_type;
  return t;
}

namespace {

// Pixels of a channels-last shape: all but the last dimension.
int64_t pixels_of(const qtrain::Shape& shape) { return element_count(shape) / shape.back(); }

// The image geometry of a convolution or pooling layer.  In io_stream a
// convolution reads a zero-padded image made by a layer of its own (the
// exporter's zeropad{1,2}d_cl), returned in `padding`.
void window_geometry(const qtrain::HlsLayer& h, const qtrain::Shape& in, bool stream, EstimateLayer& L,
                     std::optional<EstimateLayer>& padding) {
  const size_t rank = h.kernel.size();
  int64_t in_pixels = 1, padded_pixels = 1;
  L.window = 1;
  for (size_t d = 0; d < rank; ++d) {
    in_pixels *= in[d];
    padded_pixels *= in[d] + h.pad_before[d] + h.pad_after[d];
    L.window *= h.kernel[d];
  }
  const bool pad_layer = h.pads_in_own_layer(stream);
  L.in_pixels = pad_layer ? padded_pixels : in_pixels;
  L.in_width = in[rank - 1] + (pad_layer ? h.pad_before[rank - 1] + h.pad_after[rank - 1] : 0);
  L.window_rows = rank == 2 ? h.kernel[0] : 1;
  L.out_pixels = pixels_of(h.shape);
  if (!pad_layer) return;
  L.n_in = padded_pixels * in.back();  // the convolution reads the padded image
  EstimateLayer pad;
  pad.name = h.name + "_pad";
  pad.layer_class = "ZeroPadding";
  pad.input = pad.result = L.input;
  pad.in_pixels = in_pixels;
  pad.out_pixels = padded_pixels;
  pad.n_in = in_pixels * in.back();
  pad.n_out = padded_pixels * in.back();
  padding = pad;
}

}  // namespace

std::vector<EstimateLayer> estimate_layers(const qtrain::HlsModel& model) {
  const bool stream = model.config.io_type == "io_stream";
  std::vector<EstimateLayer> out;
  for (const qtrain::HlsLayer& h : model.layers) {
    EstimateLayer L;
    L.name = h.name;
    L.layer_class = h.layer_class;
    L.activation = h.activation;
    L.implementation = h.implementation;
    L.reuse_factor = h.reuse_factor;
    L.strategy = h.strategy;
    L.table_size = h.table_size;
    L.inv_table_size = h.inv_table_size;
    L.n_out = element_count(h.shape);
    L.result = from_hardware(h.type("result"));
    // The (first) input; the input layer reads its own values.
    const qtrain::HlsLayer& in = h.inputs.empty() ? h : model.layers.at(h.inputs.front());
    const qtrain::Shape& in_shape = in.shape;
    L.n_in = element_count(in_shape);
    L.input = from_hardware(in.type("result"));
    auto type_if = [&](const char* variable, EstimateType& slot) {
      if (h.types.count(variable)) slot = from_hardware(h.types.at(variable));
    };
    const std::string& c = h.layer_class;
    std::optional<EstimateLayer> padding;
    if (c == "Dense" || c == "Conv1D" || c == "Conv2D") {
      type_if("weight", L.weight);
      type_if("bias", L.bias);
      type_if("accum", L.accum);
      L.weights = values_of(h.weight);  // a kernel (k..., C, F) is the per-pixel (k... x C, F) matrix
      L.biases = values_of(h.bias);
      if (c != "Dense") window_geometry(h, in_shape, stream, L, padding);
    } else if (c == "Pooling1D" || c == "Pooling2D") {
      L.operation = h.operation;
      type_if("accum", L.accum);
      window_geometry(h, in_shape, stream, L, padding);
    } else if (c == "GlobalPooling1D" || c == "GlobalPooling2D") {
      L.operation = h.operation;
      type_if("accum", L.accum);
      L.in_pixels = L.window = pixels_of(in_shape);
      L.out_pixels = 1;
    } else if (c == "UpSampling1D" || c == "UpSampling2D") {
      L.in_pixels = pixels_of(in_shape);
      L.out_pixels = pixels_of(h.shape);
    } else if (c == "Merge" || c == "Concatenate") {
      const qtrain::HlsLayer& second = model.layers.at(h.inputs.at(1));
      L.operation = h.operation;
      L.input2 = from_hardware(second.type("result"));
      L.out_pixels = pixels_of(h.shape);
      if (c == "Concatenate") {
        L.n_in += element_count(second.shape);
        L.in_pixels = pixels_of(in_shape) + pixels_of(second.shape);
      }
    } else if (h.layer_class == "BatchNormalization" || h.layer_class == "ApplyAlpha") {
      L.out_pixels = pixels_of(h.shape);  // io_stream: one pack per pixel
      type_if("scale", L.weight);
      type_if("bias", L.bias);
      L.weights = per_element(values_of(h.scale), L.n_in);
      L.biases = per_element(values_of(h.bias), L.n_in);
    } else if (h.layer_class == "Softmax") {
      type_if("exp_table", L.table);
      type_if("inv_table", L.inv_table);
      type_if("accum", L.accum);
    } else if (h.layer_class == "Score") {
      L.operation = h.operation;
      L.input2 = from_hardware(model.layers.at(h.inputs.at(1)).type("result"));
      type_if("reco", L.input2);
      type_if("accum", L.accum);
      type_if("scale", L.weight);
      type_if(h.operation == "kl" ? "exp_table" : "table", L.table);
    } else {
      type_if("table", L.table);
      L.out_pixels = pixels_of(h.shape);  // the activations: io_stream works one pack per pixel
    }
    if (padding) out.push_back(std::move(*padding));
    out.push_back(std::move(L));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Reading a project back.

bool is_project_dir(const std::string& dir) { return fs::is_regular_file(fs::path(dir) / "hls4ml_config.json"); }

namespace {

struct ConfigStruct {
  std::map<std::string, std::string> members;   // static const ... name = value
  std::map<std::string, std::string> typedefs;  // member typedef name -> type name
  std::string product;                          // nnet::product::<kind>
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> split_args(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(trim(item));
  return out;
}

// typedef name -> type text, from defines.h (scalars and the exponent
// struct); `packs`: io_stream's pack types (nnet::array<T, N>, one pixel's N
// channels) -> N.
std::map<std::string, EstimateType> read_defines(const std::string& text, const std::string& file,
                                                 std::map<std::string, int64_t>& packs) {
  std::map<std::string, EstimateType> types;
  const std::regex scalar(R"(typedef\s+((?:ap_|nnet::)[^;]*?)\s+(\w+)\s*;)");
  for (std::sregex_iterator it(text.begin(), text.end(), scalar), end; it != end; ++it) {
    std::string type = (*it)[1];
    if (type.rfind("nnet::array<", 0) == 0) {  // io_stream pack: the element type, maybe a typedef above
      const auto comma = type.rfind(',');
      packs[(*it)[2]] = std::stoll(type.substr(comma + 1));
      type = trim(type.substr(12, comma - 12));
      if (auto element = types.find(type); element != types.end()) {
        types[(*it)[2]] = element->second;
        continue;
      }
    }
    try {
      types[(*it)[2]] = EstimateType::parse(type);
    } catch (const std::exception& e) {
      throw EstimateError(file + ": type " + type + ": " + e.what());
    }
  }
  const std::regex exponent(R"(typedef\s+struct\s+(\w+)\s*\{\s*ap_uint<1>\s+sign;\s*ap_int<(\d+)>\s+weight;\s*\}\s*\w+\s*;)");
  for (std::sregex_iterator it(text.begin(), text.end(), exponent), end; it != end; ++it)
    types[(*it)[1]] = EstimateType::parse("exponent<" + std::string((*it)[2]) + ">");
  return types;
}

std::map<std::string, ConfigStruct> read_parameters(const std::string& text) {
  std::map<std::string, ConfigStruct> structs;
  const std::regex head(R"(struct\s+(\w+)\s*:\s*nnet::\w+\s*\{)");
  const std::regex member(R"(static\s+const\s+[\w:]+\s+(\w+)\s*=\s*([^;]+);)");
  const std::regex member_typedef(R"(typedef\s+(\w+)\s+(\w+)\s*;)");
  const std::regex product(R"(using\s+product\s*=\s*nnet::product::(\w+))");
  for (std::sregex_iterator it(text.begin(), text.end(), head), end; it != end; ++it) {
    const size_t body_begin = it->position() + it->length();
    const size_t body_end = text.find("\n};", body_begin);
    const std::string body = text.substr(body_begin, body_end == std::string::npos ? std::string::npos : body_end - body_begin);
    ConfigStruct& s = structs[(*it)[1]];
    for (std::sregex_iterator m(body.begin(), body.end(), member); m != end; ++m) s.members[(*m)[1]] = trim((*m)[2]);
    for (std::sregex_iterator m(body.begin(), body.end(), member_typedef); m != end; ++m)
      s.typedefs[(*m)[2]] = (*m)[1];
    std::smatch p;
    if (std::regex_search(body, p, product)) s.product = p[1];
  }
  return structs;
}

std::vector<double> read_weights(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw EstimateError(file.string() + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<double> values;
  if (text.find('{') != std::string::npos) {  // {sign, exponent} pairs
    const std::regex pair(R"(\{\s*(\d+)\s*,\s*(-?\d+)\s*\})");
    for (std::sregex_iterator it(text.begin(), text.end(), pair), end; it != end; ++it)
      values.push_back((std::stoi((*it)[1]) ? 1.0 : -1.0) * std::ldexp(1.0, std::stoi((*it)[2])));
    return values;
  }
  for (const std::string& item : split_args(text)) {
    if (item.empty()) continue;
    try {
      values.push_back(std::stod(item));
    } catch (const std::exception&) {
      throw EstimateError(file.string() + ": '" + item + "' is not a number");
    }
  }
  return values;
}

// The Resource kernels' weight files hold the (n_in, n_out) matrix
// transposed (hls_project.cpp, kernel_matrix): back to Keras order.
std::vector<double> from_resource_order(const std::vector<double>& file, int64_t n_out) {
  const int64_t n_in = static_cast<int64_t>(file.size()) / n_out;
  std::vector<double> keras(file.size());
  for (int64_t i = 0; i < n_in; ++i)
    for (int64_t j = 0; j < n_out; ++j) keras[i * n_out + j] = file[j * n_in + i];
  return keras;
}

std::string layer_class_of(const std::string& function) {
  if (function == "dense") return "Dense";
  if (function == "conv_1d_cl") return "Conv1D";
  if (function == "conv_2d_cl") return "Conv2D";
  if (function == "pooling1d_cl") return "Pooling1D";
  if (function == "pooling2d_cl") return "Pooling2D";
  if (function == "global_pooling1d_cl") return "GlobalPooling1D";
  if (function == "global_pooling2d_cl") return "GlobalPooling2D";
  if (function == "zeropad1d_cl" || function == "zeropad2d_cl") return "ZeroPadding";
  if (function == "add") return "Merge";
  if (function.rfind("concatenate", 0) == 0) return "Concatenate";
  if (function == "normalize") return "BatchNormalization";
  if (function == "softmax") return "Softmax";
  if (function == "leaky_relu") return "LeakyReLU";
  if (function == "hard_sigmoid" || function == "hard_tanh") return "HardActivation";
  if (function == "ternary_tanh") return "TernaryTanh";
  if (function == "mse_score" || function == "kl_score") return "Score";
  return "Activation";
}

}  // namespace

std::vector<EstimateLayer> read_project_layers(const std::string& dir, EstimateTarget& target) {
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw std::invalid_argument(dir + ": no such directory");
  if (!is_project_dir(dir)) throw std::invalid_argument(dir + ": not an exported project (no hls4ml_config.json)");
  const std::string config_file = (root / "hls4ml_config.json").string();
  const nlohmann::json config = qtrain::read_json_file(config_file);
  auto field = [&](const char* key) -> const nlohmann::json& {
    if (!config.contains(key)) throw EstimateError(config_file + ": field " + key + ": missing");
    return config[key];
  };
  const std::string name = field("ProjectName").get<std::string>();
  target.part = field("Part").get<std::string>();
  target.clock_period = field("ClockPeriod").get<double>();
  target.io_type = field("IOType").get<std::string>();
  if (config.contains("ClockUncertainty") && config["ClockUncertainty"].is_string()) {
    const std::string u = config["ClockUncertainty"];
    target.clock_uncertainty = std::stod(u) / (u.find('%') != std::string::npos ? 100.0 : target.clock_period);
  }

  const fs::path firmware = root / "firmware";
  const std::string defines_file = (firmware / "defines.h").string();
  std::map<std::string, int64_t> packs;
  const auto types = read_defines(qtrain::read_text_file(defines_file), defines_file, packs);
  const std::string parameters_file = (firmware / "parameters.h").string();
  const auto structs = read_parameters(qtrain::read_text_file(parameters_file));
  const std::string top_file = (firmware / (name + ".cpp")).string();
  const std::string top = qtrain::read_text_file(top_file);

  auto type_named = [&](const std::string& type_name, const std::string& layer) {
    auto it = types.find(type_name);
    if (it == types.end())
      throw EstimateError(defines_file + ": no typedef " + type_name + " (layer '" + layer + "')");
    return it->second;
  };
  auto number = [&](const ConfigStruct& s, const std::string& key, const std::string& layer) -> int64_t {
    auto it = s.members.find(key);
    if (it == s.members.end())
      throw EstimateError(parameters_file + ": the config struct of layer '" + layer + "' has no member " + key);
    try {
      return std::stoll(it->second);
    } catch (const std::exception&) {
      throw EstimateError(parameters_file + ": the config struct of layer '" + layer + "': " + key + " = " +
                          it->second + " is not a number");
    }
  };
  // An image dimension: 1 when the struct has no such member (a 1-D layer's height).
  auto dimension = [&](const ConfigStruct& s, const std::string& key, const std::string& layer) -> int64_t {
    return s.members.count(key) ? number(s, key, layer) : 1;
  };
  // Pixels of an io_stream variable of `n` values (its type a pack of one
  // pixel's channels); 0 in io_parallel, where no layer needs it.
  auto stream_pixels = [&](const std::string& type_name, int64_t n) -> int64_t {
    auto it = packs.find(type_name);
    return it == packs.end() ? 0 : n / it->second;
  };

  std::vector<EstimateLayer> layers;
  const std::regex call(R"(nnet::(\w+)<([^>]*)>\(([^)]*)\);\s*//\s*(\S+))");
  const std::regex alias(R"(auto&\s+\w+\s*=\s*\w+;\s*//\s*(\S+))");
  std::istringstream lines(top);
  std::string line;
  std::map<std::string, EstimateType> result_of;  // output variable -> type (for a reshape's result)
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_search(line, m, alias)) {
      EstimateLayer L;
      L.name = m[1];
      L.layer_class = "Reshape";
      layers.push_back(L);
      continue;
    }
    if (!std::regex_search(line, m, call)) continue;
    const std::string function = m[1];
    if (function.rfind("load_", 0) == 0) continue;
    EstimateLayer L;
    L.name = m[4];
    if (function == "repack_stream") {  // io_stream's Flatten/Reshape
      L.layer_class = "Reshape";
      layers.push_back(L);
      continue;
    }
    const bool resize = function == "resize_nearest";  // <data_T, CONFIG_T>: the result has the input's type
    const std::vector<std::string> targs = split_args(m[2]), args = split_args(m[3]);
    if (targs.size() < (resize ? 2u : 3u))
      throw EstimateError(top_file + ": cannot read the call of layer '" + L.name + "'");
    const std::string config_name = targs.back();
    auto s = structs.find(config_name);
    if (s == structs.end()) throw EstimateError(top_file + ": layer '" + L.name + "': no struct " + config_name + " in parameters.h");
    const ConfigStruct& c = s->second;
    // UpSampling1D is written as a resize of an image of height 1.
    L.layer_class = !resize ? layer_class_of(function)
                    : dimension(c, "height", L.name) == 1 && dimension(c, "new_height", L.name) == 1 ? "UpSampling1D"
                                                                                                    : "UpSampling2D";
    L.input = type_named(targs[0], L.name);
    L.result = type_named(resize ? targs[0] : targs[targs.size() - 2], L.name);
    auto dim = [&](const std::string& key) { return dimension(c, key, L.name); };
    const std::string& lc = L.layer_class;
    if (lc == "Conv1D" || lc == "Conv2D") {
      L.in_pixels = dim("in_height") * dim("in_width");
      L.out_pixels = dim("out_height") * dim("out_width");
      L.n_in = L.in_pixels * dim("n_chan");
      L.n_out = L.out_pixels * dim("n_filt");
      L.window = dim("kernel_size");
      L.window_rows = dim("filt_height");
      L.in_width = dim("in_width");
    } else if (lc == "Pooling1D" || lc == "Pooling2D") {
      const bool one_d = lc == "Pooling1D";  // 1-D: n_in and n_out are widths
      L.in_width = dim(one_d ? "n_in" : "in_width");
      L.in_pixels = dim("in_height") * L.in_width;
      L.out_pixels = one_d ? dim("n_out") : dim("out_height") * dim("out_width");
      L.n_in = L.in_pixels * dim("n_filt");
      L.n_out = L.out_pixels * dim("n_filt");
      L.window = dim("pool_height") * dim("pool_width");
      L.window_rows = dim("pool_height");
    } else if (lc == "GlobalPooling1D" || lc == "GlobalPooling2D") {
      L.in_pixels = L.window = lc == "GlobalPooling1D" ? dim("n_in") : dim("in_height") * dim("in_width");
      L.out_pixels = 1;
      L.n_in = L.in_pixels * dim("n_filt");
      L.n_out = dim("n_filt");
    } else if (lc == "ZeroPadding") {
      L.name += "_pad";
      L.in_pixels = dim("in_height") * dim("in_width");
      L.out_pixels = dim("out_height") * dim("out_width");
      L.n_in = L.in_pixels * dim("n_chan");
      L.n_out = L.out_pixels * dim("n_chan");
    } else if (resize) {
      L.in_pixels = dim("height") * dim("width");
      L.out_pixels = dim("new_height") * dim("new_width");
      L.n_in = L.in_pixels * dim("n_chan");
      L.n_out = L.out_pixels * dim("n_chan");
    } else if (lc == "Merge" || lc == "Concatenate") {
      L.operation = function;
      L.input2 = type_named(targs[1], L.name);
      if (lc == "Merge") {
        L.n_in = number(c, "n_elem", L.name);
      } else {  // n_elem{input}_{axis}, for the rank the function's name gives
        const int rank = std::stoi(function.substr(11));
        int64_t n1 = 1, n2 = 1;
        for (int d = 0; d < rank; ++d) {
          n1 *= number(c, "n_elem1_" + std::to_string(d), L.name);
          n2 *= number(c, "n_elem2_" + std::to_string(d), L.name);
        }
        L.n_in = n1 + n2;
        L.in_pixels = stream_pixels(targs[0], n1) + stream_pixels(targs[1], n2);
      }
      L.n_out = L.n_in;
      L.out_pixels = stream_pixels(targs[2], L.n_out);
    } else {
      L.n_in = number(c, "n_in", L.name);
      L.n_out = c.members.count("n_out") ? number(c, "n_out", L.name) : L.n_in;
      L.out_pixels = stream_pixels(targs[targs.size() - 2], L.n_out);  // element-wise layers' packs
    }
    if (c.members.count("reuse_factor")) L.reuse_factor = static_cast<int>(number(c, "reuse_factor", L.name));
    if (c.members.count("strategy"))
      L.strategy = c.members.at("strategy").find("resource") != std::string::npos ? "Resource" : "Latency";
    auto member_type = [&](const std::string& member, EstimateType& slot) {
      auto it = c.typedefs.find(member);
      if (it != c.typedefs.end()) slot = type_named(it->second, L.name);
    };
    const bool is_conv = lc == "Conv1D" || lc == "Conv2D";
    if (lc == "Dense" || is_conv || lc == "BatchNormalization") {
      const bool scale_layer = lc == "BatchNormalization";
      member_type(scale_layer ? "scale_t" : "weight_t", L.weight);
      member_type("bias_t", L.bias);
      member_type("accum_t", L.accum);
      std::string product = c.product;
      if (is_conv) {  // the product is the per-pixel dense's (config{i}_mult)
        auto mult = c.typedefs.find("mult_config");
        if (mult == c.typedefs.end() || !structs.count(mult->second))
          throw EstimateError(parameters_file + ": the config struct of layer '" + L.name +
                              "' names no mult_config struct");
        product = structs.at(mult->second).product;
      }
      if (product == "weight_binary" || product == "both_binary") L.weight.kind = EstimateType::Kind::Xnor;
      if (product == "data_binary" || product == "both_binary") L.input.kind = EstimateType::Kind::Xnor;
      if (args.size() < 4) throw EstimateError(top_file + ": cannot read the call of layer '" + L.name + "'");
      L.weights = read_weights(firmware / "weights" / (args[2] + ".txt"));
      L.biases = read_weights(firmware / "weights" / (args[3] + ".txt"));
      if (scale_layer) {
        L.weights = per_element(L.weights, L.n_in);
        L.biases = per_element(L.biases, L.n_in);
      } else if (L.strategy == "Resource") {
        L.weights = from_resource_order(L.weights, is_conv ? L.n_out / L.out_pixels : L.n_out);
      }
    } else if (lc == "Pooling1D" || lc == "Pooling2D" || lc == "GlobalPooling1D" || lc == "GlobalPooling2D") {
      member_type("accum_t", L.accum);
      auto op = c.members.find("pool_op");
      if (op == c.members.end())
        throw EstimateError(parameters_file + ": the config struct of layer '" + L.name + "' has no member pool_op");
      L.operation = op->second.find("Max") != std::string::npos ? "max" : "average";
    } else if (lc == "ZeroPadding" || resize || lc == "Merge" || lc == "Concatenate") {
      // wires and adders: the geometry and the types above are all they need
    } else if (L.layer_class == "Score") {
      L.operation = function.substr(0, function.find('_'));
      L.n_out = 1;
      L.input2 = type_named(targs[1], L.name);
      member_type("accum_t", L.accum);
      if (L.operation == "kl") {
        member_type("exp_table_t", L.table);
      } else {
        member_type("reco_t", L.input2);
      }
      if (args.size() == 4) {  // the factors s{i}: tanh_eta_phi
        L.activation = "tanh_eta_phi";
        member_type("scale_t", L.weight);
        member_type("table_t", L.table);
      }
      if (c.members.count("table_size")) L.table_size = static_cast<int>(number(c, "table_size", L.name));
    } else if (L.layer_class == "Softmax") {
      member_type("exp_table_t", L.table);
      member_type("inv_table_t", L.inv_table);
      member_type("accum_t", L.accum);
      if (c.members.count("exp_table_size")) L.table_size = static_cast<int>(number(c, "exp_table_size", L.name));
      if (c.members.count("inv_table_size")) L.inv_table_size = static_cast<int>(number(c, "inv_table_size", L.name));
      auto impl = c.members.find("implementation");
      L.implementation = impl != c.members.end() && impl->second.find("latency") != std::string::npos ? "latency" : "stable";
      if (L.table.fixed.width == 16 && !c.typedefs.count("exp_table_t"))
        L.table = EstimateType::parse("ap_fixed<18,8,AP_RND,AP_SAT>");
    } else {
      L.activation = function;
      member_type("table_t", L.table);
      if (!c.typedefs.count("table_t")) L.table = EstimateType::parse("ap_fixed<18,8>");
      if (c.members.count("table_size")) L.table_size = static_cast<int>(number(c, "table_size", L.name));
    }
    layers.push_back(std::move(L));
  }
  if (layers.empty()) throw EstimateError(top_file + ": no layer calls found");
  return layers;
}

}  // namespace hls_export
