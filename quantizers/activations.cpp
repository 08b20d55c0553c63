// Float activations accepted where QKeras accepts a quantizer string
// (QActivation("relu"), activation="softmax"): Keras activations and QKeras'
// helper functions, unquantized, with their usual autograd gradients.
#include <torch/types.h>
#include <torch/utils.h>

#include <limits>

#include "quantizers/catalog.h"
#include "quantizers/kernels.h"

namespace quantizers {
namespace {

enum class Kind {
  Linear, Relu, LeakyRelu, Tanh, Sigmoid, Softmax, HardSigmoid, HardTanh, SmoothSigmoid, SmoothTanh,
  BinarySigmoid, BinaryTanh, Elu, Selu, Softplus, Softsign, Swish, Gelu
};

struct Entry {
  std::string_view name;
  Kind kind;
  double min, max;  // range of the function
};

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr Entry kActivations[] = {
    {"linear", Kind::Linear, -kInf, kInf},
    {"relu", Kind::Relu, 0, kInf},
    {"leaky_relu", Kind::LeakyRelu, -kInf, kInf},
    {"tanh", Kind::Tanh, -1, 1},
    {"sigmoid", Kind::Sigmoid, 0, 1},
    {"softmax", Kind::Softmax, 0, 1},
    {"hard_sigmoid", Kind::HardSigmoid, 0, 1},
    {"hard_tanh", Kind::HardTanh, -1, 1},
    {"smooth_sigmoid", Kind::SmoothSigmoid, 0, 1},
    {"smooth_tanh", Kind::SmoothTanh, -1, 1},
    {"binary_sigmoid", Kind::BinarySigmoid, 0, 1},
    {"binary_tanh", Kind::BinaryTanh, -1, 1},
    {"elu", Kind::Elu, -1, kInf},
    {"selu", Kind::Selu, -1.7580993408473766, kInf},
    {"softplus", Kind::Softplus, 0, kInf},
    {"softsign", Kind::Softsign, -1, 1},
    {"swish", Kind::Swish, -0.2784645427610738, kInf},
    {"gelu", Kind::Gelu, -0.17, kInf},
};

// x + stop_gradient(round(x) − x).
torch::Tensor round_through(const torch::Tensor& x) { return x + (torch::round(x) - x).detach(); }

torch::Tensor clipped_linear(const torch::Tensor& x, double slope) { return torch::clamp(slope * x + 0.5, 0.0, 1.0); }

class Activation : public QuantizerBase<Activation> {
 public:
  explicit Activation(const Entry& entry) : entry_(&entry) {}

  std::string_view name() const override { return entry_->name; }
  std::vector<Field> fields() override {
    if (entry_->kind == Kind::LeakyRelu) return {{"alpha", leak_, 0.3}};  // Keras LeakyReLU's default
    return {};
  }
  int bits() const override { return 32; }
  double max() const override { return entry_->max; }
  double min() const override { return entry_->min; }
  std::optional<HardwareType> hardware_type(Role) const override { return std::nullopt; }

 protected:
  bool prints_bare_name() const override { return true; }

  // Channels-last convention (as Keras): softmax normalises the last axis.
  torch::Tensor quantize(const torch::Tensor& x, bool) override {
    switch (entry_->kind) {
      case Kind::Linear: return x;
      case Kind::Relu: return torch::relu(x);
      case Kind::LeakyRelu: return torch::leaky_relu(x, leak_);
      case Kind::Tanh: return torch::tanh(x);
      case Kind::Sigmoid: return torch::sigmoid(x);
      case Kind::Softmax: return torch::softmax(x, -1);
      case Kind::HardSigmoid: return clipped_linear(x, 0.5);
      case Kind::HardTanh: return 2.0 * clipped_linear(x, 0.5) - 1.0;
      case Kind::SmoothSigmoid: return clipped_linear(x, 0.1875);
      case Kind::SmoothTanh: return 2.0 * clipped_linear(x, 0.1875) - 1.0;
      case Kind::BinarySigmoid: return round_through(clipped_linear(x, 0.5));
      case Kind::BinaryTanh: return 2.0 * round_through(clipped_linear(x, 0.5)) - 1.0;
      case Kind::Elu: return torch::elu(x);
      case Kind::Selu: return torch::selu(x);
      case Kind::Softplus: return torch::softplus(x);
      case Kind::Softsign: return x / (1.0 + x.abs());
      case Kind::Swish: return x * torch::sigmoid(x);
      case Kind::Gelu: return torch::gelu(x);
    }
    return x;
  }

 private:
  const Entry* entry_;
  double leak_ = 0.3;
};

}  // namespace

std::unique_ptr<Quantizer> make_activation(std::string_view name) {
  for (const auto& e : kActivations)
    if (e.name == name) return std::make_unique<Activation>(e);
  return nullptr;
}

std::vector<std::string_view> activation_names() {
  std::vector<std::string_view> names;
  for (const auto& e : kActivations) names.push_back(e.name);
  return names;
}

}  // namespace quantizers
