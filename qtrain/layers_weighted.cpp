// Layers with weights: (Q)Dense, (Q)Conv1D, (Q)Conv2D, (Q)DepthwiseConv2D,
// (Q)SeparableConv2D, (Q)BatchNormalization (qkeras.md §3).
#include <torch/torch.h>

#include "qtrain/layer_registry.h"

namespace qtrain {
namespace {

using quantizers::QuantizerPtr;

// `activation=`: any quantizer or Keras activation; linear is no activation.
QuantizerPtr activation_argument(LayerArgs& args) {
  QuantizerPtr q = args.quantizer("activation");
  return q && q->name() == "linear" ? nullptr : q;
}

// A kernel-like slot applies QKeras' constructor rule (alpha None -> auto_po2).
QuantizerPtr kernel_argument(LayerArgs& args, const char* key) {
  QuantizerPtr q = args.quantizer(key);
  return q ? quantizers::as_kernel_quantizer(*q) : nullptr;
}

// Conv1D, Conv2D, DepthwiseConv2D and SeparableConv2D share the window
// arithmetic; Dense is the degenerate case without spatial axes.  The kernel
// product runs in LibTorch's channels-first layout.
class WeightedLayer : public Layer {
 public:
  int64_t multiplications() const override { return multiplications_; }
  int64_t additions() const override { return additions_; }
  std::optional<QuantizerPtr> output_quantizer() const override {
    // print_qstats tracks the activation of QDense/QConv1D/QConv2D/
    // QDepthwiseConv2D only; other layers pass their input's type through.
    if (tracks_activation_) return activation_;
    return std::nullopt;
  }

 protected:
  WeightedLayer(LayerArgs& args, const std::vector<Shape>& inputs, size_t spatial_rank)
      : Layer(args, inputs), spatial_rank_(spatial_rank) {
    if (inputs.size() != 1) throw error("expects one input, got " + std::to_string(inputs.size()));
    const Shape& in = inputs[0];
    if (in.size() != spatial_rank + 1)
      throw error("expects inputs of rank " + std::to_string(spatial_rank + 1) + " (channels last), got " +
                  shape_to_string(in));
    std::string default_init = args.is_qkeras_class() ? "he_normal" : "glorot_uniform";
    kernel_initializer_ = args.string("kernel_initializer", default_init);
    if (!is_known_initializer(kernel_initializer_))
      throw error("unknown kernel_initializer '" + kernel_initializer_ + "'");
    use_bias_ = args.boolean("use_bias", true);
    activation_ = activation_argument(args);
  }

  // Reads kernel_size / strides / padding and sets windows_ for the input.
  void read_windows(LayerArgs& args, const char* default_padding) {
    std::vector<int64_t> sizes = args.integers("kernel_size", spatial_rank_);
    std::vector<int64_t> strides = args.integers("strides", spatial_rank_, 1);
    bool same = same_padding(args, default_padding);
    for (size_t d = 0; d < spatial_rank_; ++d) {
      if (sizes[d] < 1 || strides[d] < 1) throw error("kernel_size and strides must be positive");
      Window w = window(input_shapes()[0][d], sizes[d], strides[d], same);
      if (w.out < 1)
        throw error("kernel " + std::to_string(sizes[d]) + " does not fit input " + shape_to_string(input_shapes()[0]));
      windows_.push_back(w);
    }
  }

  int64_t input_channels() const { return input_shapes()[0].back(); }
  int64_t output_positions() const {
    int64_t n = 1;
    for (const Window& w : windows_) n *= w.out;
    return n;
  }
  Shape spatial_output(int64_t channels) const {
    Shape out;
    for (const Window& w : windows_) out.push_back(w.out);
    out.push_back(channels);
    return out;
  }

  torch::Tensor& add_kernel(const std::string& weight_name, const std::vector<int64_t>& shape,
                            const QuantizerPtr& quantizer) {
    torch::Tensor& w = add_weight(weight_name, initial_weights(kernel_initializer_, shape), quantizer);
    set_auto_clip(weights().back());
    return w;
  }
  void add_bias(int64_t channels, const QuantizerPtr& quantizer) {
    if (!use_bias_) return;
    add_weight("bias", torch::zeros({channels}), quantizer);
    set_auto_clip(weights().back());
  }

