// A Gaussian process regressor and the expected-improvement acquisition of
// the Bayesian sampler.  Points are rows of encoded configurations (every
// coordinate in [0, 1]); the prior has zero mean, so callers standardise
// their targets first.
#pragma once

#include <Eigen/Dense>

namespace autoq {

struct GpParameters {
  double length_scale = 1;   // ℓ of the squared-exponential kernel
  double signal_variance = 1;  // σf²
  double noise_variance = 0;   // σn², added to the diagonal of the training kernel
};

class GaussianProcess {
 public:
  // k(x, x') = σf²·exp(−|x − x'|² / (2ℓ²)).  Throws std::invalid_argument
  // for mismatched shapes or a kernel matrix that is not positive definite.
  GaussianProcess(const Eigen::MatrixXd& points, const Eigen::VectorXd& targets, const GpParameters& parameters);

  double kernel(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const;
  // The posterior at x: mean k*ᵀK⁻¹y and variance k(x, x) − k*ᵀK⁻¹k*
  // (clamped at 0 against rounding).
  void predict(const Eigen::VectorXd& x, double& mean, double& variance) const;

 private:
  Eigen::MatrixXd points_;
  GpParameters parameters_;
  Eigen::LLT<Eigen::MatrixXd> cholesky_;
  Eigen::VectorXd alpha_;  // K⁻¹y
};

// Expected improvement of a maximisation over the best value so far:
// (μ − best − ξ)·Φ(z) + σ·φ(z), z = (μ − best − ξ)/σ; with σ = 0 it is
// max(μ − best − ξ, 0).
double expected_improvement(double mean, double sigma, double best, double xi);

}  // namespace autoq
