// An AutoQKeras search: a seeded sampler (random, bayesian or hyperband)
// over the search space, one trial per proposal (scale the float spec's
// widths, quantize it with model_quantize, train it for the proposed epochs,
// price it, score it) and a journal of finished trials that lets a killed
// search resume where it stopped.
//
// With blocks, the block scheduler searches one block after the other with
// max_trials trials each: the blocks searched before keep their best trial's
// quantizers and widths, the next block's trials start from that trial's
// weights (where shapes match) and learning rate, and the layers of later
// blocks stay float.
//
// The output directory holds
//   trials/<k>/run.json, trials/<k>/run/   each trial's config and run directory
//   trials/<k>/worker.log                  with workers: the trial's output
//   trials.jsonl                           one line per finished trial
//   best.json, best_model.json             the best trial and its model spec
//   report.txt, report.csv, pareto.svg     trials by score, the Pareto front
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "autoq/samplers.h"
#include "autoq/search_space.h"

namespace qtrain {
struct RunData;
}

namespace autoq {

struct TrialRecord {
  int trial = 0;      // 0-based, over the whole search
  std::string block;  // the block scheduler's block (its regex); empty without blocks
  Configuration configuration;  // in the block's search space
  int epochs = 1;             // what the trial trained for (hyperband varies it)
  nlohmann::json quantizers;  // the model_quantize config, earlier blocks' choices included
  nlohmann::json widths = nlohmann::json::object();  // {layer: multiplier of units or filters}, idem
  double learning_rate = 0;   // the trial run's optimizer lr
  double metric = 0, cost = 0, score = 0, seconds = 0;
};
nlohmann::json to_json(const TrialRecord& record);
// Throws std::invalid_argument for a malformed record.
TrialRecord trial_from_json(const nlohmann::json& json);

// Trains a trial's run config into its run directory (emptied by the
// search first) and returns the run's metrics (metrics.json).  A block
// scheduler's trial starts from the previous blocks' best weights through
// its run config's "initial_weights".  With workers, it runs in a worker
// process (workers.h).
using TrialRunner = std::function<nlohmann::json(const std::string& run_config, const std::string& run_dir)>;
// The search's own runner: qtrain::train on `data` (the base run's, which
// every trial shares; nullptr: loaded for this trial), epochs logged on `log`.
nlohmann::json train_trial(const std::string& run_config, const std::string& run_dir,
                           const qtrain::RunData* data = nullptr, std::ostream* log = nullptr);

struct SearchOptions {
  std::string out_dir;
  bool resume = false;         // keep the journal's trials; without it an existing journal is an error
  std::ostream* log = nullptr; // one line per trial; nullptr: silent
  // Trials training at once.  Above 1, each trial trains in a worker process
  // with max(1, T / workers) LibTorch threads, T being this process's (a
  // base run's larger "threads" is lowered to that); the journal stays in
  // trial order.  The random and hyperband samplers propose the same trials
  // whatever the workers; the bayesian one depends on their number.
  int workers = 1;
  // Replaces the base run's "data" object (e.g. the real jets for a config
  // written for the built-in ones), its paths taken from the working
  // directory; null keeps it.  A resume on other data is refused.
  nlohmann::json data = nullptr;
};

struct SearchResult {
  std::vector<TrialRecord> trials;  // in trial order
  size_t best = 0;                  // index of the highest score
};

// Runs (or resumes) the search and writes every output.  Without a
// runner, trials train with train_trial on the base run's data (or
// options.data), loaded once for the search before anything is written.
// Throws std::invalid_argument for bad config, a journal of another search
// or a resume on other data, qtrain::RunError / ModelError from training in this
// process, std::runtime_error naming the trial and its log for a worker that
// failed.
SearchResult run_search(const AutoqConfig& config, const SearchOptions& options, const TrialRunner& runner = {});

// Reads trials.jsonl.  A line that does not parse is reported on `warn`
// with its line number and dropped (its trial runs again); the rest is kept.
std::vector<TrialRecord> read_journal(const std::string& path, std::ostream* warn);

}  // namespace autoq
