#include "qtrain/derived_run.h"

#include <torch/torch.h>

#include <filesystem>

#include "qtrain/files.h"
#include "qtrain/train.h"

namespace qtrain {

namespace fs = std::filesystem;

void write_derived_run(const TrainedRun& source, Model& model, const std::string& out_dir, bool force) {
  const fs::path out(out_dir);
  if (fs::exists(out) && !force) throw RunError(out_dir + ": exists (use --force to overwrite)");
  if (!source.dir.empty() && fs::exists(out) && fs::equivalent(out, source.dir))
    throw RunError(out_dir + ": is the source run; write the result elsewhere");
  fs::create_directories(out / "checkpoints");
  model.spec().save((out / "model.json").string());
  save_model_weights(model, (out / "checkpoints" / "best.pt").string());
  if (source.dir.empty()) return;
  const fs::path run_json = fs::path(source.dir) / "run.json";
  if (fs::exists(run_json)) {
    nlohmann::json config = read_json_file(run_json.string());
    config["model"] = "model.json";
    write_json_atomically((out / "run.json").string(), config);
  }
  const fs::path scaler = fs::path(source.dir) / "scaler.json";
  if (fs::exists(scaler)) write_json_atomically((out / "scaler.json").string(), read_json_file(scaler.string()));
}

}  // namespace qtrain
