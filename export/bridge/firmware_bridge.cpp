// The C entry point through which qtrain runs an exported project's firmware
// as a shared library (hls4ml's compile() / predict()).  export/csim.cpp
// compiles this file together with firmware/<name>.cpp into
// PRJ/csim/lib<name>_bridge.so, defining
//   PROJECT_TOP     the top function (the project name)
//   PROJECT_HEADER  its header, "<name>.h" (firmware/ is on the include path)
//   BRIDGE_N_IN, BRIDGE_N_OUT  the array sizes of an io_parallel signature
// Only the two top-function forms hls4ml generates are needed: arrays
// (io_parallel) and streams of nnet::array packs (io_stream); overload
// resolution on the top function's type picks the matching runner.
#include "hls_stream.h"
#include PROJECT_HEADER

namespace {

// The testbench's conversions: the input from float (as it parses the .dat
// files), the output exactly as a double.
template <class T>
void convert_in(T& value, float x) {
  value = x;
}

template <class T>
double convert_out(const T& value) {
  return value.to_double();
}

// io_parallel: void top(input_t in[N_IN], result_t out[N_OUT]).
template <class In, class Out>
int run(void (*top)(In*, Out*), const float* in, long n, long n_in, double* out, long n_out) {
  if (n_in != BRIDGE_N_IN || n_out != BRIDGE_N_OUT) return 1;
  for (long s = 0; s < n; ++s) {
    In x[BRIDGE_N_IN];
    Out y[BRIDGE_N_OUT];
    for (long i = 0; i < n_in; ++i) convert_in(x[i], in[s * n_in + i]);
    top(x, y);
    for (long j = 0; j < n_out; ++j) out[s * n_out + j] = convert_out(y[j]);
  }
  return 0;
}

// io_stream: void top(hls::stream<input_t>&, hls::stream<result_t>&), each
// stream element one pack of In::size (Out::size) consecutive values.
template <class In, class Out>
int run(void (*top)(hls::stream<In>&, hls::stream<Out>&), const float* in, long n, long n_in, double* out,
        long n_out) {
  if (n_in % In::size != 0 || n_out % Out::size != 0) return 1;
  for (long s = 0; s < n; ++s) {
    hls::stream<In> x;
    hls::stream<Out> y;
    for (long p = 0; p < n_in / static_cast<long>(In::size); ++p) {
      In pack;
      for (unsigned c = 0; c < In::size; ++c) convert_in(pack[c], in[s * n_in + p * In::size + c]);
      x.write(pack);
    }
    top(x, y);
    for (long p = 0; p < n_out / static_cast<long>(Out::size); ++p) {
      Out pack = y.read();
      for (unsigned c = 0; c < Out::size; ++c) out[s * n_out + p * Out::size + c] = convert_out(pack[c]);
    }
  }
  return 0;
}

}  // namespace

// Runs n samples of n_in values each (row-major) and writes n × n_out
// outputs.  Returns non-zero when the sizes do not fit the top function.
extern "C" int qtrain_firmware_predict(const float* in, long n, long n_in, double* out, long n_out) {
  return run(&PROJECT_TOP, in, n, n_in, out, n_out);
}
