// `qtrain autoq autoq.json`: AutoQKeras' search for per-layer quantizers
// (and, with tune_filters, widths) of a float model under a bits or energy
// goal, optionally block by block (docs/autoq.md).  Each trial
// trains in its own directory, with --workers N up to N at once in worker
// processes; trials.jsonl records the finished ones, so `--resume`
// continues a killed search and ends where it would have.
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "autoq/search.h"
#include "qtrain/commands.h"

namespace qtrain::cli {
namespace {

struct Options {
  std::string config;
  std::string out;
  bool resume = false;
  bool quiet = false;
  int workers = 1;
  std::string data;
};

}  // namespace

Command add_autoq_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "autoq", "AutoQKeras search: per-layer quantizers scored by the forgiving factor (bits or energy)");
  cmd->add_option("config", o->config, "Search config (autoq.json)")->required();
  cmd->add_option("-o,--out", o->out, "Output directory (default: runs/autoq_<config name>)");
  cmd->add_flag("--resume", o->resume, "Continue the search in the output directory, skipping finished trials");
  cmd->add_flag("-q,--quiet", o->quiet, "No per-trial lines");
  cmd->add_option("--workers", o->workers,
                  "Trials trained at once, each in a worker process with max(1, threads / N) threads (default: 1)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--data", o->data,
                  "Train trials on this data object instead of the base run's, e.g. "
                  "'{\"kind\": \"jets\", \"path\": \"jets.h5\"}' (a --resume on other data is refused)");
  return [o] {
    autoq::AutoqConfig config = autoq::AutoqConfig::load(o->config);
    autoq::SearchOptions options;
    options.out_dir =
        o->out.empty() ? "runs/autoq_" + std::filesystem::path(o->config).stem().string() : o->out;
    options.resume = o->resume;
    options.workers = o->workers;
    if (!o->data.empty()) {
      try {
        options.data = nlohmann::json::parse(o->data);
      } catch (const nlohmann::json::parse_error& e) {
        throw std::invalid_argument("--data: not JSON: " + std::string(e.what()));
      }
      if (!options.data.is_object())
        throw std::invalid_argument("--data: must be a run config's data object, got " + o->data);
    }
    options.log = o->quiet ? nullptr : &std::cout;
    autoq::SearchResult result = autoq::run_search(config, options);
    const autoq::TrialRecord& best = result.trials[result.best];
    std::cout << "best: trial " << best.trial << ", " << config.metric << " " << best.metric << ", cost " << best.cost
              << ", score " << best.score << "\n"
              << "quantizers: " << best.quantizers.dump() << "\n"
              << (best.widths.empty() ? "" : "widths: " + best.widths.dump() + "\n")
              << "run directory: " << (std::filesystem::path(options.out_dir) / "trials" /
                                       std::to_string(best.trial) / "run").string()
              << "\nreport: " << (std::filesystem::path(options.out_dir) / "report.txt").string() << "\n";
    return 0;
  };
}

const CommandRegistration registration("autoq", add_autoq_command);

}  // namespace qtrain::cli
