// The QTools energy model and ForgivingFactorBits.  Reference values: the
// worked example and data type vectors of qkeras.md §5.4 (QTools'
// qtools_model_test.py) and the bit-size vector of §6.2
// (test_forgiving_factor.py), each checked by hand from §5.1-§5.3.
#include "tests/test_common.h"

#include <nlohmann/json.hpp>

#include "autoq/forgiving_factor.h"
#include "energy/energy.h"
#include "energy/layer_map.h"
#include "energy/model_bits.h"
#include "tests/autoq_helpers.h"

using energy::DataType;
using energy::Gate;
using energy::LayerDataTypes;
using energy::Mode;
using nlohmann::json;
using qtrain::Model;
using qtrain::ModelSpec;

namespace {

Model build(const std::string& layers, const std::string& input_shape) {
  return Model(ModelSpec::from_json(
      json::parse(R"j({"name": "t", "input_shape": )j" + input_shape + R"j(, "layers": )j" + layers + "}"), "t.json"));
}

const LayerDataTypes& find(const std::vector<LayerDataTypes>& map, const std::string& name) {
  for (const LayerDataTypes& t : map)
    if (t.name == name) return t;
  FAIL("no layer " << name);
  throw std::logic_error("unreachable");
}

const energy::LayerEnergy& find(const energy::EnergyReport& report, const std::string& name) {
  for (const energy::LayerEnergy& e : report.layers)
    if (e.name == name) return e;
  FAIL("no layer " << name);
  throw std::logic_error("unreachable");
}

// QTools' JSON int_bits count the sign bit.
int json_int_bits(const DataType& t) { return t.int_bits + (t.is_signed ? 1 : 0); }

// §5.4: QTools' test_qenergy model.  The QAdaptiveActivation("quantized_relu",
// 4) of the original is a QActivation of the same width here: QTools prices
// both by their 4-bit outputs only.
Model worked_example() {
  return build(R"j([
    {"name": "d0", "type": "QDense", "units": 300, "kernel_quantizer": "binary", "bias_quantizer": "binary"},
    {"name": "act0", "type": "QActivation", "activation": "quantized_relu(4,0)"},
    {"name": "d1", "type": "QDense", "units": 100, "kernel_quantizer": "quantized_bits(4,0,1)",
     "bias_quantizer": "quantized_bits(4,0,1)"},
    {"name": "act1", "type": "QActivation", "activation": "quantized_relu(4,0)"},
    {"name": "d2", "type": "QDense", "units": 10, "kernel_quantizer": "quantized_bits(4,0,1)",
     "bias_quantizer": "quantized_bits(4,0,1)"},
    {"name": "softmax", "type": "Activation", "activation": "softmax"}])j",
               "[784]");
}

energy::EnergyOptions worked_example_options() {
  energy::EnergyOptions options;
  options.placement.parameters = energy::Memory::Sram;
  options.placement.activations = energy::Memory::Sram;
  options.placement.min_sram_size = 8.0 * 16 * 1024 * 1024;  // L = 27
  options.placement.rd_wr_on_io = false;
  options.types.source_quantizer = "int8";
  options.types.keras_quantizer = "int8";
  options.types.keras_accumulator = "int32";
  return options;
}

struct Components {
  const char* layer;
  double inputs, outputs, parameters, op_cost;
};

void check_components(const energy::EnergyReport& report, const Components& expected) {
  INFO(expected.layer);
  const energy::LayerEnergy& e = find(report, expected.layer);
  CHECK(e.inputs == Approx(expected.inputs).margin(0.1));
  CHECK(e.outputs == Approx(expected.outputs).margin(0.1));
  CHECK(e.parameters == Approx(expected.parameters).margin(0.1));
  CHECK(e.op_cost == Approx(expected.op_cost).margin(0.1));
}

}  // namespace

