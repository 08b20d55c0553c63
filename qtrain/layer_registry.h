// Internal to the layer implementations: the type registry and helpers the
// layer families share.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "qtrain/layer.h"
#include "qtrain/layer_args.h"

namespace qtrain {

using LayerFactory = std::function<LayerPtr(LayerArgs&, const std::vector<Shape>&)>;
using LayerFactories = std::map<std::string, LayerFactory>;

// The factory of layer class L, constructed as L(args, inputs, extra...).
template <class L, class... Extra>
LayerFactory factory(Extra... extra) {
  return [=](LayerArgs& args, const std::vector<Shape>& inputs) -> LayerPtr {
    return std::make_shared<L>(args, inputs, extra...);
  };
}

// Every layer type, filled on first use from the family files below (explicit
// calls rather than static registrars, which a static library would drop).
LayerFactories& layer_factories();
void register_weighted_layers(LayerFactories& factories);  // layers_weighted.cpp
void register_shape_layers(LayerFactories& factories);     // layers_shape.cpp

// Keras weight initialisers by name ("he_normal", "glorot_uniform", "zeros",
// "ones", "lecun_uniform", ...), with Keras' fan computation for `shape`
// (dense (in, out); conv (k..., in, out)).  Draws from LibTorch's default
// generator, so torch::manual_seed makes a model reproducible.
torch::Tensor initial_weights(const std::string& initializer, const std::vector<int64_t>& shape);
bool is_known_initializer(const std::string& initializer);

// TensorFlow's window arithmetic for convolution and pooling along one axis:
// "valid" keeps whole windows; "same" gives ceil(in / stride) outputs and pads
// the shortfall, the odd element after (bottom/right), as TF does.
struct Window {
  int64_t size = 1, stride = 1;
  int64_t out = 0, pad_before = 0, pad_after = 0;
};
Window window(int64_t in, int64_t size, int64_t stride, bool same);
// Keras' "valid" / "same" argument (case-insensitive); true for same.
bool same_padding(LayerArgs& args, const char* fallback);

// Channels-last <-> LibTorch's channels-first for a (N, spatial..., C) tensor.
torch::Tensor to_channels_first(const torch::Tensor& x);
torch::Tensor to_channels_last(const torch::Tensor& x);
// Pads the spatial axes of a channels-first tensor by the windows' pads.
torch::Tensor pad_spatial(const torch::Tensor& x, const std::vector<Window>& windows, double value = 0.0);

}  // namespace qtrain
