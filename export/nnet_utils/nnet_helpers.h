// What a testbench and the C-simulation bridge need, never synthesized:
// loading weights from the project's .txt files, moving data between
// float/double arrays and the model's arrays or streams, printing results,
// and tracing layer outputs.  Conversions into an ap type use that type's
// quantization and overflow modes (so a testbench input is truncated and
// wrapped like hls4ml's unless input_t says otherwise).
#ifndef NNET_HELPERS_H_
#define NNET_HELPERS_H_

#include <cstddef>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hls_stream.h"

#ifndef WEIGHTS_DIR
#define WEIGHTS_DIR "weights"
#endif

namespace nnet {

// Tracing state, defined by the testbench or bridge: when enabled, traced
// layers copy their outputs into trace_outputs[layer] (an array of
// trace_type_size-byte floats or doubles), or, without a map, append them
// to ./tb_data/<layer>_output.log.
extern bool trace_enabled;
extern std::map<std::string, void*>* trace_outputs;
extern size_t trace_type_size;

// Where a weight file is: WEIGHTS_DIR/fname, or fname itself if absolute.
inline std::string weight_path(const char* fname) {
  return fname[0] == '/' ? std::string(fname) : std::string(WEIGHTS_DIR) + "/" + fname;
}

// The first line of the weight file, split at the separators.
inline std::vector<std::string> read_weight_tokens(const char* fname, const char* separators) {
  const std::string path = weight_path(fname);
  std::ifstream in(path.c_str());
  std::string line;
  if (!in || !std::getline(in, line)) throw std::runtime_error(path + ": cannot read weights");
  std::vector<std::string> tokens;
  std::string token;
  for (std::size_t i = 0; i <= line.size(); i++) {
    const bool separator =
        i == line.size() || std::string(separators).find(line[i]) != std::string::npos;
    if (!separator) {
      token += line[i];
    } else if (token.find_first_not_of(" \t\r") != std::string::npos) {
      tokens.push_back(token);
      token.clear();
    } else {
      token.clear();
    }
  }
  return tokens;
}

// One value parsed with T's operator>> (an ap type reads a double and
// converts it with its modes).
template <class T>
T parse_weight(const std::string& token, const char* fname) {
  std::istringstream in(token);
  T value;
  if (!(in >> value) || !(in >> std::ws).eof()) {
    throw std::runtime_error(weight_path(fname) + ": bad value '" + token + "'");
  }
  return value;
}

inline void check_weight_count(std::size_t read, std::size_t expected, const char* fname) {
  if (read == expected) return;
  std::ostringstream message;
  message << weight_path(fname) << ": expected " << expected << " values, read " << read;
  throw std::runtime_error(message.str());
}

// The weight file (see weight_path): one line "v0, v1, ...", exactly SIZE
// values; otherwise std::runtime_error naming the file.
template <class T, std::size_t SIZE>
void load_weights_from_txt(T* w, const char* fname) {
  const std::vector<std::string> tokens = read_weight_tokens(fname, ",");
  check_weight_count(tokens.size(), SIZE, fname);
  for (std::size_t i = 0; i < SIZE; i++) w[i] = parse_weight<T>(tokens[i], fname);
}

// Power-of-two weights: "{sign, exponent}, {sign, exponent}, ..." into a
// struct with members sign and weight (the exponent).
template <class T, std::size_t SIZE>
void load_exponent_weights_from_txt(T* w, const char* fname) {
  const std::vector<std::string> tokens = read_weight_tokens(fname, "{},");
  check_weight_count(tokens.size(), 2 * SIZE, fname);
  for (std::size_t i = 0; i < SIZE; i++) {
    w[i].sign = parse_weight<int>(tokens[2 * i], fname);
    w[i].weight = parse_weight<int>(tokens[2 * i + 1], fname);
  }
}

// dst[i] = (dstType) src[i] between arrays, or packed into / out of a
// stream of nnet::array packs.
template <class srcType, class dstType, std::size_t SIZE>
void convert_data(const srcType* src, dstType* dst) {
  for (std::size_t i = 0; i < SIZE; i++) dst[i] = dstType(src[i]);
}

template <class srcType, class dstType, std::size_t SIZE>
void convert_data(const srcType* src, hls::stream<dstType>& dst) {
  for (std::size_t p = 0; p < SIZE / dstType::size; p++) {
    dstType pack;
    for (std::size_t k = 0; k < dstType::size; k++) {
      pack[k] = typename dstType::value_type(src[p * dstType::size + k]);
    }
    dst.write(pack);
  }
}

template <class srcType, class dstType, std::size_t SIZE>
void convert_data(hls::stream<srcType>& src, dstType* dst) {
  for (std::size_t p = 0; p < SIZE / srcType::size; p++) {
    const srcType pack = src.read();
    for (std::size_t k = 0; k < srcType::size; k++) dst[p * srcType::size + k] = dstType(pack[k]);
  }
}

// The testbench's input: SIZE values from src starting at OFFSET.
template <class srcType, class dstType, std::size_t OFFSET, std::size_t SIZE>
void copy_data(const std::vector<srcType>& src, dstType dst[SIZE]) {
  if (src.size() < OFFSET + SIZE) throw std::runtime_error("copy_data: input line too short");
  convert_data<srcType, dstType, SIZE>(src.data() + OFFSET, dst);
}

template <class srcType, class dstType, std::size_t OFFSET, std::size_t SIZE>
void copy_data(const std::vector<srcType>& src, hls::stream<dstType>& dst) {
  if (src.size() < OFFSET + SIZE) throw std::runtime_error("copy_data: input line too short");
  convert_data<srcType, dstType, SIZE>(src.data() + OFFSET, dst);
}

template <class T, std::size_t SIZE>
void fill_zero(T data[SIZE]) {
  for (std::size_t i = 0; i < SIZE; i++) data[i] = 0;
}

template <class T, std::size_t SIZE>
void fill_zero(hls::stream<T>& data) {
  for (std::size_t p = 0; p < SIZE / T::size; p++) {
    T pack;
    for (std::size_t k = 0; k < T::size; k++) pack[k] = 0;
    data.write(pack);
  }
}

// One line: every value followed by a space (the ap type's stream format,
// six significant digits by default).
template <class T, std::size_t SIZE>
void print_result(const T result[SIZE], std::ostream& out, bool = false) {
  for (std::size_t i = 0; i < SIZE; i++) out << result[i] << " ";
  out << std::endl;
}

// The stream version consumes the packs; with keep it writes them back.
template <class T, std::size_t SIZE>
void print_result(hls::stream<T>& result, std::ostream& out, bool keep = false) {
  for (std::size_t p = 0; p < SIZE / T::size; p++) {
    const T pack = result.read();
    for (std::size_t k = 0; k < T::size; k++) out << pack[k] << " ";
    if (keep) result.write(pack);
  }
  out << std::endl;
}

// A traced layer's output (hls4ml's call: save_layer_output<layer2_t>(
// layer2_out, "fc1", 64)).
template <class T>
void save_layer_output(const T* data, const char* layer_name, std::size_t layer_size) {
  if (!trace_enabled) return;
  if (trace_outputs) {
    const std::map<std::string, void*>::iterator it = trace_outputs->find(layer_name);
    if (it == trace_outputs->end()) return;
    for (std::size_t i = 0; i < layer_size; i++) {
      if (trace_type_size == sizeof(double)) {
        static_cast<double*>(it->second)[i] = data[i].to_double();
      } else {
        static_cast<float*>(it->second)[i] = data[i].to_float();
      }
    }
    return;
  }
  std::ofstream out((std::string("./tb_data/") + layer_name + "_output.log").c_str(),
                    std::ios::app);
  for (std::size_t i = 0; i < layer_size; i++) out << data[i] << " ";
  out << std::endl;
}

// The stream version reads the layer_size values and writes them back, so
// the next layer still finds them.
template <class T, std::size_t N = T::size>
void save_layer_output(hls::stream<T>& data, const char* layer_name, std::size_t layer_size) {
  std::vector<typename T::value_type> values(layer_size);
  for (std::size_t p = 0; p < layer_size / N; p++) {
    const T pack = data.read();
    for (std::size_t k = 0; k < N; k++) values[p * N + k] = pack[k];
    data.write(pack);
  }
  save_layer_output<typename T::value_type>(values.data(), layer_name, layer_size);
}

}  // namespace nnet

#endif
