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
using qtrain::element_count;
using qtrain::HlsLayer;
using qtrain::HlsModel;
using quantizers::HardwareType;
using Kind = quantizers::HardwareType::Kind;

namespace {

const std::set<std::string> kActivations = {"linear",       "relu",      "leaky_relu",  "sigmoid",     "tanh",
                                            "hard_sigmoid", "hard_tanh", "binary_tanh", "ternary_tanh"};
const std::set<std::string> kActivationClasses = {"Activation", "LeakyReLU", "HardActivation", "TernaryTanh"};
// The other layer classes the generator writes.
const std::set<std::string> kExportable = {"Dense",         "Conv1D",          "Conv2D",          "BatchNormalization",
                                           "ApplyAlpha",    "Reshape",         "Softmax",         "Pooling1D",
                                           "Pooling2D",     "GlobalPooling1D", "GlobalPooling2D", "UpSampling1D",
                                           "UpSampling2D",  "Merge",           "Concatenate",     "Score"};

std::string layer_label(const HlsLayer& h) { return "layer '" + h.name + "' (" + h.layer_class + ")"; }


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

std::string u(int64_t v) { return std::to_string(v); }
std::string member(const std::string& name, int64_t value) {
  return "    static const unsigned " + name + " = " + u(value) + ";\n";
}

// Keras' spatial axes as the nnet configs name them, with their pads.
struct Axis {
  const char* name;
  const char* before;
  const char* after;
};
const Axis kAxes2d[] = {{"height", "top", "bottom"}, {"width", "left", "right"}};
const Axis kAxis1d = {"width", "left", "right"};
const Axis& axis_of(size_t rank, size_t d) { return rank == 1 ? kAxis1d : kAxes2d[d]; }

// The geometry members of a convolution or pooling config: per axis pads,
// input, window (`filt` or `pool`), stride and output sizes.  With
// `prepadded` the input is the already zero-padded image (io_stream pads in
// a layer of its own) and the pads are 0.
std::string window_members(const HlsLayer& h, const qtrain::Shape& in, const std::string& window, bool prepadded) {
  const size_t rank = h.kernel.size();
  std::string s;
  for (size_t d = 0; d < rank; ++d) {
    const Axis& a = axis_of(rank, d);
    const int64_t pads = h.pad_before[d] + h.pad_after[d];
    s += member(std::string("pad_") + a.before, prepadded ? 0 : h.pad_before[d]) +
         member(std::string("pad_") + a.after, prepadded ? 0 : h.pad_after[d]) +
         member(std::string("in_") + a.name, in[d] + (prepadded ? pads : 0)) +
         member(window + "_" + a.name, h.kernel[d]) + member(std::string("stride_") + a.name, h.strides[d]) +
         member(std::string("out_") + a.name, h.shape[d]);
  }
  return s;
}

bool is_resource(const HlsLayer& h) { return h.strategy == "Resource"; }

// The dense kernel a Dense or a convolution's per-pixel dense runs
// (nnet_dense_latency.h / nnet_dense_resource.h).
std::string dense_kernel(const HlsLayer& h, int64_t n_in) {
  if (!is_resource(h)) return "DenseLatency";
  return h.reuse_factor <= n_in ? "DenseResource_rf_leq_nin" : "DenseResource_rf_gt_nin_rem0";
}

// A Dense / Conv kernel as the (n_in, n_out) matrix the weight file holds:
// the Keras order, transposed to (n_out, n_in) for the Resource kernels.
at::Tensor kernel_matrix(const HlsLayer& h) {
  at::Tensor w = h.weight.reshape({-1, h.weight.size(-1)});
  return is_resource(h) ? w.t().contiguous() : w;
}

// Collects the generated text of one project.
class ProjectWriter {
 public:
  ProjectWriter(const HlsModel& model, const std::string& name)
      : model_(model), name_(name), stream_(model.config.io_type == "io_stream") {}

  void generate() {
    const HlsLayer& input = model_.layers.front();
    input_var_ = identifier(input.name);
    const size_t n = model_.layers.size();
    var_.assign(n, "");
    type_.assign(n, "");
    copies_.assign(n, {});
    consumers_.assign(n, 0);
    for (const HlsLayer& h : model_.layers)
      for (int j : h.inputs) ++consumers_[j];
    var_[0] = input_var_;
    type_[0] = "input_t";
    value_type_name(0, "input_t");
    if (model_.config.default_precision.type && model_.config.default_precision.type->kind == Kind::Fixed)
      add_typedef(*model_.config.default_precision.type, "model_default_t");
    fan_out(0);
    for (size_t k = 1; k < n; ++k) {
      layer(k);
      fan_out(k);
    }
  }

