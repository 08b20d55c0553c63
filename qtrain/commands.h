// Subcommands of the `qtrain` tool.  Each registers its options on the CLI11
// app and returns the function that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace qtrain::cli {

// Exit status for bad input (unknown quantizer, bad argument, unparsable
// number): one line on stderr naming the offending token.
constexpr int kUsageError = 2;

// Thrown by commands for bad input; main prints it and exits kUsageError.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Command = std::function<int()>;

Command add_quantize_command(CLI::App& app);
Command add_demo_command(CLI::App& app);
Command add_info_command(CLI::App& app);
Command add_quantize_model_command(CLI::App& app);
Command add_train_command(CLI::App& app);
Command add_save_weights_command(CLI::App& app);

}  // namespace qtrain::cli
