// `qtrain export RUN_DIR -o PRJ [--name myproject] [--io io_parallel|io_stream]
// [--reuse N] [--strategy Latency|Resource] [--part PART] [--clock NS]
// [--score none|io|kl] [--tb-samples 1000] [--force]`: writes the HLS project of a trained model
// under its spec's precision config ("hls", the options override its values),
// with the first test samples of the run and the emulator's outputs for them
// as the testbench data.
#include <iostream>
#include <memory>

#include "export/hls_project.h"
#include "qtrain/commands.h"
#include "qtrain/run_data.h"

namespace qtrain::cli {

Command add_export_command(CLI::App& app) {
  struct Options {
    std::string run_dir, output;
    hls_export::ProjectOptions project;
    std::string score = "none";
    int64_t tb_samples = 1000;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write the HLS project (hls4ml layout, our nnet_utils and ap_types) of a trained model");
  cmd->add_option("run_dir", o->run_dir, "Run directory")->required();
  cmd->add_option("-o,--out", o->output, "Project directory to create")->required();
  cmd->add_option("--name", o->project.name, "Project name: top function and file names (default: myproject)");
  hls_export::ConfigOverrides& over = o->project.overrides;
  cmd->add_option("--io", over.io_type, "IO type (overrides the config's IOType)")
      ->check(CLI::IsMember({"io_parallel", "io_stream"}));
  cmd->add_option("--reuse", over.reuse_factor, "Reuse factor of every layer (overrides the config's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--strategy", over.strategy, "Strategy of every layer (overrides the config's)")
      ->check(CLI::IsMember({"Latency", "Resource"}));
  cmd->add_option("--part", over.part, "FPGA part (overrides the config's Part)");
  cmd->add_option("--clock", over.clock_period, "Clock period in ns (overrides the config's ClockPeriod)")
      ->check(CLI::PositiveNumber);
  add_score_option(cmd, o->score, "Autoencoders: the firmware outputs this anomaly score");
  cmd->add_option("--tb-samples", o->tb_samples, "Test samples in tb_data (0: none; default 1000)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--force", o->project.force, "Replace an existing project directory");
  return [o] {
    TrainedRun run = open_run(o->run_dir);
    o->project.score = anomaly_score_of(run, o->score);
    int64_t samples = hls_export::export_run(run, o->output, o->project, o->tb_samples);
    std::cout << "wrote " << o->output << " (" << samples << " test samples)\n";
    return 0;
  };
}

const CommandRegistration registration("export", add_export_command);

}  // namespace qtrain::cli