  std::map<std::string, std::string> files() const;  // relative path -> text

 private:
  const HlsModel& model_;
  std::string name_, input_var_;
  bool stream_;
  std::vector<std::string> var_, type_;  // per layer: output variable and its type (array element or stream pack)
  std::vector<std::vector<std::string>> copies_;  // io_stream: clones of an output not yet read
  std::vector<int> consumers_;
  std::vector<std::string> typedefs_, includes_, weight_includes_, configs_, loads_, body_;
  std::set<std::string> typedef_names_;
  std::map<std::string, std::string> weight_files_;

  void add_typedef(const HardwareType& t, const std::string& name) {
    if (typedef_names_.insert(name).second) typedefs_.push_back(typedef_line(t, name));
  }
  void add_typedef_text(const std::string& name, const std::string& line) {
    if (typedef_names_.insert(name).second) typedefs_.push_back(line);
  }
  // nnet_utils/<header>.h, and its _stream twin in io_stream unless the
  // header is stream-only already.
  void add_include(const std::string& header, bool has_stream_twin = true) {
    for (const std::string& h : stream_ && has_stream_twin ? std::vector<std::string>{header, header + "_stream"}
                                                          : std::vector<std::string>{header}) {
      const std::string path = "nnet_utils/" + h + ".h";
      if (std::find(includes_.begin(), includes_.end(), path) == includes_.end()) includes_.push_back(path);
    }
  }

  bool is_output(size_t k) const { return static_cast<int>(k) == model_.outputs.front(); }
  const HlsLayer& input_of(const HlsLayer& h, size_t j = 0) const { return model_.layers[h.inputs.at(j)]; }

  // The elements of layer k's output are `type_name` in io_parallel; in
  // io_stream `type_name` is the pack nnet::array<result{i}_t, last dim>,
  // one pack per pixel (hls4ml's packed stream types).
  void value_type_name(size_t k, const std::string& type_name) {
    const HlsLayer& h = model_.layers[k];
    if (!stream_) {
      add_typedef(h.type("result"), type_name);
      return;
    }
    const std::string element = "result" + u(static_cast<int64_t>(k) + 1) + "_t";
    add_typedef(h.type("result"), element);
    add_typedef_text(type_name, "typedef nnet::array<" + element + ", " + u(h.shape.back()) + "> " + type_name + ";");
  }

  // A variable (array or stream) of `count` values of layer k's output type.
  void declare(const std::string& var, const std::string& type, int64_t count, int64_t pack) {
    if (stream_) {
      body_.push_back("    hls::stream<" + type + "> " + var + "(\"" + var + "\");");
      body_.push_back("    #pragma HLS STREAM variable=" + var + " depth=" + u(count / pack));
    } else {
      body_.push_back("    " + type + " " + var + "[" + u(count) + "];");
      body_.push_back("    #pragma HLS ARRAY_PARTITION variable=" + var + " complete dim=0");
    }
  }

  // In io_stream an output read by several layers is cloned, one stream
  // per reader (hls4ml's clone_stream).
  void fan_out(size_t k) {
    if (!stream_ || consumers_[k] < 2) return;
    const HlsLayer& h = model_.layers[k];
    const int64_t count = element_count(h.shape);
    std::string call = "nnet::clone_stream<" + type_[k] + ", " + u(count) + ">(" + var_[k];
    for (int c = 1; c <= consumers_[k]; ++c) {
      const std::string copy = "layer" + u(static_cast<int64_t>(k) + 1) + "_cpy" + u(c);
      declare(copy, type_[k], count, h.shape.back());
      copies_[k].push_back(copy);
      call += ", " + copy;
    }
    add_include("nnet_stream", false);
    body_.push_back("    " + call + ");");
    body_.push_back("");
  }

  // The variable layer j's output is read from by its next reader.
  std::string read_var(int j) {
    if (copies_[j].empty()) return var_[j];
    std::string v = copies_[j].front();
    copies_[j].erase(copies_[j].begin());
    return v;
  }

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

  // Declares layer k's output variable and its type.
  void declare_output(size_t k) {
    const HlsLayer& h = model_.layers[k];
    const std::string index = u(static_cast<int64_t>(k) + 1);
    var_[k] = "layer" + index + "_out";
    type_[k] = is_output(k) ? "result_t" : "layer" + index + "_t";
    value_type_name(k, type_[k]);
    if (!is_output(k)) declare(var_[k], type_[k], element_count(h.shape), h.shape.back());
  }

