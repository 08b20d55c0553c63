// `qtrain quantize`: apply one quantizer or fixed-point type to numbers given
// on the command line or stdin, print the results (and gradients).
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "qtrain/commands.h"
#include "quantizers/fixed_quantize.h"
#include "quantizers/quantizer.h"

namespace qtrain::cli {
namespace {

struct QuantizeOptions {
  std::string quantizer;
  std::string type;
  bool training = false;
  int64_t seed = -1;
  bool grad = false;
  bool json = false;
  std::string shape;
  std::vector<std::string> values;
};

// Splits on whitespace and commas; every token must be a whole number.
std::vector<double> parse_numbers(const std::vector<std::string>& chunks) {
  std::vector<double> numbers;
  for (const std::string& chunk : chunks) {
    std::string text = chunk;
    for (char& c : text)
      if (c == ',') c = ' ';
    std::istringstream in(text);
    std::string token;
    while (in >> token) {
      char* end = nullptr;
      double v = std::strtod(token.c_str(), &end);
      if (end != token.c_str() + token.size()) throw UsageError("'" + token + "' is not a number");
      numbers.push_back(v);
    }
  }
  return numbers;
}

std::vector<int64_t> parse_shape(const std::string& text, size_t count) {
  if (text.empty()) return {static_cast<int64_t>(count)};
  std::vector<int64_t> shape;
  int64_t product = 1;
  for (const std::string& part : CLI::detail::split(text, ',')) {
    char* end = nullptr;
    long v = std::strtol(part.c_str(), &end, 10);
    if (part.empty() || end != part.c_str() + part.size() || v <= 0)
      throw UsageError("bad --shape dimension '" + part + "' in '" + text + "'");
    shape.push_back(v);
    product *= v;
  }
  if (product != static_cast<int64_t>(count))
    throw UsageError("--shape " + text + " holds " + std::to_string(product) + " values but " +
                     std::to_string(count) + " were given");
  return shape;
}

std::string format(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::vector<double> to_vector(const torch::Tensor& t) {
  torch::Tensor flat = t.to(torch::kFloat64).contiguous().reshape({-1});
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

int run(const QuantizeOptions& o) {
  if (o.quantizer.empty() == o.type.empty()) throw UsageError("give exactly one of --quantizer and --type");
  std::vector<std::string> chunks = o.values;
  if (chunks.empty()) chunks.emplace_back(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::vector<double> numbers = parse_numbers(chunks);
  if (numbers.empty()) throw UsageError("no values given (as arguments or on stdin)");
  if (o.seed >= 0) torch::manual_seed(static_cast<uint64_t>(o.seed));

  torch::Tensor x = torch::tensor(numbers, torch::kFloat64).reshape(parse_shape(o.shape, numbers.size()));
  x.set_requires_grad(o.grad);
  torch::Tensor y;
  nlohmann::json report;
  if (!o.quantizer.empty()) {
    quantizers::QuantizerPtr q = quantizers::parse_quantizer(o.quantizer);
    y = (*q)(x, o.training);
    report["quantizer"] = q->to_string();
    if (q->scale().defined()) report["scale"] = to_vector(q->scale());
  } else {
    quantizers::FixedType type = quantizers::FixedType::parse(o.type);
    y = quantizers::fake_quantize(x, type);
    report["type"] = type.to_string();
  }
  std::vector<double> values = to_vector(y.detach()), grads;
  if (o.grad) {
    y.sum().backward();
    grads = to_vector(x.grad());
  }

  if (o.json) {
    report["values"] = values;
    if (o.grad) report["gradients"] = grads;
    std::cout << report.dump(2) << "\n";
    return 0;
  }
  for (size_t i = 0; i < values.size(); ++i)
    std::cout << format(values[i]) << (o.grad ? " " + format(grads[i]) : "") << "\n";
  return 0;
}

}  // namespace

Command add_quantize_command(CLI::App& app) {
  auto o = std::make_shared<QuantizeOptions>();
  CLI::App* cmd = app.add_subcommand("quantize", "Apply a QKeras quantizer or an ap_fixed type to numbers");
  cmd->add_option("--quantizer,-q", o->quantizer, "QKeras quantizer, e.g. \"quantized_bits(6,0,alpha=1)\"");
  cmd->add_option("--type,-t", o->type, "fixed-point type, e.g. \"ap_fixed<8,3,AP_RND,AP_SAT>\"");
  cmd->add_flag("--training", o->training, "training mode: stochastic quantizers sample");
  cmd->add_option("--seed", o->seed, "seed of LibTorch's generator for stochastic quantizers");
  cmd->add_flag("--grad", o->grad, "print d(output)/d(input) beside each value");
  cmd->add_flag("--json", o->json, "print a JSON report (canonical spec, values, gradients, scale)");
  cmd->add_option("--shape", o->shape, "shape of the input, e.g. 4,3 (row-major values; last axis = channels)");
  cmd->add_option("values", o->values, "numbers, whitespace or comma separated (default: read stdin)");
  cmd->footer("Negative values: put them after `--`, e.g. qtrain quantize -q 'binary()' -- -0.5 0.5");
  return [o] { return run(*o); };
}

const CommandRegistration registration("quantize", add_quantize_command);

}  // namespace qtrain::cli
