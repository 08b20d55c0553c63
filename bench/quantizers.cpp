// Throughput of quantizer forward (+ backward) on a 1M-element tensor,
// against a plain copy of the same tensor (the memory-bandwidth bound), all
// measured in the same run.  Usage: bench_quantizers [--threads N] [--elements N]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "quantizers/quantizer.h"

namespace {

// Seconds per call: after a warm-up, the fastest of single calls repeated
// for about a second (at least ten).  On a shared machine the minimum is the
// figure least disturbed by other processes, and single calls give a slow
// quantizer the same chance of an undisturbed run as the fast copy.
template <class F>
double seconds_per_call(F f) {
  for (int i = 0; i < 3; ++i) f();
  double best = 1e30, total = 0.0;
  for (int calls = 0; calls < 10 || total < 1.0; ++calls) {
    auto start = std::chrono::steady_clock::now();
    f();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s);
    total += s;
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

  // Forward alone, then forward and backward; autograd::grad returns dL/dx
  // instead of accumulating it into x.grad, so the figure is the op's own work.
  torch::Tensor xg = x.detach().requires_grad_(true);
  auto report = [&](const char* name, const std::function<torch::Tensor(const torch::Tensor&, bool)>& op) {
    double forward = seconds_per_call([&] { return op(x, /*training=*/false); });
    double both = seconds_per_call([&] { return torch::autograd::grad({op(xg, /*training=*/true)}, {xg}, {grad}); });
    std::printf("%-40s %12.1f %9.2f %14.1f %9.2f\n", name, x.numel() / forward / 1e6, forward / copy,
                x.numel() / both / 1e6, both / copy);
  };
  for (const char* spec : {"quantized_bits(6,0,alpha=1)", "quantized_relu(6,0)", "quantized_bits(4,0,alpha='auto_po2')"}) {
    quantizers::QuantizerPtr q = quantizers::parse_quantizer(spec);
    report(spec, [&](const torch::Tensor& t, bool training) { return (*q)(t, training); });
  }
  // LibTorch's own ReLU, for scale: the cost of a forward and of a backward
  // that masks the gradient, with no quantization at all.
  report("torch::relu (reference)", [](const torch::Tensor& t, bool) { return torch::relu(t); });
  return 0;
}