TEST_CASE("Energy table: Horowitz 45 nm as QTools fits it", "[energy]") {
  DataType fixed = energy::named_type("int8"), fp32 = energy::named_type("fp32"), fp16 = energy::named_type("fp16");
  CHECK(energy::operation_energy(Gate::Mul, 8, fixed) == Approx(0.2));
  CHECK(energy::operation_energy(Gate::Mul, 16, fixed) == Approx(0.78333).epsilon(1e-4));
  CHECK(energy::operation_energy(Gate::Mul, 32, fixed) == Approx(3.1));
  CHECK(energy::operation_energy(Gate::Add, 32, fixed) == Approx(0.1));
  CHECK(energy::operation_energy(Gate::Mux, 8, fixed) == Approx(0.025));
  CHECK(energy::operation_energy(Gate::Add, 32, fp32) == Approx(0.9));
  CHECK(energy::operation_energy(Gate::Mul, 32, fp32) == Approx(3.7));
  CHECK(energy::operation_energy(Gate::Add, 16, fp16) == Approx(0.4));
  CHECK(energy::operation_energy(Gate::Mul, 16, fp16) == Approx(1.1));
  // sram(27) = 3.803789819 per 64-bit word; 6272 bits = 98 words.
  CHECK(energy::sram_energy(6272, 8.0 * 16 * 1024 * 1024) == Approx(98 * 3.803789819));
  CHECK(energy::sram_energy(0, 0) == 0.0);
  CHECK(energy::dram_energy(100) == Approx(2031.25));
}

TEST_CASE("Worked example (qkeras.md 5.4): trial 41070 pJ with QTools' per-layer components", "[energy]") {
  Model model = worked_example();
  energy::EnergyReport report = energy::energy_estimate(model, worked_example_options());
  check_components(report, {"d0", 372.77, 342.34, 13997.95, 15729.0});
  check_components(report, {"d1", 72.27, 110.31, 7158.73, 3250.0});
  check_components(report, {"d2", 26.63, 11.41, 243.44, 102.08});
  // Activations count their outputs: 300 x 4, 100 x 4 bits, and softmax's
  // 10 x 32 (keras_accumulator int32), in 64-bit words of 3.8038 pJ.
  CHECK(find(report, "act0").outputs == Approx(19 * 3.803789819).margin(0.01));
  CHECK(find(report, "act1").outputs == Approx(7 * 3.803789819).margin(0.01));
  CHECK(find(report, "softmax").outputs == Approx(5 * 3.803789819).margin(0.01));
  CHECK(report.total == 41070);
}

TEST_CASE("Worked example (qkeras.md 5.4): reference 226629 pJ with int8 weights and int32 sums", "[energy]") {
  Model model = worked_example();
  energy::EnergyOptions options = energy::reference_options(worked_example_options(), "int8", "int32");
  energy::EnergyReport report = energy::energy_estimate(model, options);
  check_components(report, {"d0", 372.77, 570.57, 111975.96, 70560.0});
  check_components(report, {"d1", 570.57, 190.19, 14313.66, 26500.0});
  check_components(report, {"d2", 190.19, 19.02, 483.08, 883.33});
  CHECK(report.total == 226629);
}

