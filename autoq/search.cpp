#include "autoq/search.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <optional>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "autoq/forgiving_factor.h"
#include "autoq/report.h"
#include "autoq/workers.h"
#include "qtrain/files.h"
#include "qtrain/model_quantize.h"
#include "qtrain/run_config.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"

namespace autoq {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

json to_json(const TrialRecord& r) {
  return {{"trial", r.trial},       {"block", r.block},
          {"configuration", r.configuration},
          {"epochs", r.epochs},     {"quantizers", r.quantizers},
          {"widths", r.widths},     {"learning_rate", r.learning_rate},
          {"metric", r.metric},     {"cost", r.cost},
          {"score", r.score},       {"seconds", r.seconds}};
}

TrialRecord trial_from_json(const json& j) {
  try {
    TrialRecord r;
    r.trial = j.at("trial").get<int>();
    r.configuration = j.at("configuration").get<Configuration>();
    r.epochs = j.at("epochs").get<int>();
    r.quantizers = j.at("quantizers");
    // Journals written before blocks and widths existed lack these two.
    r.block = j.value("block", "");
    r.widths = j.value("widths", json::object());
    if (!r.widths.is_object()) throw std::invalid_argument("widths must be an object");
    r.learning_rate = j.at("learning_rate").get<double>();
    r.metric = j.at("metric").get<double>();
    r.cost = j.at("cost").get<double>();
    r.score = j.at("score").get<double>();
    r.seconds = j.at("seconds").get<double>();
    if (r.trial < 0) throw std::invalid_argument("negative trial number");
    if (r.epochs < 1) throw std::invalid_argument("epochs must be positive");
    return r;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed trial record: ") + e.what());
  }
}

std::vector<TrialRecord> read_journal(const std::string& path, std::ostream* warn) {
  std::vector<TrialRecord> records;
  std::ifstream in(path);
  if (!in) return records;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    try {
      TrialRecord r = trial_from_json(json::parse(line));
      auto same = [&](const TrialRecord& other) { return other.trial == r.trial; };
      if (std::find_if(records.begin(), records.end(), same) != records.end())
        throw std::invalid_argument("trial " + std::to_string(r.trial) + " appears twice");
      records.push_back(std::move(r));
    } catch (const std::exception& e) {
      if (warn) *warn << path << ":" << number << ": ignored (" << e.what() << "); that trial runs again\n";
    }
  }
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.trial < b.trial; });
  return records;
}

json train_trial(const std::string& run_config, const std::string& run_dir, const qtrain::RunData* data,
                 std::ostream* log) {
  qtrain::TrainOptions options;
  options.config_path = run_config;
  options.out_dir = run_dir;
  options.force = true;  // a trial killed half-way starts over
  options.data = data;
  options.log = log;
  return qtrain::train(options).metrics;
}

