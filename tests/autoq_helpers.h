// Helpers shared by the AutoQ test files: the tiny model they search, a
// config from JSON, and reading and damaging a search's journal
// (trials.jsonl).
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autoq/config.h"

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
