// Internal to energy/: small reads of a built model shared by the data type
// map, the energy and the bit size.
#pragma once

#include <cstdint>
#include <functional>
#include <numeric>
#include <string>

#include "qtrain/layer.h"

namespace energy {

// Elements of a per-sample tensor.
inline int64_t element_count(const qtrain::Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
}

// A layer's quantizer slot by its QKeras argument name, or nullptr.
inline const quantizers::Quantizer* quantizer_slot(const qtrain::Layer& layer, const std::string& name) {
  for (const auto& [slot, q] : layer.quantizer_slots())
    if (slot == name) return q.get();
  return nullptr;
}

}  // namespace energy
