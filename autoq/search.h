// An AutoQKeras search: a seeded random sampler over the search space, one
// trial per configuration (quantize the float spec with model_quantize,
// train it for a few epochs, price it, score it) and a journal of finished
// trials that lets a killed search resume where it stopped.
//
// The output directory holds
//   trials/<k>/run.json, trials/<k>/run/   each trial's config and run directory
//   trials.jsonl                           one line per finished trial
//   best.json, best_model.json             the best trial and its model spec
//   report.txt, report.csv, pareto.svg     trials by score, the Pareto front
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "autoq/search_space.h"

namespace autoq {

// Draws configurations uniformly at random, never the same twice.  The
// sequence depends only on the seed and the space.
class RandomSampler {
 public:
  RandomSampler(const SearchSpace& space, uint64_t seed);
  // The next unseen configuration; false when the space is exhausted.
  bool next(Configuration& configuration);

 private:
  const SearchSpace& space_;
  std::mt19937_64 rng_;
  std::set<Configuration> seen_;
};

struct TrialRecord {
  int trial = 0;  // 0-based
  Configuration configuration;
  nlohmann::json quantizers;  // the model_quantize config
  double metric = 0, cost = 0, score = 0, seconds = 0;
};
nlohmann::json to_json(const TrialRecord& record);
// Throws std::invalid_argument for a malformed record.
TrialRecord trial_from_json(const nlohmann::json& json);

// Trains a trial's run config into its run directory and returns the run's
// metrics (metrics.json).  The default trains with qtrain::train.
using TrialRunner = std::function<nlohmann::json(const std::string& run_config, const std::string& run_dir)>;
nlohmann::json train_trial(const std::string& run_config, const std::string& run_dir);

struct SearchOptions {
  std::string out_dir;
  bool resume = false;         // keep the journal's trials; without it an existing journal is an error
  std::ostream* log = nullptr; // one line per trial; nullptr: silent
};

struct SearchResult {
  std::vector<TrialRecord> trials;  // in trial order
  size_t best = 0;                  // index of the highest score
};

// Runs (or resumes) the search and writes every output.  Throws
// std::invalid_argument for bad config or a journal of another search,
// qtrain::RunError / ModelError from training.
SearchResult run_search(const AutoqConfig& config, const SearchOptions& options,
                        const TrialRunner& runner = train_trial);

// Reads trials.jsonl.  A line that does not parse is reported on `warn`
// with its line number and dropped (its trial runs again); the rest is kept.
std::vector<TrialRecord> read_journal(const std::string& path, std::ostream* warn);

}  // namespace autoq
