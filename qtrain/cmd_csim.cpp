// `qtrain csim PRJ [--samples N]`: compiles an exported project's testbench
// with g++, runs it on tb_data and compares every output with the emulator's
// (tb_data/tb_output_predictions.dat); exits 1 on any mismatch.
#include <iomanip>
#include <iostream>
#include <memory>

#include "export/csim.h"
#include "qtrain/commands.h"

namespace qtrain::cli {

Command add_csim_command(CLI::App& app) {
  struct Options {
    std::string project;
    hls_export::CsimOptions csim;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "csim", "C-simulate an exported project with g++ and compare its outputs with the emulator's");
  cmd->add_option("project", o->project, "Project directory written by `qtrain export`")->required();
  cmd->add_option("--samples", o->csim.samples, "Simulate at most N test samples (default: all)")
      ->check(CLI::PositiveNumber);
  return [o] {
    hls_export::CsimResult r = hls_export::run_csim(o->project, o->csim);
    std::cout << r.samples << " samples, " << r.outputs << " outputs: " << r.mismatches
              << " mismatching the emulator, largest absolute difference " << std::setprecision(17) << r.max_abs_diff
              << "\n";
    return r.mismatches == 0 ? 0 : 1;
  };
}

const CommandRegistration registration("csim", add_csim_command);

}  // namespace qtrain::cli
