// `qtrain fold-bn RUN_DIR -o OUT_RUN [--force]`: a run directory whose model
// has every foldable BatchNormalization merged into the Dense/Conv before it.
#include <torch/torch.h>

#include <iostream>
#include <memory>

#include "qtrain/commands.h"
#include "qtrain/derived_run.h"
#include "qtrain/fold_bn.h"

namespace qtrain::cli {

Command add_fold_bn_command(CLI::App& app) {
  struct Options {
    std::string run_dir, output;
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("fold-bn", "Fold BatchNormalization layers into the Dense/Conv layers before them");
  cmd->add_option("run_dir", o->run_dir, "Run directory")->required();
  cmd->add_option("-o,--output", o->output, "Run directory to write")->required();
  cmd->add_flag("--force", o->force, "Overwrite an existing output directory");
  return [o] {
    TrainedRun run = open_run(o->run_dir);
    FoldedModel folded = fold_batchnorm(*run.model);
    if (folded.folded.empty()) std::cout << "no foldable BatchNormalization layer\n";
    for (const std::string& f : folded.folded) std::cout << "folded " << f << "\n";
    write_derived_run(run, *folded.model, o->output, o->force);
    std::cout << "wrote " << o->output << "\n";
    return 0;
  };
}

const CommandRegistration registration("fold-bn", add_fold_bn_command);

}  // namespace qtrain::cli
