// sklearn's StandardScaler: per-feature standardisation fitted on the
// training rows and applied unchanged to validation, test and firmware inputs.
// A sample may be a tensor of any shape (an image, a particle list): every
// element of it is a feature, in row-major order ("per-pixel"
// standardisation of SVHN).
#pragma once

#include <ATen/core/Tensor.h>

#include <nlohmann/json.hpp>

namespace datasets {

struct StandardScaler {
  at::Tensor mean, scale;  // (F,) float64
  // Zero-padded data (the ADC particle lists): entries that are exactly 0
  // are padding, left out of the fit and kept 0 by transform(), so that a
  // masked loss still finds them.
  bool keep_zeros = false;

  // Mean and population standard deviation (ddof = 0) of each feature of
  // (N, ...) `features`, computed in float64.  A constant feature gets scale
  // 1, as sklearn does, so it maps to 0 instead of dividing by zero.
  // Throws std::invalid_argument for an empty tensor or one without a sample axis.
  static StandardScaler fit(const at::Tensor& features);
  // The same over the non-zero entries of each feature only, with
  // keep_zeros set; a feature that is always 0 gets mean 0 and scale 1.
  static StandardScaler fit_nonzero(const at::Tensor& features);

  // (features − mean) / scale in float64, returned as float32 in the shape
  // of `features`.  Throws std::invalid_argument when the number of features
  // per sample differs from the fit.
  at::Tensor transform(const at::Tensor& features) const;

  // {"mean": [...], "scale": [...]} and "keep_zeros": true when set;
  // doubles round-trip exactly.
  nlohmann::json to_json() const;
  // Throws DataError for anything but two equally long, non-empty arrays of
  // finite numbers with positive scales.
  static StandardScaler from_json(const nlohmann::json& json);
};

}  // namespace datasets