  // Channels-first convolution of a channels-last input with `weight` in
  // LibTorch's (out, in/groups, k...) layout; bias and activation follow.
  torch::Tensor convolve(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                         int64_t groups) const {
    torch::Tensor xc = pad_spatial(to_channels_first(x), windows_);
    std::vector<int64_t> strides, no_padding(spatial_rank_, 0), no_dilation(spatial_rank_, 1);
    for (const Window& w : windows_) strides.push_back(w.stride);
    torch::Tensor y = spatial_rank_ == 1 ? torch::conv1d(xc, weight, bias, strides, no_padding, no_dilation, groups)
                                         : torch::conv2d(xc, weight, bias, strides, no_padding, no_dilation, groups);
    return to_channels_last(y);
  }

  torch::Tensor activate(const torch::Tensor& y) { return activation_ ? (*activation_)(y, is_training()) : y; }

  // A bias quantized for this forward, or an undefined tensor without one.
  torch::Tensor quantized_bias() const {
    const LayerWeight* b = weight("bias");
    return b ? b->quantized(is_training()) : torch::Tensor();
  }

  void register_slots(std::initializer_list<std::pair<const char*, QuantizerPtr>> kernel_slots) {
    for (const auto& [slot, q] : kernel_slots) add_slot(slot, q);
    if (use_bias_) add_slot("bias_quantizer", bias_quantizer_);
    add_slot("activation", activation_);
  }

  size_t spatial_rank_;
  std::string kernel_initializer_;
  bool use_bias_ = true;
  bool tracks_activation_ = true;
  QuantizerPtr activation_, bias_quantizer_;
  std::vector<Window> windows_;
  int64_t multiplications_ = 0, additions_ = 0;
  // Accumulating `products` into `outputs` sums, plus one bias addition each.
  int64_t accumulate(int64_t products, int64_t outputs) const { return products - outputs + (use_bias_ ? outputs : 0); }

