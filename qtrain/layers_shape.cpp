// Layers without weights: activations, pooling, reshaping, merging, dropout
// and the VAE's sampling layer.
#include <torch/torch.h>


#include "qtrain/layer_registry.h"
#include "quantizers/field.h"

namespace qtrain {
namespace {

using quantizers::QuantizerPtr;

// Layers with one input.
class UnaryLayer : public Layer {
 protected:
  UnaryLayer(LayerArgs& args, const std::vector<Shape>& inputs) : Layer(args, inputs) {
    if (inputs.size() != 1) throw error("expects one input, got " + std::to_string(inputs.size()));
  }
  const Shape& in() const { return input_shapes()[0]; }
};

// Activation / QActivation, and Keras' ReLU and LeakyReLU layers: one
// quantizer or float activation applied element-wise.
class Activation : public UnaryLayer {
 public:
  Activation(LayerArgs& args, const std::vector<Shape>& inputs) : UnaryLayer(args, inputs) {
    if (args.type() == "ReLU") {
      activation_ = quantizers::parse_quantizer("relu");
    } else if (args.type() == "LeakyReLU") {
      double alpha = args.number("alpha", 0.3);  // Keras' default slope
      activation_ = quantizers::parse_quantizer("leaky_relu(alpha=" + quantizers::format_number(alpha) + ")");
    } else {
      activation_ = args.quantizer("activation");
      if (!activation_) throw error("missing argument 'activation'");
    }
    add_slot("activation", activation_);
    set_output_shape(in());
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    return (*activation_)(inputs[0], is_training());
  }
  // Only QActivation sets a tensor type in print_qstats.
  std::optional<QuantizerPtr> output_quantizer() const override {
    if (type() == "QActivation") return activation_;
    return std::nullopt;
  }

 private:
  QuantizerPtr activation_;
};

// MaxPooling1D/2D, AveragePooling1D/2D and QAveragePooling2D.  "same"
// padding follows TF: max ignores the padding, average divides by the number
// of valid cells.  QAveragePooling2D with an average_quantizer computes
// AvgPool(x*A) * Q(1/A), A the pool area (qkeras.md §3).
class Pooling : public UnaryLayer {
 public:
  Pooling(LayerArgs& args, const std::vector<Shape>& inputs, size_t rank, bool max)
      : UnaryLayer(args, inputs), rank_(rank), max_(max) {
    if (in().size() != rank + 1)
      throw error("expects inputs of rank " + std::to_string(rank + 1) + " (channels last), got " +
                  shape_to_string(in()));
    std::vector<int64_t> sizes = args.integers("pool_size", rank, 2);
    std::vector<int64_t> strides = args.has("strides") ? args.integers("strides", rank) : sizes;
    bool same = same_padding(args, "valid");
    Shape out;
    for (size_t d = 0; d < rank; ++d) {
      if (sizes[d] < 1 || strides[d] < 1) throw error("pool_size and strides must be positive");
      windows_.push_back(window(in()[d], sizes[d], strides[d], same));
      if (windows_.back().out < 1) throw error("pool does not fit input " + shape_to_string(in()));
      out.push_back(windows_.back().out);
      area_ *= sizes[d];
    }
    out.push_back(in().back());
    if (args.type() == "QAveragePooling2D") {
      average_quantizer_ = args.quantizer("average_quantizer");
      activation_ = args.quantizer("activation");
      add_slot("average_quantizer", average_quantizer_);
      add_slot("activation", activation_);
    }
    set_output_shape(out);
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    torch::Tensor x = to_channels_first(inputs[0]);
    std::vector<int64_t> kernel, stride;
    for (const Window& w : windows_) {
      kernel.push_back(w.size);
      stride.push_back(w.stride);
    }
    torch::Tensor y;
    if (max_) {
      x = pad_spatial(x, windows_, -std::numeric_limits<double>::infinity());
      y = rank_ == 1 ? torch::max_pool1d(x, kernel, stride) : torch::max_pool2d(x, kernel, stride);
    } else {
      torch::Tensor scaled = average_quantizer_ ? x * static_cast<double>(area_) : x;
      y = average(pad_spatial(scaled, windows_), kernel, stride);
      if (padded()) y = y / average(pad_spatial(torch::ones_like(x), windows_), kernel, stride);
      if (average_quantizer_) y = y * (*average_quantizer_)(torch::tensor(1.0 / static_cast<double>(area_)));
    }
    y = to_channels_last(y);
    return activation_ ? (*activation_)(y, is_training()) : y;
  }

