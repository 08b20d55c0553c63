// Subcommands of the `qtrain` tool.  Each registers its options on the CLI11
// app and returns the function that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace qtrain::cli {

// Exit status for bad input (unknown quantizer, bad argument, unparsable
// number): one line on stderr naming the offending token.
constexpr int kUsageError = 2;

// Thrown by commands for bad input; main prints it and exits kUsageError.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Command = std::function<int()>;
// Adds a subcommand's options to the app and returns the function that runs it.
using CommandFactory = Command (*)(CLI::App& app);

// Each cmd_*.cpp registers its subcommand with one namespace-scope object,
//   const CommandRegistration registration("info", add_info_command);
// so adding a command touches no shared file.  main() builds them in name order.
struct CommandRegistration {
  CommandRegistration(const char* name, CommandFactory factory);
};

struct RegisteredCommand {
  const char* name;
  CommandFactory factory;
};
// Every registered subcommand, sorted by name.
std::vector<RegisteredCommand> registered_commands();

// --score KIND, an autoencoder's anomaly score in the firmware
// (anomaly_score_of): `what` says what it does for the command.
inline CLI::Option* add_score_option(CLI::App* cmd, std::string& kind, const std::string& what) {
  return cmd
      ->add_option("--score", kind,
                   what + ": io (MSE of input and reconstruction) or kl (D_KL of the VAE encoder, without the "
                          "decoder); default none")
      ->check(CLI::IsMember({"none", "io", "kl"}));
}

}  // namespace qtrain::cli