TEST_CASE("ForgivingFactorPower with the worked example's options prices 226629 pJ against 41070", "[energy][autoq]") {
  // qkeras.md 6.3: [0] prices the reference, [1] the trial; these are
  // QTools' test_qenergy options of 5.4.
  autoq::AutoqConfig config = autoq_test::config_from(json::parse(R"j({"run": "run.json", "goal": {"type": "energy",
    "params": {"parameters_on_memory": ["sram", "sram"], "activations_on_memory": ["sram", "sram"],
               "min_sram_size": [134217728, 134217728], "rd_wr_on_io": [false, false], "process": "horowitz",
               "source_quantizers": ["int8"], "reference_internal": "int8", "reference_accumulator": "int32",
               "trained_model": false}}})j"));
  Model model = worked_example();
  autoq::ForgivingFactor factor(config.goal, model);
  CHECK(factor.reference() == 226629);
  CHECK(factor.cost(model) == 41070);
  // The pairs are read in order: DRAM activations for the trial only.  The
  // hidden outputs, 300 x 4 and 100 x 4 bits, are priced twice (written by
  // act0/act1, read by d1/d2) at 20.3125 pJ per bit instead of 19 and 7
  // SRAM words: 41070 + 2 (24375 - 72.27) + 2 (8125 - 26.63) = 105872.
  config.goal.placement[1].activations = energy::Memory::Dram;
  autoq::ForgivingFactor dram_trial(config.goal, model);
  CHECK(dram_trial.reference() == 226629);
  CHECK(dram_trial.cost(model) == 105872);
  // source_quantizers is the trial's input format only: the reference reads
  // its input as reference_internal.
  config.goal.placement[1].activations = energy::Memory::Sram;
  config.goal.source_quantizer = "fp32";
  autoq::ForgivingFactor fp32_input(config.goal, model);
  CHECK(fp32_input.reference() == 226629);
  CHECK(fp32_input.cost(model) > 41070);
  // ForgivingFactorPower's defaults differ from QTools': parameters fixed
  // (activations in DRAM, inputs and outputs through DRAM as in QTools), and
  // the softmax without a quantizer in the fp32 reference type.
  autoq::Goal defaults;
  defaults.kind = autoq::Goal::Kind::Energy;
  energy::EnergyOptions fixed_parameters;
  fixed_parameters.placement.parameters = energy::Memory::Fixed;
  fixed_parameters.types.keras_quantizer = fixed_parameters.types.keras_accumulator = "fp32";
  CHECK(autoq::ForgivingFactor(defaults, model).cost(model) == energy::energy_estimate(model, fixed_parameters).total);
}

TEST_CASE("Worked example data types: mux of binary kernels, 19-bit sums after the bias", "[energy]") {
  Model model = worked_example();
  std::vector<LayerDataTypes> map = energy::data_type_map(model, worked_example_options().types);
  const LayerDataTypes& d0 = find(map, "d0");
  REQUIRE(d0.macs.size() == 1);
  // binary x int8: a mux selecting +-x, 0.3 of an 8-bit adder.
  CHECK(d0.macs[0].multiplier.gate == Gate::Mux);
  CHECK(d0.macs[0].multiplier.gate_factor == Approx(0.3));
  CHECK(d0.macs[0].multiplier.gate_bits == 8);
  CHECK(d0.macs[0].multiplier.output.bits == 8);
  // 8 + ceil(log2 784) = 18 bits, 10 integer; + the binary bias: 19 bits.
  CHECK(d0.macs[0].accumulator.bits == 19);
  CHECK(d0.macs[0].accumulator.int_bits == 11);
  CHECK(d0.output.bits == 19);
  CHECK(d0.operation_count == 235200);
  // qb(4,0,1) x quantized_relu(4,0): an 8-bit product of 4-bit operands,
  // 8 + ceil(log2 300) + 1 = 18-bit sums.
  const LayerDataTypes& d1 = find(map, "d1");
  CHECK(d1.inputs[0].bits == 4);
  CHECK(d1.macs[0].multiplier.gate == Gate::Mul);
  CHECK(d1.macs[0].multiplier.output.bits == 8);
  CHECK(d1.macs[0].multiplier.gate_bits == Approx(4));
  CHECK(d1.macs[0].accumulator.bits == 18);
  CHECK(find(map, "softmax").output.bits == 32);
}

