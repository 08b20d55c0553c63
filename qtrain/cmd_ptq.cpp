// `qtrain ptq RUN_DIR ...`: post-training quantization of a trained model.
//   --type "ap_fixed<16,6>"        one type for everything (a)
//   --scan 16:2 [--integer I|auto] accuracy against the width (b), --csv FILE
//   --width W --integer auto       integer bits per layer from the profile (c)
//   --heterogeneous [--loss 0.01:0.02]  the QKeras paper's per-layer search (d)
//   --fold-bn                      fold BatchNormalization first (e)
// Calibration (profile, search) uses the validation split, the reported
// accuracy the test split.  -o OUT_RUN writes a run directory whose spec
// carries the chosen precision config, ready for export.
#include <torch/torch.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include "qtrain/commands.h"
#include "qtrain/copy_weights.h"
#include "qtrain/derived_run.h"
#include "qtrain/evaluation_data.h"
#include "qtrain/files.h"
#include "qtrain/fold_bn.h"
#include "qtrain/metrics.h"
#include "qtrain/ptq.h"

namespace qtrain::cli {
namespace {

// "16:2" -> {16, 2}
std::pair<int, int> width_range(const std::string& text) {
  size_t colon = text.find(':');
  try {
    if (colon != std::string::npos) {
      int hi = std::stoi(text.substr(0, colon)), lo = std::stoi(text.substr(colon + 1));
      if (hi >= lo && lo >= 1 && hi <= 53) return {hi, lo};
    }
  } catch (const std::exception&) {
  }
  throw UsageError("--scan: expected HIGH:LOW widths with 53 >= HIGH >= LOW >= 1, got \"" + text + "\"");
}

std::pair<double, double> loss_range(const std::string& text) {
  size_t colon = text.find(':');
  try {
    double first = std::stod(text.substr(0, colon));
    double last = colon == std::string::npos ? first : std::stod(text.substr(colon + 1));
    if (first >= 0 && last >= 0 && first <= 1 && last <= 1) return {first, last};
  } catch (const std::exception&) {
  }
  throw UsageError("--loss: expected FIRST:LAST accuracy losses in [0, 1], got \"" + text + "\"");
}

}  // namespace

Command add_ptq_command(CLI::App& app) {
  struct Options {
    std::string run_dir, type, scan, integer = "auto", loss = "0.01:0.02", output, csv;
    int width = 0, margin = 0;
    int64_t calibration = 20000;
    bool heterogeneous = false, fold_bn = false, force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("ptq", "Post-training quantization: choose and evaluate a precision config for a trained model");
  cmd->add_option("run_dir", o->run_dir, "Run directory")->required();
  CLI::Option* type = cmd->add_option("--type", o->type, "One type for everything, e.g. \"ap_fixed<16,6>\"");
  CLI::Option* scan = cmd->add_option("--scan", o->scan, "Scan widths HIGH:LOW (e.g. 16:2)")->excludes(type);
  CLI::Option* width = cmd->add_option("--width", o->width, "Width with integer bits per layer from the profile")
                           ->check(CLI::Range(1, 53))->excludes(type)->excludes(scan);
  CLI::Option* het = cmd->add_flag("--heterogeneous", o->heterogeneous, "Per-layer width search (QKeras paper's BH model)")
                         ->excludes(type)->excludes(scan)->excludes(width);
  cmd->add_option("--integer", o->integer, "Integer bits for --scan: a number, or auto (per layer, from the profile)");
  cmd->add_option("--margin", o->margin, "Extra integer bits over the profile (default 0)")->check(CLI::Range(0, 16));
  cmd->add_option("--loss", o->loss, "--heterogeneous: allowed accuracy loss FIRST:LAST layer (default 0.01:0.02)");
  cmd->add_option("--calibration-samples", o->calibration, "Validation events for profiling and search (default 20000)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--fold-bn", o->fold_bn, "Fold BatchNormalization into the preceding Dense/Conv first");
  cmd->add_option("--csv", o->csv, "--scan: write the table as CSV");
  cmd->add_option("-o,--output", o->output, "Run directory to write with the chosen config");
  cmd->add_flag("--force", o->force, "Overwrite existing outputs");
  (void)het;
  return [o] {
    if (o->type.empty() && o->scan.empty() && o->width == 0 && !o->heterogeneous)
      throw UsageError("ptq: choose --type, --scan, --width or --heterogeneous");
    if (!o->scan.empty() && !o->output.empty())
      throw UsageError("ptq: --scan compares widths; write a run with --type, --width or --heterogeneous");
    TrainedRun run = open_run(o->run_dir);
    if (o->fold_bn) {
      FoldedModel folded = fold_batchnorm(*run.model);
      for (const std::string& f : folded.folded) std::cout << "folded " << f << "\n";
      run.model = folded.model;
    }
    EvaluationData calibration = evaluation_data(run, "", "validation");
    EvaluationData test = evaluation_data(run, "", "test");
    if (calibration.class_names.empty()) throw UsageError("ptq: accuracy needs a classification run");
    torch::Tensor cx = calibration.split.x.narrow(0, 0, std::min(o->calibration, calibration.split.size()));
    torch::Tensor cy = calibration.split.y.narrow(0, 0, cx.size(0));
    Model& model = *run.model;
    torch::NoGradGuard no_grad;
    const double float_accuracy = accuracy(model.forward(test.split.x), test.split.y);
    std::cout << std::fixed << std::setprecision(4) << "float test accuracy: " << float_accuracy << "\n";
    auto profiles = [&] {
      return profile(model, build_hls_model(model, homogeneous_config(quantizers::FixedType::parse("ap_fixed<32,16>"))), cx);
    };

    HlsConfig chosen;
    if (!o->scan.empty()) {
      auto [hi, lo] = width_range(o->scan);
      std::vector<LayerProfile> p;
      if (o->integer == "auto") p = profiles();
      const HlsModel plan = plan_hls_layers(model);
      std::string table = "width,integer,accuracy\n";
      std::cout << "width  integer  test accuracy\n";
      for (int w = hi; w >= lo; --w) {
        HlsConfig c;
        if (o->integer == "auto") {
          c = profiled_config(p, w, o->margin);
        } else {
          int i = 0;
          try {
            i = std::stoi(o->integer);
          } catch (const std::exception&) {
            throw UsageError("--integer: expected a number or auto, got \"" + o->integer + "\"");
          }
          quantizers::FixedType t;
          t.width = w;
          t.integer = i;
          c = homogeneous_config(t);
        }
        double acc = emulated_accuracy(plan, c, test.split.x, test.split.y);
        std::cout << std::setw(5) << w << "  " << std::setw(7) << o->integer << "  " << acc << "\n";
        std::ostringstream line;
        line << w << "," << o->integer << "," << std::setprecision(6) << acc << "\n";
        table += line.str();
      }
      if (!o->csv.empty()) {
        if (!o->force && std::filesystem::exists(o->csv)) throw UsageError(o->csv + ": exists (use --force to overwrite)");
        write_text_atomically(o->csv, table);
        std::cout << "wrote " << o->csv << "\n";
      }
    } else {
      if (!o->type.empty()) {
        chosen = homogeneous_config(quantizers::FixedType::parse(o->type));
      } else if (o->width) {
        chosen = profiled_config(profiles(), o->width, o->margin);
      } else {
        HeterogeneousOptions h;
        h.margin = o->margin;
        std::tie(h.first_loss, h.last_loss) = loss_range(o->loss);
        chosen = heterogeneous_ptq(model, profiles(), cx, cy, h, &std::cout);
      }
      std::cout << "emulated test accuracy: " << emulated_accuracy(model, chosen, test.split.x, test.split.y) << "\n";
    }
    if (!o->output.empty()) {
      ModelSpec spec = model.spec();
      spec.json["hls"] = chosen.to_json();
      Model with_config(spec);
      copy_weights(model, with_config);
      write_derived_run(run, with_config, o->output, o->force);
      std::cout << "wrote " << o->output << "\n";
    }
    return 0;
  };
}

const CommandRegistration registration("ptq", add_ptq_command);

}  // namespace qtrain::cli
