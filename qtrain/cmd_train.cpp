// `qtrain train run.json [--epochs N] [--resume] [--threads N] [--out DIR]`.
#include <unistd.h>

#include <iostream>

#include "qtrain/commands.h"
#include "qtrain/train.h"

namespace qtrain::cli {

Command add_train_command(CLI::App& app) {
  struct Options {
    TrainOptions train;
    int epochs = 0;
    int threads = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model (float or quantization-aware) as a run config describes");
  cmd->add_option("config", o->train.config_path, "Run config (JSON)")->required();
  cmd->add_option("--epochs", o->epochs, "Override the number of epochs")->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", o->train.resume, "Continue from the run directory's last checkpoint");
  cmd->add_flag("--force", o->train.force, "Start over in an existing run directory");
  cmd->add_option("--out", o->train.out_dir, "Run directory (default: runs/<name>)");
  cmd->add_option("--threads", o->threads, "CPU threads (default: the config's, else all cores)")->check(CLI::PositiveNumber);
  return [o] {
    if (o->epochs > 0) o->train.epochs = o->epochs;
    if (o->threads > 0) o->train.threads = o->threads;
    o->train.log = &std::cout;
    o->train.progress_bar = ::isatty(STDOUT_FILENO);
    train(o->train);
    return 0;
  };
}

const CommandRegistration registration("train", add_train_command);

}  // namespace qtrain::cli
