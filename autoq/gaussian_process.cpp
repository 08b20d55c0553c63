#include "autoq/gaussian_process.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace autoq {

GaussianProcess::GaussianProcess(const Eigen::MatrixXd& points, const Eigen::VectorXd& targets,
                                 const GpParameters& parameters)
    : points_(points), parameters_(parameters) {
  if (points.rows() == 0 || points.rows() != targets.size())
    throw std::invalid_argument("gaussian process: needs as many targets as points, at least one");
  if (!(parameters.length_scale > 0) || !(parameters.signal_variance > 0) || parameters.noise_variance < 0)
    throw std::invalid_argument("gaussian process: length scale and signal variance must be positive");
  const Eigen::Index n = points.rows();
  Eigen::MatrixXd k(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j <= i; ++j) k(i, j) = k(j, i) = kernel(points.row(i), points.row(j));
  k.diagonal().array() += parameters.noise_variance;
  cholesky_.compute(k);
  if (cholesky_.info() != Eigen::Success)
    throw std::invalid_argument("gaussian process: the kernel matrix is not positive definite");
  alpha_ = cholesky_.solve(targets);
}

double GaussianProcess::kernel(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const {
  const double l = parameters_.length_scale;
  return parameters_.signal_variance * std::exp(-(a - b).squaredNorm() / (2 * l * l));
}

void GaussianProcess::predict(const Eigen::VectorXd& x, double& mean, double& variance) const {
  const Eigen::Index n = points_.rows();
  Eigen::VectorXd k_star(n);
  for (Eigen::Index i = 0; i < n; ++i) k_star(i) = kernel(points_.row(i), x);
  mean = k_star.dot(alpha_);
  // k*ᵀK⁻¹k* = |L⁻¹k*|² with K = LLᵀ.
  const Eigen::VectorXd v = cholesky_.matrixL().solve(k_star);
  variance = std::max(kernel(x, x) - v.squaredNorm(), 0.0);
}

double expected_improvement(double mean, double sigma, double best, double xi) {
  const double gain = mean - best - xi;
  if (!(sigma > 0)) return std::max(gain, 0.0);
  const double z = gain / sigma;
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
  return gain * cdf + sigma * pdf;
}

}  // namespace autoq
