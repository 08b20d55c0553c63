#include "energy/energy.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "energy/layer_info.h"

namespace energy {
namespace {

// Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm, as fitted by
// QTools (settings.py, config_public.py); pJ, every value floored at 0.
double fixed_add(double bits) { return std::max(0.003125 * bits, 0.0); }
double fixed_mul(double bits) { return std::max(0.002994791667 * bits * bits + 0.001041666667 * bits, 0.0); }
// One 64-bit SRAM access; L = log2 of the memory's size in bits.
double sram_access(double l) {
  return std::max(9.02427321e-4 * l * l * l - 2.68847858e-2 * l * l + 2.08900804e-1 * l, 0.0);
}

double round2(double x) { return std::round(x * 100.0) / 100.0; }

// Moving `total_bits` between memory and the logic.  `io`: the tensor is a
// model input or output, which QTools takes from (puts in) DRAM through SRAM
// when rd_wr_on_io, else from SRAM.
double memory_energy(double total_bits, Memory memory, bool io, const Placement& placement) {
  if (io) memory = placement.rd_wr_on_io ? Memory::Dram : Memory::Sram;
  switch (memory) {
    case Memory::Dram:
      return dram_energy(total_bits) +
             (placement.rd_wr_on_io ? sram_energy(total_bits, placement.min_sram_size) : 0.0);
    case Memory::Sram: return sram_energy(total_bits, placement.min_sram_size);
    case Memory::Fixed: break;
  }
  return 0.0;
}

double price(const Operation& op) { return op.gate_factor * operation_energy(op.gate, op.gate_bits, op.output); }
double add_energy(const DataType& sum) { return operation_energy(Gate::Add, sum.bits, sum); }

// The operations' energy per QTools' layer classes; 0 for the others.
double op_cost(const LayerDataTypes& t) {
  const std::string& type = t.type;
  const auto count = static_cast<double>(t.operation_count);
  if (type == "BatchNormalization" || type == "QBatchNormalization")
    return count * ((t.divider ? price(*t.divider) : 0.0) + (t.multiplier ? price(*t.multiplier) : 0.0));
  if (type == "Add") return static_cast<double>(t.inputs.size() - 1) * count * price(*t.multiplier);
  if (type == "AveragePooling2D" || type == "GlobalAveragePooling2D") return count * add_energy(*t.accumulator);
  double energy = 0;
  for (const MacStage& s : t.macs)
    energy += static_cast<double>(s.operations) * (price(s.multiplier) + add_energy(s.accumulator));
  return energy;
}

}  // namespace

EnergyOptions reference_options(EnergyOptions base, const std::string& internal, const std::string& accumulator) {
  check_reference_types(internal, accumulator);
  base.types.for_reference = true;
  base.types.source_quantizer = internal;
  base.types.keras_quantizer = internal;
  base.types.keras_accumulator = accumulator;
  return base;
}

double LayerEnergy::counted() const {
  if (type == "Activation" || type == "QActivation") return outputs;
  if (type == "BatchNormalization" || type == "QBatchNormalization") return parameters;
  if (type == "Add" || type == "MaxPooling2D") return op_cost;
  return inputs + parameters + op_cost;
}

double operation_energy(Gate gate, double bits, const DataType& result) {
  if (!result.is_float()) return gate == Gate::Mul ? fixed_mul(bits) : fixed_add(bits);
  // Floating-point units cost the same at any width of their format; QTools
  // has only adders and multipliers for them.
  const bool adder = gate == Gate::Add;
  if (result.bits == 16) return adder ? 0.4 : 1.1;
  if (result.bits == 32) return adder ? 0.9 : 3.7;
  throw std::invalid_argument("no energy for " + std::to_string(result.bits) + "-bit floating point");
}

double sram_energy(double total_bits, double min_sram_size) {
  if (total_bits <= 0) return 0.0;
  return std::ceil(total_bits / 64.0) * sram_access(std::log2(std::max(total_bits, min_sram_size)));
}

double dram_energy(double total_bits) { return std::max(20.3125 * total_bits, 0.0); }

EnergyReport energy_estimate(const std::vector<LayerDataTypes>& map, const EnergyOptions& options) {
  check_process(options.process);
  const Placement& placement = options.placement;
  EnergyReport report;
  double counted = 0, all = 0;
  for (const LayerDataTypes& t : map) {
    LayerEnergy e;
    e.name = t.name;
    e.type = t.type;
    double inputs = 0, parameters = 0;
    for (size_t i = 0; i < t.inputs.size(); ++i)
      inputs += memory_energy(static_cast<double>(element_count(t.input_shapes[i])) * t.inputs[i].bits,
                              placement.activations, t.reads_model_input, placement);
    for (const Parameter& p : t.parameters)
      parameters += memory_energy(static_cast<double>(p.elements) * p.type.bits, placement.parameters, false, placement);
    double outputs = memory_energy(static_cast<double>(element_count(t.output_shape)) * t.output.bits,
                                   placement.activations, t.writes_model_output, placement);
    double ops = op_cost(t);
    all += inputs + parameters + outputs + ops;
    e.inputs = round2(inputs);
    e.parameters = round2(parameters);
    e.outputs = round2(outputs);
    e.op_cost = round2(ops);
    counted += e.counted();
    report.layers.push_back(e);
  }
  report.total = static_cast<int64_t>(counted);
  report.total_cost = static_cast<int64_t>(all);
  return report;
}

EnergyReport energy_estimate(qtrain::Model& model, const EnergyOptions& options) {
  return energy_estimate(data_type_map(model, options.types), options);
}

nlohmann::json to_json(const EnergyReport& report) {
  nlohmann::json j;
  j["layers"] = nlohmann::json::array();
  for (const LayerEnergy& e : report.layers)
    j["layers"].push_back({{"name", e.name},
                           {"class_name", e.type},
                           {"energy",
                            {{"inputs", e.inputs},
                             {"outputs", e.outputs},
                             {"parameters", e.parameters},
                             {"op_cost", e.op_cost}}},
                           {"counted", e.counted()}});
  j["total"] = report.total;
  j["total_cost"] = report.total_cost;
  return j;
}

}  // namespace energy
