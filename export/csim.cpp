#include "export/csim.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/files.h"

namespace hls_export {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Rows of numbers, one per line (blank lines skipped); errors name the file.
std::vector<std::vector<double>> read_rows(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw CsimError(path.string() + ": cannot read");
  std::vector<std::vector<double>> rows;
  std::string line, token;
  while (std::getline(in, line)) {
    std::istringstream tokens(line);
    std::vector<double> row;
    while (tokens >> token) {
      char* end = nullptr;
      const double v = std::strtod(token.c_str(), &end);
      if (*end != '\0' || std::isnan(v))
        throw CsimError(path.string() + ": line " + std::to_string(rows.size() + 1) + ": bad value '" + token + "'");
      row.push_back(v);
    }
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

// The compiler's first error line (file:line: error: ...), or its first line.
std::string first_error(const std::string& log) {
  std::istringstream lines(log);
  std::string line, first;
  while (std::getline(lines, line)) {
    if (first.empty() && !line.empty()) first = line;
    if (line.find("error") != std::string::npos) return line;
  }
  return first.empty() ? "(no output)" : first;
}

// Whether the testbench binary is older than any source it is built from
// (the firmware tree and the testbench), or missing.
bool needs_build(const fs::path& binary, const fs::path& dir, const std::string& name) {
  if (!fs::exists(binary)) return true;
  const auto built = fs::last_write_time(binary);
  if (fs::last_write_time(dir / (name + "_test.cpp")) > built) return true;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "firmware"))
    if (entry.is_regular_file() && entry.last_write_time() > built) return true;
  return false;
}

}  // namespace

CsimResult run_csim(const std::string& project_dir, const CsimOptions& options) {
  const fs::path dir = fs::absolute(project_dir);
  const fs::path config_path = dir / "hls4ml_config.json";
  if (!fs::exists(config_path))
    throw std::invalid_argument(project_dir + ": not an exported project (no hls4ml_config.json)");
  const nlohmann::json config = qtrain::read_json_file(config_path.string());
  if (!config.contains("ProjectName") || !config["ProjectName"].is_string())
    throw std::invalid_argument(config_path.string() + ": field ProjectName: missing or not a string");
  const std::string name = config["ProjectName"];
  const fs::path inputs = dir / "tb_data" / "tb_input_features.dat";
  const fs::path expected_path = dir / "tb_data" / "tb_output_predictions.dat";
  if (!fs::exists(inputs) || !fs::exists(expected_path))
    throw std::invalid_argument(project_dir + ": no test bench data (tb_data/tb_input_features.dat, "
                                "tb_output_predictions.dat)");

  // Compile (when the sources changed): the generated code must be warning-free.
  fs::create_directories(dir / "csim");
  const fs::path binary = dir / "csim" / (name + "_csim");
  const fs::path compile_log = dir / "csim" / "compile.log";
  const std::string weights_dir = "-DWEIGHTS_DIR=" + shell_quote("\"" + (dir / "firmware" / "weights").string() + "\"");
  const std::string compile = "cd " + shell_quote(dir.string()) + " && g++ " + options.optimization +
                              " -std=c++17 -Wall -Wextra -Werror -Wno-unknown-pragmas -Ifirmware -Ifirmware/ap_types " +
                              weights_dir + " " + shell_quote("firmware/" + name + ".cpp") + " " +
                              shell_quote(name + "_test.cpp") + " -o " + shell_quote(binary.string()) + " > " +
                              shell_quote(compile_log.string()) + " 2>&1";
  if (needs_build(binary, dir, name)) {
    fs::remove(binary);
    if (std::system(compile.c_str()) != 0)
      throw CsimError("g++ failed on " + project_dir + " (" + compile_log.string() +
                      "): " + first_error(qtrain::read_text_file(compile_log.string())));
  }

  // Run in the project directory (the testbench's paths are relative to it).
  const fs::path run_log = dir / "csim" / "run.log";
  fs::remove(dir / "tb_data" / "csim_results.log");
  const std::string run = "cd " + shell_quote(dir.string()) + " && " + shell_quote(binary.string()) + " " +
                          std::to_string(options.samples) + " > " + shell_quote(run_log.string()) + " 2>&1";
  if (std::system(run.c_str()) != 0)
    throw CsimError("the testbench of " + project_dir + " failed: " +
                    first_error(qtrain::read_text_file(run_log.string())));

  const auto results = read_rows(dir / "tb_data" / "csim_results.log");
  const auto expected = read_rows(expected_path);
  CsimResult r;
  r.samples = static_cast<long>(results.size());
  const long wanted = options.samples < 0 ? static_cast<long>(expected.size())
                                          : std::min<long>(options.samples, static_cast<long>(expected.size()));
  if (r.samples != wanted)
    throw CsimError("tb_data/csim_results.log: " + std::to_string(r.samples) + " samples, expected " +
                    std::to_string(wanted));
  for (size_t s = 0; s < results.size(); ++s) {
    if (results[s].size() != expected[s].size())
      throw CsimError("tb_data/csim_results.log: line " + std::to_string(s + 1) + " has " +
                      std::to_string(results[s].size()) + " outputs, expected " + std::to_string(expected[s].size()));
    for (size_t k = 0; k < results[s].size(); ++k) {
      const double diff = std::fabs(results[s][k] - expected[s][k]);
      r.outputs += 1;
      if (diff != 0) r.mismatches += 1;
      r.max_abs_diff = std::max(r.max_abs_diff, diff);
    }
  }
  return r;
}

}  // namespace hls_export
