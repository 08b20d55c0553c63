// `qtrain profile RUN_DIR [--data FILE] [--split validation] [--samples N]
// [--json]`: value ranges of every firmware layer's weights, biases and
// outputs on a calibration set, the integer bits they need, and the outputs
// that overflow the result types of the spec's precision config; writes
// profile.svg (ranges against the types) into the run directory.
#include <filesystem>
#include <iostream>
#include <memory>

#include "qtrain/commands.h"
#include "qtrain/evaluation_data.h"
#include "qtrain/files.h"
#include "qtrain/ptq.h"

namespace qtrain::cli {

Command add_profile_command(CLI::App& app) {
  struct Options {
    std::string run_dir, data, split = "validation";
    int64_t samples = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "profile", "Value ranges per firmware layer on calibration data, integer bits needed, overflows under the precision config");
  cmd->add_option("run_dir", o->run_dir, "Run directory")->required();
  cmd->add_option("--data", o->data, "Jets file (CSV/ARFF/HDF5); default: the run's own data");
  cmd->add_option("--split", o->split, "Split of the run's data: train, validation or test (default: validation)")
      ->check(CLI::IsMember({"test", "validation", "train"}));
  cmd->add_option("--samples", o->samples, "Use the first N events (default: all)")->check(CLI::PositiveNumber);
  cmd->add_flag("--json", o->json, "Print JSON instead of the table");
  return [o] {
    TrainedRun run = open_run(o->run_dir);
    EvaluationData data = evaluation_data(run, o->data, o->split);
    torch::Tensor x = o->samples ? data.split.x.narrow(0, 0, std::min(o->samples, data.split.size())) : data.split.x;
    HlsModel firmware = build_hls_model(*run.model, hls_config_of(*run.model));
    std::vector<LayerProfile> profiles = profile(*run.model, firmware, x);
    std::string svg = (std::filesystem::path(o->run_dir) / "profile.svg").string();
    write_text_atomically(svg, profile_svg(profiles, firmware));
    if (o->json) {
      std::cout << profile_json(profiles).dump(2) << "\n";
    } else {
      std::cout << profile_report(profiles) << "wrote " << svg << "\n";
    }
    return 0;
  };
}

const CommandRegistration registration("profile", add_profile_command);

}  // namespace qtrain::cli