  // The members every config struct has.
  std::string common(const HlsLayer& h) const {
    return std::string("    static const unsigned io_type = nnet::") + (stream_ ? "io_stream" : "io_parallel") +
           ";\n" + member("reuse_factor", h.reuse_factor);
  }

  // The dense config of a Dense, or of a convolution's pixel (config{i}_mult),
  // and its weight arrays w{i}, b{i}.
  std::string dense_struct(const std::string& name, const HlsLayer& h, int index) {
    const std::string i = u(index);
    const int64_t n_out = h.weight.size(-1), n_in = h.weight.numel() / n_out;
    const int64_t n_zeros = (h.weight == 0).sum().item<int64_t>();
    return "struct " + name + " : nnet::dense_config {\n" + member("n_in", n_in) + member("n_out", n_out) + common(h) +
           "    static const unsigned strategy = nnet::" + (is_resource(h) ? "resource" : "latency") + ";\n" +
           member("n_zeros", n_zeros) +
           "    static const unsigned n_nonzeros = n_in * n_out - n_zeros;\n"
           "    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor) - n_zeros / reuse_factor;\n"
           "    static const bool store_weights_in_bram = false;\n" + member_typedefs(h, index) +
           "    template <class data_T, class res_T, class CONFIG_T>\n"
           "    using kernel = nnet::" + dense_kernel(h, n_in) + "<data_T, res_T, CONFIG_T>;\n"
           "    template <class x_T, class y_T>\n"
           "    using product = nnet::product::" + product_kind(input_of(h).type("result"), h.type("weight")) +
           "<x_T, y_T>;\n};\n";
  }

  void weights_and_biases(const HlsLayer& h, const std::string& i) {
    weight_array("w" + i, kernel_matrix(h), h.type("weight"), "weight" + i + "_t", h);
    weight_array("b" + i, h.bias, h.type("bias"), "bias" + i + "_t", h);
  }

  // io_stream convolutions read a zero-padded image made by a layer of its
  // own (zeropad{1,2}d_cl); returns the stream it writes.
  std::string stream_padding(const HlsLayer& h, const std::string& i, const std::string& in_var,
                             const std::string& in_type) {
    const size_t rank = h.kernel.size();
    const qtrain::Shape& in = input_of(h).shape;
    std::string config = "struct config" + i + "_pad : nnet::padding" + u(static_cast<int64_t>(rank)) +
                         "d_config {\n" + member("n_chan", in.back());
    int64_t pixels = 1;
    for (size_t d = 0; d < rank; ++d) {
      const Axis& a = axis_of(rank, d);
      const int64_t out = in[d] + h.pad_before[d] + h.pad_after[d];
      pixels *= out;
      config += member(std::string("in_") + a.name, in[d]) + member(std::string("out_") + a.name, out) +
                member(std::string("pad_") + a.before, h.pad_before[d]) +
                member(std::string("pad_") + a.after, h.pad_after[d]);
    }
    add_include("nnet_padding");
    configs_.push_back("// " + h.name + " (zero padding)\n" + config + "};\n");
    const std::string var = "layer" + i + "_pad";
    declare(var, in_type, pixels * in.back(), in.back());
    body_.push_back("    nnet::zeropad" + u(static_cast<int64_t>(rank)) + "d_cl<" + in_type + ", " + in_type +
                    ", config" + i + "_pad>(" + in_var + ", " + var + ");  // " + h.name);
    return var;
  }

