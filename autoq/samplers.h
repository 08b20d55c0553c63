// The samplers of an AutoQKeras search (autoq.json "tuner"): they propose a
// configuration and its epochs and learn the scores of their proposals in
// proposal order.  With parallel workers several proposals await their
// scores at once; ready() says whether the next proposal can be made with
// the scores known so far.  Every sampler is a deterministic function of the
// space, its seed, its worker count and the scores it was told, which is
// what lets a resumed search replay the journal and then go on exactly as an
// uninterrupted one would.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "autoq/config.h"
#include "autoq/search_space.h"

namespace autoq {

struct Proposal {
  Configuration configuration;
  int epochs = 1;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // Whether propose() may be called now: false while the next proposal
  // depends on scores not yet observed.  The search proposes as soon as this
  // turns true, before it observes another score, so every proposal sees the
  // same scores whatever order parallel trials finish in.
  virtual bool ready() const = 0;
  // The next trial; false when the sampler has nothing left to propose.
  // Throws std::logic_error when not ready().
  virtual bool propose(Proposal& proposal) = 0;
  // The score of the oldest proposal not yet scored.
  virtual void observe(double score) = 0;
};

// Draws configurations uniformly at random, never the same twice.  The
// sequence depends only on the seed and the space, so it is always ready.
class RandomSampler : public Sampler {
 public:
  RandomSampler(const SearchSpace& space, uint64_t seed, int epochs = 1);
  // The next unseen configuration; false when the space is exhausted.
  bool next(Configuration& configuration);
  bool ready() const override { return true; }
  bool propose(Proposal& proposal) override;
  void observe(double) override {}

 private:
  const SearchSpace& space_;
  std::mt19937_64 rng_;
  std::set<Configuration> seen_;
  int epochs_;
};

// Bayesian optimisation: the first `initial_trials` configurations are the
// random sampler's; after that a Gaussian process over the encoded
// configurations (SearchSpace::encode) of the scored trials picks, among
// `candidates` unseen configurations drawn at random, the one of highest
// expected improvement over the best score.  Never proposes a
// configuration twice.
//
// With `workers` > 1 a proposal after the initial ones waits only until
// fewer than `workers` proposals lack their score (and one score is known);
// the process believes each of those scores to be its posterior mean there
// (the "kriging believer" batch rule), so the batch spreads out instead of
// piling onto one point.  With one worker nothing is pending and the rule
// is the plain one.  The proposals depend on `workers`, never on timing.
class BayesianSampler : public Sampler {
 public:
  BayesianSampler(const SearchSpace& space, uint64_t seed, int epochs, int initial_trials, int workers = 1,
                  int candidates = 256);
  bool ready() const override;
  bool propose(Proposal& proposal) override;
  void observe(double score) override;

 private:
  std::vector<Configuration> candidate_set();

  const SearchSpace& space_;
  RandomSampler random_;  // the initial trials and the candidate draws
  std::mt19937_64 rng_;
  int epochs_, initial_trials_, workers_, candidates_;
  std::set<Configuration> seen_;
  std::vector<Configuration> scored_;
  std::vector<double> scores_;
  std::deque<Configuration> pending_;  // proposed, not yet scored, oldest first
};

// Hyperband (Li et al. 2018) over epochs: with R = max_epochs and η =
// factor, s_max = ⌊log_η R⌋; bracket s (s_max down to 0) starts
// ⌈(s_max + 1)·η^s/(s + 1)⌉ fresh random configurations at ⌊R/η^s⌋ epochs
// (at least 1); after each round the best ⌊n/η⌋ of its n trials run again
// with η× the epochs, until R.  The brackets repeat with fresh
// configurations while trials remain.  A round's trials are all known when
// it starts, so the sampler is ready until the round is proposed and then
// waits for all its scores.
class HyperbandSampler : public Sampler {
 public:
  HyperbandSampler(const SearchSpace& space, uint64_t seed, int max_epochs, int factor);
  bool ready() const override;
  bool propose(Proposal& proposal) override;
  void observe(double score) override;

  struct Round {
    int trials = 0;
    int epochs = 0;
  };
  // The rounds of bracket s as planned (before the space runs out).
  static std::vector<Round> bracket(int s, int max_epochs, int factor);
  static int max_bracket(int max_epochs, int factor);  // s_max

 private:
  bool start_round();

  RandomSampler random_;
  int max_epochs_, factor_, s_max_;
  int bracket_ = -1;  // the bracket in progress, -1 before the first
  int round_ = 0;     // its round
  std::vector<Configuration> queue_;  // the round's configurations
  size_t next_ = 0;                   // the next one to propose
  std::vector<std::pair<double, size_t>> results_;  // (score, index in queue_) of this round
};

// The config's tuner; `workers`: how many trials the search trains at once.
std::unique_ptr<Sampler> make_sampler(const SearchSpace& space, const AutoqConfig& config, int workers = 1);

}  // namespace autoq
