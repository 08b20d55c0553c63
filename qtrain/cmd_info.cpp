// `qtrain info model.json`: the layer table and print_qstats' operation
// statistics of a model spec.
#include <iostream>

#include "qtrain/commands.h"
#include "qtrain/model.h"
#include "qtrain/summary.h"

namespace qtrain::cli {

Command add_info_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("info", "Summarise a model spec: layers, shapes, parameters, quantizers, operations");
  cmd->add_option("model", *path, "Model spec (JSON)")->required();
  return [path] {
    Model model(ModelSpec::load(*path));
    std::cout << model_summary(model) << "\n" << operation_report(model);
    return 0;
  };
}

const CommandRegistration registration("info", add_info_command);

}  // namespace qtrain::cli