TEST_CASE("Shifter: a po2 kernel on fixed-point inputs (qkeras.md 5.4 vector)", "[energy]") {
  // qb(6,0,1) inputs x quantized_relu_po2(4,2) kernel: exponents -8..1 ->
  // 6 + 8 + 1 = 15 bits, integer 0 + 1 (2 with the sign); 2x2x1 window and
  // a qb(4,0,1) bias: 18 bits, integer 5 with the sign; 7744 products.
  Model model = build(R"j([{"name": "c", "type": "QConv2D", "filters": 4, "kernel_size": 2,
    "kernel_quantizer": "quantized_relu_po2(4,2)", "bias_quantizer": "quantized_bits(4,0,1)"}])j",
                      "[23, 23, 1]");
  energy::DataTypeOptions options;
  options.source_quantizer = "quantized_bits(6,0,1)";
  const LayerDataTypes c = energy::data_type_map(model, options).front();
  const energy::Operation& m = c.macs[0].multiplier;
  CHECK(m.gate == Gate::Shifter);
  CHECK(m.output.bits == 15);
  CHECK(json_int_bits(m.output) == 2);
  CHECK(c.macs[0].accumulator.bits == 18);
  CHECK(json_int_bits(c.macs[0].accumulator) == 5);
  CHECK(c.operation_count == 7744);
  // A programmable shifter over 2^4 positions of 6 bits: b = sqrt(96), b log10 b.
  double b = std::sqrt(96.0);
  CHECK(m.gate_bits == Approx(b * std::log10(b)));
}

TEST_CASE("Mux, xor and and gates: binary, ternary and binary01 operands", "[energy]") {
  SECTION("binary inputs x quantized_relu(4) kernel: 5-bit mux, 11-bit sums") {
    Model model = build(R"j([{"name": "d", "type": "QDense", "units": 3,
      "kernel_quantizer": "quantized_relu(4,0)", "bias_quantizer": "quantized_bits(4,0,1)"}])j",
                        "[32]");
    energy::DataTypeOptions options;
    options.source_quantizer = "binary";
    const LayerDataTypes d = energy::data_type_map(model, options).front();
    CHECK(d.macs[0].multiplier.gate == Gate::Mux);
    CHECK(d.macs[0].multiplier.output.bits == 5);
    CHECK(json_int_bits(d.macs[0].multiplier.output) == 1);
    CHECK(d.macs[0].multiplier.gate_factor == Approx(0.3));
    CHECK(d.macs[0].accumulator.bits == 11);
    CHECK(json_int_bits(d.macs[0].accumulator) == 7);
  }
  SECTION("ternary kernel on int8: a mux at twice the binary cost") {
    Model model = build(R"j([{"name": "d", "type": "QDense", "units": 3, "kernel_quantizer": "ternary"}])j", "[16]");
    const LayerDataTypes d = energy::data_type_map(model).front();
    CHECK(d.macs[0].multiplier.gate == Gate::Mux);
    CHECK(d.macs[0].multiplier.gate_factor == Approx(0.6));
    CHECK(d.macs[0].multiplier.output.bits == 8);
  }
  SECTION("binary kernel on binary inputs: xor") {
    Model model = build(R"j([{"name": "d", "type": "QDense", "units": 3, "kernel_quantizer": "binary",
      "use_bias": false}])j",
                        "[16]");
    energy::DataTypeOptions options;
    options.source_quantizer = "binary";
    const LayerDataTypes d = energy::data_type_map(model, options).front();
    CHECK(d.macs[0].multiplier.gate == Gate::Xor);
    CHECK(d.macs[0].multiplier.gate_bits == 1);
    CHECK(d.macs[0].multiplier.output.bits == 1);
    CHECK(d.macs[0].accumulator.bits == 1 + 4);
  }
  SECTION("binary01 inputs x qb(6,0,1), dense 144 -> 30: and gate, 15-bit sums, po2 output") {
    Model model = build(R"j([{"name": "d", "type": "QDense", "units": 30, "kernel_quantizer": "quantized_bits(6,0,1)",
      "bias_quantizer": "quantized_bits(6,0,1)", "activation": "quantized_po2(3,2)"}])j",
                        "[144]");
    energy::DataTypeOptions options;
    options.source_quantizer = "binary(use_01=True)";
    const LayerDataTypes d = energy::data_type_map(model, options).front();
    CHECK(d.macs[0].multiplier.gate == Gate::And);
    CHECK(d.macs[0].multiplier.output.bits == 6);
    CHECK(json_int_bits(d.macs[0].multiplier.output) == 1);
    CHECK(d.macs[0].accumulator.bits == 15);
    CHECK(json_int_bits(d.macs[0].accumulator) == 10);
    CHECK(d.output.mode == Mode::Po2);
    CHECK(d.output.bits == 3);
    CHECK(d.output.po2_max_value == 2);
  }
  SECTION("po2 x po2: the exponents are added") {
    Model model = build(R"j([{"name": "d", "type": "QDense", "units": 3, "kernel_quantizer": "quantized_po2(4)",
      "use_bias": false}])j",
                        "[16]");
    energy::DataTypeOptions options;
    options.source_quantizer = "quantized_po2(5)";
    const LayerDataTypes d = energy::data_type_map(model, options).front();
    CHECK(d.macs[0].multiplier.gate == Gate::Add);
    CHECK(d.macs[0].multiplier.output.bits == 6);
    // The po2 product 2^(-16..15) as fixed point: 1 + 16 + 15 bits, + log2 16.
    CHECK(d.macs[0].accumulator.bits == 32 + 4);
  }
}