 private:
  torch::Tensor average(const torch::Tensor& x, const std::vector<int64_t>& kernel,
                        const std::vector<int64_t>& stride) const {
    return rank_ == 1 ? torch::avg_pool1d(x, kernel, stride) : torch::avg_pool2d(x, kernel, stride);
  }
  bool padded() const {
    for (const Window& w : windows_)
      if (w.pad_before || w.pad_after) return true;
    return false;
  }

  size_t rank_;
  bool max_;
  int64_t area_ = 1;
  std::vector<Window> windows_;
  QuantizerPtr average_quantizer_, activation_;
};

// GlobalAveragePooling1D/2D, QGlobalAveragePooling2D and GlobalMaxPooling1D/2D
// over the spatial axes.  With an average_quantizer QKeras computes
// sum(x) * Q(1/area) (qkeras.md §3).
class GlobalPooling : public UnaryLayer {
 public:
  GlobalPooling(LayerArgs& args, const std::vector<Shape>& inputs, size_t rank, bool max)
      : UnaryLayer(args, inputs), max_(max) {
    if (in().size() != rank + 1)
      throw error("expects inputs of rank " + std::to_string(rank + 1) + " (channels last), got " +
                  shape_to_string(in()));
    for (size_t d = 0; d < rank; ++d) {
      dims_.push_back(static_cast<int64_t>(d) + 1);
      area_ *= in()[d];
    }
    if (args.type() == "QGlobalAveragePooling2D") {
      average_quantizer_ = args.quantizer("average_quantizer");
      activation_ = args.quantizer("activation");
      add_slot("average_quantizer", average_quantizer_);
      add_slot("activation", activation_);
    }
    set_output_shape({in().back()});
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    const torch::Tensor& x = inputs[0];
    torch::Tensor y;
    if (max_)
      y = std::get<0>(x.flatten(1, static_cast<int64_t>(dims_.size())).max(1));
    else if (average_quantizer_)
      y = x.sum(dims_) * (*average_quantizer_)(torch::tensor(1.0 / static_cast<double>(area_)));
    else
      y = x.mean(dims_);
    return activation_ ? (*activation_)(y, is_training()) : y;
  }

 private:
  bool max_;
  std::vector<int64_t> dims_;
  int64_t area_ = 1;
  QuantizerPtr average_quantizer_, activation_;
};

class Flatten : public UnaryLayer {
 public:
  Flatten(LayerArgs& args, const std::vector<Shape>& inputs) : UnaryLayer(args, inputs) {
    set_output_shape({element_count(in())});
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override { return inputs[0].flatten(1); }
};

class Reshape : public UnaryLayer {
 public:
  Reshape(LayerArgs& args, const std::vector<Shape>& inputs) : UnaryLayer(args, inputs) {
    Shape target = args.integer_list("target_shape");
    int64_t known = 1, unknown = -1;
    for (size_t d = 0; d < target.size(); ++d) {
      if (target[d] == -1 && unknown < 0) {
        unknown = static_cast<int64_t>(d);
      } else if (target[d] < 1) {
        throw error("target_shape entries must be positive (one may be -1)");
      } else {
        known *= target[d];
      }
    }
    int64_t total = element_count(in());
    if (unknown >= 0 && total % known == 0) target[unknown] = total / known;
    if (element_count(target) != total)
      throw error("cannot reshape " + shape_to_string(in()) + " into " + shape_to_string(target));
    set_output_shape(target);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    Shape shape{inputs[0].size(0)};
    shape.insert(shape.end(), output_shape().begin(), output_shape().end());
    return inputs[0].reshape(shape);
  }
};

// Nearest-neighbour upsampling of the spatial axes.
class UpSampling : public UnaryLayer {
 public:
  UpSampling(LayerArgs& args, const std::vector<Shape>& inputs, size_t rank) : UnaryLayer(args, inputs) {
    if (in().size() != rank + 1)
      throw error("expects inputs of rank " + std::to_string(rank + 1) + " (channels last), got " +
                  shape_to_string(in()));
    sizes_ = args.integers("size", rank, 2);
    if (rank == 2 && args.string("interpolation", std::string("nearest")) != "nearest")
      throw error("only nearest interpolation is supported");
    Shape out = in();
    for (size_t d = 0; d < rank; ++d) {
      if (sizes_[d] < 1) throw error("size must be positive");
      out[d] *= sizes_[d];
    }
    set_output_shape(out);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    torch::Tensor y = inputs[0];
    for (size_t d = 0; d < sizes_.size(); ++d) y = y.repeat_interleave(sizes_[d], static_cast<int64_t>(d) + 1);
    return y;
  }

