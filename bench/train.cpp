// Training throughput of the jet tagger: samples/s over one epoch (batch
// 1024, Adam), float (Listing 1) against 6-bit QAT (Listing 2), with 1 and 2
// threads, in the same run.  Where Python's torch is importable, also times
// the same float model and loop written against PyTorch's Python API
// (bench/train_pytorch.py) and prints the ratio.
// Usage: bench_train [--samples N] [--epochs N]
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "datasets/jets.h"
#include "qtrain/losses.h"
#include "qtrain/model.h"

namespace {

// Seconds for one epoch of the training loop `qtrain train` runs (shuffle,
// forward, loss, backward, Adam step, constraints), best of `epochs`.
double epoch_seconds(const std::string& spec_path, const torch::Tensor& x, const torch::Tensor& y, int epochs) {
  torch::manual_seed(1);
  qtrain::Model model(qtrain::ModelSpec::load(spec_path));
  model.train();
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(1e-3));
  const int64_t n = x.size(0), batch = 1024;
  double best = 1e30;
  for (int e = 0; e < epochs; ++e) {
    auto start = std::chrono::steady_clock::now();
    torch::Tensor order = torch::randperm(n, torch::kLong);
    for (int64_t b = 0; b < n; b += batch) {
      torch::Tensor index = order.slice(0, b, std::min(n, b + batch));
      torch::Tensor loss = qtrain::categorical_crossentropy(model.forward(x.index_select(0, index)), y.index_select(0, index));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      model.apply_constraints();
      loss.item<double>();  // the loop reads the loss every step (non-finite check)
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t samples = 100000;
  int epochs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--samples")) samples = std::stoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--epochs")) epochs = std::stoi(argv[i + 1]);
  }
  datasets::LabeledData data = datasets::synthetic_jets(samples, 7);
  torch::Tensor x = datasets::StandardScaler::fit(data.features).transform(data.features);
  const std::string dir = QTRAIN_SOURCE_DIR "/examples/jet_tagger/";
  std::printf("jet tagger training, %lld samples, batch 1024, best of %d epochs\n", static_cast<long long>(samples), epochs);
  std::printf("%-8s %8s %14s %14s %10s\n", "threads", "model", "s/epoch", "samples/s", "QAT/float");
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    double fl = epoch_seconds(dir + "float.json", x, data.labels, epochs);
    double q6 = epoch_seconds(dir + "q6.json", x, data.labels, epochs);
    std::printf("%-8d %8s %14.3f %14.0f\n", threads, "float", fl, samples / fl);
    std::printf("%-8d %8s %14.3f %14.0f %10.2f\n", threads, "q6", q6, samples / q6, q6 / fl);
    if (threads == 2) {
      std::string command = "python3 " QTRAIN_SOURCE_DIR "/bench/train_pytorch.py " + std::to_string(samples) + " " +
                            std::to_string(epochs) + " 2>/dev/null";
      FILE* pipe = popen(command.c_str(), "r");
      double python_seconds = 0.0;
      if (pipe && std::fscanf(pipe, "%lf", &python_seconds) == 1 && python_seconds > 0.0)
        std::printf("%-8d %8s %14.3f %14.0f   (float, PyTorch Python API; ours is %.2fx its speed)\n", threads,
                    "pytorch", python_seconds, samples / python_seconds, python_seconds / fl);
      else
        std::printf("PyTorch (python3-torch) not importable: Python comparison skipped\n");
      if (pipe) pclose(pipe);
    }
  }
  return 0;
}
