// `qtrain energy model.json`: QTools' energy estimate of a model spec — per
// layer the number formats of inputs, weights, products, sums and outputs,
// and the energy in pJ of reading inputs and parameters, of the operations
// and of writing outputs — with the model total and its size in bits
// (ForgivingFactorBits).  `--reference fp32` prices the un-quantized model.
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "energy/energy.h"
#include "energy/model_bits.h"
#include "qtrain/commands.h"
#include "qtrain/model.h"

namespace qtrain::cli {
namespace {

struct Options {
  std::string model;
  bool json = false;
  std::string reference, reference_accumulator = "fp32";
  std::string source = energy::kDefaultQuantizer, keras_quantizer, keras_accumulator;
  std::string parameters_on = "dram", activations_on = "dram";
  double min_sram_size = 0;
  bool rd_wr_on_io = true;
};

energy::EnergyOptions energy_options(const Options& o) {
  energy::EnergyOptions e;
  e.placement.parameters = energy::parse_memory(o.parameters_on);
  e.placement.activations = energy::parse_memory(o.activations_on);
  e.placement.min_sram_size = o.min_sram_size;
  e.placement.rd_wr_on_io = o.rd_wr_on_io;
  e.types.source_quantizer = o.source;
  e.types.keras_quantizer = o.keras_quantizer;
  e.types.keras_accumulator = o.keras_accumulator;
  if (!o.reference.empty()) e = energy::reference_options(e, o.reference, o.reference_accumulator);
  return e;
}

// The product column: the gate and its result type ("mux fixed<8,1>").
std::string product(const energy::LayerDataTypes& t) {
  std::string text;
  for (const energy::MacStage& s : t.macs)
    text += (text.empty() ? "" : " ") + std::string(energy::to_string(s.multiplier.gate)) + " " +
            s.multiplier.output.to_string();
  if (t.multiplier) text = std::string(energy::to_string(t.multiplier->gate)) + " " + t.multiplier->output.to_string();
  return text.empty() ? "-" : text;
}

std::string sum(const energy::LayerDataTypes& t) {
  if (!t.macs.empty()) return t.macs.back().accumulator.to_string();
  return t.accumulator ? t.accumulator->to_string() : "-";
}

void print_table(const std::vector<energy::LayerDataTypes>& map, const energy::EnergyReport& report,
                 const energy::ModelBits& bits) {
  char line[512];
  std::snprintf(line, sizeof line, "%-30s %-12s %-12s %-20s %-14s %-12s %10s %11s %11s %11s %11s\n",
                "Layer (type)", "input", "weight", "product", "sum", "output", "ops", "inputs pJ", "params pJ",
                "ops pJ", "outputs pJ");
  std::cout << line << std::string(170, '=') << "\n";
  for (size_t i = 0; i < map.size(); ++i) {
    const energy::LayerDataTypes& t = map[i];
    const energy::LayerEnergy& e = report.layers[i];
    std::string weight = t.parameters.empty() ? "-" : t.parameters.front().type.to_string();
    std::snprintf(line, sizeof line, "%-30s %-12s %-12s %-20s %-14s %-12s %10lld %11.2f %11.2f %11.2f %11.2f\n",
                  (t.name + " (" + t.type + ")").c_str(), t.inputs.front().to_string().c_str(), weight.c_str(),
                  product(t).c_str(), sum(t).c_str(), t.output.to_string().c_str(),
                  static_cast<long long>(t.operation_count), e.inputs, e.parameters, e.op_cost, e.outputs);
    std::cout << line;
  }
  std::cout << std::string(170, '=') << "\n";
  std::cout << "Total energy: " << report.total << " pJ (QTools' counted components; all components: "
            << report.total_cost << " pJ)\n";
  std::cout << "Model size: " << bits.total << " bits = " << bits.parameters << " parameters + " << bits.activations
            << " activations (ForgivingFactorBits)\n";
}

}  // namespace

Command add_energy_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "energy", "QTools energy estimate of a model spec: per-layer data types and pJ, total, size in bits");
  cmd->add_option("model", o->model, "Model spec (JSON)")->required();
  cmd->add_flag("--json", o->json, "Machine-readable output (data type map, energy per layer, totals)");
  cmd->add_option("--reference", o->reference,
                  "Price the un-quantized reference with weights and inputs of this type: fp32, fp16 or int8")
      ->check(CLI::IsMember({"fp32", "fp16", "int8"}));
  cmd->add_option("--reference-accumulator", o->reference_accumulator,
                  "Products and sums of the reference: int16, int32, fp16 or fp32 (default fp32)")
      ->check(CLI::IsMember({"int16", "int32", "fp16", "fp32"}));
  cmd->add_option("--source", o->source,
                  "Number format of the model input: int8, fp32, ... or a quantizer (default quantized_bits(8, 0, 1))");
  cmd->add_option("--keras-quantizer", o->keras_quantizer,
                  "Weights of layers without quantizers (default quantized_bits(8, 0, 1))");
  cmd->add_option("--keras-accumulator", o->keras_accumulator,
                  "Products, sums and outputs of layers without quantizers (default quantized_bits(8, 0, 1))");
  cmd->add_option("--parameters-on", o->parameters_on, "Where parameters live: dram, sram or fixed (default dram)")
      ->check(CLI::IsMember({"dram", "sram", "fixed"}));
  cmd->add_option("--activations-on", o->activations_on, "Where activations live: dram, sram or fixed (default dram)")
      ->check(CLI::IsMember({"dram", "sram", "fixed"}));
  cmd->add_option("--min-sram-size", o->min_sram_size, "Smallest SRAM in bits that accesses are priced at (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--rd-wr-on-io", o->rd_wr_on_io,
                  "Model inputs and outputs go through DRAM (true, default) or stay in SRAM (false)");
  return [o] {
    energy::EnergyOptions options = energy_options(*o);
    Model model(ModelSpec::load(o->model));
    std::vector<energy::LayerDataTypes> map = energy::data_type_map(model, options.types);
    energy::EnergyReport report = energy::energy_estimate(map, options);
    energy::ModelBits bits = energy::model_bits(model);
    if (!o->json) {
      print_table(map, report, bits);
      return 0;
    }
    nlohmann::json out = energy::to_json(report);
    for (size_t i = 0; i < map.size(); ++i) out["layers"][i]["data_types"] = energy::to_json(map[i]);
    out["reference"] = options.types.for_reference;
    out["bits"] = energy::to_json(bits);
    std::cout << out.dump(2) << "\n";
    return 0;
  };
}

const CommandRegistration registration("energy", add_energy_command);

}  // namespace qtrain::cli