  void layer(size_t k) {
    const HlsLayer& h = model_.layers[k];
    const int index = static_cast<int>(k) + 1;
    const std::string i = std::to_string(index);
    std::string in_var = read_var(h.inputs.at(0));
    const std::string in_type = type_[h.inputs.at(0)];
    const qtrain::Shape& in_shape = input_of(h).shape;
    const std::string n_in = u(element_count(in_shape));
    const std::string& c = h.layer_class;
    if (c == "Reshape") {
      // A flat array, or a stream whose packs keep their size, is only renamed.
      if (!stream_ || in_shape.back() == h.shape.back()) {
        var_[k] = "layer" + i + "_out";
        type_[k] = in_type;
        body_.push_back("    auto& " + var_[k] + " = " + in_var + ";  // " + h.name);
        return;
      }
      declare_output(k);
      add_include("nnet_stream", false);
      body_.push_back("    nnet::repack_stream<" + in_type + ", " + type_[k] + ", " + n_in + ">(" + in_var + ", " +
                      var_[k] + ");  // " + h.name);
      body_.push_back("");
      return;
    }
    std::string config, call;
    auto call2 = [&](const std::string& function, const std::string& config_name, const std::string& args) {
      return "nnet::" + function + "<" + in_type + ", " + type_[k] + ", " + config_name + ">(" + args + ");";
    };
    if (c == "Dense") {
      add_include("nnet_dense");
      config = dense_struct("config" + i, h, index);
      weights_and_biases(h, i);
      declare_output(k);
      call = call2("dense", "config" + i, in_var + ", " + var_[k] + ", w" + i + ", b" + i);
    } else if (c == "Conv1D" || c == "Conv2D") {
      const std::string rank = c == "Conv1D" ? "1" : "2";
      add_include("nnet_conv" + rank + "d");
      const bool pad_layer = h.pads_in_own_layer(stream_);
      if (pad_layer) in_var = stream_padding(h, i, in_var, in_type);
      const int64_t kernel_size = h.weight.numel() / (h.weight.size(-1) * in_shape.back());
      configs_.push_back("// " + h.name + " (the dense of one output pixel)\n" + dense_struct("config" + i + "_mult", h, index));
      config = "struct config" + i + " : nnet::conv" + rank + "d_config {\n" +
               window_members(h, in_shape, "filt", pad_layer) + member("n_chan", in_shape.back()) +
               member("kernel_size", kernel_size) + member("n_filt", h.weight.size(-1)) +
               (rank == "1" ? member("dilation", 1) : member("dilation_height", 1) + member("dilation_width", 1)) +
               common(h) + "    static const unsigned strategy = nnet::" + (is_resource(h) ? "resource" : "latency") +
               ";\n    static const bool store_weights_in_bram = false;\n" +
               member("n_zeros", (h.weight == 0).sum().item<int64_t>()) + member("n_partitions", 1) +
               member("n_pixels", element_count(h.shape) / h.shape.back()) + member_typedefs(h, index) +
               "    typedef config" + i + "_mult mult_config;\n};\n";
      weights_and_biases(h, i);
      declare_output(k);
      call = call2("conv_" + rank + "d_cl", "config" + i, in_var + ", " + var_[k] + ", w" + i + ", b" + i);
    } else if (c == "Pooling1D" || c == "Pooling2D") {
      add_include("nnet_pooling");
      const bool one_d = c == "Pooling1D";
      config = "struct config" + i + " : nnet::pooling" + (one_d ? "1" : "2") + "d_config {\n" +
               window_members(h, in_shape, "pool", false) +
               (one_d ? member("n_in", in_shape[0]) + member("n_out", h.shape[0]) : std::string()) +
               member("n_filt", in_shape.back()) + "    static const bool count_pad = false;\n" +
               "    static const nnet::Pool_Op pool_op = nnet::" + (h.operation == "max" ? "Max" : "Average") + ";\n" +
               common(h) + member_typedefs(h, index) + "};\n";
      declare_output(k);
      call = call2(std::string("pooling") + (one_d ? "1" : "2") + "d_cl", "config" + i, in_var + ", " + var_[k]);
    } else if (c == "GlobalPooling1D" || c == "GlobalPooling2D") {
      add_include("nnet_pooling");
      const bool one_d = c == "GlobalPooling1D";
      config = "struct config" + i + " : nnet::pooling" + (one_d ? "1" : "2") + "d_config {\n" +
               (one_d ? member("n_in", in_shape[0])
                      : member("in_height", in_shape[0]) + member("in_width", in_shape[1])) +
               member("n_filt", in_shape.back()) +
               "    static const nnet::Pool_Op pool_op = nnet::" + (h.operation == "max" ? "Max" : "Average") + ";\n" +
               common(h) + member_typedefs(h, index) + "};\n";
      declare_output(k);
      call = call2(std::string("global_pooling") + (one_d ? "1" : "2") + "d_cl", "config" + i, in_var + ", " + var_[k]);
    } else if (c == "UpSampling1D" || c == "UpSampling2D") {
      add_include("nnet_image");
      const bool one_d = c == "UpSampling1D";
      config = "struct config" + i + " : nnet::resize_config {\n" +
               member("height", one_d ? 1 : in_shape[0]) + member("width", in_shape[one_d ? 0 : 1]) +
               member("n_chan", in_shape.back()) + member("new_height", one_d ? 1 : h.shape[0]) +
               member("new_width", h.shape[one_d ? 0 : 1]) + "};\n";
      declare_output(k);
      call = "nnet::resize_nearest<" + in_type + ", config" + i + ">(" + in_var + ", " + var_[k] + ");";
    } else if (c == "Merge" || c == "Concatenate") {
      add_include("nnet_merge");
      const std::string in2_var = read_var(h.inputs.at(1)), in2_type = type_[h.inputs.at(1)];
      const int64_t rank = static_cast<int64_t>(h.shape.size());
      std::string function = h.operation;
      if (c == "Merge") {
        config = "struct config" + i + " : nnet::merge_config {\n" + member("n_elem", element_count(h.shape)) +
                 member("reuse_factor", h.reuse_factor) + "};\n";
      } else {
        function = "concatenate" + u(rank) + "d";
        config = "struct config" + i + " : nnet::concat_config {\n";
        for (size_t j = 0; j < 2; ++j)
          for (int64_t d = 0; d < rank; ++d) config += member("n_elem" + u(j + 1) + "_" + u(d), input_of(h, j).shape[d]);
        config += "    static const int axis = " + u(h.axis + 1) + ";\n};\n";
      }
      declare_output(k);
      call = "nnet::" + function + "<" + in_type + ", " + in2_type + ", " + type_[k] + ", config" + i + ">(" + in_var +
             ", " + in2_var + ", " + var_[k] + ");";
    } else if (c == "Score") {
      add_include("nnet_score");
      const std::string in2_var = read_var(h.inputs.at(1)), in2_type = type_[h.inputs.at(1)];
      const bool tanh = h.activation == "tanh_eta_phi";
      config = "struct config" + i + " : nnet::score_config {\n    static const unsigned n_in = " + n_in + ";\n" +
               "    static const bool mask_zeros = " + (h.mask_zeros ? "true" : "false") + ";\n" +
               member("table_size", h.table_size) + common(h) + member_typedefs(h, index) + "};\n";
      if (tanh) weight_array("s" + i, h.scale, h.type("scale"), "scale" + i + "_t", h);
      declare_output(k);
      call = "nnet::" + h.operation + "_score<" + in_type + ", " + in2_type + ", " + type_[k] + ", config" + i + ">(" +
             in_var + ", " + in2_var + ", " + var_[k] + (tanh ? ", s" + i : std::string()) + ");";
    } else if (c == "BatchNormalization" || c == "ApplyAlpha") {
      add_include("nnet_batchnorm");
      const int64_t channels = h.scale.numel();
      const bool flat = h.shape.size() == 1;
      config = "struct config" + i + " : nnet::batchnorm_config {\n    static const unsigned n_in = " + n_in +
               ";\n    static const int n_filt = " + (flat ? std::string("-1") : u(channels)) + ";\n" +
               member("n_scale_bias", channels) + common(h) +
               "    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in, reuse_factor);\n"
               "    static const bool store_weights_in_bram = false;\n" + member_typedefs(h, index) +
               "    template <class x_T, class y_T>\n"
               "    using product = nnet::product::" + product_kind(input_of(h).type("result"), h.type("scale")) +
               "<x_T, y_T>;\n};\n";
      weight_array("s" + i, h.scale, h.type("scale"), "scale" + i + "_t", h);
      weight_array("b" + i, h.bias, h.type("bias"), "bias" + i + "_t", h);
      declare_output(k);
      call = call2("normalize", "config" + i, in_var + ", " + var_[k] + ", s" + i + ", b" + i);
    } else if (c == "Softmax") {
      add_include("nnet_activation");
      const int64_t slice = h.shape.back();
      const std::string name = "softmax_config" + i;
      config = "struct " + name + " : nnet::softmax_config {\n    static const unsigned n_in = " + n_in + ";\n" +
               member("n_slice", slice) + member("n_outer", element_count(h.shape) / slice) +
               "    static const unsigned n_inner = 1;\n    static const int axis = -1;\n" +
               member("exp_table_size", h.table_size) + member("inv_table_size", h.inv_table_size) + common(h) +
               "    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::" +
               h.implementation + ";\n" + member_typedefs(h, index) + "};\n";
      declare_output(k);
      call = call2("softmax", name, in_var + ", " + var_[k]);
    } else {  // the activation classes (check_exportable)
      add_include("nnet_activation");
      const std::string& f = h.activation;
      const std::string name = f + "_config" + i;
      const bool hard = f == "hard_sigmoid" || f == "hard_tanh";
      config = "struct " + name + (hard ? " : nnet::hard_activ_config" : " : nnet::activ_config") +
               " {\n    static const unsigned n_in = " + n_in + ";\n" + common(h) +
               (hard ? "    static const slope_t slope;\n    static const shift_t shift;\n"
                     : member("table_size", h.table_size)) +
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
        call = call2(f, name, in_var + ", " + var_[k]);
      }
    }
    configs_.push_back("// " + h.name + "\n" + config);
    body_.push_back("    " + call + "  // " + h.name);
    body_.push_back("");
  }

