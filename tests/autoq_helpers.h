// Helpers shared by the AutoQ test files: the tiny model they search, a
// config from JSON, a search written to files, a runner that trains
// nothing, and reading and damaging a search's journal (trials.jsonl).
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "qtrain/files.h"

namespace autoq_test {

// 16 -> fc1 (8) -> relu1 -> fc2 (5) -> softmax
inline nlohmann::json tiny_spec() {
  return nlohmann::json::parse(R"({"name": "tiny", "input_shape": [16], "layers": [
    {"name": "fc1", "type": "Dense", "units": 8},
    {"name": "relu1", "type": "Activation", "activation": "relu"},
    {"name": "fc2", "type": "Dense", "units": 5},
    {"name": "softmax", "type": "Activation", "activation": "softmax"}]})");
}

// A search config from its JSON, as if read from ./autoq.json.
inline autoq::AutoqConfig config_from(const nlohmann::json& j) {
  return autoq::AutoqConfig::from_json(j, "autoq.json", ".");
}

// dir/run.json, a base run of `spec` on 600 synthetic jets for one epoch
// (batch 128, seed 5, Adam with `lr`, `threads` threads), next to
// dir/autoq.json searching it with `fields`; returns the loaded config.
inline autoq::AutoqConfig write_search(const std::filesystem::path& dir, nlohmann::json fields,
                                       const nlohmann::json& spec = tiny_spec(), int threads = 1, double lr = 0.001) {
  qtrain::write_json_atomically((dir / "run.json").string(),
                                {{"name", spec["name"]},
                                 {"model", spec},
                                 {"data", {{"kind", "synthetic_jets"}, {"samples", 600}, {"seed", 3}}},
                                 {"batch_size", 128},
                                 {"optimizer", {{"lr", lr}}},
                                 {"epochs", 1},
                                 {"seed", 5},
                                 {"threads", threads}});
  fields["run"] = "run.json";
  qtrain::write_json_atomically((dir / "autoq.json").string(), fields);
  return autoq::AutoqConfig::load((dir / "autoq.json").string());
}

// A trial runner that trains nothing: the accuracy is a fixed function of
// the trial's model and epochs, whichever process computes it, so a trial
// run twice scores the same.
inline nlohmann::json fake_runner(const std::string& run_config, const std::string& run_dir) {
  const nlohmann::json run = qtrain::read_json_file(run_config);
  std::filesystem::create_directories(run_dir);
  const double spread = static_cast<double>(std::hash<std::string>{}(run["model"].dump()) % 1000) / 1e4;
  return {{"test", {{"accuracy", 0.5 + spread + 0.01 * run["epochs"].get<int>()}}}};
}

// The journal's records without their wall-clock times.
inline std::vector<nlohmann::json> journal_without_seconds(const std::string& path) {
  std::vector<nlohmann::json> records;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json j = nlohmann::json::parse(line);
    j.erase("seconds");
    records.push_back(j);
  }
  return records;
}

// Replaces line `index` (0-based) of the journal with `text`, as a search
// killed while writing it might have left it.
inline void replace_journal_line(const std::string& path, size_t index, const std::string& text) {
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  lines.at(index) = text;
  std::ofstream out(path);
  for (const std::string& line : lines) out << line << "\n";
}

}  // namespace autoq_test
