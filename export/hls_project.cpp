#include "export/hls_project.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/emulate.h"
#include "qtrain/evaluation_data.h"
#include "qtrain/run_data.h"

namespace hls_export {

namespace fs = std::filesystem;
using qtrain::HlsLayer;
using qtrain::HlsModel;
using quantizers::HardwareType;
using Kind = quantizers::HardwareType::Kind;

namespace {

const std::set<std::string> kActivations = {"linear",       "relu",      "leaky_relu",  "sigmoid",     "tanh",
                                            "hard_sigmoid", "hard_tanh", "binary_tanh", "ternary_tanh"};
const std::set<std::string> kActivationClasses = {"Activation", "LeakyReLU", "HardActivation", "TernaryTanh"};

std::string layer_label(const HlsLayer& h) { return "layer '" + h.name + "' (" + h.layer_class + ")"; }

int64_t element_count(const qtrain::Shape& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// A C identifier from a Keras name (the input variable keeps its name).
std::string identifier(const std::string& name) {
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "v_" + id;
  return id;
}

// `typedef <type> name;` in hls4ml's spelling: ap_uint<1> for xnor, the
// {sign, exponent} struct for power-of-two weights.
std::string typedef_line(const HardwareType& t, const std::string& name) {
  switch (t.kind) {
    case Kind::Xnor: return "typedef ap_uint<1> " + name + ";";
    case Kind::Exponent:
      return "typedef struct " + name + " {\n    ap_uint<1> sign;\n    ap_int<" + std::to_string(t.fixed.width) +
             "> weight;\n} " + name + ";";
    case Kind::Fixed: break;
  }
  return "typedef " + t.fixed.to_string() + " " + name + ";";
}

// nnet::product::<kind> for a data type and a weight type (§1.6 "Product
// selection").
std::string product_kind(const HardwareType& data, const HardwareType& weight) {
  if (weight.kind == Kind::Exponent) return "weight_exponential";
  if (weight.kind == Kind::Xnor) return data.kind == Kind::Xnor ? "both_binary" : "weight_binary";
  if (data.kind == Kind::Xnor) return "data_binary";
  if (weight.fixed.is_signed && weight.fixed.width == 2 && weight.fixed.integer == 2) return "weight_ternary";
  return "mult";
}

// One weight array as the .txt holds it: exact decimals, xnor 0/1, or
// {sign, exponent} pairs.
std::vector<std::string> weight_values(const at::Tensor& values, const HardwareType& type, const std::string& what) {
  at::Tensor flat = values.contiguous().to(torch::kFloat64).flatten();
  const double* v = flat.data_ptr<double>();
  std::vector<std::string> out;
  out.reserve(flat.numel());
  for (int64_t k = 0; k < flat.numel(); ++k) {
    if (type.kind == Kind::Exponent) {
      if (v[k] == 0.0) throw ExportError(what + ": a zero power-of-two weight has no {sign, exponent} form");
      int exponent = 0;
      std::frexp(std::fabs(v[k]), &exponent);
      out.push_back("{" + std::string(v[k] > 0 ? "1" : "0") + ", " + std::to_string(exponent - 1) + "}");
    } else {
      out.push_back(exact_decimal(v[k], type.kind == Kind::Xnor ? 0 : type.fixed.fractional()));
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string s;
  for (size_t k = 0; k < items.size(); ++k) s += (k ? separator : "") + items[k];
  return s;
}

// Collects the generated text of one project.
class ProjectWriter {
 public:
  ProjectWriter(const HlsModel& model, const std::string& name) : model_(model), name_(name) {}

  void generate() {
    const HlsLayer& input = model_.layers.front();
    input_var_ = identifier(input.name);
    var_.assign(model_.layers.size(), "");
    type_.assign(model_.layers.size(), "");
    var_[0] = input_var_;
    type_[0] = "input_t";
    add_typedef(input.type("result"), "input_t");
    if (model_.config.default_precision.type && model_.config.default_precision.type->kind == Kind::Fixed)
      add_typedef(*model_.config.default_precision.type, "model_default_t");
    for (size_t k = 1; k < model_.layers.size(); ++k) layer(k);
  }

  std::map<std::string, std::string> files() const;  // relative path -> text

 private:
  const HlsModel& model_;
  std::string name_, input_var_;
  std::vector<std::string> var_, type_;  // per layer: output variable and its element type
  std::vector<std::string> typedefs_, includes_, weight_includes_, configs_, loads_, body_;
  std::set<std::string> typedef_names_;
  std::map<std::string, std::string> weight_files_;

  void add_typedef(const HardwareType& t, const std::string& name) {
    if (typedef_names_.insert(name).second) typedefs_.push_back(typedef_line(t, name));
  }
  void add_include(const std::string& header) {
    if (std::find(includes_.begin(), includes_.end(), header) == includes_.end()) includes_.push_back(header);
  }

  bool is_output(size_t k) const { return static_cast<int>(k) == model_.outputs.front(); }

  // The layer's non-result types as typedefs `<variable><index>_t`, and the
  // config struct's member typedefs naming them.
  std::string member_typedefs(const HlsLayer& h, int index) {
    std::string members;
    for (const auto& [variable, type] : h.types) {
      if (variable == "result") continue;
      std::string name = variable + std::to_string(index) + "_t";
      add_typedef(type, name);
      members += "    typedef " + name + " " + variable + "_t;\n";
    }
    return members;
  }

  void weight_array(const std::string& var, const at::Tensor& values, const HardwareType& type,
                    const std::string& type_name, const HlsLayer& h) {
    const std::string what = layer_label(h) + " " + var;
    std::vector<std::string> items = weight_values(values, type, what);
    const double min = values.min().item<double>(), max = values.max().item<double>();
    std::ostringstream header;
    header << "//Numpy array shape " << values.sizes() << "\n//Min " << exact_decimal(min, 12) << "\n//Max "
           << exact_decimal(max, 12) << "\n//Number of zeros " << (values == 0).sum().item<int64_t>() << "\n\n";
    std::string guard = var;
    for (auto& c : guard) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::string declaration = type_name + " " + var + "[" + std::to_string(items.size()) + "]";
    header << "#ifndef " << guard << "_H_\n#define " << guard << "_H_\n\n#ifndef __SYNTHESIS__\n"
           << declaration << ";\n#else\n"
           << declaration << " = {" << join(items, ", ") << "};\n#endif\n\n#endif\n";
    weight_files_["firmware/weights/" + var + ".h"] = header.str();
    weight_files_["firmware/weights/" + var + ".txt"] = join(items, ", ") + "\n";
    weight_includes_.push_back("#include \"weights/" + var + ".h\"");
    const char* loader = type.kind == Kind::Exponent ? "load_exponent_weights_from_txt" : "load_weights_from_txt";
    loads_.push_back("        nnet::" + std::string(loader) + "<" + type_name + ", " + std::to_string(items.size()) +
                     ">(" + var + ", \"" + var + ".txt\");");
  }

  // Declares layer k's output array and its type.
  void declare_output(size_t k) {
    const HlsLayer& h = model_.layers[k];
    const std::string index = std::to_string(k + 1);
    var_[k] = "layer" + index + "_out";
    type_[k] = is_output(k) ? "result_t" : "layer" + index + "_t";
    add_typedef(h.type("result"), type_[k]);
    if (!is_output(k)) {
      body_.push_back("    " + type_[k] + " " + var_[k] + "[" + std::to_string(element_count(h.shape)) + "];");
      body_.push_back("    #pragma HLS ARRAY_PARTITION variable=" + var_[k] + " complete dim=0");
    }
  }

  void layer(size_t k) {
    const HlsLayer& h = model_.layers[k];
    const int index = static_cast<int>(k) + 1;
    const std::string i = std::to_string(index);
    const std::string in_var = var_[h.inputs.at(0)], in_type = type_[h.inputs.at(0)];
    const HardwareType& in_hw = model_.layers[h.inputs[0]].type("result");
    const std::string n_in = std::to_string(element_count(model_.layers[h.inputs[0]].shape));
    const std::string common = "    static const unsigned io_type = nnet::io_parallel;\n"
                               "    static const unsigned reuse_factor = " + std::to_string(h.reuse_factor) + ";\n";
    const std::string& c = h.layer_class;
    if (c == "Reshape") {
      // In io_parallel a tensor is a flat array: a reshape renames it.
      var_[k] = "layer" + i + "_out";
      type_[k] = "layer" + i + "_t";
      add_typedef(in_hw, type_[k]);
      body_.push_back("    auto& " + var_[k] + " = " + in_var + ";  // " + h.name);
      return;
    }
    std::string config, call;
    if (c == "Dense") {
      add_include("nnet_utils/nnet_dense.h");
      const int64_t n_zeros = (h.weight == 0).sum().item<int64_t>();
      config = "struct config" + i + " : nnet::dense_config {\n    static const unsigned n_in = " + n_in +
               ";\n    static const unsigned n_out = " + std::to_string(h.weight.size(1)) + ";\n" + common +
               "    static const unsigned strategy = nnet::latency;\n"
               "    static const unsigned n_zeros = " + std::to_string(n_zeros) + ";\n"
               "    static const unsigned n_nonzeros = n_in * n_out - n_zeros;\n"
               "    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;\n"
               "    static const bool store_weights_in_bram = false;\n" + member_typedefs(h, index) +
               "    template <class data_T, class res_T, class CONFIG_T>\n"
               "    using kernel = nnet::DenseLatency<data_T, res_T, CONFIG_T>;\n"
               "    template <class x_T, class y_T>\n"
               "    using product = nnet::product::" + product_kind(in_hw, h.type("weight")) + "<x_T, y_T>;\n};\n";
      weight_array("w" + i, h.weight, h.type("weight"), "weight" + i + "_t", h);
      weight_array("b" + i, h.bias, h.type("bias"), "bias" + i + "_t", h);
      declare_output(k);
      call = "nnet::dense<" + in_type + ", " + type_[k] + ", config" + i + ">(" + in_var + ", " + var_[k] + ", w" + i +
             ", b" + i + ");";
    } else if (c == "BatchNormalization" || c == "ApplyAlpha") {
      add_include("nnet_utils/nnet_batchnorm.h");
      const int64_t channels = h.scale.numel();
      const bool flat = h.shape.size() == 1;
      config = "struct config" + i + " : nnet::batchnorm_config {\n    static const unsigned n_in = " + n_in +
               ";\n    static const int n_filt = " + (flat ? std::string("-1") : std::to_string(channels)) +
               ";\n    static const unsigned n_scale_bias = " + std::to_string(channels) + ";\n" + common +
               "    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in, reuse_factor);\n"
               "    static const bool store_weights_in_bram = false;\n" + member_typedefs(h, index) +
               "    template <class x_T, class y_T>\n"
               "    using product = nnet::product::" + product_kind(in_hw, h.type("scale")) + "<x_T, y_T>;\n};\n";
      weight_array("s" + i, h.scale, h.type("scale"), "scale" + i + "_t", h);
      weight_array("b" + i, h.bias, h.type("bias"), "bias" + i + "_t", h);
      declare_output(k);
      call = "nnet::normalize<" + in_type + ", " + type_[k] + ", config" + i + ">(" + in_var + ", " + var_[k] + ", s" +
             i + ", b" + i + ");";
    } else if (c == "Softmax") {
      add_include("nnet_utils/nnet_activation.h");
      const int64_t slice = h.shape.back();
      const std::string name = "softmax_config" + i;
      config = "struct " + name + " : nnet::softmax_config {\n    static const unsigned n_in = " + n_in +
               ";\n    static const unsigned n_slice = " + std::to_string(slice) +
               ";\n    static const unsigned n_outer = " + std::to_string(element_count(h.shape) / slice) +
               ";\n    static const unsigned n_inner = 1;\n    static const int axis = -1;\n"
               "    static const unsigned exp_table_size = " + std::to_string(h.table_size) +
               ";\n    static const unsigned inv_table_size = " + std::to_string(h.inv_table_size) + ";\n" + common +
               "    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::" +
               h.implementation + ";\n" + member_typedefs(h, index) + "};\n";
      declare_output(k);
      call = "nnet::softmax<" + in_type + ", " + type_[k] + ", " + name + ">(" + in_var + ", " + var_[k] + ");";
    } else {  // the activation classes (check_exportable)
      add_include("nnet_utils/nnet_activation.h");
      const std::string& f = h.activation;
      const std::string name = f + "_config" + i;
      const bool hard = f == "hard_sigmoid" || f == "hard_tanh";
      config = "struct " + name + (hard ? " : nnet::hard_activ_config" : " : nnet::activ_config") +
               " {\n    static const unsigned n_in = " + n_in + ";\n" + common +
               (hard ? "    static const slope_t slope;\n    static const shift_t shift;\n"
                     : "    static const unsigned table_size = " + std::to_string(h.table_size) + ";\n") +
               member_typedefs(h, index) + "};\n";
      // QKeras' hard_sigmoid: 0.5 * x + 0.5 (§1.6, HardActivation).
      if (hard) config += "const " + name + "::slope_t " + name + "::slope = 0.5;\nconst " + name + "::shift_t " + name +
                          "::shift = 0.5;\n";
      declare_output(k);
      if (f == "leaky_relu") {
        std::ostringstream alpha;
        alpha.precision(17);
        alpha << h.parameter;
        call = "nnet::leaky_relu<" + in_type + ", param" + i + "_t, " + type_[k] + ", " + name + ">(" + in_var + ", " +
               alpha.str() + ", " + var_[k] + ");";
      } else {
        call = "nnet::" + f + "<" + in_type + ", " + type_[k] + ", " + name + ">(" + in_var + ", " + var_[k] + ");";
      }
    }
    configs_.push_back("// " + h.name + "\n" + config);
    body_.push_back("    " + call + "  // " + h.name);
    body_.push_back("");
  }
};

std::map<std::string, std::string> ProjectWriter::files() const {
  const HlsLayer& input = model_.layers.front();
  const size_t out = static_cast<size_t>(model_.outputs.front());
  const std::string n_in = std::to_string(element_count(input.shape));
  const std::string n_out = std::to_string(element_count(model_.layers[out].shape));
  const std::string signature =
      "void " + name_ + "(input_t " + input_var_ + "[" + n_in + "], result_t " + var_[out] + "[" + n_out + "])";
  std::string guard = name_;
  for (auto& c : guard) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::map<std::string, std::string> f = weight_files_;

  f["firmware/defines.h"] = "#ifndef DEFINES_H_\n#define DEFINES_H_\n\n#include \"ap_fixed.h\"\n#include \"ap_int.h\"\n"
                            "#include \"nnet_utils/nnet_types.h\"\n#include <array>\n#include <cstddef>\n"
                            "#include <cstdio>\n#include <tuple>\n\n" + join(typedefs_, "\n") + "\n\n#endif\n";
  std::vector<std::string> includes = includes_;
  std::sort(includes.begin(), includes.end());
  for (auto& inc : includes) inc = "#include \"" + inc + "\"";
  f["firmware/parameters.h"] = "#ifndef PARAMETERS_H_\n#define PARAMETERS_H_\n\n#include \"ap_fixed.h\"\n"
                               "#include \"ap_int.h\"\n\n#include \"nnet_utils/nnet_code_gen.h\"\n"
                               "#include \"nnet_utils/nnet_helpers.h\"\n" + join(includes, "\n") + "\n\n" +
                               join(weight_includes_, "\n") + "\n\n" + join(configs_, "\n") + "\n#endif\n";
  f["firmware/" + name_ + ".h"] = "#ifndef " + guard + "_H_\n#define " + guard + "_H_\n\n#include \"ap_fixed.h\"\n"
                                  "#include \"ap_int.h\"\n#include \"hls_stream.h\"\n\n#include \"defines.h\"\n\n" +
                                  signature + ";\n\n#endif\n";
  f["firmware/" + name_ + ".cpp"] =
      "#include <iostream>\n\n#include \"" + name_ + ".h\"\n#include \"parameters.h\"\n\n" + signature + " {\n\n"
      "    // hls-fpga-machine-learning insert IO\n"
      "    #pragma HLS ARRAY_RESHAPE variable=" + input_var_ + " complete dim=0\n"
      "    #pragma HLS ARRAY_PARTITION variable=" + var_[out] + " complete dim=0\n"
      "    #pragma HLS INTERFACE ap_vld port=" + input_var_ + "," + var_[out] + "\n"
      "    #pragma HLS PIPELINE\n\n"
      "#ifndef __SYNTHESIS__\n    static bool loaded_weights = false;\n    if (!loaded_weights) {\n" +
      join(loads_, "\n") + "\n        loaded_weights = true;\n    }\n#endif\n\n"
      "    // hls-fpga-machine-learning insert layers\n\n" + join(body_, "\n") + "}\n";
  f[name_ + "_test.cpp"] =
      "// C simulation testbench: reads tb_data/tb_input_features.dat (one sample per\n"
      "// line, space-separated floats), runs " + name_ + " on each and writes the outputs\n"
      "// to tb_data/csim_results.log, one line per sample, with 17 significant digits\n"
      "// (exact for any type up to 53 bits).  argv[1]: at most this many samples.\n"
      "#include <cstdlib>\n#include <fstream>\n#include <iostream>\n#include <map>\n#include <sstream>\n"
      "#include <string>\n#include <vector>\n\n#include \"firmware/" + name_ + ".h\"\n"
      "#include \"firmware/nnet_utils/nnet_helpers.h\"\n\n"
      "namespace nnet {\nbool trace_enabled = true;\nstd::map<std::string, void*>* trace_outputs = NULL;\n"
      "size_t trace_type_size = sizeof(double);\n}  // namespace nnet\n\n"
      "int main(int argc, char** argv) {\n"
      "    const long max_samples = argc > 1 ? std::atol(argv[1]) : -1;\n"
      "    std::ifstream fin(\"tb_data/tb_input_features.dat\");\n"
      "    std::ofstream fout(\"tb_data/csim_results.log\");\n"
      "    fout.precision(17);\n"
      "    if (!fin.is_open()) {\n"
      "        std::cerr << \"tb_data/tb_input_features.dat: cannot open\" << std::endl;\n"
      "        return 1;\n    }\n"
      "    std::string line;\n    long n = 0;\n"
      "    while ((max_samples < 0 || n < max_samples) && std::getline(fin, line)) {\n"
      "        // atof then float, as hls4ml's testbench parses\n"
      "        std::vector<float> in;\n        std::istringstream tokens(line);\n        std::string token;\n"
      "        while (tokens >> token) in.push_back(static_cast<float>(std::atof(token.c_str())));\n"
      "        if (in.empty()) continue;\n"
      "        if (in.size() != " + n_in + ") {\n"
      "            std::cerr << \"tb_data/tb_input_features.dat: line \" << n + 1 << \" has \" << in.size()\n"
      "                      << \" values, expected " + n_in + "\" << std::endl;\n"
      "            return 1;\n        }\n"
      "        input_t " + input_var_ + "[" + n_in + "];\n"
      "        nnet::copy_data<float, input_t, 0, " + n_in + ">(in, " + input_var_ + ");\n"
      "        result_t " + var_[out] + "[" + n_out + "];\n"
      "        " + name_ + "(" + input_var_ + ", " + var_[out] + ");\n"
      "        nnet::print_result<result_t, " + n_out + ">(" + var_[out] + ", fout);\n"
      "        ++n;\n    }\n"
      "    std::cout << n << \" samples written to tb_data/csim_results.log\" << std::endl;\n"
      "    return 0;\n}\n";
  return f;
}

// project.tcl, build_prj.tcl and vivado_synth.tcl (§1.11).
void add_tcl(std::map<std::string, std::string>& f, const HlsModel& model, const std::string& name) {
  std::ostringstream clock;
  clock << model.config.clock_period;
  f["project.tcl"] = "variable project_name\nset project_name \"" + name + "\"\nvariable backend\nset backend \"vivado\"\n"
                     "variable part\nset part \"" + model.config.part + "\"\nvariable clock_period\n"
                     "set clock_period " + clock.str() + "\nvariable clock_uncertainty\nset clock_uncertainty 12.5%\n"
                     "variable version\nset version \"1.0.0\"\nvariable maximum_size\nset maximum_size 4096\n";
  f["build_prj.tcl"] =
      "# vivado_hls -f build_prj.tcl \"reset=0 csim=1 synth=1 cosim=0 validation=0 export=0 vsynth=0\"\n"
      "array set opt {reset 0 csim 1 synth 1 cosim 0 validation 0 export 0 vsynth 0}\n"
      "foreach arg $::argv {\n  foreach o [split $arg] {\n    set kv [split $o =]\n"
      "    if {[llength $kv] == 2 && [info exists opt([lindex $kv 0])]} {\n"
      "      set v [string tolower [lindex $kv 1]]\n"
      "      set opt([lindex $kv 0]) [expr {$v eq \"1\" || $v eq \"true\"}]\n    }\n  }\n}\n"
      "source [file join [file dirname [info script]] project.tcl]\n\n"
      "if {$opt(reset)} { open_project -reset ${project_name}_prj } else { open_project ${project_name}_prj }\n"
      "set_top ${project_name}\n"
      "add_files firmware/${project_name}.cpp -cflags \"-std=c++0x\"\n"
      "add_files -tb ${project_name}_test.cpp -cflags \"-std=c++0x\"\n"
      "add_files -tb firmware/weights\nadd_files -tb tb_data\n"
      "if {$opt(reset)} { open_solution -reset solution1 } else { open_solution solution1 }\n"
      "catch {config_array_partition -maximum_size $maximum_size}\n"
      "config_compile -name_max_length 80\nset_part $part\n"
      "catch {config_schedule -enable_dsp_full_reg=false}\n"
      "create_clock -period $clock_period -name default\nset_clock_uncertainty $clock_uncertainty default\n\n"
      "if {$opt(csim)} { csim_design }\nif {$opt(synth)} { csynth_design }\n"
      "if {$opt(cosim)} {\n  add_files -tb ${project_name}_test.cpp -cflags \"-std=c++0x -DRTL_SIM\"\n"
      "  cosim_design -trace_level all\n}\n"
      "if {$opt(validation)} {\n"
      "  if {[catch {exec cmp tb_data/csim_results.log tb_data/rtl_cosim_results.log}]} {\n"
      "    puts \"csim and cosim results differ\"\n    exit 1\n  }\n}\n"
      "if {$opt(export)} { export_design -format ip_catalog -version $version }\n"
      "if {$opt(vsynth)} { exec vivado -mode batch -source vivado_synth.tcl >@ stdout }\nexit\n";
  f["vivado_synth.tcl"] = "source [file join [file dirname [info script]] project.tcl]\n"
                          "add_files ${project_name}_prj/solution1/syn/verilog\n"
                          "synth_design -top ${project_name} -part $part\n"
                          "opt_design -retarget -propconst -sweep -bram_power_opt -shift_register_opt\n"
                          "report_utilization -file vivado_synth.rpt\n";
}

// One sample per line, every value followed by a space (hls4ml's .dat form).
std::string dat_rows(const at::Tensor& values, int digits) {
  at::Tensor rows = values.contiguous().to(torch::kFloat64).reshape({values.size(0), -1});
  const double* v = rows.data_ptr<double>();
  std::string text;
  char buffer[40];
  for (int64_t r = 0; r < rows.size(0); ++r) {
    for (int64_t c = 0; c < rows.size(1); ++c) {
      std::snprintf(buffer, sizeof buffer, "%.*g ", digits, v[r * rows.size(1) + c]);
      text += buffer;
    }
    text += "\n";
  }
  return text;
}

// The absolute project directory; throws if it exists and may not be replaced.
fs::path project_path(const std::string& dir, const ProjectOptions& options) {
  const fs::path target = fs::absolute(dir).lexically_normal();
  const fs::path path = target.has_filename() ? target : target.parent_path();
  if (fs::exists(path) && !options.force)
    throw std::invalid_argument(path.string() + ": exists (use --force to replace it)");
  return path;
}

}  // namespace

std::string exact_decimal(double value, int fractional_bits) {
  // A dyadic value with F fractional bits has exactly F decimals; glibc
  // prints the exact expansion of a double.
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, "%.*f", std::clamp(fractional_bits, 0, 300), value);
  return buffer;
}

void check_exportable(const HlsModel& model) {
  if (model.config.io_type != "io_parallel")
    throw ExportError("IOType " + model.config.io_type + " is not supported by the exporter yet (io_parallel only)");
  if (model.layers.empty() || model.layers.front().layer_class != "Input")
    throw ExportError("the firmware model has no input layer");
  if (model.outputs.size() != 1) throw ExportError("only single-output models can be exported");
  for (size_t k = 1; k < model.layers.size(); ++k) {
    const HlsLayer& h = model.layers[k];
    const std::string& c = h.layer_class;
    if (h.inputs.size() != 1 || c == "Input")
      throw ExportError(layer_label(h) + ": models with several inputs or merges are not supported by the exporter yet");
    const bool supported = c == "Dense" || c == "BatchNormalization" || c == "ApplyAlpha" || c == "Reshape" ||
                           c == "Softmax" || (kActivationClasses.count(c) && kActivations.count(h.activation));
    if (!supported)
      throw ExportError(layer_label(h) + (kActivationClasses.count(c) ? ": activation " + h.activation : std::string()) +
                        " is not supported by the exporter yet (Dense, BatchNormalization, ApplyAlpha, "
                        "Activation, Softmax and Reshape in io_parallel)");
    if ((c == "Dense") && h.strategy != "Latency")
      throw ExportError(layer_label(h) + ": strategy " + h.strategy + " is not supported by the exporter yet (Latency only)");
    if (c == "Softmax" && h.implementation != "stable" && h.implementation != "latency")
      throw ExportError(layer_label(h) + ": softmax implementation " + h.implementation +
                        " is not supported by the exporter yet (stable, latency)");
    if ((c == "BatchNormalization" || c == "ApplyAlpha") &&
        (h.type("scale").kind == Kind::Xnor || h.type("bias").kind != Kind::Fixed ||
         model.layers[h.inputs[0]].type("result").kind != Kind::Fixed))
      throw ExportError(layer_label(h) + ": binary scales, non-fixed biases or binary inputs are not supported");
    if (c == "Reshape" && static_cast<int>(k) == model.outputs.front())
      throw ExportError(layer_label(h) + ": a Reshape as the model output is not supported");
  }
}

void write_project(const HlsModel& model, const std::string& dir, const ProjectOptions& options,
                   const at::Tensor& inputs, const at::Tensor& expected) {
  check_exportable(model);
  if (options.name.empty() || identifier(options.name) != options.name)
    throw std::invalid_argument("project name '" + options.name + "' is not a C identifier");
  const fs::path path = project_path(dir, options);

  ProjectWriter writer(model, options.name);
  writer.generate();
  std::map<std::string, std::string> files = writer.files();
  add_tcl(files, model, options.name);
  nlohmann::json config = {{"Backend", "Vivado"},
                           {"ProjectName", options.name},
                           {"OutputDir", path.string()},
                           {"Part", model.config.part},
                           {"ClockPeriod", model.config.clock_period},
                           {"ClockUncertainty", "12.5%"},
                           {"IOType", model.config.io_type},
                           {"HLSConfig", model.config.to_json()},
                           {"Version", "1.0.0"},
                           {"WriterConfig", {{"Namespace", nullptr}, {"WriteWeightsTxt", true}, {"WriteTar", false}}}};
  if (inputs.defined()) {
    if (!expected.defined() || expected.size(0) != inputs.size(0))
      throw std::invalid_argument("test bench data: inputs and expected outputs differ in length");
    // The testbench parses float32 text: 9 significant digits give back the
    // float the emulator converted; 17 keep the expected doubles exact.
    files["tb_data/tb_input_features.dat"] = dat_rows(inputs.to(torch::kFloat32), 9);
    files["tb_data/tb_output_predictions.dat"] = dat_rows(expected, 17);
    config["InputData"] = "tb_data/tb_input_features.dat";
    config["OutputPredictions"] = "tb_data/tb_output_predictions.dat";
  }
  files["hls4ml_config.json"] = config.dump(2) + "\n";

  // Assemble next to the target, then swap it in.
  std::random_device random;
  const fs::path staging = path.parent_path() / ("." + path.filename().string() + ".tmp" + std::to_string(random()));
  try {
    for (const auto& [relative, text] : files) {
      fs::create_directories((staging / relative).parent_path());
      std::ofstream out(staging / relative, std::ios::binary);
      out << text;
      if (!out.flush()) throw std::runtime_error((staging / relative).string() + ": cannot write");
    }
    for (const char* library : {"nnet_utils", "ap_types"})
      fs::copy(fs::path(QTRAIN_EXPORT_SOURCE_DIR) / library, staging / "firmware" / library,
               fs::copy_options::recursive);
    fs::remove(staging / "firmware" / "nnet_utils" / "README.md");
    fs::remove(staging / "firmware" / "ap_types" / "README.md");
    if (fs::exists(path)) fs::remove_all(path);
    fs::rename(staging, path);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
}

int64_t export_run(const qtrain::TrainedRun& run, const std::string& dir, const ProjectOptions& options,
                   int64_t tb_samples) {
  project_path(dir, options);  // before the data are read
  HlsModel firmware = qtrain::build_hls_model(*run.model, qtrain::hls_config_of(*run.model));
  check_exportable(firmware);
  torch::Tensor inputs, expected;
  if (tb_samples > 0) {
    qtrain::Split test = qtrain::evaluation_data(run, "", "test").split;
    inputs = test.x.slice(0, 0, std::min(tb_samples, test.size()));
    expected = qtrain::emulate(firmware, inputs).front();
  }
  write_project(firmware, dir, options, inputs, expected);
  return inputs.defined() ? inputs.size(0) : 0;
}

}  // namespace hls_export
