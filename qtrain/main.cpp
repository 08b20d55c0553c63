// qtrain: quantization-aware training, post-training quantization and
// firmware export for FPGA neural networks.  `qtrain --help` lists commands.
#include <ATen/Parallel.h>

#include <algorithm>
#include <iostream>
#include <string_view>
#include <thread>

#include "qtrain/commands.h"
#include "quantizers/fixed_type.h"
#include "quantizers/quantizer.h"

namespace qtrain::cli {
namespace {
// Function-local so registrations from other translation units never see it
// before it is constructed.
std::vector<RegisteredCommand>& registry() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}
}  // namespace

CommandRegistration::CommandRegistration(const char* name, CommandFactory factory) {
  registry().push_back({name, factory});
}

std::vector<RegisteredCommand> registered_commands() {
  std::vector<RegisteredCommand> sorted = registry();
  std::sort(sorted.begin(), sorted.end(),
            [](const RegisteredCommand& a, const RegisteredCommand& b) { return std::string_view(a.name) < b.name; });
  return sorted;
}
}  // namespace qtrain::cli

int main(int argc, char** argv) {
  CLI::App app{"qtrain: quantization-aware training and FPGA firmware export for neural networks"};
  app.require_subcommand(1);
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--threads", threads, "CPU threads for LibTorch (default: all cores)")->check(CLI::PositiveNumber);

  std::vector<std::pair<std::string, qtrain::cli::Command>> commands;
  for (const auto& [name, factory] : qtrain::cli::registered_commands()) commands.emplace_back(name, factory(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : qtrain::cli::kUsageError;
  }
  at::set_num_threads(threads);
  try {
    for (CLI::App* sub : app.get_subcommands())
      for (const auto& [name, run] : commands)
        if (sub->get_name() == name) return run();
  } catch (const qtrain::cli::UsageError& e) {
    std::cerr << "qtrain: " << e.what() << "\n";
    return qtrain::cli::kUsageError;
  } catch (const std::invalid_argument& e) {  // QuantizerError, FixedTypeError, ModelError
    std::cerr << "qtrain: " << e.what() << "\n";
    return qtrain::cli::kUsageError;
  } catch (const std::domain_error& e) {  // a value the type cannot hold (NaN)
    std::cerr << "qtrain: " << e.what() << "\n";
    return qtrain::cli::kUsageError;
  } catch (const std::exception& e) {
    std::cerr << "qtrain: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