TEST_CASE("A Keras class given quantizers is priced like its Q class; without, at the defaults", "[energy]") {
  Model quantized = build(R"j([{"name": "d", "type": "Dense", "units": 3, "kernel_quantizer": "binary",
    "use_bias": false}])j",
                          "[16]");
  CHECK(energy::data_type_map(quantized).front().macs[0].multiplier.gate == Gate::Mux);
  // A float Dense: int8 weights (QTools' default) on int8 inputs, and its
  // products and sums in keras_accumulator.
  Model plain = build(R"j([{"name": "d", "type": "Dense", "units": 3}])j", "[16]");
  energy::DataTypeOptions options;
  options.keras_accumulator = "int32";
  const LayerDataTypes d = energy::data_type_map(plain, options).front();
  CHECK(d.macs[0].multiplier.gate == Gate::Mul);
  CHECK(d.macs[0].multiplier.gate_bits == Approx(8));
  CHECK(d.parameters[0].type.bits == 8);
  CHECK(d.output.bits == 32);
}

TEST_CASE("Merge and pooling types (qkeras.md 5.4 vectors)", "[energy]") {
  SECTION("Add of qb(4,0,1), qb(5,0,0), qb(6,0,1): 7 bits, integer 2 with the sign") {
    Model model = build(R"j([
      {"name": "a", "type": "QActivation", "activation": "quantized_bits(4,0,1)", "inputs": "input"},
      {"name": "b", "type": "QActivation", "activation": "quantized_bits(5,0,0)", "inputs": "input"},
      {"name": "c", "type": "QActivation", "activation": "quantized_bits(6,0,1)", "inputs": "input"},
      {"name": "add", "type": "Add", "inputs": ["a", "b", "c"]}])j",
                        "[8]");
    const LayerDataTypes add = find(energy::data_type_map(model), "add");
    CHECK(add.output.bits == 7);
    CHECK(json_int_bits(add.output) == 2);
    // Two additions per element of 7-bit adders.
    energy::EnergyReport report = energy::energy_estimate(model);
    CHECK(find(report, "add").op_cost == Approx(2 * 8 * 0.003125 * 7).margin(0.01));
  }
  SECTION("AveragePooling2D 2x2 on int8 then GlobalAveragePooling2D 8x8") {
    Model model = build(R"j([{"name": "avg", "type": "AveragePooling2D", "pool_size": 2},
      {"name": "gavg", "type": "GlobalAveragePooling2D"}])j",
                        "[16, 16, 3]");
    std::vector<LayerDataTypes> map = energy::data_type_map(model);
    CHECK(find(map, "avg").accumulator->bits == 10);
    CHECK(json_int_bits(*find(map, "avg").accumulator) == 3);
    CHECK(find(map, "gavg").output.bits == 16);
    CHECK(json_int_bits(find(map, "gavg").output) == 9);
    CHECK(find(map, "gavg").operation_count == 3 * 64);
  }
  SECTION("QAveragePooling2D with a binary 1/area: mux; QGlobalAveragePooling2D with qb(4,0,1): mul") {
    Model model = build(R"j([{"name": "qavg", "type": "QAveragePooling2D", "pool_size": 2,
      "average_quantizer": "binary"}])j",
                        "[16, 16, 3]");
    const LayerDataTypes qavg = energy::data_type_map(model).front();
    CHECK(qavg.accumulator->bits == 10);
    CHECK(json_int_bits(*qavg.accumulator) == 3);
    CHECK(qavg.multiplier->gate == Gate::Mux);
    CHECK(qavg.multiplier->output.bits == 10);
    CHECK(json_int_bits(qavg.multiplier->output) == 3);

    Model global = build(R"j([{"name": "qg", "type": "QGlobalAveragePooling2D",
      "average_quantizer": "quantized_bits(4,0,1)"}])j",
                         "[8, 8, 3]");
    energy::DataTypeOptions options;
    options.source_quantizer = "quantized_bits(4,0,1)";
    const LayerDataTypes qg = energy::data_type_map(global, options).front();
    CHECK(qg.accumulator->bits == 10);
    CHECK(json_int_bits(*qg.accumulator) == 7);
    CHECK(qg.multiplier->gate == Gate::Mul);
    CHECK(qg.multiplier->output.bits == 13);
    CHECK(json_int_bits(qg.multiplier->output) == 7);
  }
}

