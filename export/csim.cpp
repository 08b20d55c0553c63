#include "export/csim.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
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

// Whether `binary` is older than any source it is built from (the firmware
// tree and `source`), or missing.
bool needs_build(const fs::path& binary, const fs::path& dir, const fs::path& source) {
  if (!fs::exists(binary)) return true;
  const auto built = fs::last_write_time(binary);
  if (fs::last_write_time(source) > built) return true;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "firmware"))
    if (entry.is_regular_file() && entry.last_write_time() > built) return true;
  return false;
}

// An exported project: its absolute directory and name (hls4ml_config.json's
// ProjectName).
struct Project {
  fs::path dir;
  std::string name;
};

Project open_project(const std::string& project_dir) {
  Project p{fs::absolute(project_dir), ""};
  const fs::path config_path = p.dir / "hls4ml_config.json";
  if (!fs::exists(config_path))
    throw std::invalid_argument(project_dir + ": not an exported project (no hls4ml_config.json)");
  const nlohmann::json config = qtrain::read_json_file(config_path.string());
  if (!config.contains("ProjectName") || !config["ProjectName"].is_string())
    throw std::invalid_argument(config_path.string() + ": field ProjectName: missing or not a string");
  p.name = config["ProjectName"];
  return p;
}

// Compiles `sources` (relative to the project) with the firmware into
// `output`, through a temporary file renamed into place (a library loaded
// elsewhere keeps its file), unless it is up to date.  The generated code
// must be warning-free.
void compile(const Project& p, const std::string& optimization, const std::vector<std::string>& sources,
             const std::string& flags, const fs::path& output) {
  if (!needs_build(output, p.dir, p.dir / sources.back())) return;
  fs::create_directories(output.parent_path());
  const fs::path log = output.parent_path() / (output.filename().string() + ".log");
  const fs::path temporary = output.parent_path() / ("." + output.filename().string() + ".tmp");
  const std::string weights_dir = "-DWEIGHTS_DIR=" + shell_quote("\"" + (p.dir / "firmware" / "weights").string() + "\"");
  std::string command = "cd " + shell_quote(p.dir.string()) + " && g++ " + optimization +
                        " -std=c++17 -Wall -Wextra -Werror -Wno-unknown-pragmas -Ifirmware -Ifirmware/ap_types " +
                        weights_dir + " " + flags + " " + shell_quote("firmware/" + p.name + ".cpp");
  for (const std::string& source : sources) command += " " + shell_quote(source);
  command += " -o " + shell_quote(temporary.string()) + " > " + shell_quote(log.string()) + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    fs::remove(temporary);
    throw CsimError("g++ failed on " + p.dir.string() + " (" + log.string() +
                    "): " + first_error(qtrain::read_text_file(log.string())));
  }
  fs::rename(temporary, output);
}

// The array sizes of an io_parallel top function, "void name(input_t
// x[N_IN], result_t y[N_OUT]);" in firmware/<name>.h; {0, 0} for streams.
std::pair<long, long> parallel_sizes(const Project& p) {
  const std::string header = qtrain::read_text_file((p.dir / "firmware" / (p.name + ".h")).string());
  const std::regex signature("void\\s+" + p.name + "\\s*\\(\\s*\\w+\\s+\\w+\\[(\\d+)\\]\\s*,\\s*\\w+\\s+\\w+\\[(\\d+)\\]");
  std::smatch m;
  if (!std::regex_search(header, m, signature)) return {0, 0};
  return {std::stol(m[1]), std::stol(m[2])};
}

}  // namespace

CsimResult run_csim(const std::string& project_dir, const CsimOptions& options) {
  const Project p = open_project(project_dir);
  const fs::path& dir = p.dir;
  const fs::path inputs = dir / "tb_data" / "tb_input_features.dat";
  const fs::path expected_path = dir / "tb_data" / "tb_output_predictions.dat";
  if (!fs::exists(inputs) || !fs::exists(expected_path))
    throw std::invalid_argument(project_dir + ": no test bench data (tb_data/tb_input_features.dat, "
                                "tb_output_predictions.dat)");
  const fs::path binary = dir / "csim" / (p.name + "_csim");
  compile(p, options.optimization, {p.name + "_test.cpp"}, "", binary);

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

namespace hls_export {

FirmwareLibrary::FirmwareLibrary(const std::string& project_dir, const std::string& optimization)
    : project_dir_(project_dir) {
  const Project p = open_project(project_dir);
  // The bridge is copied into the project so that the library's build reads
  // only the project's files.
  const fs::path bridge = p.dir / "csim" / "firmware_bridge.cpp";
  const std::string source = qtrain::read_text_file(QTRAIN_EXPORT_SOURCE_DIR "/bridge/firmware_bridge.cpp");
  if (!fs::exists(bridge) || qtrain::read_text_file(bridge.string()) != source) {
    fs::create_directories(bridge.parent_path());
    qtrain::write_text_atomically(bridge.string(), source);
  }
  const auto [n_in, n_out] = parallel_sizes(p);
  const std::string flags = "-shared -fPIC -DPROJECT_TOP=" + p.name + " -DPROJECT_HEADER=" +
                            shell_quote("\"" + p.name + ".h\"") + " -DBRIDGE_N_IN=" + std::to_string(n_in) +
                            " -DBRIDGE_N_OUT=" + std::to_string(n_out);
  const fs::path library = p.dir / "csim" / ("lib" + p.name + "_bridge.so");
  compile(p, optimization, {"csim/firmware_bridge.cpp"}, flags, library);
  handle_ = dlopen(library.string().c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) throw CsimError(library.string() + ": cannot load: " + dlerror());
  predict_ = reinterpret_cast<int (*)(const float*, long, long, double*, long)>(dlsym(handle_, "qtrain_firmware_predict"));
  if (!predict_) {
    dlclose(handle_);
    throw CsimError(library.string() + ": no qtrain_firmware_predict");
  }
}

FirmwareLibrary::~FirmwareLibrary() { dlclose(handle_); }

void FirmwareLibrary::predict(const float* inputs, long n, long n_in, double* outputs, long n_out) const {
  if (predict_(inputs, n, n_in, outputs, n_out) != 0)
    throw CsimError(project_dir_ + ": the firmware does not take " + std::to_string(n_in) + " inputs and give " +
                    std::to_string(n_out) + " outputs");
}

}  // namespace hls_export
