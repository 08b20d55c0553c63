// Export, compile and C simulation of the 6-bit QAT jet tagger
// (examples/jet_tagger/q6.json, precision config derived by name as
// `qtrain hlsconfig` does), in wall time, and the throughput of its C model
// built as a shared library against the emulator's on the same events.
// Usage: bench_export [--events N] [--dir DIR]
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "datasets/jets.h"
#include "datasets/standard_scaler.h"
#include "export/csim.h"
#include "export/hls_project.h"
#include "qtrain/emulate.h"
#include "qtrain/hls_config.h"
#include "qtrain/hls_model.h"
#include "qtrain/model.h"

namespace {

template <class F>
double seconds(F f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t events = 100000;
  std::string dir = (std::filesystem::temp_directory_path() / "qtrain_bench_export").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::stoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  datasets::LabeledData jets = datasets::synthetic_jets(events, 7);
  torch::Tensor x = datasets::StandardScaler::fit(jets.features).transform(jets.features);
  qtrain::Model model(qtrain::ModelSpec::load(std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/q6.json"));
  model.eval();
  torch::NoGradGuard no_grad;
  const qtrain::HlsModel firmware =
      qtrain::build_hls_model(model, qtrain::derive_hls_config(model, qtrain::Granularity::Name, "ap_fixed<16,6>"));
  const int64_t tb = std::min<int64_t>(1000, events);
  const torch::Tensor tb_inputs = x.narrow(0, 0, tb);

  hls_export::ProjectOptions options;
  options.force = true;
  std::printf("jet tagger Q6 in %s\n", dir.c_str());
  const double export_s = seconds([&] {
    hls_export::write_project(firmware, dir, options, tb_inputs, qtrain::emulate(firmware, tb_inputs).front());
  });
  hls_export::CsimResult csim;
  const double csim_s = seconds([&] { csim = hls_export::run_csim(dir); });
  std::optional<hls_export::FirmwareLibrary> library;
  const double library_s = seconds([&] { library.emplace(dir); });
  std::printf("export %.2f s, compile + csim of %ld samples %.2f s (%ld mismatches), shared library %.2f s\n", export_s,
              csim.samples, csim_s, csim.mismatches, library_s);

  const torch::Tensor rows = x.to(torch::kFloat32).contiguous();
  torch::Tensor outputs = torch::empty({events, 5}, torch::kFloat64);
  const double c_model = seconds([&] { library->predict(rows.data_ptr<float>(), events, 16, outputs.data_ptr<double>(), 5); });
  at::set_num_threads(1);
  torch::Tensor emulated;
  const double emulator_1 = seconds([&] { emulated = qtrain::emulate(firmware, x).front(); });
  at::set_num_threads(2);
  const double emulator_2 = seconds([&] { qtrain::emulate(firmware, x); });
  std::printf("%ld events: C model %.0f ev/s (1 thread), emulator %.0f ev/s (1 thread, %.1fx), %.0f ev/s (2 threads)\n",
              static_cast<long>(events), events / c_model, events / emulator_1, c_model / emulator_1, events / emulator_2);
  std::printf("C model and emulator outputs %s\n", torch::equal(outputs, emulated) ? "identical" : "DIFFER");
  return 0;
}
