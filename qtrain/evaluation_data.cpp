#include "qtrain/evaluation_data.h"

#include <torch/torch.h>

#include <filesystem>

#include "datasets/jets.h"
#include "datasets/standard_scaler.h"
#include "qtrain/files.h"

namespace qtrain {

EvaluationData evaluation_data(const TrainedRun& run, const std::string& data_path, const std::string& split) {
  if (data_path.empty()) {
    if (!run.config) throw RunError(run.dir + ": no run.json to take the data from; give a data file");
    RunData d = load_run_data(*run.config);
    const Split& s = split == "train" ? d.train : split == "validation" ? d.validation : d.test;
    return {s, d.class_names};
  }
  datasets::LabeledData jets = datasets::read_jets(data_path);
  torch::Tensor x = jets.features;
  const std::filesystem::path scaler = std::filesystem::path(run.dir) / "scaler.json";
  if (!run.dir.empty() && std::filesystem::exists(scaler))
    x = datasets::StandardScaler::from_json(read_json_file(scaler.string())).transform(x);
  return {{x, jets.labels}, jets.class_names};
}

}  // namespace qtrain