 private:
  std::vector<int64_t> sizes_;
};

class Add : public Layer {
 public:
  Add(LayerArgs& args, const std::vector<Shape>& inputs) : Layer(args, inputs) {
    if (inputs.size() < 2) throw error("expects at least two inputs");
    for (const Shape& s : inputs)
      if (s != inputs[0]) throw error("input shapes differ: " + shape_to_string(inputs[0]) + " and " + shape_to_string(s));
    set_output_shape(inputs[0]);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    torch::Tensor y = inputs[0];
    for (size_t i = 1; i < inputs.size(); ++i) y = y + inputs[i];
    return y;
  }
};

class Concatenate : public Layer {
 public:
  Concatenate(LayerArgs& args, const std::vector<Shape>& inputs) : Layer(args, inputs) {
    if (inputs.size() < 2) throw error("expects at least two inputs");
    // Keras counts the batch axis: axis=1 is the first per-sample axis.
    int64_t rank = static_cast<int64_t>(inputs[0].size());
    int64_t axis = args.integer("axis", -1);
    axis_ = axis < 0 ? rank + axis : axis - 1;
    if (axis_ < 0 || axis_ >= rank) throw error("axis " + std::to_string(axis) + " out of range");
    Shape out = inputs[0];
    for (size_t i = 1; i < inputs.size(); ++i) {
      Shape a = inputs[i], b = inputs[0];
      if (a.size() != b.size()) throw error("inputs of different rank");
      a[axis_] = b[axis_] = 0;
      if (a != b)
        throw error("shapes " + shape_to_string(inputs[0]) + " and " + shape_to_string(inputs[i]) +
                    " differ outside the concatenation axis");
      out[axis_] += inputs[i][axis_];
    }
    set_output_shape(out);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override { return torch::cat(inputs, axis_ + 1); }

 private:
  int64_t axis_ = 0;
};

class Dropout : public UnaryLayer {
 public:
  Dropout(LayerArgs& args, const std::vector<Shape>& inputs) : UnaryLayer(args, inputs) {
    rate_ = args.number("rate");
    if (!(rate_ >= 0.0 && rate_ < 1.0)) throw error("rate must be in [0, 1)");
    set_output_shape(in());
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    return torch::dropout(inputs[0], rate_, is_training());
  }

 private:
  double rate_ = 0.0;
};

// The VAE's reparameterisation: inputs (z_mean, z_log_var); in training
// z = mean + exp(log_var / 2) * N(0, 1); in inference the mean, so scores and
// firmware are deterministic.
class Sampling : public Layer {
 public:
  Sampling(LayerArgs& args, const std::vector<Shape>& inputs) : Layer(args, inputs) {
    if (inputs.size() != 2 || inputs[0] != inputs[1]) throw error("expects two inputs of equal shape (mean, log_var)");
    set_output_shape(inputs[0]);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    if (!is_training()) return inputs[0];
    return inputs[0] + torch::exp(0.5 * inputs[1]) * torch::randn_like(inputs[0]);
  }
};

}  // namespace

void register_shape_layers(LayerFactories& f) {
  for (const char* type : {"Activation", "QActivation", "ReLU", "LeakyReLU"}) f[type] = factory<Activation>();
  f["MaxPooling1D"] = factory<Pooling>(size_t{1}, true);
  f["MaxPooling2D"] = factory<Pooling>(size_t{2}, true);
  f["AveragePooling1D"] = factory<Pooling>(size_t{1}, false);
  f["AveragePooling2D"] = factory<Pooling>(size_t{2}, false);
  f["QAveragePooling2D"] = factory<Pooling>(size_t{2}, false);
  f["GlobalAveragePooling1D"] = factory<GlobalPooling>(size_t{1}, false);
  f["GlobalAveragePooling2D"] = factory<GlobalPooling>(size_t{2}, false);
  f["QGlobalAveragePooling2D"] = factory<GlobalPooling>(size_t{2}, false);
  f["GlobalMaxPooling1D"] = factory<GlobalPooling>(size_t{1}, true);
  f["GlobalMaxPooling2D"] = factory<GlobalPooling>(size_t{2}, true);
  f["Flatten"] = factory<Flatten>();
  f["Reshape"] = factory<Reshape>();
  f["UpSampling1D"] = factory<UpSampling>(size_t{1});
  f["UpSampling2D"] = factory<UpSampling>(size_t{2});
  f["Add"] = factory<Add>();
  f["Concatenate"] = factory<Concatenate>();
  f["Dropout"] = factory<Dropout>();
  f["Sampling"] = factory<Sampling>();
}

}  // namespace qtrain
