// `qtrain demo`: the built-in example.  Runs a ramp of inputs through a set
// of QKeras quantizers and an ap_fixed type, prints the results with the
// hardware type of each, and the per-channel auto_po2 scales of a small
// weight matrix.
#include <torch/types.h>

#include <cstdio>
#include <iostream>

#include "qtrain/commands.h"
#include "quantizers/fixed_quantize.h"
#include "quantizers/quantizer.h"

namespace qtrain::cli {
namespace {

int run() {
  const char* specs[] = {"quantized_bits(4,1,alpha=1)", "quantized_relu(3,1)", "quantized_po2(4)",
                         "quantized_tanh(3)", "ternary()", "binary(alpha=1)"};
  const quantizers::FixedType fixed = quantizers::FixedType::parse("ap_fixed<6,2,AP_RND_CONV,AP_SAT>");
  torch::Tensor x = torch::arange(-2.0, 2.01, 0.25, torch::kFloat32);

  std::printf("%-28s %-36s", "quantizer", "hardware type (activation)");
  for (int64_t i = 0; i < x.numel(); i += 2) std::printf(" %6.2f", x[i].item<float>());
  std::printf("\n");
  auto row = [&](const std::string& name, const std::string& type, const torch::Tensor& y) {
    std::printf("%-28s %-36s", name.c_str(), type.c_str());
    for (int64_t i = 0; i < y.numel(); i += 2) std::printf(" %6.3g", y[i].item<double>());
    std::printf("\n");
  };
  for (const char* spec : specs) {
    quantizers::QuantizerPtr q = quantizers::parse_quantizer(spec);
    auto hw = q->hardware_type(quantizers::Role::Activation);
    row(q->to_string(), hw ? hw->to_string() : "(model default)", (*q)(x));
  }
  row(fixed.to_string(), fixed.to_string(), quantizers::fake_quantize(x, fixed));

  // A kernel slot applies QKeras' constructor rule: alpha None -> auto_po2,
  // one power-of-two scale per output channel (the last axis).
  torch::Tensor w = torch::tensor({0.9f, -0.05f, 0.3f, 0.7f, 0.2f, -0.02f, -0.6f, 0.1f}).reshape({4, 2});
  quantizers::QuantizerPtr kernel = quantizers::as_kernel_quantizer(*quantizers::parse_quantizer("quantized_bits(4,0)"));
  torch::Tensor wq = (*kernel)(w);
  std::cout << "\nkernel quantizer " << kernel->to_string() << " on a 4x2 weight matrix:\n";
  for (int64_t r = 0; r < 4; ++r)
    std::printf("  %6.3f %6.3f  ->  %8.5f %8.5f\n", w[r][0].item<float>(), w[r][1].item<float>(),
                wq[r][0].item<float>(), wq[r][1].item<float>());
  torch::Tensor scale = kernel->scale().reshape({-1});
  std::printf("  per-channel scale: %g %g\n", scale[0].item<float>(), scale[1].item<float>());
  return 0;
}

}  // namespace

Command add_demo_command(CLI::App& app) {
  app.add_subcommand("demo", "Built-in example: quantizers and fixed-point types on a ramp of values");
  return run;
}

const CommandRegistration registration("demo", add_demo_command);

}  // namespace qtrain::cli
