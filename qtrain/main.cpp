// qtrain: quantization-aware training, post-training quantization and
// firmware export for FPGA neural networks.  `qtrain --help` lists commands.
#include <ATen/Parallel.h>

#include <iostream>
#include <thread>

#include "qtrain/commands.h"
#include "quantizers/fixed_type.h"
#include "quantizers/quantizer.h"

int main(int argc, char** argv) {
  CLI::App app{"qtrain: quantization-aware training and FPGA firmware export for neural networks"};
  app.require_subcommand(1);
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--threads", threads, "CPU threads for LibTorch (default: all cores)")->check(CLI::PositiveNumber);

  const std::pair<std::string, qtrain::cli::Command> commands[] = {
      {"quantize", qtrain::cli::add_quantize_command(app)},
      {"demo", qtrain::cli::add_demo_command(app)},
      {"info", qtrain::cli::add_info_command(app)},
      {"quantize-model", qtrain::cli::add_quantize_model_command(app)},
      {"train", qtrain::cli::add_train_command(app)},
      {"save-weights", qtrain::cli::add_save_weights_command(app)},
  };

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
