// `qtrain quantize-model float.json config.json -o q.json`: QKeras'
// model_quantize on a model spec.
#include <filesystem>
#include <iostream>

#include "qtrain/commands.h"
#include "qtrain/files.h"
#include "qtrain/model_quantize.h"

namespace qtrain::cli {

Command add_quantize_model_command(CLI::App& app) {
  struct Options {
    std::string model, config, output;
    int activation_bits = 8;
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("quantize-model", "Turn a float model spec into a quantized one (QKeras model_quantize)");
  cmd->add_option("model", o->model, "Float model spec (JSON)")->required();
  cmd->add_option("config", o->config, "Quantizer config (JSON): layer names or Q-classes -> quantizer arguments")->required();
  cmd->add_option("-o,--output", o->output, "Quantized model spec to write")->required();
  cmd->add_option("--activation-bits", o->activation_bits, "Bits for float relu/tanh/sigmoid activations of converted layers")
      ->check(CLI::Range(1, 32));
  cmd->add_flag("--force", o->force, "Overwrite an existing output file");
  return [o] {
    if (!o->force && std::filesystem::exists(o->output))
      throw UsageError(o->output + ": exists (use --force to overwrite)");
    ModelSpec q = model_quantize(ModelSpec::load(o->model), read_json_file(o->config), o->activation_bits, o->config);
    q.save(o->output);
    std::cout << "wrote " << o->output << "\n";
    return 0;
  };
}

const CommandRegistration registration("quantize-model", add_quantize_model_command);

}  // namespace qtrain::cli
