// `qtrain estimate PRJ|RUN_DIR|SPEC [--json] [--paper BF|Q6|QE] [--reuse N]
// [--strategy Latency|Resource] [--io io_parallel|io_stream] [--part P]
// [--clock NS] [--default TYPE] [--score io|kl]`: an analytic estimate of DSP, LUT, FF,
// BRAM_18K, latency and initiation interval per layer and in total
// (docs/estimator.md).  A project written by `qtrain export` is read back
// from its files; a run directory or model spec goes through the firmware
// model under its precision config.  --paper prints the QKeras paper's
// Table 3 synthesis results of the jet tagger beside the estimate.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "export/estimate.h"
#include "qtrain/commands.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/run_data.h"

namespace qtrain::cli {

Command add_estimate_command(CLI::App& app) {
  struct Options {
    std::string path, paper, strategy, io, part, default_precision, score = "none";
    int reuse = 0;
    double clock = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "estimate", "Estimate DSP, LUT, FF, BRAM, latency and II of the firmware (analytic model, no Vivado)");
  cmd->add_option("path", o->path, "Exported project, run directory or model spec")->required();
  cmd->add_flag("--json", o->json, "Print the estimate as JSON");
  cmd->add_option("--paper", o->paper, "Print the QKeras paper's Table 3 result of this jet tagger beside the estimate")
      ->check(CLI::IsMember({"BF", "Q6", "QE", "bf", "q6", "qe"}));
  cmd->add_option("--reuse", o->reuse, "Reuse factor of every Dense, Conv and scale layer (default: the config's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--strategy", o->strategy, "Latency or Resource for every Dense and Conv layer (default: the config's)")
      ->check(CLI::IsMember({"Latency", "Resource"}));
  cmd->add_option("--io", o->io, "io_parallel or io_stream (default: the config's)")
      ->check(CLI::IsMember({"io_parallel", "io_stream"}));
  cmd->add_option("--part", o->part, "FPGA part (default: the config's)");
  cmd->add_option("--clock", o->clock, "Clock period in ns (default: the config's)")->check(CLI::PositiveNumber);
  cmd->add_option("--default", o->default_precision,
                  "Model default precision for a run or spec, e.g. ap_fixed<14,6> (default: the config's)");
  add_score_option(cmd, o->score, "Autoencoder runs: the firmware with this anomaly score (as export --score)");
  return [o] {
    hls_export::EstimateTarget target;
    std::vector<hls_export::EstimateLayer> layers;
    if (hls_export::is_project_dir(o->path)) {
      if (!o->default_precision.empty() || o->score != "none")
        throw UsageError("--default and --score apply to a run directory or model spec, not to an exported project");
      layers = hls_export::read_project_layers(o->path, target);
      // The project's layers are costed for the IO type it was written in.
      if (!o->io.empty() && o->io != target.io_type)
        throw UsageError("--io " + o->io + ": the project was exported for " + target.io_type +
                         "; export it again with --io " + o->io);
    } else {
      TrainedRun run = open_run_or_spec(o->path);
      HlsConfig config = hls_config_of(*run.model);
      if (!o->default_precision.empty()) config.default_precision = ConfigType::parse(o->default_precision);
      // Before the firmware model is built: the image geometry (padding
      // layers, pixel loops) depends on the IO type.
      if (!o->io.empty()) config.io_type = o->io;
      HlsModel firmware = build_hls_model(*run.model, config, anomaly_score_of(run, o->score));
      layers = hls_export::estimate_layers(firmware);
      target = hls_export::estimate_target(firmware);
    }
    for (auto& L : layers) {
      const bool dense = L.layer_class == "Dense" || L.layer_class == "Conv1D" || L.layer_class == "Conv2D";
      const bool weighted = dense || L.layer_class == "BatchNormalization" || L.layer_class == "ApplyAlpha";
      if (o->reuse > 0 && weighted) L.reuse_factor = o->reuse;
      if (!o->strategy.empty() && dense) L.strategy = o->strategy;
    }
    if (!o->part.empty()) target.part = o->part;
    if (o->clock > 0) target.clock_period = o->clock;

    std::optional<hls_export::PaperResult> paper;
    if (!o->paper.empty()) {
      if (!hls_export::is_jet_tagger(layers))
        throw UsageError("--paper " + o->paper + ": the model is not the paper's jet tagger (Dense 16-64-32-32-5 with softmax)");
      paper = hls_export::qkeras_table3_row(o->paper);
    }
    hls_export::Estimate est = hls_export::estimate(layers, target);
    if (o->json) {
      std::cout << hls_export::estimate_json(est, paper).dump(2) << "\n";
    } else {
      std::cout << hls_export::format_estimate(est, paper);
      if (paper && (est.device.family != "xcvu9p" || est.target.clock_period != 5.0))
        std::cout << "note: the paper synthesised for a VU9P at 5 ns; this estimate is for " << est.target.part
                  << " at " << est.target.clock_period << " ns\n";
    }
    return 0;
  };
}

const CommandRegistration registration("estimate", add_estimate_command);

}  // namespace qtrain::cli
