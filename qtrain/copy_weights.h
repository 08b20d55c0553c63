// Weight transfer between two models built from related specs.
#pragma once

#include "qtrain/model.h"

namespace qtrain {

// Copies every weight of `to` that `from` has (same layer and weight name,
// same shape) from `from`: a transformed spec keeps the trained values.
void copy_weights(const Model& from, Model& to);

}  // namespace qtrain