TEST_CASE("Dropout is transparent: its consumer reads the model input, its producer writes the output", "[energy]") {
  Model model = build(R"j([{"name": "drop", "type": "Dropout", "rate": 0.5},
    {"name": "d", "type": "QDense", "units": 2, "kernel_quantizer": "quantized_bits(4,0,1)"},
    {"name": "drop2", "type": "Dropout", "rate": 0.5}])j",
                      "[4]");
  std::vector<LayerDataTypes> map = energy::data_type_map(model);
  REQUIRE(map.size() == 1);
  CHECK(map[0].reads_model_input);
  CHECK(map[0].writes_model_output);
}

TEST_CASE("Options: parameters on fixed memory cost nothing; dram adds 20.3125 pJ/bit", "[energy]") {
  Model model = build(R"j([{"name": "d", "type": "QDense", "units": 2, "kernel_quantizer": "quantized_bits(4,0,1)",
    "bias_quantizer": "quantized_bits(4,0,1)"}])j",
                      "[4]");
  energy::EnergyOptions options;
  options.placement.parameters = energy::Memory::Fixed;
  CHECK(find(energy::energy_estimate(model, options), "d").parameters == 0.0);
  options.placement.parameters = energy::Memory::Dram;
  options.placement.rd_wr_on_io = false;
  // 8 kernel + 2 bias elements at 4 bits: 32 + 8 bits from DRAM.
  CHECK(find(energy::energy_estimate(model, options), "d").parameters == Approx(20.3125 * 40).margin(0.01));
}

TEST_CASE("Bad energy options are errors naming the value", "[energy]") {
  CHECK_THROWS_WITH(energy::named_type("int9"), Catch::Contains("int9"));
  CHECK_THROWS_WITH(energy::named_type("softmax"), Catch::Contains("softmax"));
  CHECK_THROWS_WITH(energy::parse_memory("disk"), Catch::Contains("disk"));
  CHECK_THROWS_WITH(energy::reference_options({}, "fp64", "fp32"), Catch::Contains("fp64"));
  CHECK_THROWS_WITH(energy::reference_options({}, "fp32", "int8"), Catch::Contains("int8"));
  Model model = worked_example();
  energy::EnergyOptions options;
  options.process = "tsmc7";
  CHECK_THROWS_WITH(energy::energy_estimate(model, options), Catch::Contains("tsmc7"));
  options.process = "horowitz";
  options.types.source_quantizer = "quantized_bitz(4)";
  CHECK_THROWS_WITH(energy::energy_estimate(model, options), Catch::Contains("quantized_bitz"));
  energy::BitsOptions bits;
  bits.config = {{"default", {"weights"}}};
  CHECK_THROWS_WITH(energy::model_bits(model, bits), Catch::Contains("weights"));
}