  std::string top_signature(const std::string& out_var) const;
  std::string testbench(const std::string& out_var) const;
};

std::string ProjectWriter::top_signature(const std::string& out_var) const {
  const HlsLayer& input = model_.layers.front();
  const HlsLayer& output = model_.layers[static_cast<size_t>(model_.outputs.front())];
  if (stream_)
    return "void " + name_ + "(hls::stream<input_t>& " + input_var_ + ", hls::stream<result_t>& " + out_var + ")";
  return "void " + name_ + "(input_t " + input_var_ + "[" + u(element_count(input.shape)) + "], result_t " + out_var +
         "[" + u(element_count(output.shape)) + "])";
}

// <name>_test.cpp: hls4ml's testbench loop, for arrays or streams.
std::string ProjectWriter::testbench(const std::string& out_var) const {
  const std::string n_in = u(element_count(model_.layers.front().shape));
  const std::string n_out = u(element_count(model_.layers[static_cast<size_t>(model_.outputs.front())].shape));
  const std::string declarations =
      stream_ ? "        hls::stream<input_t> " + input_var_ + "(\"" + input_var_ + "\");\n" +
                    "        hls::stream<result_t> " + out_var + "(\"" + out_var + "\");\n"
              : "        input_t " + input_var_ + "[" + n_in + "];\n        result_t " + out_var + "[" + n_out + "];\n";
  return "// C simulation testbench: reads tb_data/tb_input_features.dat (one sample per\n"
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
         "            return 1;\n        }\n" + declarations +
         "        nnet::copy_data<float, input_t, 0, " + n_in + ">(in, " + input_var_ + ");\n"
         "        " + name_ + "(" + input_var_ + ", " + out_var + ");\n"
         "        nnet::print_result<result_t, " + n_out + ">(" + out_var + ", fout);\n"
         "        ++n;\n    }\n"
         "    std::cout << n << \" samples written to tb_data/csim_results.log\" << std::endl;\n"
         "    return 0;\n}\n";
}

