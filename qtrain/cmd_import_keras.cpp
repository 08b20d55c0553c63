// `qtrain import-keras model.json weights.h5 -o run_dir` (or a full-model
// `model.h5`): a Keras / QKeras model as a run directory that every command
// reading trained runs accepts.
#include <filesystem>
#include <iostream>

#include "qtrain/commands.h"
#include "qtrain/keras_import.h"

namespace qtrain::cli {

Command add_import_keras_command(CLI::App& app) {
  struct Options {
    std::string model, weights, output, run_config;
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "import-keras", "Import a Keras / QKeras model (JSON config + HDF5 weights, or a full-model .h5) as a run directory");
  cmd->add_option("model", o->model, "Keras model JSON (model.to_json()), or a full-model .h5 (model.save())")->required();
  cmd->add_option("weights", o->weights, "Keras HDF5 weights (model.save_weights()); omit for a full-model .h5");
  cmd->add_option("-o,--output", o->output, "Run directory to write (model.json, checkpoints/best.pt)")->required();
  cmd->add_option("--run-config", o->run_config,
                  "Run config (JSON) to store as the run's run.json, its \"model\" pointing at the import");
  cmd->add_flag("--force", o->force, "Replace an existing run directory");
  return [o] {
    if (!o->force && std::filesystem::exists(o->output))
      throw UsageError(o->output + ": exists (use --force to replace it)");
    if (o->weights.empty() && std::filesystem::path(o->model).extension() == ".json")
      throw UsageError(o->model + ": a JSON config needs its HDF5 weights file as the second argument");
    const auto model = import_keras(o->model, o->weights);
    write_imported_run(*model, o->output, {o->run_config, o->force});
    int64_t parameters = 0;
    for (const LayerPtr& layer : model->layers())
      for (const LayerWeight& w : layer->weights()) parameters += w.variable.numel();
    std::cout << "imported " << model->spec().name() << " (" << model->layers().size() << " layers, " << parameters
              << " parameters) into " << o->output << "\n";
    return 0;
  };
}

const CommandRegistration registration("import-keras", add_import_keras_command);

}  // namespace qtrain::cli