 private:
  // QKeras' get_auto_range_constraint_initializer: a quantized weight is
  // clipped to +-max(1, quantizer.max()) after every optimizer step.
  static void set_auto_clip(LayerWeight& w) {
    if (!w.quantizer) return;
    double bound = std::max(1.0, w.quantizer->max());
    w.clip = std::make_pair(-bound, bound);
  }
};

// Keras kernel (k..., in, out) -> LibTorch weight (out, in, k...).
torch::Tensor kernel_to_torch(const torch::Tensor& kernel) {
  int64_t d = kernel.dim();
  std::vector<int64_t> order{d - 1, d - 2};
  for (int64_t i = 0; i + 2 < d; ++i) order.push_back(i);
  return kernel.permute(order);
}

class Dense : public WeightedLayer {
 public:
  Dense(LayerArgs& args, const std::vector<Shape>& inputs) : WeightedLayer(args, inputs, 0) {
    const Shape& in = inputs[0];
    if (in.empty()) throw error("expects inputs with a feature axis");
    int64_t units = args.integer("units");
    if (units < 1) throw error("units must be positive");
    bias_quantizer_ = args.quantizer("bias_quantizer");
    QuantizerPtr kernel_quantizer = kernel_argument(args, "kernel_quantizer");
    add_kernel("kernel", {in.back(), units}, kernel_quantizer);
    add_bias(units, bias_quantizer_);
    register_slots({{"kernel_quantizer", kernel_quantizer}});
    Shape out = in;
    out.back() = units;
    set_output_shape(out);
    // Keras applies a Dense to the last axis of any rank; QKeras counts the
    // products of the (N, in) case.
    multiplications_ = in.back() * units;
    for (size_t d = 0; d + 1 < in.size(); ++d) multiplications_ *= in[d];
    additions_ = accumulate(multiplications_, multiplications_ / in.back());
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    torch::Tensor y = torch::matmul(inputs[0], weights()[0].quantized(is_training()));
    torch::Tensor b = quantized_bias();
    if (b.defined()) y = y + b;
    return activate(y);
  }
};

class Conv : public WeightedLayer {
 public:
  Conv(LayerArgs& args, const std::vector<Shape>& inputs, size_t rank) : WeightedLayer(args, inputs, rank) {
    int64_t filters = args.integer("filters");
    if (filters < 1) throw error("filters must be positive");
    read_windows(args, "valid");
    bias_quantizer_ = args.quantizer("bias_quantizer");
    QuantizerPtr kernel_quantizer = kernel_argument(args, "kernel_quantizer");
    std::vector<int64_t> shape;
    for (const Window& w : windows_) shape.push_back(w.size);
    shape.push_back(input_channels());
    shape.push_back(filters);
    add_kernel("kernel", shape, kernel_quantizer);
    add_bias(filters, bias_quantizer_);
    register_slots({{"kernel_quantizer", kernel_quantizer}});
    set_output_shape(spatial_output(filters));
    multiplications_ = output_positions() * filters * input_channels();
    for (const Window& w : windows_) multiplications_ *= w.size;
    additions_ = accumulate(multiplications_, output_positions() * filters);
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    return activate(convolve(inputs[0], kernel_to_torch(weights()[0].quantized(is_training())), quantized_bias(), 1));
  }
};

// Keras depthwise kernel (kh, kw, in, multiplier) -> grouped LibTorch weight
// (in*multiplier, 1, kh, kw); output channel c*multiplier + m in both.
torch::Tensor depthwise_to_torch(const torch::Tensor& kernel) {
  torch::Tensor w = kernel.permute({2, 3, 0, 1});
  return w.reshape({w.size(0) * w.size(1), 1, w.size(2), w.size(3)});
}

class DepthwiseConv2D : public WeightedLayer {
 public:
  DepthwiseConv2D(LayerArgs& args, const std::vector<Shape>& inputs) : WeightedLayer(args, inputs, 2) {
    int64_t multiplier = args.integer("depth_multiplier", 1);
    if (multiplier < 1) throw error("depth_multiplier must be positive");
    read_windows(args, "valid");
    bias_quantizer_ = args.quantizer("bias_quantizer");
    QuantizerPtr depthwise_quantizer = kernel_argument(args, "depthwise_quantizer");
    add_kernel("depthwise_kernel", {windows_[0].size, windows_[1].size, input_channels(), multiplier},
               depthwise_quantizer);
    add_bias(input_channels() * multiplier, bias_quantizer_);
    register_slots({{"depthwise_quantizer", depthwise_quantizer}});
    set_output_shape(spatial_output(input_channels() * multiplier));
    // QKeras counts one product per input channel; there are `multiplier`.
    multiplications_ = windows_[0].size * windows_[1].size * output_positions() * input_channels();
    additions_ = accumulate(multiplications_ * multiplier, output_positions() * input_channels() * multiplier);
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    torch::Tensor w = depthwise_to_torch(weights()[0].quantized(is_training()));
    return activate(convolve(inputs[0], w, quantized_bias(), input_channels()));
  }
};

// Depthwise then pointwise (1x1) convolution; the intermediate result is not
// quantized (qkeras.md §3).
class SeparableConv2D : public WeightedLayer {
 public:
  SeparableConv2D(LayerArgs& args, const std::vector<Shape>& inputs) : WeightedLayer(args, inputs, 2) {
    tracks_activation_ = false;  // not in print_qstats' activation cache
    int64_t filters = args.integer("filters");
    int64_t multiplier = args.integer("depth_multiplier", 1);
    if (filters < 1 || multiplier < 1) throw error("filters and depth_multiplier must be positive");
    read_windows(args, "valid");
    bias_quantizer_ = args.quantizer("bias_quantizer");
    QuantizerPtr depthwise_quantizer = kernel_argument(args, "depthwise_quantizer");
    QuantizerPtr pointwise_quantizer = kernel_argument(args, "pointwise_quantizer");
    if (args.is_qkeras_class() && !args.has("kernel_initializer")) kernel_initializer_ = "glorot_uniform";
    add_kernel("depthwise_kernel", {windows_[0].size, windows_[1].size, input_channels(), multiplier},
               depthwise_quantizer);
    add_kernel("pointwise_kernel", {1, 1, input_channels() * multiplier, filters}, pointwise_quantizer);
    add_bias(filters, bias_quantizer_);
    register_slots({{"depthwise_quantizer", depthwise_quantizer}, {"pointwise_quantizer", pointwise_quantizer}});
    set_output_shape(spatial_output(filters));
    multiplications_ =
        windows_[0].size * windows_[1].size * output_positions() * input_channels() + output_positions() * filters;
    int64_t depthwise_outputs = output_positions() * input_channels() * multiplier;
    additions_ = (windows_[0].size * windows_[1].size - 1) * depthwise_outputs +
                 accumulate(depthwise_outputs * filters, output_positions() * filters);
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    torch::Tensor depthwise = depthwise_to_torch(weights()[0].quantized(is_training()));
    torch::Tensor pointwise = kernel_to_torch(weights()[1].quantized(is_training()));
    torch::Tensor y = convolve(inputs[0], depthwise, torch::Tensor(), input_channels());
    y = torch::conv2d(to_channels_first(y), pointwise, quantized_bias());
    return activate(to_channels_last(y));
  }
};

// BatchNormalization over the last axis.  QBatchNormalization's quantizers
// default to QKeras' constructor values; plain BatchNormalization has none.
// inv = rsqrt(Q_var(var) + eps) * Q_gamma(gamma);  y = x*inv + (Q_beta(beta) - Q_mean(mean)*inv).
class BatchNormalization : public Layer {
 public:
  BatchNormalization(LayerArgs& args, const std::vector<Shape>& inputs) : Layer(args, inputs) {
    if (inputs.size() != 1) throw error("expects one input");
    if (inputs[0].empty()) throw error("expects inputs with a channel axis");
    int64_t axis = args.integer("axis", -1);
    if (axis != -1 && axis != static_cast<int64_t>(inputs[0].size()))
      throw error("only the last axis (-1) is supported, got axis " + std::to_string(axis));
    momentum_ = args.number("momentum", 0.99);
    epsilon_ = args.number("epsilon", 1e-3);
    bool center = args.boolean("center", true), scale = args.boolean("scale", true);
    bool q = args.is_qkeras_class();
    QuantizerPtr gamma_q = args.quantizer("gamma_quantizer", q ? "quantized_relu_po2(6, 2048)" : nullptr);
    QuantizerPtr beta_q = args.quantizer("beta_quantizer", q ? "quantized_po2(5)" : nullptr);
    mean_q_ = args.quantizer("mean_quantizer", q ? "quantized_po2(5)" : nullptr);
    QuantizerPtr variance_q =
        args.quantizer("variance_quantizer", q ? "quantized_relu_po2(6, quadratic_approximation=True)" : nullptr);
    if (gamma_q) gamma_q = quantizers::as_kernel_quantizer(*gamma_q);
    if (variance_q) variance_q = quantizers::as_kernel_quantizer(*variance_q);
    int64_t channels = inputs[0].back();
    if (scale) add_weight("gamma", torch::ones({channels}), gamma_q);
    if (center) add_weight("beta", torch::zeros({channels}), beta_q);
    add_weight("moving_mean", torch::zeros({channels}), mean_q_, false);
    add_weight("moving_variance", torch::ones({channels}), variance_q, false);
    if (scale) add_slot("gamma_quantizer", gamma_q);
    if (center) add_slot("beta_quantizer", beta_q);
    add_slot("mean_quantizer", mean_q_);
    add_slot("variance_quantizer", variance_q);
    set_output_shape(inputs[0]);
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    const torch::Tensor& x = inputs[0];
    const LayerWeight* gamma = weight("gamma");
    const LayerWeight* beta = weight("beta");
    const LayerWeight& moving_mean = *weight("moving_mean");
    const LayerWeight& moving_variance = *weight("moving_variance");
    torch::Tensor mean, variance;
    if (is_training()) {
      std::vector<int64_t> dims;
      for (int64_t d = 0; d + 1 < x.dim(); ++d) dims.push_back(d);
      variance = x.var(dims, /*unbiased=*/false);
      mean = x.mean(dims);
      {
        // Moving statistics follow the unquantized batch statistics.
        torch::NoGradGuard no_grad;
        moving_mean.variable.mul_(momentum_).add_(mean.detach(), 1.0 - momentum_);
        moving_variance.variable.mul_(momentum_).add_(variance.detach(), 1.0 - momentum_);
      }
      if (mean_q_) mean = (*mean_q_)(mean, true);
      if (moving_variance.quantizer) variance = (*moving_variance.quantizer)(variance, true);
    } else {
      mean = moving_mean.quantized();
      variance = moving_variance.quantized();
    }
    torch::Tensor inv = torch::rsqrt(variance + epsilon_);
    if (gamma) inv = inv * gamma->quantized(is_training());
    torch::Tensor shift = -mean * inv;
    if (beta) shift = beta->quantized(is_training()) + shift;
    return x * inv + shift;
  }

 private:
  double momentum_ = 0.99, epsilon_ = 1e-3;
  QuantizerPtr mean_q_;
};

}  // namespace

void register_weighted_layers(LayerFactories& f) {
  for (const char* prefix : {"", "Q"}) {
    std::string q = prefix;
    f[q + "Dense"] = factory<Dense>();
    f[q + "Conv1D"] = factory<Conv>(size_t{1});
    f[q + "Conv2D"] = factory<Conv>(size_t{2});
    f[q + "DepthwiseConv2D"] = factory<DepthwiseConv2D>();
    f[q + "SeparableConv2D"] = factory<SeparableConv2D>();
    f[q + "BatchNormalization"] = factory<BatchNormalization>();
  }
}

}  // namespace qtrain