std::map<std::string, std::string> ProjectWriter::files() const {
  const size_t out = static_cast<size_t>(model_.outputs.front());
  const std::string signature = top_signature(var_[out]);
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
  // Interface pragmas (§1.3): whole arrays, or AXI streams.  hls4ml's
  // pipeline style "auto" (§1.14): a dataflow of layers for streams and
  // for Resource layers, one pipeline otherwise.
  const bool dataflow =
      stream_ || std::any_of(model_.layers.begin(), model_.layers.end(), [](const HlsLayer& h) {
        return h.weight.defined() && is_resource(h);
      });
  const std::string io =
      (stream_ ? "    #pragma HLS INTERFACE axis port=" + input_var_ + "," + var_[out] + "\n"
               : "    #pragma HLS ARRAY_RESHAPE variable=" + input_var_ + " complete dim=0\n"
                 "    #pragma HLS ARRAY_PARTITION variable=" + var_[out] + " complete dim=0\n"
                 "    #pragma HLS INTERFACE ap_vld port=" + input_var_ + "," + var_[out] + "\n") +
      (dataflow ? "    #pragma HLS DATAFLOW\n\n" : "    #pragma HLS PIPELINE\n\n");
  f["firmware/" + name_ + ".cpp"] =
      "#include <iostream>\n\n#include \"" + name_ + ".h\"\n#include \"parameters.h\"\n\n" + signature + " {\n\n"
      "    // hls-fpga-machine-learning insert IO\n" + io +
      "#ifndef __SYNTHESIS__\n    static bool loaded_weights = false;\n    if (!loaded_weights) {\n" +
      join(loads_, "\n") + "\n        loaded_weights = true;\n    }\n#endif\n\n"
      "    // hls-fpga-machine-learning insert layers\n\n" + join(body_, "\n") + "}\n";
  f[name_ + "_test.cpp"] = testbench(var_[out]);
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

bool valid_reuse_factor(int64_t n_in, int64_t n_out, int64_t reuse_factor) {
  if (reuse_factor < 1) return false;
  if ((n_in * n_out) % reuse_factor != 0) return false;
  return reuse_factor <= n_in ? n_in % reuse_factor == 0 : reuse_factor % n_in == 0;
}

void apply_overrides(qtrain::HlsConfig& config, const ConfigOverrides& o) {
  if (o.io_type) {
    if (*o.io_type != "io_parallel" && *o.io_type != "io_stream")
      throw std::invalid_argument("IO type '" + *o.io_type + "': expected io_parallel or io_stream");
    config.io_type = *o.io_type;
  }
  if (o.strategy && *o.strategy != "Latency" && *o.strategy != "Resource")
    throw std::invalid_argument("strategy '" + *o.strategy + "': expected Latency or Resource");
  if (o.reuse_factor && *o.reuse_factor < 1)
    throw std::invalid_argument("reuse factor " + std::to_string(*o.reuse_factor) + ": must be at least 1");
  if (o.clock_period && !(*o.clock_period > 0))
    throw std::invalid_argument("clock period " + std::to_string(*o.clock_period) + ": must be positive (ns)");
  // Every layer: the Model entry, and no LayerType / LayerName entry left
  // that would take precedence over it.
  auto every_layer = [&](auto setting, const auto& value) {
    if (!value) return;
    config.model.*setting = value;
    for (auto* entries : {&config.layer_type, &config.layer_name})
      for (auto& [name, settings] : *entries) settings.*setting = std::nullopt;
  };
  every_layer(&qtrain::LayerSettings::reuse_factor, o.reuse_factor);
  every_layer(&qtrain::LayerSettings::strategy, o.strategy);
  if (o.part) config.part = *o.part;
  if (o.clock_period) config.clock_period = *o.clock_period;
}

namespace {

// The closest valid reuse factors below and above `rf`, for the error.
std::string nearest_reuse_factors(int64_t n_in, int64_t n_out, int64_t rf) {
  std::vector<std::string> found;
  for (int64_t r = rf - 1; r >= 1; --r)
    if (valid_reuse_factor(n_in, n_out, r)) {
      found.push_back(std::to_string(r));
      break;
    }
  for (int64_t r = rf + 1; r <= n_in * n_out; ++r)
    if (valid_reuse_factor(n_in, n_out, r)) {
      found.push_back(std::to_string(r));
      break;
    }
  return join(found, " or ");
}

// Whether no partial sum of the layer's accumulator can overflow (or wraps,
// which is modular), so that the order of the additions cannot matter: the
// Resource kernels add in another order than the emulator's dense_latency.
bool sum_order_free(const HlsModel& model, const HlsLayer& h) {
  const quantizers::FixedType& acc = h.fixed("accum");
  if (acc.overflow == quantizers::OverflowMode::WRAP && acc.saturation_bits == 0) return true;
  const HardwareType& in = model.layers[h.inputs[0]].type("result");
  const double largest_input = in.kind == Kind::Fixed ? std::max(-in.fixed.min_value(), in.fixed.max_value()) : 1.0;
  const at::Tensor w = h.weight.reshape({-1, h.weight.size(-1)}).abs();
  const at::Tensor magnitude = h.type("weight").kind == Kind::Xnor ? torch::ones_like(w) : w;
  const double bound = (h.bias.abs() + magnitude.sum(0) * largest_input).max().item<double>();
  return -bound >= acc.min_value() && bound <= acc.max_value();
}

// Dense and convolution: the strategy, the reuse factor and what a
// Resource kernel needs.
void check_dense_kernel(const HlsModel& model, const HlsLayer& h) {
  if (h.strategy != "Latency" && h.strategy != "Resource")
    throw ExportError(layer_label(h) + ": strategy " + h.strategy + " is not supported (Latency, Resource)");
  const int64_t n_out = h.weight.size(-1), n_in = h.weight.numel() / n_out;
  if (!valid_reuse_factor(n_in, n_out, h.reuse_factor))
    throw ExportError(layer_label(h) + ": reuse factor " + std::to_string(h.reuse_factor) +
                      " is not valid for n_in = " + std::to_string(n_in) + ", n_out = " + std::to_string(n_out) +
                      " (it must divide n_in * n_out and divide n_in or be a multiple of it); nearest valid: " +
                      nearest_reuse_factors(n_in, n_out, h.reuse_factor));
  if (h.strategy == "Resource" && h.reuse_factor > 1 && h.reuse_factor < n_in && !sum_order_free(model, h))
    throw ExportError(layer_label(h) + ": the Resource strategy with reuse factor " + std::to_string(h.reuse_factor) +
                      " adds in another order than Latency, which matters for the saturating accumulator " +
                      h.type("accum").to_string() + " (use a wrapping or wider accum type, or Latency)");
}

// What io_stream cannot do that io_parallel can.
void check_stream_layer(const HlsModel& model, size_t k, const std::vector<int>& readers) {
  const HlsLayer& h = model.layers[k];
  const std::string& c = h.layer_class;
  if ((c == "Pooling1D" || c == "Pooling2D") && h.has_padding())
    throw ExportError(layer_label(h) + ": pooling with 'same' padding is not supported in io_stream "
                      "(the stream pools have no padding; use io_parallel)");
  if (readers[k] > 3)
    throw ExportError(layer_label(h) + ": an output read by " + std::to_string(readers[k]) +
                      " layers is not supported in io_stream (at most 3 clones)");
  if (static_cast<int>(k) == model.outputs.front() && readers[k] > 0)
    throw ExportError(layer_label(h) + ": a model output that other layers also read is not supported in io_stream");
}

}  // namespace

void check_exportable(const HlsModel& model) {
  const bool stream = model.config.io_type == "io_stream";
  if (model.config.io_type != "io_parallel" && !stream)
    throw ExportError("IOType " + model.config.io_type + " is not supported (io_parallel, io_stream)");
  if (model.layers.empty() || model.layers.front().layer_class != "Input")
    throw ExportError("the firmware model has no input layer");
  if (model.outputs.size() != 1) throw ExportError("only single-output models can be exported");
  std::vector<int> readers(model.layers.size(), 0);
  for (const HlsLayer& h : model.layers)
    for (int j : h.inputs) ++readers[j];
  for (size_t k = 0; k < model.layers.size(); ++k) {
    const HlsLayer& h = model.layers[k];
    const std::string& c = h.layer_class;
    if (stream) check_stream_layer(model, k, readers);
    if (k == 0) continue;
    const bool two_inputs = c == "Merge" || c == "Concatenate" || c == "Score";
    if (c == "Input" || h.inputs.size() != (two_inputs ? 2u : 1u))
      throw ExportError(layer_label(h) + ": " + std::to_string(h.inputs.size()) +
                        " inputs are not supported (two for Add, Concatenate and Score, one otherwise)");
    if (!kExportable.count(c) && !(kActivationClasses.count(c) && kActivations.count(h.activation)))
      throw ExportError(layer_label(h) + (kActivationClasses.count(c) ? ": activation " + h.activation : std::string()) +
                        " is not supported by the exporter (Dense, Conv1D/2D, BatchNormalization, ApplyAlpha, "
                        "Activation, Softmax, Reshape/Flatten, pooling, UpSampling, Add, Concatenate, Score)");
    if (c == "Dense" || c == "Conv1D" || c == "Conv2D") check_dense_kernel(model, h);
    if (c == "Merge" && h.operation != "add")
      throw ExportError(layer_label(h) + ": merge operation " + h.operation + " is not supported (add)");
    if (c == "Softmax" && h.implementation != "stable" && h.implementation != "latency")
      throw ExportError(layer_label(h) + ": softmax implementation " + h.implementation +
                        " is not supported by the exporter yet (stable, latency)");
    if ((c == "BatchNormalization" || c == "ApplyAlpha") &&
        (h.type("scale").kind == Kind::Xnor || h.type("bias").kind != Kind::Fixed ||
         model.layers[h.inputs[0]].type("result").kind != Kind::Fixed))
      throw ExportError(layer_label(h) + ": binary scales, non-fixed biases or binary inputs are not supported");
    // resize_nearest copies values: the output must have the input's type.
    if ((c == "UpSampling1D" || c == "UpSampling2D") && !(h.type("result") == model.layers[h.inputs[0]].type("result")))
      throw ExportError(layer_label(h) + ": a result type other than the input's (" +
                        model.layers[h.inputs[0]].type("result").to_string() + ") is not supported");
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
  qtrain::HlsConfig config = qtrain::hls_config_of(*run.model);
  apply_overrides(config, options.overrides);
  HlsModel firmware = qtrain::build_hls_model(*run.model, config, options.score);
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
