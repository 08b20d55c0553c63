// `qtrain save-weights RUN_DIR -o weights.h5`: a trained model's float and
// quantized weights with their quantizers (QKeras' model_save_quantized_weights).
// `--model spec.json` saves a freshly built model's weights instead.
#include <filesystem>
#include <iostream>
#include <memory>

#include "qtrain/commands.h"
#include "qtrain/model.h"
#include "qtrain/train.h"
#include "qtrain/weights_h5.h"

namespace qtrain::cli {

namespace {

// The model of a run directory (see train.h) with the weights of one checkpoint.
std::shared_ptr<Model> load_run_model(const std::string& run_dir, const std::string& checkpoint) {
  const std::filesystem::path dir(run_dir);
  const std::string spec = (dir / "model.json").string();
  const std::string weights = (dir / "checkpoints" / (checkpoint + ".pt")).string();
  if (!std::filesystem::is_regular_file(spec)) throw UsageError(run_dir + ": not a run directory (no model.json)");
  if (!std::filesystem::is_regular_file(weights)) throw UsageError(weights + ": no such checkpoint");
  auto model = std::make_shared<Model>(ModelSpec::load(spec));
  load_checkpoint_weights(*model, weights);
  return model;
}

}  // namespace

Command add_save_weights_command(CLI::App& app) {
  struct Options {
    std::string run_dir, model, output, checkpoint = "best";
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "save-weights", "Write a model's float and quantized weights with their quantizers to HDF5 "
                      "(QKeras model_save_quantized_weights)");
  CLI::Option* run_dir = cmd->add_option("run_dir", o->run_dir, "Run directory written by `qtrain train`");
  CLI::Option* model = cmd->add_option("--model", o->model, "Model spec (JSON): save its freshly initialised weights")
                           ->excludes(run_dir);
  cmd->add_option("--checkpoint", o->checkpoint, "Checkpoint of the run: best or last (default: best)")
      ->check(CLI::IsMember({"best", "last"}))
      ->excludes(model);
  cmd->add_option("-o,--output", o->output, "HDF5 file to write")->required();
  cmd->add_flag("--force", o->force, "Overwrite an existing output file");
  return [o] {
    if (o->run_dir.empty() == o->model.empty()) throw UsageError("save-weights: give a run directory or --model");
    if (!o->force && std::filesystem::exists(o->output))
      throw UsageError(o->output + ": exists (use --force to overwrite)");
    std::shared_ptr<Model> model = o->model.empty() ? load_run_model(o->run_dir, o->checkpoint)
                                                    : std::make_shared<Model>(ModelSpec::load(o->model));
    save_weights_h5(*model, o->output);
    std::cout << "wrote " << o->output << "\n";
    return 0;
  };
}

const CommandRegistration registration("save-weights", add_save_weights_command);

}  // namespace qtrain::cli
