// Import of Keras 2 / QKeras models: the architecture from Keras' JSON
// (`model.to_json()`, or the `model_config` attribute of a full-model .h5)
// becomes a ModelSpec, the weights come from Keras' HDF5 layout
// (`save_weights()` files or the `model_weights` group of a full model).
// docs/keras-import.md lists the supported layers and arguments.
//
//   auto model = qtrain::import_keras("KERAS_3layer.json", "KERAS_3layer_weights.h5");
//   qtrain::write_imported_run(*model, "runs/keras_3layer", {});
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "qtrain/model.h"

namespace qtrain {

// A Keras model that cannot be imported: an unsupported layer class or
// argument, weights that do not match the architecture.  One line naming the
// file, the layer (and its Keras class) and the argument or weight.
struct KerasImportError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The model spec of a Keras model config ({"class_name": "Sequential" |
// "Model" | "Functional", "config": ...}).  Keras arguments without effect on
// the computed function (initializers, regularizers, constraints, dtype, ...)
// are dropped; arguments that change it and have no equivalent are errors.
// `source` names the file in messages and in the spec's description.
ModelSpec keras_config_to_spec(const nlohmann::json& keras_model, const std::string& source);

// Builds the model of a Keras JSON file and sets its weights from a Keras
// HDF5 weights file; with `weights_path` empty, `model_path` is a full-model
// .h5 holding both.  Everything is checked before the model is returned.
std::shared_ptr<Model> import_keras(const std::string& model_path, const std::string& weights_path = "");

struct ImportedRunOptions {
  std::string run_config;  // copied as run.json (its "model" set to "model.json") when not empty
  bool force = false;      // replace an existing run directory
};

// Writes a run directory that open_run() reads: model.json, checkpoints/best.pt
// and, with a run config, run.json.  The directory is assembled next to its
// final place and renamed into it, so a failure leaves an existing directory
// as it was.
void write_imported_run(Model& model, const std::string& run_dir, const ImportedRunOptions& options);

}  // namespace qtrain
