// Synthetic jets: a toy of boosted-jet physics at pT ≈ 1 TeV with the 16
// features of the hls4ml data on their real scales.  Each jet is drawn from
// a few latent quantities (groomed mass, constituent count, how two- and
// three-pronged it is, how wide its radiation is) and the features are noisy
// functions of them:
//  - gluon and quark jets are the same QCD continuum; gluons are a little
//    heavier, have more constituents and radiate wider (colour charge);
//  - W and Z jets sit in mass peaks 11 GeV apart (resolution 6-7 GeV) and
//    are two-pronged, except for 12 % whose groomer lost a prong and which
//    look like QCD;
//  - top jets peak at 173 GeV and are three-pronged, or fall into the W peak
//    when the b quark is groomed away, or look like QCD.
//
// Why it punishes post-training quantization: soft radiation and pile-up
// scale all energy-correlation ratios of a jet by one common, widely spread
// factor (`activity`), and the shape information lies almost only in the
// quotient of the beta = 1 and beta = 2 variants of one observable, which
// moves by ±15 % between shapes.  A network reads it from small differences
// of strongly correlated, long-tailed inputs, which takes weights in precise
// proportion; rounding them independently to a coarse grid breaks the
// cancellation.  Training with the quantizer in the loop finds proportions
// that lie on the grid.
//
// Calibration (a throwaway LibTorch program, not in the repository): a float
// 16-64-32-32-5 ReLU MLP, standardised inputs, Adam 1e-3, batch 1024, 20
// epochs on the train part of 100 000 jets split 0.2 / 0.2, nine runs over
// data seeds and Glorot or LibTorch weight init.  Float test accuracy 76-78 %;
// weights and biases rounded to quantized_bits(4,0,alpha=1) afterwards:
// 60-70 %, 6 to 18 points lost (10 on average); rounded to 6 bits: 0-3 points
// lost; trained with the 4-bit quantizer in the loop (QAT): 71-75 %.
//
// Every draw goes through detail::Random in a fixed order, one jet after the
// other, so the output depends on (n, seed) only.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "datasets/jet_readers.h"
#include "datasets/jets.h"
#include "datasets/random.h"

