#include "qtrain/summary.h"

#include <torch/torch.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "quantizers/field.h"

namespace qtrain {
namespace {

// The `integer` argument of a quantizer (quantized_bits, quantized_relu, ...).
int integer_bits(quantizers::Quantizer& q) {
  for (const quantizers::Field& f : q.fields())
    if (f.name() == "integer") return static_cast<int>(std::get<double>(f.get()));
  return 0;
}

// Rows: weight mode, columns: input mode (estimate.py's wx_table).
const char* const kMultiplier[6][6] = {
    {"mult", "barrel", "mux", "mux", "mux", "fmult"}, {"barrel", "adder", "mux", "xor", "mux", "fmult"},
    {"mux", "mux", "mux", "mux", "xor", "fmult"},     {"mux", "xor", "mux", "xor", "xor", "fmult"},
    {"mux", "mux", "xor", "xor", "xor", "fmult"},     {"fmult", "fmult", "fmult", "fmult", "fmult", "fmult"},
};

std::string format_row(const std::vector<std::pair<std::string, size_t>>& cells) {
  std::string row;
  for (const auto& [text, width] : cells) {
    row += text;
    if (text.size() < width) row.append(width - text.size(), ' ');
    row += ' ';
  }
  while (!row.empty() && row.back() == ' ') row.pop_back();
  return row + "\n";
}

}  // namespace

OperandType operand_type(const quantizers::Quantizer* q) {
  if (!q) return {};
  auto& mutable_q = const_cast<quantizers::Quantizer&>(*q);  // fields() reads through bound members
  std::string name(q->name());
  if (name == "quantized_bits" || name == "quantized_tanh" || name == "quantized_ulaw") {
    int bits = q->bits();
    return {bits == 2 && integer_bits(mutable_q) == 1 ? 2 : 0, bits, true};
  }
  if (name == "quantized_relu") {
    int bits = q->bits();
    return {bits == 1 && integer_bits(mutable_q) == 1 ? 4 : 0, bits, false};
  }
  if (name == "bernoulli") return {4, 1, false};
  if (name == "ternary" || name == "stochastic_ternary") return {2, 2, true};
  if (name == "binary" || name == "stochastic_binary") return {3, 1, true};
  if (name == "quantized_po2") return {1, q->bits(), true};
  if (name == "quantized_relu_po2") return {1, q->bits(), false};
  return {};  // float activations and quantizers estimate.py does not know
}

std::vector<LayerOperations> operation_stats(Model& model) {
  // The quantizer of each layer's output, tracked as create_activation_cache does.
  const quantizers::QuantizerPtr input_quantizer = quantizers::parse_quantizer("quantized_relu(8, 0)");
  std::vector<quantizers::QuantizerPtr> output(model.layers().size());
  std::vector<LayerOperations> stats;
  for (size_t l = 0; l < model.layers().size(); ++l) {
    const Layer& layer = *model.layers()[l];
    int first_input = model.layer_inputs(l).front();
    const quantizers::QuantizerPtr& input = first_input < 0 ? input_quantizer : output[first_input];
    std::optional<quantizers::QuantizerPtr> produced = layer.output_quantizer();
    output[l] = produced ? *produced : input;
    if (layer.multiplications() == 0) continue;

    LayerOperations ops;
    ops.layer = layer.name();
    ops.multiplications = layer.multiplications();
    ops.additions = layer.additions();
    OperandType w{}, x = operand_type(input.get());
    bool first_kernel = true;
    for (const LayerWeight& weight : layer.weights()) {
      if (weight.name == "bias") {
        ops.biases = weight.variable.numel();
        ops.bias_bits = operand_type(weight.quantizer.get()).bits;
        continue;
      }
      OperandType t = operand_type(weight.quantizer.get());
      if (first_kernel) w = t;
      first_kernel = false;
      ops.weights.push_back(weight.variable.numel());
      ops.weight_bits.push_back(t.bits);
    }
    ops.op = std::string(w.is_signed || x.is_signed ? "s" : "u") + kMultiplier[w.mode][x.mode] + "_" +
             std::to_string(w.bits) + "_" + std::to_string(x.bits);
    stats.push_back(std::move(ops));
  }
  return stats;
}

std::string model_summary(Model& model) {
  std::ostringstream out;
  const size_t name_w = 34, shape_w = 22, param_w = 10;
  std::string rule(100, '_'), double_rule(100, '=');
  out << "Model: \"" << model.spec().name() << "\"\n" << rule << "\n";
  out << format_row({{"Layer (type)", name_w}, {"Output Shape", shape_w}, {"Param #", param_w}, {"Quantizers", 0}});
  out << double_rule << "\n";
  int64_t total = 0, trainable = 0;
  for (const LayerPtr& layer : model.layers()) {
    int64_t params = 0;
    for (const LayerWeight& w : layer->weights()) {
      params += w.variable.numel();
      if (w.trainable) trainable += w.variable.numel();
    }
    total += params;
    std::vector<std::string> quantizer_lines;
    for (const auto& [slot, q] : layer->quantizer_slots()) quantizer_lines.push_back(slot + "=" + q->to_string());
    out << format_row({{layer->name() + " (" + layer->type() + ")", name_w},
                       {shape_to_string(layer->output_shape()), shape_w},
                       {std::to_string(params), param_w},
                       {quantizer_lines.empty() ? "" : quantizer_lines[0], 0}});
    for (size_t i = 1; i < quantizer_lines.size(); ++i)
      out << std::string(name_w + shape_w + param_w + 3, ' ') << quantizer_lines[i] << "\n";
  }
  out << double_rule << "\n";
  out << "Total params: " << total << "\nTrainable params: " << trainable
      << "\nNon-trainable params: " << total - trainable << "\n" << rule << "\n";
  return out.str();
}

std::string operation_report(Model& model) {
  std::vector<LayerOperations> stats = operation_stats(model);
  std::ostringstream out;
  char line[256];
  out << "Number of operations in model:\n";
  std::map<std::string, int64_t> per_type;
  for (const LayerOperations& ops : stats) {
    std::snprintf(line, sizeof line, "    %-30s: %5lld (%s), %lld additions\n", ops.layer.c_str(),
                  static_cast<long long>(ops.multiplications), ops.op.c_str(), static_cast<long long>(ops.additions));
    out << line;
    per_type[ops.op] += ops.multiplications;
  }
  out << "\nNumber of operation types in model:\n";
  for (const auto& [op, count] : per_type) {
    std::snprintf(line, sizeof line, "    %-30s: %lld\n", op.c_str(), static_cast<long long>(count));
    out << line;
  }
  out << "\nWeight profiling:\n";
  auto profile = [&](const std::string& name, int64_t count, int bits) {
    std::snprintf(line, sizeof line, "    %-30s : %5lld (%d-bit unit)\n", name.c_str(), static_cast<long long>(count),
                  bits);
    out << line;
  };
  for (const LayerOperations& ops : stats) {
    for (size_t i = 0; i < ops.weights.size(); ++i)
      profile(ops.layer + "_weights" + (ops.weights.size() > 1 ? "_" + std::to_string(i) : ""), ops.weights[i],
              ops.weight_bits[i]);
    profile(ops.layer + "_bias", ops.biases, ops.bias_bits);
  }
  out << "\nWeight sparsity:\n";
  int64_t zeros = 0, count = 0;
  for (const LayerOperations& ops : stats) {
    const Layer& layer = *model.layer(ops.layer);
    int64_t layer_zeros = 0, layer_count = 0;
    for (const LayerWeight& w : layer.weights()) {
      torch::NoGradGuard no_grad;
      torch::Tensor q = w.quantized();
      layer_zeros += (q == 0).sum().item<int64_t>();
      layer_count += q.numel();
    }
    zeros += layer_zeros;
    count += layer_count;
    std::snprintf(line, sizeof line, "    %-30s : %.4f\n", ops.layer.c_str(),
                  layer_count ? static_cast<double>(layer_zeros) / static_cast<double>(layer_count) : 0.0);
    out << line;
  }
  std::snprintf(line, sizeof line, "    %s\n    %-30s : %.4f\n", std::string(40, '-').c_str(), "Total Sparsity",
                count ? static_cast<double>(zeros) / static_cast<double>(count) : 0.0);
  out << line;
  return out.str();
}

}  // namespace qtrain
