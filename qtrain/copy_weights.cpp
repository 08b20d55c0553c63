#include "qtrain/copy_weights.h"

#include <torch/torch.h>

namespace qtrain {

void copy_weights(const Model& from, Model& to) {
  torch::NoGradGuard no_grad;
  for (const LayerPtr& layer : to.layers()) {
    LayerPtr source = from.layer(layer->name());
    if (!source) continue;
    for (LayerWeight& w : layer->weights())
      if (const LayerWeight* v = source->weight(w.name); v && v->variable.sizes() == w.variable.sizes())
        w.variable.copy_(v->variable);
  }
}

}  // namespace qtrain
