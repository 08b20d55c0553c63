// Helpers shared by the AutoQ test files: reading and damaging a search's
// journal (trials.jsonl).
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace autoq_test {

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
