// The QTools energy model (qkeras/qtools/qenergy): per layer, the energy in
// pJ of reading its inputs and parameters, of its operations and of writing
// its outputs, from the 45 nm table of Horowitz (ISSCC 2014); and the model
// total as AutoQKeras' ForgivingFactorPower sums it.
// Semantics: ../shared/spec/qkeras.md §5.1-§5.2, §6.3.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "energy/layer_map.h"
#include "energy/memory.h"
#include "qtrain/model.h"

namespace energy {

// QTools' options; the defaults are QTools'.
struct EnergyOptions {
  std::string process = "horowitz";  // the energy table
  Placement placement;
  DataTypeOptions types;
};

// ForgivingFactorPower's reference: the un-quantized model priced with
// `internal` (fp32, fp16, int8) weights and inputs and `accumulator` (int16,
// int32, fp16, fp32) products and sums.  (Its trial prices the quantized
// model with types.keras_quantizer = internal and types.keras_accumulator =
// accumulator for the layers without quantizers.)  Throws std::invalid_argument.
EnergyOptions reference_options(EnergyOptions base, const std::string& internal, const std::string& accumulator);

// pJ; each component rounded to 0.01 as QTools reports it.
struct LayerEnergy {
  std::string name, type;
  double inputs = 0, outputs = 0, parameters = 0, op_cost = 0;
  // The components QTools' include_energy counts for this layer class
  // (activations: outputs; batch norm: parameters; Add and MaxPooling2D:
  // op_cost; every other layer: inputs + parameters + op_cost).
  double counted() const;
};

struct EnergyReport {
  std::vector<LayerEnergy> layers;
  int64_t total = 0;       // ForgivingFactorPower's cost: int(sum of counted components)
  int64_t total_cost = 0;  // QTools' total_cost: int(sum of all four components of every layer)
};

// Prices a data type map.  Throws std::invalid_argument for an unknown process.
EnergyReport energy_estimate(const std::vector<LayerDataTypes>& map, const EnergyOptions& options = {});
// Builds the map of `model` with options.types and prices it.
EnergyReport energy_estimate(qtrain::Model& model, const EnergyOptions& options = {});

// The energy of one operation of `gate` at `bits` wide with a result of type
// `result` (fixed-point units, or fp16/fp32 ones for float results), pJ.
double operation_energy(Gate gate, double bits, const DataType& result);
// Reading or writing `bits` bits of SRAM / DRAM, pJ (QTools' per-access
// model: 64-bit SRAM words priced by the size of the memory).
double sram_energy(double total_bits, double min_sram_size);
double dram_energy(double total_bits);

nlohmann::json to_json(const EnergyReport& report);

}  // namespace energy
