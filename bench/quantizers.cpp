// Throughput of quantizer forward (+ backward) on a 1M-element tensor,
// against a plain copy of the same tensor (the memory-bandwidth bound), all
// measured in the same run.  Usage: bench_quantizers [--threads N] [--elements N]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "quantizers/quantizer.h"

namespace {

// Median-free but warm: best of `repeats` timings of `reps` calls, in seconds per call.
template <class F>
double seconds_per_call(F f, int reps = 50, int repeats = 5) {
  for (int i = 0; i < 5; ++i) f();
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) f();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / reps;
    best = std::min(best, s);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int64_t elements = 1 << 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--elements")) elements = std::stoll(argv[i + 1]);
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  // A 2-D weight-like tensor (channels last) so auto_po2 has per-channel scales.
  torch::Tensor x = torch::randn({elements / 64, 64});
  torch::Tensor grad = torch::ones_like(x);

  const double copy = seconds_per_call([&] { return x.clone(); });
  std::printf("threads %d, %lld elements\n", threads, static_cast<long long>(x.numel()));
  std::printf("%-40s %12s %9s %14s %9s\n", "op", "fwd Melem/s", "fwd/copy", "fwd+bwd Melem/s", "f+b/copy");
  std::printf("%-40s %12.1f %9.2f %14s %9s\n", "copy (x.clone())", x.numel() / copy / 1e6, 1.0, "-", "-");

  for (const char* spec : {"quantized_bits(6,0,alpha=1)", "quantized_relu(6,0)", "quantized_bits(4,0,alpha='auto_po2')"}) {
    quantizers::QuantizerPtr q = quantizers::parse_quantizer(spec);
    double forward = seconds_per_call([&] { return (*q)(x); });
    torch::Tensor xg = x.detach().requires_grad_(true);
    double both = seconds_per_call([&] {
      torch::Tensor y = (*q)(xg, /*training=*/true);
      y.backward(grad);
      return y;
    });
    std::printf("%-40s %12.1f %9.2f %14.1f %9.2f\n", spec, x.numel() / forward / 1e6, forward / copy,
                x.numel() / both / 1e6, both / copy);
  }
  return 0;
}
