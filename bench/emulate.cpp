// Throughput of the bit-exact firmware emulator on the 6-bit QAT jet tagger
// (examples/jet_tagger/q6.json, precision config derived by name as
// `qtrain hlsconfig` does), in events/s with 1 and 2 threads, against the
// float model's forward pass on the same events in the same run.
// Usage: bench_emulate [--events N] [--repeats N]
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "datasets/jets.h"
#include "datasets/standard_scaler.h"
#include "qtrain/emulate.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/model.h"

namespace {

template <class F>
double best_seconds(int repeats, F f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t events = 200000;
  int repeats = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::stoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeats")) repeats = std::stoi(argv[i + 1]);
  }
  datasets::LabeledData jets = datasets::synthetic_jets(events, 7);
  torch::Tensor x = datasets::StandardScaler::fit(jets.features).transform(jets.features);
  qtrain::Model model(qtrain::ModelSpec::load(std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/q6.json"));
  model.eval();
  qtrain::HlsModel firmware =
      qtrain::build_hls_model(model, qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>"));
  torch::NoGradGuard no_grad;
  std::printf("jet tagger Q6, %lld events, best of %d\n", static_cast<long long>(events), repeats);
  std::printf("%8s %18s %18s %10s\n", "threads", "emulator ev/s", "float ev/s", "ratio");
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    double emulated = best_seconds(repeats, [&] { qtrain::emulate(firmware, x); });
    double float_model = best_seconds(repeats, [&] { model.forward(x); });
    std::printf("%8d %18.0f %18.0f %10.2f\n", threads, events / emulated, events / float_model, emulated / float_model);
  }
  return 0;
}
