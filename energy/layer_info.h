// Internal to energy/: small reads of a built model shared by the data type
// map, the energy and the bit size.
#pragma once

#include <cstdint>
#include <string>

#include "qtrain/layer.h"

namespace energy {

using qtrain::element_count;

// A layer's quantizer slot by its QKeras argument name, or nullptr.
inline const quantizers::Quantizer* quantizer_slot(const qtrain::Layer& layer, const std::string& name) {
  for (const auto& [slot, q] : layer.quantizer_slots())
    if (slot == name) return q.get();
  return nullptr;
}

}  // namespace energy