namespace datasets {

namespace {

enum JetClass { kGluon, kQuark, kTop, kW, kZ };  // jet_class_names() order

constexpr double kJetPt = 1000.0;  // GeV
constexpr double kWMass = 80.4, kZMass = 91.2, kTopMass = 172.8;

// Log-normal spread of the common soft-activity factor.
constexpr double kActivitySpread = 1.0;
// Independent log-normal noise of each energy-correlation ratio on top of it.
constexpr double kRatioNoise = 0.006;
// How far the b2 / b1 ratio of an observable moves with the jet shape.
constexpr double kShapeInRatio = 0.15;
// Jet-to-jet spread of the shape latents around their class means: sets how
// much the classes overlap.
constexpr double kShapeSpread = 0.17;

struct Shape {
  double two_prong;    // 0 (one hard core) .. 1 (two balanced prongs)
  double three_prong;  // 0 .. 1 (three prongs)
  double width;        // angular width of the radiation, 0 .. 1
};

struct Latent {
  double mass;          // groomed jet mass, GeV
  double multiplicity;  // number of constituents, before rounding
  Shape shape;
};

double log_normal(detail::Random& random, double median, double sigma) {
  return median * std::exp(sigma * random.normal());
}

Shape draw_shape(detail::Random& random, const Shape& mean) {
  const auto around = [&random](double m) { return std::clamp(m + kShapeSpread * random.normal(), 0.0, 1.0); };
  Shape shape;
  shape.two_prong = around(mean.two_prong);
  shape.three_prong = around(mean.three_prong);
  shape.width = around(mean.width);
  return shape;
}

Latent qcd_jet(detail::Random& random, double median_mass, double median_multiplicity, const Shape& shape) {
  Latent jet;
  jet.mass = log_normal(random, median_mass, 0.65);
  // Heavier QCD jets radiate more.
  jet.multiplicity = log_normal(random, median_multiplicity * std::pow(jet.mass / median_mass, 0.15), 0.3);
  jet.shape = draw_shape(random, shape);
  return jet;
}

Latent resonant_jet(detail::Random& random, double mass, double resolution, double median_multiplicity,
                    const Shape& shape) {
  Latent jet;
  jet.mass = mass + resolution * random.normal();
  jet.multiplicity = log_normal(random, median_multiplicity, 0.25);
  jet.shape = draw_shape(random, shape);
  return jet;
}

Latent draw_latent(JetClass kind, detail::Random& random) {
  const double u = random.uniform();
  switch (kind) {
    case kGluon:
      return qcd_jet(random, 30.0, 40.0, {0.2, 0.2, 0.75});
    case kQuark:
      return qcd_jet(random, 20.0, 32.0, {0.2, 0.2, 0.35});
    case kW:
      return u < 0.88 ? resonant_jet(random, kWMass, 6.0, 38.0, {0.8, 0.2, 0.3})
                      : qcd_jet(random, 25.0, 36.0, {0.45, 0.2, 0.3});
    case kZ:
      return u < 0.88 ? resonant_jet(random, kZMass, 7.0, 40.0, {0.8, 0.2, 0.3})
                      : qcd_jet(random, 25.0, 36.0, {0.45, 0.2, 0.3});
    case kTop:
      if (u < 0.65) return resonant_jet(random, kTopMass, 13.0, 60.0, {0.5, 0.8, 0.6});
      if (u < 0.85) return resonant_jet(random, kWMass, 9.0, 50.0, {0.6, 0.45, 0.6});
      return qcd_jet(random, 45.0, 52.0, {0.4, 0.4, 0.6});
  }
  throw std::logic_error("synthetic_jets: unknown class");
}

// The 16 features of a jet, in jet_feature_names() order.
void write_features(const Latent& jet, detail::Random& random, float* out) {
  const double mass = std::max(jet.mass, 0.5);
  const double multiplicity = std::max(3.0, std::round(jet.multiplicity));
  const double rho = mass / kJetPt;
  const double one_prong = 1.0 - jet.shape.two_prong;
  const double three_prong = jet.shape.three_prong;
  const double width = jet.shape.width;
  const double activity = std::exp(kActivitySpread * random.normal());

  const auto noisy = [&random](double x, double sigma) { return x * std::exp(sigma * random.normal()); };
  // The beta = 1 and beta = 2 variants of one ratio: both scale with the
  // activity, their quotient is `b2_over_b1`.
  const auto beta_pair = [&](double b1, double b2_over_b1) {
    return std::pair{noisy(activity * b1, kRatioNoise), noisy(activity * b1 * b2_over_b1, kRatioNoise)};
  };
  // A quotient 1 ± kShapeInRatio as `shape` goes from 0 to 1.
  const auto shape_ratio = [](double shape) { return 1.0 + kShapeInRatio * (2.0 * shape - 1.0); };

  const double zlogz = -(0.9 * std::log(multiplicity) - 0.6) + 0.25 * random.normal();
  const double c1_b0 = 0.12 + 0.06 * std::log(multiplicity) + 0.04 * random.normal();
  const double c1_b1 = noisy(1.4 * rho, 0.2) + 0.005;
  const double c1_b2 = noisy(2.5 * rho * rho, 0.35);
  const auto [c2_b1, c2_b2] = beta_pair(0.15 * (1 + 0.09 * one_prong + 0.06 * width), 0.8 * shape_ratio(width));
  // D2 = e3 / e2^3 grows as the jet gets lighter: a long physical tail.
  const auto [d2_b1, d2_b2] = beta_pair(std::pow(0.08 / rho, 0.35) * (1.2 + 0.24 * one_prong + 0.15 * three_prong),
                                        1.3 * shape_ratio(one_prong));
  const double d2_a1_b1 = noisy(0.8 * d2_b1, 0.15);
  const double d2_a1_b2 = noisy(0.8 * d2_b2, 0.15);
  const auto [m2_b1, m2_b2] = beta_pair(0.05 * (1 + 0.09 * three_prong), 0.7 * shape_ratio(three_prong));
  const auto [n2_b1, n2_b2] =
      beta_pair(0.2 * (1 + 0.06 * one_prong + 0.06 * width), 0.85 * shape_ratio((one_prong + width) / 2));

  const double values[] = {zlogz,    c1_b0,    c1_b1, c1_b2, c2_b1, c2_b2, d2_b1, d2_b2,
                           d2_a1_b1, d2_a1_b2, m2_b1, m2_b2, n2_b1, n2_b2, mass,  multiplicity};
  std::transform(std::begin(values), std::end(values), out, [](double v) { return static_cast<float>(v); });
}

}  // namespace

LabeledData synthetic_jets(int64_t n, uint64_t seed) {
  if (n < 0) throw std::invalid_argument("synthetic_jets: negative count " + std::to_string(n));
  detail::Random random(seed);
  // Balanced classes in random order: row i gets class permutation[i] mod 5.
  const std::vector<int64_t> order = random.permutation(n);
  const auto classes = static_cast<int64_t>(jet_class_names().size());
  const size_t features_per_jet = jet_feature_names().size();
  std::vector<int64_t> labels(order.size());
  std::vector<float> features(order.size() * features_per_jet);
  for (size_t i = 0; i < order.size(); ++i) {
    labels[i] = order[i] % classes;
    const Latent jet = draw_latent(static_cast<JetClass>(labels[i]), random);
    write_features(jet, random, features.data() + i * features_per_jet);
  }
  return detail::make_jet_data(features, labels);
}

}  // namespace datasets
