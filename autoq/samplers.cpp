#include "autoq/samplers.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autoq/gaussian_process.h"

namespace autoq {

namespace {

Configuration uniform_configuration(const SearchSpace& space, std::mt19937_64& rng) {
  Configuration configuration(space.dimensions());
  for (size_t i = 0; i < configuration.size(); ++i) {
    std::uniform_int_distribution<int> pick(0, space.choices(i) - 1);
    configuration[i] = pick(rng);
  }
  return configuration;
}

}  // namespace

RandomSampler::RandomSampler(const SearchSpace& space, uint64_t seed, int epochs)
    : space_(space), rng_(seed), epochs_(epochs) {}

bool RandomSampler::next(Configuration& configuration) {
  if (static_cast<double>(seen_.size()) >= space_.size()) return false;
  do configuration = uniform_configuration(space_, rng_);
  while (!seen_.insert(configuration).second);
  return true;
}

bool RandomSampler::propose(Proposal& proposal) {
  proposal.epochs = epochs_;
  return next(proposal.configuration);
}

BayesianSampler::BayesianSampler(const SearchSpace& space, uint64_t seed, int epochs, int initial_trials,
                                 int workers, int candidates)
    // The candidate stream is seeded apart from the initial trials' so that
    // changing initial_trials does not shift it.
    : space_(space), random_(space, seed), rng_(seed ^ 0x9e3779b97f4a7c15ULL), epochs_(epochs),
      initial_trials_(std::max(initial_trials, 1)), workers_(std::max(workers, 1)),
      candidates_(std::max(candidates, 1)) {}

bool BayesianSampler::ready() const {
  if (static_cast<int>(seen_.size()) < initial_trials_) return true;
  return !scores_.empty() && static_cast<int>(pending_.size()) < workers_;
}

std::vector<Configuration> BayesianSampler::candidate_set() {
  std::vector<Configuration> set;
  const double unseen = space_.size() - static_cast<double>(seen_.size());
  if (unseen <= 0) return set;
  if (unseen <= 4.0 * candidates_) {
    // Few configurations left: all of them, in counting order (the last
    // dimension fastest), so rejection sampling never has to hunt.
    Configuration c(space_.dimensions(), 0);
    for (;;) {
      if (!seen_.count(c)) set.push_back(c);
      size_t i = c.size();
      while (i > 0 && ++c[i - 1] == space_.choices(i - 1)) c[--i] = 0;
      if (i == 0) break;
    }
    return set;
  }
  std::set<Configuration> drawn;
  while (static_cast<int>(set.size()) < candidates_) {
    Configuration c = uniform_configuration(space_, rng_);
    if (!seen_.count(c) && drawn.insert(c).second) set.push_back(std::move(c));
  }
  return set;
}

bool BayesianSampler::propose(Proposal& proposal) {
  if (!ready()) throw std::logic_error("bayesian sampler: proposing before the scores it needs");
  proposal.epochs = epochs_;
  if (static_cast<int>(seen_.size()) < initial_trials_) {
    if (!random_.next(proposal.configuration)) return false;
  } else {
    const std::vector<Configuration> candidates = candidate_set();
    if (candidates.empty()) return false;
    // Standardised scores: the GP's prior is zero mean and unit variance.
    const Eigen::Index n = static_cast<Eigen::Index>(scores_.size());
    const Eigen::Index d = static_cast<Eigen::Index>(space_.dimensions());
    Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(scores_.data(), n);
    const double mean = y.mean();
    const double spread = std::sqrt((y.array() - mean).square().sum() / static_cast<double>(n));
    y = (y.array() - mean) / (spread > 0 ? spread : 1.0);
    // Rows: the scored configurations, then the pending ones.
    const Eigen::Index p = static_cast<Eigen::Index>(pending_.size());
    Eigen::MatrixXd x(n + p, d);
    for (Eigen::Index i = 0; i < n + p; ++i) {
      const std::vector<double> e = space_.encode(i < n ? scored_[i] : pending_[i - n]);
      x.row(i) = Eigen::Map<const Eigen::RowVectorXd>(e.data(), d);
    }
    // A length scale of √d/2 keeps two configurations that differ across
    // one whole menu correlated (exp(−2/d) ≥ e⁻² for d ≥ 1) while distant
    // corners of the space become independent; the noise term admits that
    // the same configuration does not train to the same score twice.
    GpParameters parameters;
    parameters.length_scale = 0.5 * std::sqrt(static_cast<double>(d));
    parameters.signal_variance = 1;
    parameters.noise_variance = 1e-2;
    GaussianProcess gp(x.topRows(n), y, parameters);
    if (p > 0) {
      // Kriging believer: the pending trials score the posterior mean, which
      // leaves the mean as it is but shrinks the uncertainty, and so the
      // expected improvement, around them.
      Eigen::VectorXd believed(n + p);
      believed << y, Eigen::VectorXd::Zero(p);
      double variance = 0;
      for (Eigen::Index i = n; i < n + p; ++i) gp.predict(x.row(i).transpose(), believed[i], variance);
      gp = GaussianProcess(x, believed, parameters);
    }
    const double best = y.maxCoeff();  // of the scores known
    double best_ei = -1;
    for (const Configuration& c : candidates) {
      const std::vector<double> e = space_.encode(c);
      double mu = 0, variance = 0;
      gp.predict(Eigen::Map<const Eigen::VectorXd>(e.data(), d), mu, variance);
      const double ei = expected_improvement(mu, std::sqrt(variance), best, 0.01);
      if (ei > best_ei) {
        best_ei = ei;
        proposal.configuration = c;
      }
    }
  }
  seen_.insert(proposal.configuration);
  pending_.push_back(proposal.configuration);
  return true;
}

void BayesianSampler::observe(double score) {
  if (pending_.empty()) throw std::logic_error("bayesian sampler: a score without a proposal");
  scored_.push_back(pending_.front());
  pending_.pop_front();
  scores_.push_back(score);
}

int HyperbandSampler::max_bracket(int max_epochs, int factor) {
  int s = 0;
  for (int64_t p = factor; p <= max_epochs; p *= factor) ++s;
  return s;
}

std::vector<HyperbandSampler::Round> HyperbandSampler::bracket(int s, int max_epochs, int factor) {
  const int s_max = max_bracket(max_epochs, factor);
  int64_t power = 1;  // η^s
  for (int i = 0; i < s; ++i) power *= factor;
  int64_t n = ((s_max + 1) * power + s) / (s + 1);  // ⌈(s_max + 1)·η^s/(s + 1)⌉
  std::vector<Round> rounds;
  for (int i = 0; i <= s && n > 0; ++i, n /= factor, power /= factor)
    rounds.push_back({static_cast<int>(n), std::max<int>(1, static_cast<int>(max_epochs / power))});
  return rounds;
}

HyperbandSampler::HyperbandSampler(const SearchSpace& space, uint64_t seed, int max_epochs, int factor)
    : random_(space, seed), max_epochs_(max_epochs), factor_(factor), s_max_(max_bracket(max_epochs, factor)) {
  if (factor < 2 || max_epochs < 1) throw std::invalid_argument("hyperband: needs factor >= 2 and epochs >= 1");
}

bool HyperbandSampler::start_round() {
  const std::vector<Round> plan = bracket(std::max(bracket_, 0), max_epochs_, factor_);
  if (bracket_ >= 0 && round_ + 1 < static_cast<int>(plan.size())) {
    // Promote the best 1/η of the round (ties: the earlier trial).
    std::stable_sort(results_.begin(), results_.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const size_t keep = results_.size() / factor_;
    if (keep > 0) {
      std::vector<Configuration> promoted;
      for (size_t i = 0; i < keep; ++i) promoted.push_back(queue_[results_[i].second]);
      queue_ = std::move(promoted);
      ++round_;
      next_ = 0;
      results_.clear();
      return true;
    }
  }
  bracket_ = bracket_ <= 0 ? s_max_ : bracket_ - 1;
  round_ = 0;
  queue_.clear();
  const int fresh = bracket(bracket_, max_epochs_, factor_).front().trials;
  Configuration c;
  while (static_cast<int>(queue_.size()) < fresh && random_.next(c)) queue_.push_back(c);
  next_ = 0;
  results_.clear();
  return !queue_.empty();
}

bool HyperbandSampler::ready() const { return next_ < queue_.size() || results_.size() == next_; }

bool HyperbandSampler::propose(Proposal& proposal) {
  if (!ready()) throw std::logic_error("hyperband sampler: the next round needs the scores of this one");
  if (next_ == queue_.size() && !start_round()) return false;
  proposal.configuration = queue_[next_++];
  proposal.epochs = bracket(bracket_, max_epochs_, factor_)[round_].epochs;
  return true;
}

void HyperbandSampler::observe(double score) {
  if (results_.size() == next_) throw std::logic_error("hyperband sampler: a score without a proposal");
  results_.emplace_back(score, results_.size());
}

std::unique_ptr<Sampler> make_sampler(const SearchSpace& space, const AutoqConfig& config, int workers) {
  switch (config.tuner) {
    case Tuner::Bayesian:
      return std::make_unique<BayesianSampler>(space, config.seed, config.epochs, config.initial_trials, workers);
    case Tuner::Hyperband:
      return std::make_unique<HyperbandSampler>(space, config.seed, config.epochs, config.hyperband_factor);
    case Tuner::Random:
      break;
  }
  return std::make_unique<RandomSampler>(space, config.seed, config.epochs);
}

}  // namespace autoq