namespace {

// A run config's data object with its file paths (path, test_path,
// extra_path, signals[].path) made absolute from `dir`, so that they still
// resolve from a trial's directory.
json absolute_data_paths(json data, const std::string& dir) {
  auto absolute = [&](json& path) {
    if (path.is_string() && fs::path(path.get<std::string>()).is_relative())
      path = fs::absolute(fs::path(dir) / path.get<std::string>()).lexically_normal().string();
  };
  if (!data.is_object()) return data;
  for (const char* key : {"path", "test_path", "extra_path"})
    if (data.contains(key)) absolute(data[key]);
  if (data.contains("signals") && data["signals"].is_array())
    for (json& signal : data["signals"])
      if (signal.is_object() && signal.contains("path")) absolute(signal["path"]);
  return data;
}

// The trial's run config, in trials/<k>/ (the base's data paths already
// absolute).  `initial_weights`: the run whose weights it starts from (none
// when empty).
json trial_run_config(json base, const qtrain::ModelSpec& spec, int epochs, double learning_rate,
                      const std::string& name, const std::string& initial_weights) {
  base["model"] = spec.json;
  base["epochs"] = epochs;
  base["optimizer"]["lr"] = learning_rate;
  base["name"] = name;
  if (!initial_weights.empty()) base["initial_weights"] = initial_weights;
  return base;
}

void write_journal(const std::string& path, const std::vector<TrialRecord>& records) {
  std::string text;
  for (const TrialRecord& r : records) text += to_json(r).dump() + "\n";
  qtrain::write_text_atomically(path, text);
}

// Python's re.match on a layer name, as blocks are matched.
bool block_matches(const std::string& regex, const std::string& name, const std::string& source) {
  try {
    return std::regex_search(name, std::regex(regex), std::regex_constants::match_continuous);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(source + ": blocks: bad regex '" + regex + "': " + e.what());
  }
}

// One search of the scheduler: a block and the space of its layers.
struct Block {
  std::string regex;  // empty when the search has no blocks
  SearchSpace space;
};

// The blocks in the order they are searched.  Every searched layer must be
// in exactly one block, and a group's layers in the same one (a choice
// cannot be fixed half-way).
std::vector<Block> plan_blocks(const AutoqConfig& config, const json& float_spec, const SearchSpace& whole,
                               qtrain::Model& float_model) {
  if (config.blocks.empty()) return {{"", whole}};
  const json& layers = float_spec.at("layers");
  auto block_of = [&](const std::string& layer) {
    std::string found;
    for (const std::string& regex : config.blocks) {
      if (!block_matches(regex, layer, config.source)) continue;
      if (!found.empty())
        throw std::invalid_argument(config.source + ": layer " + layer + " is in blocks '" + found + "' and '" +
                                    regex + "' (a layer belongs to one block)");
      found = regex;
    }
    if (found.empty())
      throw std::invalid_argument(config.source + ": searched layer " + layer + " is in no block");
    return found;
  };
  for (const Slot& slot : whole.slots())
    for (const SlotTarget& target : slot.targets)
      if (block_of(target.layer) != block_of(slot.layer))
        throw std::invalid_argument(config.source + ": groups." + slot.group + " has layers in blocks '" +
                                    block_of(slot.layer) + "' and '" + block_of(target.layer) + "'");

  std::map<std::string, double> rank;  // smaller first
  if (config.schedule == Schedule::Energy) {
    const std::map<std::string, double> energies = reference_layer_energy(config.goal, float_model);
    for (const std::string& regex : config.blocks)
      for (const auto& [layer, pj] : energies)
        if (block_matches(regex, layer, config.source)) rank[regex] -= pj;
  } else {
    for (const std::string& regex : config.blocks) {
      rank[regex] = static_cast<double>(layers.size());
      for (size_t i = 0; i < layers.size(); ++i)
        if (block_matches(regex, layers[i].value("name", ""), config.source)) {
          rank[regex] = static_cast<double>(i);
          break;
        }
    }
  }
  std::vector<std::string> order = config.blocks;
  std::stable_sort(order.begin(), order.end(),
                   [&](const std::string& a, const std::string& b) { return rank[a] < rank[b]; });
  std::vector<Block> blocks;
  for (const std::string& regex : order) blocks.push_back({regex, SearchSpace(float_spec, config, regex)});
  return blocks;
}

// A trial the sampler proposed, until the search has observed its score.
struct PendingTrial {
  enum class State { Queued, Running, Finished };
  TrialRecord record;  // complete once Finished
  State state = State::Queued;
  bool from_journal = false;  // finished by an earlier run of the search
  json run_config;            // what trials/<k>/run.json gets
  Clock::time_point started;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

SearchResult run_search(const AutoqConfig& config, const SearchOptions& options, const TrialRunner& runner) {
  if (options.workers < 1)
    throw std::invalid_argument("workers must be at least 1, not " + std::to_string(options.workers));
  json base = qtrain::read_json_file(config.base_run);
  std::string base_dir = fs::path(config.base_run).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  // Given data replace the base run's, its paths taken from the working directory.
  const std::string base_source = options.data.is_null() ? config.base_run : config.base_run + " (data replaced)";
  if (base.is_object() && !options.data.is_null()) base["data"] = absolute_data_paths(options.data, ".");
  else if (base.is_object() && base.contains("data")) base["data"] = absolute_data_paths(base["data"], base_dir);
  const qtrain::RunConfig base_config = qtrain::RunConfig::from_json(base, base_source, base_dir);
  // Trials train on these data; k folds would be k runs per trial.
  if (base_config.data.folds > 0 && base_config.data.fold == 0)
    throw std::invalid_argument(base_source + ": data.folds trains k folds, an AutoQ trial one run (set data.fold)");
  qtrain::Model float_model(base_config.model);
  const SearchSpace whole(base_config.model.json, config);
  const std::vector<Block> blocks = plan_blocks(config, base_config.model.json, whole, float_model);
  const ForgivingFactor factor(config.goal, float_model);

  const fs::path out(options.out_dir);
  const std::string journal = (out / "trials.jsonl").string();
  if (fs::exists(journal) && !options.resume)
    throw std::invalid_argument(journal + ": a search exists here (use --resume to continue it)");
  // A resumed search goes on with the data its first trial trained on.
  const fs::path first_trial = out / "trials" / "0" / "run.json";
  if (options.resume && fs::exists(first_trial)) {
    const json earlier = qtrain::read_json_file(first_trial.string());
    if (earlier.value("data", json()) != base.value("data", json()))
      throw std::invalid_argument(first_trial.string() + ": this search trained on other data (" +
                                  earlier.value("data", json()).dump() + "); resume it with the same");
  }
  // Without a runner of the caller's, trials train on these data, loaded
  // once before anything is written (a missing file leaves no search
  // behind) and inherited by the workers.
  std::optional<qtrain::RunData> data;
  if (!runner) data = qtrain::load_run_data(base_config);
  fs::create_directories(out / "trials");
  std::vector<TrialRecord> done = options.resume ? read_journal(journal, options.log) : std::vector<TrialRecord>{};

  std::optional<WorkerPool> pool;
  if (options.workers > 1) {
    const int threads = std::max(1, at::get_num_threads() / options.workers);
    pool.emplace(threads);
    if (base_config.threads && *base_config.threads > threads) base["threads"] = threads;
  }
  std::ostream* train_log = pool ? &std::cout : nullptr;  // a worker's stdout is its log
  const TrialRunner own_runner = [&data, train_log](const std::string& run_config, const std::string& run_dir) {
    return train_trial(run_config, run_dir, &*data, train_log);
  };
  const TrialRunner& run = runner ? runner : own_runner;

  SearchResult result;
  // What the blocks searched so far fixed: their best trial's choices, its
  // learning rate and its run directory (the next trials' starting weights).
  json fixed_quantizers = json::object(), fixed_widths = json::object();
  double learning_rate = base_config.optimizer.lr;
  std::string warm_source;
  // Adaptive samplers see the journal's scores as the uninterrupted search
  // saw them, so they propose the same trials again.  Once a trial has run
  // again (a corrupt line), its new score may steer them elsewhere: a later
  // journal record that then differs is stale and runs again; one that
  // differs before any trial ran belongs to another search.
  bool ran = false;
  int k = 0;  // the next trial's number
  for (size_t b = 0; b < blocks.size(); ++b) {
    const Block& block = blocks[b];
    AutoqConfig block_config = config;
    block_config.seed = config.seed + b;  // blocks of equal shape still draw differently
    const std::unique_ptr<Sampler> sampler = make_sampler(block.space, block_config, options.workers);
    const size_t first = result.trials.size();

    // Quantizes, scales and prices a proposal; its run config is written
    // when it starts.
    auto prepare = [&](int trial, const Proposal& proposal) {
      const Clock::time_point start = Clock::now();
      PendingTrial p;
      TrialRecord& r = p.record;
      r.trial = trial;
      r.block = block.regex;
      r.configuration = proposal.configuration;
      r.epochs = proposal.epochs;
      r.quantizers = fixed_quantizers;
      r.quantizers.update(block.space.quantizer_config(proposal.configuration));
      r.widths = fixed_widths;
      r.widths.update(block.space.widths(proposal.configuration));
      const qtrain::ModelSpec scaled = qtrain::ModelSpec::from_json(
          scale_widths(base_config.model.json, r.widths), base_config.model.source);
      const qtrain::ModelSpec spec = qtrain::model_quantize(scaled, r.quantizers, config.activation_bits, config.source);
      qtrain::Model trial_model(spec);
      r.cost = static_cast<double>(factor.cost(trial_model));
      r.learning_rate = learning_rate;
      if (block.space.tunes_learning_rate())
        r.learning_rate =
            learning_rate_choices(learning_rate, factor.reference(), r.cost)[proposal.configuration.back()];
      p.run_config = trial_run_config(base, spec, r.epochs, r.learning_rate,
                                      base_config.name + "_trial_" + std::to_string(trial), warm_source);
      r.seconds = seconds_since(start);
      return p;
    };

    // Every proposal the sampler can make without more scores, in trial order.
    std::deque<PendingTrial> window;  // proposed, not yet observed
    int proposed = 0;
    bool exhausted = false;
    auto propose = [&] {
      Proposal proposal;
      while (proposed < config.max_trials && !exhausted && sampler->ready()) {
        if (!sampler->propose(proposal)) {
          exhausted = true;
          break;
        }
        ++proposed;
        const int trial = k++;
        auto finished = std::find_if(done.begin(), done.end(), [trial](const TrialRecord& r) { return r.trial == trial; });
        if (finished != done.end()) {
          if (finished->block == block.regex && finished->configuration == proposal.configuration &&
              finished->epochs == proposal.epochs) {
            PendingTrial p;
            p.record = *finished;
            p.state = PendingTrial::State::Finished;
            p.from_journal = true;
            window.push_back(std::move(p));
            continue;
          }
          if (!ran)
            throw std::invalid_argument(journal + ": trial " + std::to_string(trial) +
                                        " differs from what this config draws: the journal is another search's"
                                        " (or, with the bayesian tuner, one of another --workers)");
          done.erase(std::remove_if(done.begin(), done.end(), [trial](const TrialRecord& r) { return r.trial >= trial; }),
                     done.end());
        }
        ran = true;
        window.push_back(prepare(trial, proposal));
      }
    };

    auto finish = [&](PendingTrial& p, const json& metrics) {
      const json* value = metrics.contains("test") ? &metrics["test"] : nullptr;
      if (!value || !value->contains(config.metric) || !(*value)[config.metric].is_number())
        throw std::invalid_argument(config.source + ": metric \"" + config.metric +
                                    "\" is not a test metric of trial " + std::to_string(p.record.trial));
      p.record.metric = (*value)[config.metric].get<double>();
      p.record.score = factor.score(p.record.metric, p.record.cost);
      p.record.seconds += seconds_since(p.started);
      p.state = PendingTrial::State::Finished;
    };

    // Writes the trial's run config and trains it: here, or in a worker.
    auto start = [&](PendingTrial& p) {
      const fs::path dir = out / "trials" / std::to_string(p.record.trial);
      fs::create_directories(dir);
      const std::string run_config = (dir / "run.json").string(), run_dir = (dir / "run").string();
      qtrain::write_json_atomically(run_config, p.run_config);
      fs::remove_all(run_dir);  // what a killed attempt left
      p.state = PendingTrial::State::Running;
      p.started = Clock::now();
      if (pool)
        pool->start(p.record.trial, [&] { return run(run_config, run_dir); }, (dir / "worker.log").string());
      else
        finish(p, run(run_config, run_dir));
    };

    auto observe = [&](const PendingTrial& p) {
      const TrialRecord& r = p.record;
      result.trials.push_back(r);
      sampler->observe(r.score);
      if (p.from_journal) return;
      // The journal holds every finished trial in order, rewritten whole and renamed.
      std::vector<TrialRecord> journal_records = result.trials;
      for (const TrialRecord& d : done)
        if (d.trial > r.trial) journal_records.push_back(d);
      write_journal(journal, journal_records);
      if (options.log)
        *options.log << "trial " << r.trial << (block.regex.empty() ? "" : " (block " + block.regex + ")") << ": "
                     << config.metric << " " << r.metric << ", cost " << r.cost << ", score " << r.score << ", "
                     << r.epochs << " epochs, lr " << r.learning_rate << " (" << r.seconds << " s) "
                     << r.quantizers.dump() << (r.widths.empty() ? "" : " widths " + r.widths.dump()) << "\n";
    };

    // Scores are observed in trial order, one at a time, each followed by
    // the proposals it makes possible: what a sampler is told before a
    // proposal never depends on which worker finished first.
    for (propose(); !window.empty(); propose()) {
      PendingTrial& next = window.front();
      if (next.state == PendingTrial::State::Finished) {
        observe(next);
        window.pop_front();
      } else if (!pool) {
        start(next);
      } else {
        for (PendingTrial& p : window)
          if (p.state == PendingTrial::State::Queued && pool->running() < static_cast<size_t>(options.workers))
            start(p);
        const auto [trial, metrics] = pool->wait();
        finish(*std::find_if(window.begin(), window.end(), [trial = trial](const PendingTrial& p) {
          return p.record.trial == trial;
        }), metrics);
      }
    }
    if (result.trials.size() == first)
      throw std::invalid_argument(config.source + ": no trial ran" +
                                  (block.regex.empty() ? std::string() : " in block '" + block.regex + "'"));
    size_t best = first;
    for (size_t i = first + 1; i < result.trials.size(); ++i)
      if (result.trials[i].score > result.trials[best].score) best = i;
    fixed_quantizers = result.trials[best].quantizers;
    fixed_widths = result.trials[best].widths;
    learning_rate = result.trials[best].learning_rate;
    // Absolute: the trials' run configs resolve a relative path against their own directory.
    warm_source = fs::absolute(out / "trials" / std::to_string(result.trials[best].trial) / "run").lexically_normal().string();
  }

  for (size_t i = 1; i < result.trials.size(); ++i)
    if (result.trials[i].score > result.trials[result.best].score) result.best = i;
  const TrialRecord& best = result.trials[result.best];
  const fs::path best_run = out / "trials" / std::to_string(best.trial) / "run";
  qtrain::write_json_atomically((out / "best.json").string(),
                                {{"trial", best.trial},
                                 {"run_dir", best_run.string()},
                                 {"reference_cost", factor.reference()},
                                 {"record", to_json(best)}});
  if (fs::exists(best_run / "model.json"))
    qtrain::write_json_atomically((out / "best_model.json").string(),
                                  qtrain::read_json_file((best_run / "model.json").string()));
  write_report(result.trials, config.goal.kind == Goal::Kind::Bits ? "bits" : "pJ", out.string());
  return result;
}

}  // namespace autoq