namespace {

// §6.2: test_forgiving_factor.py's model and config.
std::string forgiving_factor_layers(const std::string& c1) {
  return R"j([)j" + c1 + R"j(,
    {"name": "b1", "type": "BatchNormalization"},
    {"name": "a1", "type": "Activation", "activation": "relu"},
    {"name": "mp1", "type": "MaxPooling2D", "pool_size": 2},
    {"name": "c2", "type": "QConv2D", "filters": 32, "kernel_size": 3, "padding": "same",
     "kernel_quantizer": "binary", "bias_quantizer": "binary"},
    {"name": "b2", "type": "QBatchNormalization"},
    {"name": "a2", "type": "QActivation", "activation": "binary"},
    {"name": "mp2", "type": "MaxPooling2D", "pool_size": 2},
    {"name": "c3", "type": "QConv2D", "filters": 32, "kernel_size": 3, "padding": "same",
     "kernel_quantizer": "ternary", "bias_quantizer": "ternary", "activation": "binary"},
    {"name": "flatten", "type": "Flatten"},
    {"name": "dense", "type": "Dense", "units": 1, "activation": "softmax"}])j";
}

energy::BitsOptions forgiving_factor_config() {
  energy::BitsOptions options;
  const std::vector<std::string> both{"parameters", "activations"};
  options.config = {{"QDense", both},
                    {"Dense", both},
                    {"QConv2D", both},
                    {"Conv2D", both},
                    {"DepthwiseConv2D", both},
                    {"QDepthwiseConv2D", both},
                    {"Activation", {"activations"}},
                    {"QActivation", {"activations"}},
                    {"QBatchNormalization", {"parameters"}},
                    {"BatchNormalization", {"parameters"}},
                    {"default", {"activations"}}};
  return options;
}

}  // namespace

TEST_CASE("ForgivingFactorBits (qkeras.md 6.2): 258544 = 43720 parameters + 214824 activations", "[energy]") {
  Model model = build(forgiving_factor_layers(
                          R"j({"name": "c1", "type": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same"})j"),
                      "[28, 28, 1]");
  energy::ModelBits bits = energy::model_bits(model, forgiving_factor_config());
  CHECK(bits.total == 258544);
  CHECK(bits.parameters == 43720);
  CHECK(bits.activations == 214824);
  // Per layer: the 8-bit input, relu at ref_bits, the binary and softmax outputs.
  auto layer = [&](const std::string& name) {
    for (const energy::LayerBits& b : bits.layers)
      if (b.name == name) return b;
    FAIL("no layer " << name);
    return energy::LayerBits{};
  };
  CHECK(layer("input").activations == 8 * 784);
  CHECK(layer("a1").activations == 8 * 28 * 28 * 32);
  CHECK(layer("b2").parameters == 6 * 32 + 5 * 32);
  CHECK(layer("c3").activations == 7 * 7 * 32);
  CHECK(layer("dense").activations == 8);

  // model_quantize({"c1": binary kernel, quantized_bits(4) bias}): 288 x 1 + 32 x 4.
  Model quantized = build(forgiving_factor_layers(
                              R"j({"name": "c1", "type": "QConv2D", "filters": 32, "kernel_size": 3, "padding": "same",
                                  "kernel_quantizer": "binary", "bias_quantizer": "quantized_bits(4)"})j"),
                          "[28, 28, 1]");
  energy::ModelBits q = energy::model_bits(quantized, forgiving_factor_config());
  CHECK(q.parameters == 43720 - 2560 + 416);
  CHECK(q.activations == 214824);
}
