// BatchNormalization folding (hls4ml's FuseBatchNormalization, done on the
// model): a BatchNormalization whose only input is a float Dense or Conv
// without activation, and which is that layer's only consumer, disappears
// into the layer's kernel and bias:
//   s = gamma / sqrt(moving_variance + epsilon)
//   kernel' = kernel * s (per output channel),  bias' = (bias - moving_mean) * s + beta
// computed in float32 as Keras' weights are.  Quantized layers are left
// alone: folding would change what their kernel quantizer sees.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "qtrain/model.h"

namespace qtrain {

struct FoldedModel {
  std::shared_ptr<Model> model;       // new spec, every weight set
  std::vector<std::string> folded;    // "bn1 -> fc1" per folded layer
};

FoldedModel fold_batchnorm(const Model& model);

}  // namespace qtrain
