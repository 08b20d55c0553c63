// `qtrain hlsconfig MODEL [--granularity model|type|name] [--default TYPE]
// [-o spec.json [--force]] [--types]`: derives the firmware precision config from the
// QAT quantizers (hls4ml's config_from_keras_model) and prints it, or writes
// the model spec with it under "hls".  MODEL is a spec file or a run
// directory (whose trained weights decide the alpha scales).
#include <filesystem>
#include <iostream>
#include <memory>

#include "qtrain/commands.h"
#include "qtrain/files.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/run_data.h"

namespace qtrain::cli {

Command add_hlsconfig_command(CLI::App& app) {
  struct Options {
    std::string model, granularity = "name", default_precision = "ap_fixed<16,6>", output;
    bool types = false, force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "hlsconfig", "Derive the firmware precision config (hls4ml's) from a model's quantizers; print it or write it into the spec");
  cmd->add_option("model", o->model, "Model spec (JSON) or run directory")->required();
  cmd->add_option("--granularity", o->granularity, "model, type or name (default: name, as QKeras models need)")
      ->check(CLI::IsMember({"model", "type", "name"}));
  cmd->add_option("--default", o->default_precision, "Model default precision (default: ap_fixed<16,6>)");
  cmd->add_option("-o,--output", o->output, "Write the model spec with this config under \"hls\" to this file");
  cmd->add_flag("--types", o->types, "Also print every firmware layer's resolved types");
  cmd->add_flag("--force", o->force, "Overwrite an existing --output file (e.g. a run's model.json)");
  return [o] {
    if (!o->output.empty() && !o->force && std::filesystem::exists(o->output))
      throw UsageError(o->output + ": exists (use --force to overwrite)");
    TrainedRun run = open_run_or_spec(o->model);
    Granularity granularity = o->granularity == "model" ? Granularity::Model
                              : o->granularity == "type" ? Granularity::Type
                                                         : Granularity::Name;
    HlsConfig config = derive_hls_config(*run.model, granularity, o->default_precision);
    if (o->output.empty()) {
      std::cout << config.to_json().dump(2) << "\n";
    } else {
      ModelSpec spec = run.model->spec();
      spec.json["hls"] = config.to_json();
      spec.save(o->output);
      std::cout << "wrote " << o->output << "\n";
    }
    if (o->types) std::cout << hls_type_report(build_hls_model(*run.model, config));
    return 0;
  };
}

const CommandRegistration registration("hlsconfig", add_hlsconfig_command);

}  // namespace qtrain::cli
